//! The backlog summary as data (SPEC §5): what the service gathers, the outbox carries and
//! the renderers turn into words.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::figures::KeyFigures;
use super::{Level, Priority, TicketNumber};

/// The open-ticket counts a summary remembers, by `count_key`, for the next one's change.
pub type Counts = std::collections::BTreeMap<String, i64>;

/// A line of a summary's ticket lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLine {
    pub number: TicketNumber,
    pub title: String,
    pub level: Level,
    pub priority: Priority,
    pub opened_at: DateTime<Utc>,
    pub ack_due_at: Option<DateTime<Utc>>,
}

/// Open tickets of one level and priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCount {
    pub level: Level,
    pub priority: Priority,
    pub count: i64,
    /// Change since the last summary; `None` when this is the first one.
    pub change: Option<i64>,
}

/// What happened in the last 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Activity {
    pub opened: i64,
    pub escalated: i64,
    pub returned: i64,
    pub closed: i64,
    pub reopened: i64,
}

/// Everything a summary shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryReport {
    pub generated_at: DateTime<Utc>,
    /// Local date in `summary.timezone`.
    pub day: String,
    pub open: Vec<OpenCount>,
    pub open_total: i64,
    pub overdue_count: i64,
    pub overdue: Vec<TicketLine>,
    pub oldest: Vec<TicketLine>,
    pub last_24h: Activity,
    pub figures: KeyFigures,
    /// Tickets that missed a target in the last 24 hours: number, title, target.
    #[serde(default)]
    pub breaches: Vec<(crate::domain::TicketNumber, String, String)>,
    /// The last days, for the chart; `None` in summaries queued before charts existed.
    #[serde(default)]
    pub history: Option<super::history::History>,
}

impl SummaryReport {
    /// The counts remembered for the next summary's change column.
    pub fn counts(&self) -> Counts {
        self.open
            .iter()
            .map(|c| (count_key(c.level, c.priority), c.count))
            .collect()
    }
}

pub fn count_key(level: Level, priority: Priority) -> String {
    format!("{level}/{priority}")
}
