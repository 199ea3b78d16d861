//! The backlog's last days as data, for the chart of SPEC §5: open tickets per level at the
//! end of each day, and the median time to resolution of the tickets closed that day. Worked
//! out from the timeline, so a chart of last week is right even if the bot was down then.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::Level;

/// How many days a chart shows, today included.
pub const CHART_DAYS: usize = 14;

/// Timeline events of one kind that changed which level owns a ticket, or whether it is
/// open, on one day of the chart: the store counts them per day, so the chart reads a few
/// hundred rows however busy the desk was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelMove {
    /// Which of the chart's days (see `day_of`).
    pub day: usize,
    pub kind: MoveKind,
    /// The level owning the ticket after the event.
    pub level: Level,
    /// How many such events.
    pub count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    Opened,
    /// Escalated or returned, from this level.
    Moved {
        from: Level,
    },
    Closed,
    Reopened,
}

impl MoveKind {
    /// The timeline kinds that move a ticket, as `events.kind` spells them.
    pub const EVENT_KINDS: [&'static str; 5] =
        ["opened", "escalated", "returned", "closed", "reopened"];

    /// The move an event of kind `tag` is, given the level it came from.
    pub fn of(tag: &str, from: Option<Level>) -> Option<MoveKind> {
        match (tag, from) {
            ("opened", _) => Some(MoveKind::Opened),
            ("escalated" | "returned", Some(from)) => Some(MoveKind::Moved { from }),
            ("closed", _) => Some(MoveKind::Closed),
            ("reopened", _) => Some(MoveKind::Reopened),
            _ => None,
        }
    }
}

/// The chart's numbers: one entry per day, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub days: Vec<NaiveDate>,
    /// Open tickets of each level at the end of each day (today: now).
    pub open: BTreeMap<Level, Vec<i64>>,
    /// Median hours from opening to closing of the tickets closed each day; `None` on a day
    /// nothing was closed.
    pub median_resolution_hours: Vec<Option<f64>>,
}

/// The last `days` local dates in `tz` up to `now`'s, oldest first, each with the instant
/// its numbers are taken at: the next local midnight, or `now` for today.
pub fn day_ends(now: DateTime<Utc>, tz: Tz, days: usize) -> Vec<(NaiveDate, DateTime<Utc>)> {
    let today = now.with_timezone(&tz).date_naive();
    (0..days as i64)
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            let end = if back == 0 {
                now
            } else {
                local_midnight(day + Duration::days(1), tz)
            };
            (day, end)
        })
        .collect()
}

/// The first instant of the local date `day` (a day may start at 01:00 where the clock jumps
/// over midnight).
fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..8 {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Which of the days ending at `ends` an event at `at` falls on: the first whose end is
/// after it, and today (the last) for anything at or after the day before's end. The store
/// counts by the same rule in SQL.
pub fn day_of(ends: &[DateTime<Utc>], at: DateTime<Utc>) -> usize {
    ends.partition_point(|end| *end <= at)
        .min(ends.len().saturating_sub(1))
}

/// Open tickets per level at the end of each of `days` days (today: now), walking back from
/// the counts of now (`now_open`): the state at the end of a day is the next day's with that
/// next day's moves undone. `levels` are the series drawn, each present even when always
/// empty.
pub fn open_per_day(
    levels: &[Level],
    now_open: &BTreeMap<Level, i64>,
    moves: &[LevelMove],
    days: usize,
) -> BTreeMap<Level, Vec<i64>> {
    let mut counts: BTreeMap<Level, i64> = levels.iter().map(|l| (*l, 0)).collect();
    for (level, n) in now_open {
        *counts.entry(*level).or_default() += n;
    }
    let mut series: BTreeMap<Level, Vec<i64>> =
        levels.iter().map(|l| (*l, vec![0; days])).collect();
    for day in (0..days).rev() {
        for (level, values) in series.iter_mut() {
            values[day] = counts.get(level).copied().unwrap_or(0).max(0);
        }
        for m in moves.iter().filter(|m| m.day == day) {
            undo(&mut counts, m);
        }
    }
    series
}

fn undo(counts: &mut BTreeMap<Level, i64>, m: &LevelMove) {
    let n = m.count;
    match m.kind {
        MoveKind::Opened | MoveKind::Reopened => *counts.entry(m.level).or_default() -= n,
        MoveKind::Closed => *counts.entry(m.level).or_default() += n,
        MoveKind::Moved { from } => {
            *counts.entry(m.level).or_default() -= n;
            *counts.entry(from).or_default() += n;
        }
    }
}

/// The median hours to resolution of the tickets closed on each of `days` days: `closes`
/// are (day, seconds from opening to closing).
pub fn median_per_day(closes: &[(usize, i64)], days: usize) -> Vec<Option<f64>> {
    let mut per_day: Vec<Vec<i64>> = vec![Vec::new(); days];
    for (day, secs) in closes {
        if let Some(bucket) = per_day.get_mut(*day) {
            bucket.push(*secs);
        }
    }
    per_day.into_iter().map(median_hours).collect()
}

fn median_hours(mut secs: Vec<i64>) -> Option<f64> {
    if secs.is_empty() {
        return None;
    }
    secs.sort_unstable();
    let n = secs.len();
    let mid = if n % 2 == 1 {
        secs[n / 2] as f64
    } else {
        (secs[n / 2 - 1] + secs[n / 2]) as f64 / 2.0
    };
    Some(mid / 3600.0)
}

/// The chart's numbers from what the store read: the counts of now, the moves of each day
/// and the closes of each day (by `day_of` over the ends of `days`).
pub fn history(
    days: &[(NaiveDate, DateTime<Utc>)],
    levels: &[Level],
    now_open: &BTreeMap<Level, i64>,
    moves: &[LevelMove],
    closes: &[(usize, i64)],
) -> History {
    History {
        days: days.iter().map(|(day, _)| *day).collect(),
        open: open_per_day(levels, now_open, moves, days.len()),
        median_resolution_hours: median_per_day(closes, days.len()),
    }
}

/// The first instant the chart looks at: the start of its oldest day.
pub fn window_start(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    local_midnight(today - Duration::days(CHART_DAYS as i64 - 1), tz)
}

#[cfg(test)]
mod tests;
