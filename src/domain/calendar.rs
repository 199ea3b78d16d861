//! The help desk's service hours (SPEC §10): a week of opening ranges in a time zone, and
//! holidays. Durations on the `hours` clock count only open time: `add` finds when a
//! duration of open time starting at an instant ends, `open_between` measures the open time
//! between two instants — across nights, weekends, holidays and both daylight-saving
//! changes (each range is placed in local time, then measured in real time).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// One opening range of a day: from `start` to `end` local time (`None`: midnight, 24:00).
pub type Range = (NaiveTime, Option<NaiveTime>);

/// When the desk is open.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub tz: Tz,
    /// Monday first; a day with no ranges is closed.
    pub week: [Vec<Range>; 7],
    pub holidays: BTreeSet<NaiveDate>,
}

/// How far ahead the calendar looks for open time before giving up (a week always has
/// some: validation refuses a week with none).
const HORIZON_DAYS: i64 = 3 * 366;

fn instant(tz: Tz, date: NaiveDate, time: Option<NaiveTime>) -> DateTime<Utc> {
    let local = match time {
        Some(t) => date.and_time(t),
        None => (date + TimeDelta::days(1)).and_time(NaiveTime::MIN),
    };
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        // In the spring gap: the first instant after it.
        LocalResult::None => {
            let mut later = local;
            loop {
                later += TimeDelta::minutes(15);
                if let Some(t) = tz.from_local_datetime(&later).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
        }
    }
}

impl Calendar {
    /// A desk that never closes.
    pub fn always() -> Calendar {
        let all_day = vec![(NaiveTime::MIN, None)];
        Calendar {
            tz: Tz::UTC,
            week: std::array::from_fn(|_| all_day.clone()),
            holidays: BTreeSet::new(),
        }
    }

    /// The open stretches of local day `date`, as instants.
    fn intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let day = date.weekday().num_days_from_monday() as usize;
        self.week[day]
            .iter()
            .map(|(s, e)| (instant(self.tz, date, Some(*s)), instant(self.tz, date, *e)))
            .filter(|(s, e)| e > s)
            .collect()
    }

    /// Open stretches from the local day holding `t` onwards, for the horizon.
    fn stretches_from(
        &self,
        t: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let first = t.with_timezone(&self.tz).date_naive() - TimeDelta::days(1);
        (0..HORIZON_DAYS).flat_map(move |i| self.intervals(first + TimeDelta::days(i)))
    }

    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        self.stretches_from(t)
            .take_while(|(s, _)| *s <= t)
            .any(|(s, e)| s <= t && t < e)
    }

    /// `t` when the desk is open then, else when it opens next.
    pub fn next_opening(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.stretches_from(t)
            .find(|(_, e)| *e > t)
            .map(|(s, _)| s.max(t))
    }

    /// When `d` of open time, counted from `start`, has passed.
    pub fn add(&self, start: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
        let mut left = d.max(TimeDelta::zero());
        let mut last = start;
        for (s, e) in self.stretches_from(start).filter(|(_, e)| *e > start) {
            let from = s.max(start);
            if left <= e - from {
                return from + left;
            }
            left -= e - from;
            last = e;
        }
        last + left
    }

    /// The open time between `a` and `b` (zero when `b` is not after `a`).
    pub fn open_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> TimeDelta {
        if b <= a {
            return TimeDelta::zero();
        }
        self.stretches_from(a)
            .take_while(|(s, _)| *s < b)
            .map(|(s, e)| (s.max(a), e.min(b)))
            .filter(|(s, e)| e > s)
            .map(|(s, e)| e - s)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// Madrid, Monday to Friday 08:00-18:00 (Tuesday with a lunch break), Christmas closed.
    fn office() -> Calendar {
        let day = vec![(hm(8, 0), Some(hm(18, 0)))];
        Calendar {
            tz: chrono_tz::Europe::Madrid,
            week: [
                day.clone(),
                vec![(hm(8, 0), Some(hm(13, 0))), (hm(15, 0), Some(hm(18, 0)))],
                day.clone(),
                day.clone(),
                vec![(hm(8, 0), Some(hm(15, 0)))],
                vec![],
                vec![],
            ],
            holidays: [NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()].into(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_friday_evening_hour_ends_on_monday_morning() {
        // Friday 27 November 2026, 16:00 in Madrid: closed since 15:00.
        let due = office().add(utc("2026-11-27T15:00:00Z"), TimeDelta::hours(1));
        assert_eq!(due, utc("2026-11-30T08:00:00Z"), "Monday 09:00 local");
    }

    #[test]
    fn lunch_weekends_and_holidays_do_not_count() {
        let c = office();
        // Tuesday 12:00 + 2h: one hour before lunch, one after.
        assert_eq!(
            c.add(utc("2026-12-01T11:00:00Z"), TimeDelta::hours(2)),
            utc("2026-12-01T15:00:00Z")
        );
        // Thursday 24 December 17:00 + 2h: one hour that day; Christmas and the weekend
        // closed; the second hour on Monday.
        assert_eq!(
            c.add(utc("2026-12-24T16:00:00Z"), TimeDelta::hours(2)),
            utc("2026-12-28T08:00:00Z")
        );
        assert_eq!(
            c.next_opening(utc("2026-12-25T10:00:00Z")),
            Some(utc("2026-12-28T07:00:00Z"))
        );
        assert!(!c.is_open(utc("2026-12-25T10:00:00Z")));
        assert!(c.is_open(utc("2026-12-28T07:00:00Z")));
    }

    #[test]
    fn both_daylight_saving_nights_in_madrid() {
        let mut c = office();
        c.week = std::array::from_fn(|_| vec![(hm(0, 0), None)]);
        // 29 March 2026 has 23 hours, 25 October 2026 has 25: open time is real time.
        let spring = c.open_between(utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z"));
        assert_eq!(spring, TimeDelta::hours(23));
        let autumn = c.open_between(utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z"));
        assert_eq!(autumn, TimeDelta::hours(25));
        // Office hours the Monday after each change still open at 08:00 local.
        let o = office();
        assert_eq!(
            o.next_opening(utc("2026-03-29T12:00:00Z")),
            Some(utc("2026-03-30T06:00:00Z"))
        );
        assert_eq!(
            o.next_opening(utc("2026-10-25T12:00:00Z")),
            Some(utc("2026-10-26T07:00:00Z"))
        );
    }

    fn instants() -> impl Strategy<Value = DateTime<Utc>> {
        // Two years around both 2026 daylight-saving changes, to the minute.
        (0i64..(2 * 365 * 24 * 60))
            .prop_map(|m| utc("2025-06-01T00:00:00Z") + TimeDelta::minutes(m))
    }

    fn durations() -> impl Strategy<Value = TimeDelta> {
        (0i64..(30 * 24 * 60)).prop_map(TimeDelta::minutes)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn adding_is_monotonic(s in instants(), a in durations(), b in durations()) {
            let c = office();
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(c.add(s, lo) <= c.add(s, hi));
        }

        #[test]
        fn adding_is_additive(s in instants(), a in durations(), b in durations()) {
            let c = office();
            prop_assert_eq!(c.add(c.add(s, a), b), c.add(s, a + b));
        }

        #[test]
        fn open_between_is_the_inverse_of_add(s in instants(), d in durations()) {
            let c = office();
            prop_assert_eq!(c.open_between(s, c.add(s, d)), d);
        }

        #[test]
        fn always_open_is_wall_time(s in instants(), d in durations()) {
            prop_assert_eq!(Calendar::always().add(s, d), s + d);
        }

        #[test]
        fn a_deadline_never_lands_in_a_closed_period(s in instants(), d in (1i64..(30 * 24 * 60)).prop_map(TimeDelta::minutes)) {
            let c = office();
            let due = c.add(s, d);
            // Open then, or the very instant a range closes.
            prop_assert!(c.is_open(due) || c.is_open(due - TimeDelta::minutes(1)));
        }
    }
}
