//! `[hours]` and `[sla]` (SPEC §10): the desk's service hours, which clock each priority runs
//! on, resolution targets, warnings, and what happens to a ticket left waiting. Both are
//! optional: without them the desk is always open and there are no targets.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

use super::Problems;
use crate::domain::calendar::{Calendar, Range};
use crate::domain::Priority;

/// Which clock a priority's deadlines run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Wall time, day and night.
    Always,
    /// Service hours only.
    Hours,
}

/// Targets and the waiting rules.
#[derive(Debug, Clone, Default)]
pub struct Sla {
    pub clock: BTreeMap<Priority, Clock>,
    pub resolve_within: BTreeMap<Priority, Duration>,
    /// Share of a window after which the queue is warned (0–1).
    pub warn_at: Option<f64>,
    pub remind_waiting_after: Option<Duration>,
    pub close_waiting_after: Option<Duration>,
}

impl Sla {
    pub fn clock(&self, p: Priority) -> Clock {
        self.clock.get(&p).copied().unwrap_or(Clock::Always)
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHours {
    timezone: String,
    week: BTreeMap<String, String>,
    #[serde(default)]
    holidays: Vec<String>,
}

impl RawHours {
    pub(super) fn validate(self, p: &mut Problems) -> Calendar {
        let tz = self.timezone.trim().parse::<Tz>().unwrap_or_else(|_| {
            p.0.push(format!(
                "hours.timezone = \"{}\" is not a time zone: use an IANA name such as \"Europe/Madrid\"",
                self.timezone
            ));
            Tz::UTC
        });
        let mut week: [Vec<Range>; 7] = Default::default();
        for (day, ranges) in &self.week {
            let Some(i) = DAYS.iter().position(|d| d == &day.to_lowercase()) else {
                p.0.push(format!(
                    "hours.week.{day} is not a day: use mon, tue, wed, thu, fri, sat or sun"
                ));
                continue;
            };
            week[i] = ranges_of(&format!("hours.week.{day}"), ranges, p);
        }
        if week.iter().all(Vec::is_empty) {
            p.0.push(
                "hours.week opens on no day: give at least one day a range such as \"08:00-18:00\""
                    .into(),
            );
        }
        let mut holidays = BTreeSet::new();
        for (i, h) in self.holidays.iter().enumerate() {
            match NaiveDate::parse_from_str(h.trim(), "%Y-%m-%d") {
                Ok(d) => {
                    holidays.insert(d);
                }
                Err(_) => p.0.push(format!(
                    "hours.holidays[{i}] = \"{h}\" is not a date: write it as \"2026-12-25\""
                )),
            }
        }
        Calendar { tz, week, holidays }
    }
}

/// `"08:00-13:00,15:00-18:00"`: ranges that end after they start (`24:00` may end a day).
fn ranges_of(key: &str, text: &str, p: &mut Problems) -> Vec<Range> {
    let mut out = Vec::new();
    for range in text.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        let parsed = range.split_once('-').and_then(|(a, b)| {
            let start = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
            let end = match b.trim() {
                "24:00" => None,
                e => Some(NaiveTime::parse_from_str(e, "%H:%M").ok()?),
            };
            end.is_none_or(|e| e > start).then_some((start, end))
        });
        match parsed {
            Some(r) => out.push(r),
            None => p.0.push(format!(
                "{key} = \"{text}\": \"{range}\" is not a range that ends after it starts: write \"08:00-18:00\" (a night shift is two ranges on two days)"
            )),
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSla {
    #[serde(default)]
    clock: BTreeMap<String, String>,
    #[serde(default)]
    resolve_within: BTreeMap<String, String>,
    warn_at: Option<f64>,
    remind_waiting_after: Option<String>,
    close_waiting_after: Option<String>,
}

impl RawSla {
    pub(super) fn validate(self, p: &mut Problems) -> Sla {
        let mut sla = Sla::default();
        for (key, value) in &self.clock {
            let clock = match value.trim() {
                "always" => Clock::Always,
                "hours" => Clock::Hours,
                other => {
                    p.0.push(format!(
                        "sla.clock.{key} = \"{other}\": use \"always\" or \"hours\""
                    ));
                    continue;
                }
            };
            if let Some(pr) = priority(&format!("sla.clock.{key}"), key, p) {
                sla.clock.insert(pr, clock);
            }
        }
        for (key, value) in &self.resolve_within {
            let d = p.duration(&format!("sla.resolve_within.{key}"), value);
            if let Some(pr) = priority(&format!("sla.resolve_within.{key}"), key, p) {
                sla.resolve_within.insert(pr, d);
            }
        }
        if let Some(w) = self.warn_at {
            if !(w > 0.0 && w < 1.0) {
                p.0.push(format!(
                    "sla.warn_at = {w} must lie between 0 and 1, such as 0.75"
                ));
            }
            sla.warn_at = Some(w);
        }
        sla.remind_waiting_after = self
            .remind_waiting_after
            .map(|d| p.duration("sla.remind_waiting_after", &d));
        sla.close_waiting_after = self
            .close_waiting_after
            .map(|d| p.duration("sla.close_waiting_after", &d));
        if let (Some(r), Some(c)) = (sla.remind_waiting_after, sla.close_waiting_after) {
            if c <= r {
                p.0.push("sla.close_waiting_after must be longer than sla.remind_waiting_after: the requester is reminded before the ticket closes".into());
            }
        }
        sla
    }
}

fn priority(key: &str, name: &str, p: &mut Problems) -> Option<Priority> {
    match Priority::parse(name) {
        Ok(pr) => Some(pr),
        Err(_) => {
            p.0.push(format!(
                "{key}: `{name}` is not a priority: use critical, high, normal or low"
            ));
            None
        }
    }
}
