//! A ticket's current state, as derived from its timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{FixType, GuildId, Level, Priority, Status, UserId, VendorReason, WaitingOn};
use crate::domain::error::UserError;

/// The number users see (`#42`), unique within a guild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketNumber(pub i64);

impl TicketNumber {
    /// Parses `42` or `#42`.
    pub fn parse(value: &str) -> Result<Self, UserError> {
        let digits = value.trim().trim_start_matches('#');
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(TicketNumber(n)),
            _ => Err(UserError::BadTicketNumber(value.to_owned())),
        }
    }
}

impl std::fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How a ticket was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub by: UserId,
    pub resolution: String,
    pub root_cause: Option<String>,
    pub fix_type: Option<FixType>,
    pub kb: Option<String>,
}

impl Closure {
    /// The bot closing `t` itself (resolved at the source, no answer from the requester):
    /// nobody's fault, at the level that owns it.
    pub fn by_bot(t: &Ticket, at: DateTime<Utc>, bot: UserId, resolution: &str) -> Closure {
        Closure {
            at,
            level: t.level,
            by: bot,
            resolution: resolution.to_owned(),
            root_cause: None,
            fix_type: Some(FixType::NoFault),
            kb: None,
        }
    }
}

/// The vendor case of a ticket handed to level 4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorCase {
    pub vendor: String,
    pub reason: VendorReason,
    pub reference: Option<String>,
}

/// The current state of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Database id; never shown to users.
    pub id: i64,
    pub guild: GuildId,
    pub number: TicketNumber,
    pub title: String,
    pub details: String,
    pub requester: UserId,
    pub priority: Priority,
    pub level: Level,
    pub status: Status,
    pub waiting_on: Option<WaitingOn>,
    pub vendor: Option<VendorCase>,
    pub assignee: Option<UserId>,
    pub thread_id: Option<u64>,
    pub opened_at: DateTime<Utc>,
    /// When the ticket arrived at its current level.
    pub arrived_at: DateTime<Utc>,
    /// First acknowledgement at the current level.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the current level must have acknowledged it.
    pub ack_due_at: Option<DateTime<Utc>>,
    /// Re-pages sent at the current level.
    pub repages: u32,
    /// When the scheduler must look at it next (re-page, escalate); `None` when nothing waits.
    pub next_action_at: Option<DateTime<Utc>>,
    pub closure: Option<Closure>,
    pub rating: Option<u8>,
    /// Targets, waiting and what the SLA step already did.
    pub sla: SlaState,
}

/// A ticket's standing against its targets (SPEC §10).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaState {
    /// When it must be resolved; moves on by the open time spent waiting.
    pub resolve_due_at: Option<DateTime<Utc>>,
    /// When the current wait began.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Open time spent waiting so far, in seconds.
    pub waited_secs: i64,
    /// Warnings, breaches and reminders already done (`SlaState::*` bits).
    pub flags: u32,
    /// When the SLA step must look at the ticket next.
    pub next_at: Option<DateTime<Utc>>,
}

impl SlaState {
    pub const ACK_WARNED: u32 = 1;
    pub const ACK_BREACHED: u32 = 2;
    pub const RESOLVE_WARNED: u32 = 4;
    pub const RESOLVE_BREACHED: u32 = 8;
    pub const REMINDED: u32 = 16;

    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
}

impl Ticket {
    pub fn is_closed(&self) -> bool {
        self.status == Status::Closed
    }
}
