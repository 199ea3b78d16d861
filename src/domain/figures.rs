//! The key figures of SPEC §6: resolution vs escalation rate, response time after escalation,
//! backlog, time to resolution and satisfaction. The store selects the facts of a window in
//! SQL; the arithmetic (rates, median, 90th percentile) lives here, where it is tested.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Level, Priority};

/// Median and 90th percentile of a set of durations, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Spread {
    pub count: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Spread {
    /// Nearest-rank percentiles: the value below which `p` percent of the samples lie.
    pub fn of(mut samples: Vec<i64>) -> Spread {
        samples.sort_unstable();
        Spread {
            count: samples.len(),
            median: percentile(&samples, 50),
            p90: percentile(&samples, 90),
        }
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

/// A share as a fraction of 1, `None` when nothing was counted.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The figures of one level over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LevelFigures {
    /// Tickets that arrived at the level in the window.
    pub reached: u64,
    /// Of those, closed at this level.
    pub resolved_here: u64,
    /// Of those, escalated further (to the next level or a vendor).
    pub escalated: u64,
    /// Arrival to first acknowledgement at this level.
    pub response: Spread,
    /// Open tickets owned by the level now.
    pub backlog: u64,
    /// Age of those open tickets, in seconds.
    pub backlog_age: Spread,
}

impl LevelFigures {
    pub fn resolution_rate(&self) -> Option<f64> {
        share(self.resolved_here, self.reached)
    }
    pub fn escalation_rate(&self) -> Option<f64> {
        share(self.escalated, self.reached)
    }
}

/// Customer satisfaction: the share of 4 and 5 ratings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Satisfaction {
    pub ratings: u64,
    pub satisfied: u64,
}

impl Satisfaction {
    pub fn from_scores(scores: &[u8]) -> Satisfaction {
        Satisfaction {
            ratings: scores.len() as u64,
            satisfied: scores.iter().filter(|s| **s >= 4).count() as u64,
        }
    }
    pub fn share(&self) -> Option<f64> {
        share(self.satisfied, self.ratings)
    }
}

/// Tickets solved with a knowledge article linked at closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Knowledge {
    pub solved_with_article: u64,
    /// Of those, the article was among the ones suggested when the ticket was opened.
    pub suggested_at_open: u64,
}

/// How often a level met its targets for one priority (SPEC §10): acknowledgements within
/// `ack_within` and closures within `resolve_within`, on their clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attainment {
    pub level: Level,
    pub priority: Priority,
    pub acked_in_time: u64,
    pub acked: u64,
    pub resolved_in_time: u64,
    pub resolved: u64,
}

impl Attainment {
    pub fn ack_share(&self) -> Option<f64> {
        (self.acked > 0).then(|| self.acked_in_time as f64 / self.acked as f64)
    }

    pub fn resolve_share(&self) -> Option<f64> {
        (self.resolved > 0).then(|| self.resolved_in_time as f64 / self.resolved as f64)
    }
}

/// Every key figure over one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct KeyFigures {
    pub window_days: i64,
    pub levels: BTreeMap<Level, LevelFigures>,
    /// Open to close, for tickets closed in the window.
    pub resolution_time: Spread,
    pub resolution_time_by_priority: BTreeMap<Priority, Spread>,
    pub satisfaction: Satisfaction,
    #[serde(default)]
    pub knowledge: Knowledge,
    /// SLA attainment per level and priority, for events with a target.
    #[serde(default)]
    pub sla: Vec<Attainment>,
}

/// A share as a whole percentage, or a dash when there is nothing to count.
pub fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{:.0}%", v * 100.0))
}

/// A duration in seconds as people read it: `45s`, `12m`, `3h 05m`, `2d 4h`.
pub fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s = Spread::of(vec![50, 10, 40, 20, 30, 60, 70, 80, 90, 100]);
        assert_eq!(s.count, 10);
        assert_eq!(s.median, Some(50));
        assert_eq!(s.p90, Some(90));
        let one = Spread::of(vec![7]);
        assert_eq!((one.median, one.p90), (Some(7), Some(7)));
        assert_eq!(Spread::of(vec![]).median, None);
        assert_eq!(Spread::of(vec![1, 2, 3]).median, Some(2));
        assert_eq!(Spread::of(vec![1, 2, 3]).p90, Some(3));
    }

    #[test]
    fn rates_and_satisfaction() {
        let l = LevelFigures {
            reached: 4,
            resolved_here: 1,
            escalated: 3,
            ..Default::default()
        };
        assert_eq!(l.resolution_rate(), Some(0.25));
        assert_eq!(l.escalation_rate(), Some(0.75));
        assert_eq!(LevelFigures::default().resolution_rate(), None);
        let s = Satisfaction::from_scores(&[5, 4, 3, 1]);
        assert_eq!(s.share(), Some(0.5));
        assert_eq!(percent(s.share()), "50%");
        assert_eq!(percent(None), "–");
    }

    #[test]
    fn attainment_shares() {
        let a = Attainment {
            level: Level::SERVICE_DESK,
            priority: Priority::High,
            acked_in_time: 3,
            acked: 4,
            resolved_in_time: 0,
            resolved: 2,
        };
        assert_eq!(a.ack_share(), Some(0.75));
        assert_eq!(a.resolve_share(), Some(0.0));
        let none = Attainment { acked: 0, ..a };
        assert_eq!(none.ack_share(), None);
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(12 * 60), "12m");
        assert_eq!(human_duration(3 * 3600 + 5 * 60), "3h 05m");
        assert_eq!(human_duration(2 * 86_400 + 4 * 3600), "2d 4h");
    }
}
