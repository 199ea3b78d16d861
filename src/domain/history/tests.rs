//! The chart's numbers against a forward replay of random ticket lives.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

fn level(n: u8) -> Level {
    Level::new(n).unwrap()
}

fn levels() -> Vec<Level> {
    vec![level(1), level(2), level(3)]
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

/// A move as the timeline holds it: when, what, and the level after it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Timed {
    at: DateTime<Utc>,
    kind: MoveKind,
    level: Level,
}

/// The moves as the store gives them: each counted on its day.
fn counted(moves: &[Timed], ends: &[DateTime<Utc>]) -> Vec<LevelMove> {
    moves
        .iter()
        .map(|m| LevelMove {
            day: day_of(ends, m.at),
            kind: m.kind,
            level: m.level,
            count: 1,
        })
        .collect()
}

/// One ticket's life: its moves, oldest first, from steps chosen by the generator.
fn life(start: DateTime<Utc>, steps: &[(u8, u16)]) -> Vec<Timed> {
    let mut moves = vec![Timed {
        at: start,
        kind: MoveKind::Opened,
        level: level(1),
    }];
    let (mut now, mut current, mut open) = (start, 1u8, true);
    for (choice, minutes) in steps {
        now += Duration::minutes(i64::from(*minutes));
        let kind = match (open, choice % 3) {
            (false, _) => MoveKind::Reopened,
            (true, 0) if current < 3 => MoveKind::Moved {
                from: level(current),
            },
            (true, 1) if current > 1 => MoveKind::Moved {
                from: level(current),
            },
            _ => MoveKind::Closed,
        };
        match kind {
            MoveKind::Moved { .. } if choice % 3 == 0 => current += 1,
            MoveKind::Moved { .. } => current -= 1,
            MoveKind::Closed => open = false,
            _ => open = true,
        }
        moves.push(Timed {
            at: now,
            kind,
            level: level(current),
        });
    }
    moves
}

/// Which level owns each ticket (None: closed) after the moves `before` lets through.
fn replay(lives: &[Vec<Timed>], before: impl Fn(&Timed) -> bool) -> BTreeMap<Level, i64> {
    let mut counts = BTreeMap::new();
    for moves in lives {
        let last = moves.iter().filter(|m| before(m)).last();
        if let Some(m) = last.filter(|m| m.kind != MoveKind::Closed) {
            *counts.entry(m.level).or_default() += 1;
        }
    }
    counts
}

fn ends_of(days: &[(NaiveDate, DateTime<Utc>)]) -> Vec<DateTime<Utc>> {
    days.iter().map(|(_, e)| *e).collect()
}

proptest! {
    #[test]
    fn walking_back_from_now_gives_what_a_replay_gives(
        tickets in proptest::collection::vec(
            (0u32..20 * 24, proptest::collection::vec((0u8..6, 1u16..3000), 0..8)),
            0..40,
        )
    ) {
        let now = at(27, 12);
        let lives: Vec<Vec<Timed>> = tickets
            .iter()
            .map(|(hours_ago, steps)| life(now - Duration::hours(i64::from(*hours_ago)), steps))
            .map(|moves| moves.into_iter().filter(|m| m.at <= now).collect())
            .collect();
        let now_open = replay(&lives, |_| true);
        let ends = ends_of(&day_ends(now, chrono_tz::UTC, CHART_DAYS));
        // Only what the store reads: the moves from the start of the first day.
        let start = window_start(now, chrono_tz::UTC);
        let read: Vec<Timed> = lives.iter().flatten().filter(|m| m.at >= start).copied().collect();
        let series = open_per_day(&levels(), &now_open, &counted(&read, &ends), ends.len());
        for (i, end) in ends.iter().enumerate() {
            let last = i + 1 == ends.len();
            let truth = replay(&lives, |m| last || m.at < *end);
            for l in levels() {
                prop_assert_eq!(series[&l][i], truth.get(&l).copied().unwrap_or(0), "level {} day {}", l, i);
            }
        }
    }
}

#[test]
fn a_week_of_one_ticket_climbing_the_ladder() {
    let now = at(27, 12);
    let moves = [
        Timed {
            at: at(20, 9),
            kind: MoveKind::Opened,
            level: level(1),
        },
        Timed {
            at: at(22, 9),
            kind: MoveKind::Moved { from: level(1) },
            level: level(2),
        },
        Timed {
            at: at(24, 9),
            kind: MoveKind::Moved { from: level(2) },
            level: level(3),
        },
        Timed {
            at: at(26, 9),
            kind: MoveKind::Closed,
            level: level(3),
        },
    ];
    let days = day_ends(now, chrono_tz::UTC, CHART_DAYS);
    let ends = ends_of(&days);
    let h = history(
        &days,
        &levels(),
        &BTreeMap::new(),
        &counted(&moves, &ends),
        &[],
    );
    assert_eq!(h.days.len(), CHART_DAYS);
    assert_eq!(
        h.days.first(),
        Some(&NaiveDate::from_ymd_opt(2026, 11, 14).unwrap())
    );
    assert_eq!(
        h.days.last(),
        Some(&NaiveDate::from_ymd_opt(2026, 11, 27).unwrap())
    );
    // Days 14..=27: open at level 1 on the 20th and 21st, level 2 on the 22nd and 23rd,
    // level 3 on the 24th and 25th, closed from the 26th.
    let tail = |l: u8| h.open[&level(l)][6..].to_vec();
    assert_eq!(tail(1), vec![1, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(tail(2), vec![0, 0, 1, 1, 0, 0, 0, 0]);
    assert_eq!(tail(3), vec![0, 0, 0, 0, 1, 1, 0, 0]);
    assert!(h.open[&level(1)][..6].iter().all(|n| *n == 0));
}

#[test]
fn counted_moves_undo_together() {
    // Three tickets opened today at level 1, two of them escalated: yesterday had none.
    let moves = [
        LevelMove {
            day: 1,
            kind: MoveKind::Opened,
            level: level(1),
            count: 3,
        },
        LevelMove {
            day: 1,
            kind: MoveKind::Moved { from: level(1) },
            level: level(2),
            count: 2,
        },
    ];
    let now_open = BTreeMap::from([(level(1), 1), (level(2), 2)]);
    let series = open_per_day(&levels(), &now_open, &moves, 2);
    assert_eq!(series[&level(1)], vec![0, 1]);
    assert_eq!(series[&level(2)], vec![0, 2]);
}

#[test]
fn medians_fall_on_the_local_day_of_the_close() {
    let tz: Tz = "Europe/Madrid".parse().unwrap();
    let now = at(27, 12);
    let ends = ends_of(&day_ends(now, tz, CHART_DAYS));
    // 23:30 UTC on the 25th is 00:30 on the 26th in Madrid.
    let closes = [
        (at(25, 10), 2 * 3600),
        (at(25, 11), 4 * 3600),
        (at(25, 12), 9 * 3600),
        (at(25, 23) + Duration::minutes(30), 3600),
        (now, 1800),
    ];
    let closes: Vec<(usize, i64)> = closes
        .iter()
        .map(|(t, s)| (day_of(&ends, *t), *s))
        .collect();
    let medians = median_per_day(&closes, ends.len());
    assert_eq!(medians[11], Some(4.0), "the 25th: 2, 4 and 9 hours");
    assert_eq!(medians[12], Some(1.0), "the 26th, local time");
    assert_eq!(
        medians[13],
        Some(0.5),
        "a close at this very moment is today's"
    );
    assert_eq!(medians[10], None, "nothing closed on the 24th");
    assert_eq!(median_hours(vec![3600, 7200]), Some(1.5));
    // What the store sends for a day is its middle one or two values: the same median.
    assert_eq!(median_per_day(&[(0, 7200), (0, 3600)], 1), vec![Some(1.5)]);
    assert_eq!(median_per_day(&[], 2), vec![None, None]);
}

#[test]
fn days_follow_the_local_calendar_across_a_clock_change() {
    let tz: Tz = "Europe/Madrid".parse().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
    let days = day_ends(now, tz, CHART_DAYS);
    // Summer time ended on 25 October: the day before it lasted 25 hours.
    let ends = ends_of(&days);
    let long = days
        .iter()
        .position(|(d, _)| *d == NaiveDate::from_ymd_opt(2026, 10, 25).unwrap())
        .unwrap();
    assert_eq!(ends[long] - ends[long - 1], Duration::hours(25));
    assert_eq!(ends[long - 1] - ends[long - 2], Duration::hours(24));
    assert_eq!(
        window_start(now, tz),
        Utc.with_ymd_and_hms(2026, 10, 18, 22, 0, 0).unwrap()
    );
    assert_eq!(
        day_of(&ends, ends[3]),
        4,
        "a day's end is the next day's start"
    );
    assert_eq!(
        day_of(&ends, now + Duration::hours(1)),
        13,
        "later than now is still today"
    );
}

#[test]
fn kinds_read_from_the_timeline() {
    assert_eq!(
        MoveKind::of("escalated", Some(level(1))),
        Some(MoveKind::Moved { from: level(1) })
    );
    assert_eq!(
        MoveKind::of("returned", None),
        None,
        "a move needs its origin"
    );
    assert_eq!(MoveKind::of("note", None), None);
    for tag in MoveKind::EVENT_KINDS {
        assert!(MoveKind::of(tag, Some(level(2))).is_some(), "{tag}");
    }
}
