//! Who is on call (SPEC §11): a rotation hands a level's page role from member to member at
//! each shift boundary, in the rotation's local time (a weekly 09:00 handoff stays at 09:00
//! across daylight-saving changes), and an override puts someone else on call until it ends.
//! Pure functions of the rotation, the overrides and the instant.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use super::{Level, UserId};

/// A level's rotation, as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    pub level: Level,
    /// Members in turn, each on call for one `shift`.
    pub members: Vec<UserId>,
    pub shift: std::time::Duration,
    /// The first handoff, local time in `timezone`.
    pub start: NaiveDateTime,
    pub timezone: Tz,
}

/// Someone put on call by hand, from `starts` until `ends`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Override {
    pub user: UserId,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

/// A stretch of time one member is on call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub member: UserId,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    /// Put on call by an override rather than the rotation.
    pub overridden: bool,
}

/// A local time as an instant: the earlier of an ambiguous hour (autumn), and for a time
/// that does not exist (the spring gap) the first instant after the gap.
fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            let mut later = local;
            for _ in 0..8 {
                let Some(next) = later.checked_add_signed(TimeDelta::minutes(30)) else {
                    break;
                };
                later = next;
                if let Some(t) = tz.from_local_datetime(&later).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

impl Rotation {
    fn step(&self) -> TimeDelta {
        TimeDelta::from_std(self.shift).unwrap_or(TimeDelta::hours(1))
    }

    /// The `k`-th handoff (0 is `start`; negative ones lie before it).
    pub fn boundary(&self, k: i64) -> DateTime<Utc> {
        let offset = self.step() * i32::try_from(k).unwrap_or(i32::MAX);
        instant(self.timezone, self.start + offset)
    }

    /// The number of the shift that holds `t`.
    fn index_at(&self, t: DateTime<Utc>) -> i64 {
        let local = t.with_timezone(&self.timezone).naive_local();
        let step = self.step().num_seconds().max(60);
        let mut k = (local - self.start).num_seconds().div_euclid(step);
        // Local time is off by the offset change near a daylight-saving boundary: settle
        // on the shift whose boundaries really hold `t`.
        while self.boundary(k) > t {
            k -= 1;
        }
        while self.boundary(k + 1) <= t {
            k += 1;
        }
        k
    }

    fn member(&self, k: i64) -> UserId {
        let n = self.members.len().max(1) as i64;
        // Validated non-empty at load; UserId(0) would be a member nobody holds.
        self.members
            .get(k.rem_euclid(n) as usize)
            .copied()
            .unwrap_or(UserId(0))
    }

    /// Who is on call at `t`, and from when until when; overrides come first.
    pub fn on_call(&self, overrides: &[Override], t: DateTime<Utc>) -> Shift {
        if let Some(o) = overrides
            .iter()
            .filter(|o| o.starts <= t && t < o.ends)
            .max_by_key(|o| o.starts)
        {
            return Shift {
                member: o.user,
                starts: o.starts,
                ends: o.ends,
                overridden: true,
            };
        }
        let k = self.index_at(t);
        let (starts, ends) = (self.boundary(k), self.boundary(k + 1));
        let cut_by_override = overrides
            .iter()
            .filter(|o| o.starts > t && o.starts < ends)
            .map(|o| o.starts)
            .min();
        let resumed_after_override = overrides
            .iter()
            .filter(|o| o.ends <= t && o.ends > starts)
            .map(|o| o.ends)
            .max();
        Shift {
            member: self.member(k),
            starts: resumed_after_override.unwrap_or(starts),
            ends: cut_by_override.unwrap_or(ends),
            overridden: false,
        }
    }

    /// The `n` shifts after the one holding `t`.
    pub fn upcoming(&self, overrides: &[Override], t: DateTime<Utc>, n: usize) -> Vec<Shift> {
        let mut out = Vec::with_capacity(n);
        let mut at = self.on_call(overrides, t).ends;
        while out.len() < n {
            let next = self.on_call(overrides, at);
            at = next.ends;
            out.push(next);
        }
        out
    }
}

/// How long an override may last.
pub const LONGEST_OVERRIDE: TimeDelta = TimeDelta::days(31);

/// `until` as typed: a duration from now (`"8h"`, `"2d"`), a local time (`"18:00"`: the next
/// one), or a local date and time (`"2026-12-01 09:00"`), in `tz`. Refused unless later
/// than `now` and at most `LONGEST_OVERRIDE` away.
pub fn parse_until(
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<DateTime<Utc>, crate::domain::error::UserError> {
    let text = text.trim();
    let bad = || crate::domain::error::UserError::BadUntil(text.to_owned());
    let at = if let Ok(d) = humantime::parse_duration(text) {
        // A duration typed by a member can be any size ("1000000y"): checked, never panicking.
        TimeDelta::from_std(d)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .ok_or_else(bad)?
    } else if let Ok(local) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M") {
        instant(tz, local)
    } else if let Ok(time) = chrono::NaiveTime::parse_from_str(text, "%H:%M") {
        let today = now.with_timezone(&tz).date_naive();
        let at = instant(tz, today.and_time(time));
        if at > now {
            at
        } else {
            let tomorrow = today.succ_opt().ok_or_else(bad)?;
            instant(tz, tomorrow.and_time(time))
        }
    } else {
        return Err(bad());
    };
    if at <= now || at - now > LONGEST_OVERRIDE {
        return Err(bad());
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const A: UserId = UserId(501);
    const B: UserId = UserId(502);
    const C: UserId = UserId(503);

    fn weekly() -> Rotation {
        Rotation {
            level: Level::SERVICE_DESK,
            members: vec![A, B, C],
            shift: std::time::Duration::from_secs(7 * 24 * 3600),
            // Monday 2026-03-23, 09:00 in Madrid: the spring change falls in the next week.
            start: NaiveDate::from_ymd_opt(2026, 3, 23)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            timezone: chrono_tz::Europe::Madrid,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn until_reads_durations_local_times_and_dates() {
        let now = utc("2026-11-27T12:00:00Z"); // 13:00 in Madrid
        let tz = chrono_tz::Europe::Madrid;
        assert_eq!(
            parse_until("8h", now, tz).unwrap(),
            utc("2026-11-27T20:00:00Z")
        );
        assert_eq!(
            parse_until("18:00", now, tz).unwrap(),
            utc("2026-11-27T17:00:00Z")
        );
        assert_eq!(
            parse_until("09:00", now, tz).unwrap(),
            utc("2026-11-28T08:00:00Z"),
            "tomorrow"
        );
        assert_eq!(
            parse_until("2026-12-01 09:00", now, tz).unwrap(),
            utc("2026-12-01T08:00:00Z")
        );
        for bad in ["soon", "2026-11-01 09:00", "25:00", ""] {
            assert!(parse_until(bad, now, tz).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_far_away_until_is_refused_not_a_panic() {
        let now = utc("2026-11-27T12:00:00Z");
        let tz = chrono_tz::Europe::Madrid;
        for far in [
            "1000000y",
            "300000000y",
            "9999999999999d",
            "262143-12-31 23:59",
        ] {
            assert!(parse_until(far, now, tz).is_err(), "{far}");
        }
        let late = DateTime::<Utc>::MAX_UTC - TimeDelta::minutes(1);
        assert!(parse_until("1h", late, tz).is_err());
        // At the end of time a local time has no tomorrow: refused, not a panic.
        assert!(parse_until("2026-11-28 09:00", now, tz).is_ok());
        assert!(
            parse_until("2026-12-29 09:00", now, tz).is_err(),
            "past 31 days"
        );
    }

    #[test]
    fn members_take_turns_at_each_boundary() {
        let r = weekly();
        let first = r.on_call(&[], utc("2026-03-23T08:00:00Z"));
        assert_eq!(
            (first.member, first.starts),
            (A, utc("2026-03-23T08:00:00Z"))
        );
        assert_eq!(r.on_call(&[], utc("2026-03-30T06:59:59Z")).member, A);
        assert_eq!(r.on_call(&[], utc("2026-03-30T07:00:00Z")).member, B);
        assert_eq!(r.on_call(&[], utc("2026-04-06T07:00:00Z")).member, C);
        assert_eq!(
            r.on_call(&[], utc("2026-04-13T07:00:00Z")).member,
            A,
            "round again"
        );
        // Before the first handoff the turn runs backwards.
        assert_eq!(r.on_call(&[], utc("2026-03-20T12:00:00Z")).member, C);
    }

    #[test]
    fn the_handoff_stays_at_nine_local_across_both_daylight_saving_changes() {
        let r = weekly();
        // Spring forward on 29 March: 09:00 CEST is 07:00 UTC, not 08:00.
        let after_spring = r.on_call(&[], utc("2026-03-30T10:00:00Z"));
        assert_eq!(after_spring.starts, utc("2026-03-30T07:00:00Z"));
        assert_eq!(
            r.on_call(&[], utc("2026-03-27T12:00:00Z")).ends,
            after_spring.starts
        );
        // Autumn back on 25 October: 09:00 CET is 08:00 UTC again.
        let autumn = r.on_call(&[], utc("2026-10-26T09:00:00Z"));
        assert_eq!(autumn.starts, utc("2026-10-26T08:00:00Z"));
        assert_eq!(
            autumn.ends - autumn.starts,
            TimeDelta::days(7),
            "a whole week between two Mondays at 09:00"
        );
        let before = r.on_call(&[], utc("2026-10-20T09:00:00Z"));
        assert_eq!(
            before.ends - before.starts,
            TimeDelta::days(7) + TimeDelta::hours(1)
        );
    }

    #[test]
    fn a_handoff_in_the_spring_gap_moves_to_the_end_of_the_gap() {
        let mut r = weekly();
        r.shift = std::time::Duration::from_secs(3600);
        r.start = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(0, 30, 0)
            .unwrap();
        // 02:30 local does not exist on 29 March in Madrid.
        let gap = r.boundary(2);
        assert_eq!(gap, utc("2026-03-29T01:00:00Z"), "03:00 CEST");
        let shift = r.on_call(&[], utc("2026-03-29T00:45:00Z"));
        assert!(shift.ends > shift.starts);
    }

    #[test]
    fn an_override_holds_the_role_and_the_rotation_resumes_after_it() {
        let r = weekly();
        let o = Override {
            user: UserId(900),
            starts: utc("2026-03-25T10:00:00Z"),
            ends: utc("2026-03-31T10:00:00Z"),
        };
        // A handoff that falls inside the override moves nothing.
        let during = r.on_call(&[o], utc("2026-03-30T08:00:00Z"));
        assert_eq!((during.member, during.overridden), (UserId(900), true));
        assert_eq!(during.ends, o.ends);
        let before = r.on_call(&[o], utc("2026-03-24T10:00:00Z"));
        assert_eq!(
            (before.member, before.ends),
            (A, o.starts),
            "cut short by the override"
        );
        let after = r.on_call(&[o], utc("2026-03-31T10:00:00Z"));
        assert_eq!(
            (after.member, after.starts),
            (B, o.ends),
            "the rotation resumes"
        );
        let next = r.upcoming(&[o], utc("2026-03-24T10:00:00Z"), 3);
        let who: Vec<UserId> = next.iter().map(|s| s.member).collect();
        assert_eq!(who, [UserId(900), B, C]);
    }
}
