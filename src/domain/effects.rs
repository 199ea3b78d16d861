//! Side effects as data: the Discord messages a state change causes. The service stores them
//! in the outbox in the same transaction as the change; a worker delivers them afterwards.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::summary::SummaryReport;
use super::{
    ChannelId, Event, Level, Priority, ReturnReason, RoleId, Status, Ticket, TicketNumber, UserId,
    VendorReason,
};

/// What a page or page edit shows of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCard {
    pub number: TicketNumber,
    pub title: String,
    pub priority: Priority,
    pub level: Level,
    pub status: Status,
    pub requester: UserId,
    pub assignee: Option<UserId>,
    /// The resolution target, when the ticket has one.
    #[serde(default)]
    pub resolve_due_at: Option<DateTime<Utc>>,
}

impl From<&Ticket> for TicketCard {
    fn from(t: &Ticket) -> Self {
        TicketCard {
            number: t.number,
            title: t.title.clone(),
            priority: t.priority,
            level: t.level,
            status: t.status,
            requester: t.requester,
            assignee: t.assignee,
            resolve_due_at: t.sla.resolve_due_at,
        }
    }
}

/// Where a paged ticket came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Arrival {
    Opened {
        by: UserId,
    },
    Escalated {
        from: Level,
        reason: String,
        attempts: String,
        automatic: bool,
    },
    Returned {
        from: Level,
        reason: ReturnReason,
        note: String,
    },
    Reopened {
        reason: String,
    },
    /// Opened by a monitoring alert; its links become buttons on the page.
    Alert {
        source: String,
        #[serde(default)]
        links: Vec<super::alert::AlertLink>,
    },
    /// Handed to a vendor; posted for the vendor liaison (level 4).
    ToVendor {
        vendor: String,
        vendor_reason: VendorReason,
        vendor_ref: Option<String>,
        reason: String,
        attempts: String,
    },
}

/// Which SLA target a warning or breach is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    Acknowledge,
    Resolve,
}

impl SlaTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaTarget::Acknowledge => "acknowledge",
            SlaTarget::Resolve => "resolve",
        }
    }

    /// The target a breach flag of `SlaState` is about.
    pub fn from_flag(flag: u32) -> SlaTarget {
        if flag == super::SlaState::ACK_BREACHED {
            SlaTarget::Acknowledge
        } else {
            SlaTarget::Resolve
        }
    }
}

/// Why a thread post mentions one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionReason {
    /// The ticket waits on the requester: they are reminded.
    Reminder,
    /// The requester answered: the assignee is told.
    Resumed,
}

fn yes() -> bool {
    true
}

/// Why the page role changes hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The rotation's shift boundary.
    Shift,
    /// An agent put someone on call.
    OverrideStarted { by: UserId },
    /// An override ended; the rotation resumes.
    OverrideEnded,
}

/// A message to Discord, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outgoing {
    /// A page in a level's queue channel that mentions exactly `role`.
    Page {
        channel: ChannelId,
        role: RoleId,
        level: Level,
        card: TicketCard,
        arrival: Arrival,
        /// When the level must have acknowledged (`None` for the vendor liaison's copy).
        ack_due_at: Option<DateTime<Utc>>,
        /// False when the desk is closed: the role is pinged when it opens instead.
        #[serde(default = "yes")]
        ping: bool,
    },
    /// The desk opened: the role is pinged for a ticket paged while it was closed. Sent at
    /// `at`, not before.
    OpeningPing {
        channel: ChannelId,
        role: RoleId,
        level: Level,
        card: TicketCard,
        at: DateTime<Utc>,
    },
    /// A target is near: one warning in the owning level's queue, no ping.
    SlaWarning {
        channel: ChannelId,
        card: TicketCard,
        target: SlaTarget,
        due: DateTime<Utc>,
    },
    /// A post in the ticket's thread that mentions exactly `user`.
    ThreadMention {
        number: TicketNumber,
        user: UserId,
        reason: MentionReason,
    },
    /// A reminder page: the level has not acknowledged in time.
    Repage {
        channel: ChannelId,
        role: RoleId,
        level: Level,
        card: TicketCard,
        /// This is re-page `count` of `limit`.
        count: u32,
        limit: u32,
        /// How long the ticket has waited at the level, in seconds, when the re-page was due.
        #[serde(default)]
        waited_secs: i64,
    },
    /// Nobody at level 3 acknowledged after every re-page: the admins are paged.
    AdminPage {
        channel: ChannelId,
        role: RoleId,
        card: TicketCard,
        repages: u32,
    },
    /// The ticket's latest page, edited in place to show the truth.
    PageUpdate { card: TicketCard },
    /// Opens the ticket's thread in the queue channel where it was first paged.
    ThreadOpen {
        channel: ChannelId,
        number: TicketNumber,
        title: String,
    },
    /// A timeline entry posted in the ticket's thread (never an internal note).
    ThreadPost { number: TicketNumber, event: Event },
    /// A message set aside after a day of failed attempts, told to the admins once in the
    /// summary channel.
    DeliveryFailed {
        channel: ChannelId,
        role: RoleId,
        /// The outbox kind of the message that failed (`page`, `thread_post`…).
        what: String,
        ticket: Option<TicketNumber>,
        error: String,
    },
    /// The page role changes hands (a shift boundary, an override starting or ending): given
    /// to `on`, taken from `off`, and a notice in the level's queue mentioning only `on`.
    Handoff {
        level: Level,
        role: RoleId,
        channel: ChannelId,
        on: UserId,
        off: Option<UserId>,
        /// When this shift ends.
        until: DateTime<Utc>,
        why: HandoffReason,
    },
    /// The bot may not hand the page role out (403): the admins are told once what to fix.
    RoleRefused {
        channel: ChannelId,
        admins: RoleId,
        level: Level,
        role: RoleId,
    },
    /// A rotation member the page role could not go to (no longer in the server): the
    /// admins are told once, naming them.
    MemberGone {
        channel: ChannelId,
        admins: RoleId,
        level: Level,
        member: UserId,
    },
    /// The backlog summary, in the summary channel.
    Summary {
        channel: ChannelId,
        report: Box<SummaryReport>,
    },
}

impl Outgoing {
    /// The outbox `kind` column, which the delivery worker dispatches on.
    pub fn kind(&self) -> &'static str {
        match self {
            Outgoing::Page { .. } => "page",
            Outgoing::Repage { .. } => "repage",
            Outgoing::AdminPage { .. } => "admin_page",
            Outgoing::PageUpdate { .. } => "page_update",
            Outgoing::ThreadOpen { .. } => "thread_open",
            Outgoing::ThreadPost { .. } => "thread_post",
            Outgoing::Summary { .. } => "summary",
            Outgoing::DeliveryFailed { .. } => "delivery_failed",
            Outgoing::Handoff { .. } => "handoff",
            Outgoing::OpeningPing { .. } => "opening_ping",
            Outgoing::SlaWarning { .. } => "sla_warning",
            Outgoing::ThreadMention { .. } => "thread_mention",
            Outgoing::RoleRefused { .. } => "role_refused",
            Outgoing::MemberGone { .. } => "member_gone",
        }
    }

    /// Messages that must not go before a time (the desk's opening).
    pub fn not_before(&self) -> Option<DateTime<Utc>> {
        match self {
            Outgoing::OpeningPing { at, .. } => Some(*at),
            _ => None,
        }
    }

    /// The lane of messages that must go one after another besides their ticket's order:
    /// a level's role changes.
    pub fn lane(&self) -> Option<String> {
        match self {
            Outgoing::Handoff { level, .. } => Some(format!("oncall-{level}")),
            _ => None,
        }
    }

    /// The ticket the message is about, when it names one.
    pub fn ticket_number(&self) -> Option<TicketNumber> {
        match self {
            Outgoing::Page { card, .. }
            | Outgoing::Repage { card, .. }
            | Outgoing::AdminPage { card, .. }
            | Outgoing::PageUpdate { card }
            | Outgoing::OpeningPing { card, .. }
            | Outgoing::SlaWarning { card, .. } => Some(card.number),
            Outgoing::ThreadMention { number, .. } => Some(*number),
            Outgoing::ThreadOpen { number, .. } | Outgoing::ThreadPost { number, .. } => {
                Some(*number)
            }
            Outgoing::DeliveryFailed { ticket, .. } => *ticket,
            Outgoing::Summary { .. }
            | Outgoing::Handoff { .. }
            | Outgoing::RoleRefused { .. }
            | Outgoing::MemberGone { .. } => None,
        }
    }
}
