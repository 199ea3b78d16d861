//! The timeline: one append-only event per action on a ticket, with who, when and details.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ArticleNumber, FixType, Level, Priority, ReturnReason, RoleId, UserId, VendorReason, WaitingOn,
};

/// What happened. Stored as JSON in `events.details`; its tag in `events.kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Opened {
        title: String,
        priority: Priority,
        level: Level,
    },
    Note {
        text: String,
        internal: bool,
    },
    Acknowledged {
        /// Seconds from arrival at the level: the response time of the key figures.
        after_secs: i64,
    },
    Assigned {
        assignee: UserId,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    Escalated {
        from: Level,
        to: Level,
        reason: String,
        attempts: String,
        /// Fields the arriving level asked for (`required_on_arrival`), and any others given.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: BTreeMap<String, String>,
        /// True when the bot escalated because nobody acknowledged in time.
        #[serde(default)]
        automatic: bool,
        /// Seconds the ticket spent at the level it left, since it arrived there.
        #[serde(default)]
        after_secs: i64,
    },
    /// Level 3 handed the ticket to a vendor; level 3 keeps ownership.
    VendorEscalated {
        vendor: String,
        vendor_reason: VendorReason,
        vendor_ref: Option<String>,
        reason: String,
        attempts: String,
        /// Seconds at level 3 before the hand-over, since the ticket arrived there.
        #[serde(default)]
        after_secs: i64,
    },
    /// The vendor's case reference, recorded after the hand-over.
    VendorCaseRecorded {
        vendor_ref: String,
    },
    Returned {
        from: Level,
        to: Level,
        reason: ReturnReason,
        note: String,
    },
    Paged {
        level: Level,
        role: RoleId,
    },
    Repaged {
        level: Level,
        role: RoleId,
        count: u32,
    },
    /// Nobody acknowledged at level 3 after every re-page: the admins were paged.
    AdminsPaged {
        role: RoleId,
    },
    Closed {
        resolution: String,
        root_cause: Option<String>,
        fix_type: Option<FixType>,
        kb: Option<String>,
        /// Seconds at the closing level, since the ticket arrived there.
        #[serde(default)]
        after_secs: i64,
    },
    Reopened {
        reason: String,
        level: Level,
    },
    Rated {
        score: u8,
    },
    /// Knowledge articles shown to the requester when the ticket was opened.
    KbSuggested {
        articles: Vec<ArticleNumber>,
    },
    /// The article that solved it, linked at closure; `suggested` when it was among those
    /// shown at opening (self-service that nearly worked).
    KbLinked {
        article: ArticleNumber,
        suggested: bool,
    },
    /// The monitoring alert behind the ticket fired again: `count` firings so far.
    AlertRepeated {
        source: String,
        count: u32,
    },
    /// The monitoring alert behind the ticket resolved at its source.
    AlertResolved {
        source: String,
    },
    /// A target was missed: `target` is `acknowledge` or `resolve`.
    SlaBreached {
        target: String,
    },
    /// The ticket waits on the requester or a vendor; its clocks stop.
    Waiting {
        on: WaitingOn,
        note: String,
    },
    /// The requester answered: the clocks run again.
    Resumed,
    /// The requester was reminded that the ticket waits on them.
    RequesterReminded,
}

impl EventKind {
    /// The tag stored in `events.kind`, which SQL filters on.
    pub fn tag(&self) -> &'static str {
        match self {
            EventKind::Opened { .. } => "opened",
            EventKind::Note { .. } => "note",
            EventKind::Acknowledged { .. } => "acknowledged",
            EventKind::Assigned { .. } => "assigned",
            EventKind::PriorityChanged { .. } => "priority_changed",
            EventKind::Escalated { .. } => "escalated",
            EventKind::VendorEscalated { .. } => "vendor_escalated",
            EventKind::VendorCaseRecorded { .. } => "vendor_case_recorded",
            EventKind::Returned { .. } => "returned",
            EventKind::Paged { .. } => "paged",
            EventKind::Repaged { .. } => "repaged",
            EventKind::AdminsPaged { .. } => "admins_paged",
            EventKind::Closed { .. } => "closed",
            EventKind::Reopened { .. } => "reopened",
            EventKind::Rated { .. } => "rated",
            EventKind::KbSuggested { .. } => "kb_suggested",
            EventKind::KbLinked { .. } => "kb_linked",
            EventKind::AlertRepeated { .. } => "alert_repeated",
            EventKind::AlertResolved { .. } => "alert_resolved",
            EventKind::SlaBreached { .. } => "sla_breached",
            EventKind::Waiting { .. } => "waiting",
            EventKind::Resumed => "resumed",
            EventKind::RequesterReminded => "requester_reminded",
        }
    }

    /// The level a move came from, for escalations and returns.
    pub fn from_level(&self) -> Option<Level> {
        match self {
            EventKind::Escalated { from, .. } | EventKind::Returned { from, .. } => Some(*from),
            EventKind::VendorEscalated { .. } => Some(Level::EXPERTS),
            _ => None,
        }
    }

    /// The number key figures read (`events.measure`): seconds since arrival at the level for
    /// acknowledgements, closures and escalations, the score for a rating.
    pub fn measure(&self) -> Option<i64> {
        match self {
            EventKind::Acknowledged { after_secs }
            | EventKind::Closed { after_secs, .. }
            | EventKind::Escalated { after_secs, .. }
            | EventKind::VendorEscalated { after_secs, .. } => Some(*after_secs),
            EventKind::Rated { score } => Some(*score as i64),
            EventKind::KbLinked { suggested, .. } => Some(i64::from(*suggested)),
            _ => None,
        }
    }

    /// Whether only agents may read it (internal notes).
    pub fn is_internal(&self) -> bool {
        matches!(self, EventKind::Note { internal: true, .. })
    }
}

/// One entry of a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    /// `None` when the bot acted on its own (deadlines).
    pub actor: Option<UserId>,
    /// The level owning the ticket after the event.
    pub level: Level,
    pub kind: EventKind,
    /// For an acknowledgement or a closure with a target: whether it met it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
}
