//! The one error type users see, and the split between their mistakes and our failures.
//!
//! Every `UserError` message is written for the person in Discord (or at the console): what
//! was wrong and how to do it right. Failures of the database or of Discord are `Internal`:
//! logged with their cause chain, shown to the user as one short generic line. The words of
//! each message live with the other texts (`refusal.rs`).

use crate::domain::{ArticleNumber, Level, Priority, TicketNumber, UserId, WaitingOn};

/// What an escalation still needs, listed in `UserError::EscalationIncomplete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingPart {
    Reason,
    Attempts,
    Vendor {
        known: Vec<String>,
    },
    VendorReason,
    /// A field the arriving level requires (`required_on_arrival`).
    Field {
        name: String,
        to: Level,
    },
}

/// A request that was refused because of what the user asked. Nothing was changed.
/// `action` and `hint` fields hold catalogue ids (`action-acknowledge`, `hint-level`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserError {
    UnknownTicket(TicketNumber),
    BadTicketNumber(String),
    NotAnAgent {
        action: &'static str,
    },
    BadArticle(String),
    UnknownArticle(ArticleNumber),
    NotKbAuthor {
        action: &'static str,
    },
    SourceNotClosed(TicketNumber),
    NothingToEdit,
    NotAdmin {
        action: &'static str,
    },
    LevelTooLow {
        ticket: TicketNumber,
        owner: Level,
        yours: Option<Level>,
        action: &'static str,
    },
    NotRequesterOrAgent {
        ticket: TicketNumber,
        action: &'static str,
    },
    RequesterInternalNote,
    TicketClosed(TicketNumber),
    NotClosed(TicketNumber),
    AlreadyAcknowledged {
        ticket: TicketNumber,
        assignee: Option<UserId>,
    },
    AlreadyAssigned {
        ticket: TicketNumber,
        assignee: UserId,
    },
    AlreadyWaiting {
        ticket: TicketNumber,
        on: WaitingOn,
    },
    NothingToAcknowledge {
        ticket: TicketNumber,
        on: Option<WaitingOn>,
    },
    EscalationIncomplete {
        ticket: TicketNumber,
        to: Level,
        missing: Vec<MissingPart>,
    },
    AlreadyWithVendor {
        ticket: TicketNumber,
        vendor: String,
    },
    VendorNeedsLevel3,
    UnknownVendor {
        given: String,
        known: Vec<String>,
    },
    NoVendors,
    BadReturnLevel {
        ticket: TicketNumber,
        from: Level,
    },
    NotAnOwningLevel,
    OpenAboveLevel(Level),
    RootCauseRequired {
        priority: Priority,
    },
    SamePriority {
        ticket: TicketNumber,
        priority: Priority,
    },
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    Empty(&'static str),
    Missing {
        field: &'static str,
        hint: &'static str,
    },
    BadChoice {
        field: &'static str,
        value: String,
        allowed: &'static str,
    },
    BadValue {
        field: &'static str,
        value: String,
        hint: &'static str,
    },
    OutOfRange {
        field: &'static str,
        value: String,
        min: i64,
        max: i64,
    },
    OnlyRequesterRates(TicketNumber),
    RateBeforeClose(TicketNumber),
    AlreadyRated {
        ticket: TicketNumber,
        score: u8,
    },
    UnknownOption {
        command: String,
        option: String,
        allowed: String,
    },
    DuplicateOption {
        option: String,
    },
    UnknownCommand(String),
    /// The level has no `[[rotation]]`.
    NoRotation(Level),
    /// Only agents of the level and admins put someone on call there.
    OverrideNotAllowed(Level),
    /// `until` is neither a duration, a local time, nor a later date.
    BadUntil(String),
    Syntax(String),
}

impl std::error::Error for UserError {}

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's request was refused; the message says why and how to fix it.
    #[error(transparent)]
    User(#[from] UserError),
    /// Our side failed (database, Discord). Logged in full, shown as a generic line.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(anyhow::Error::new(e))
    }
}
