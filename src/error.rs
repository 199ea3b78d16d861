//! The one error type users see, and the split between their mistakes and our failures.
//!
//! Every `UserError` message is written for the person in Discord (or at the console): what
//! was wrong and how to do it right. Failures of the database or of Discord are `Internal`:
//! logged with their cause chain, shown to the user as one short generic line.

use crate::domain::{Level, TicketNumber};

/// A request that was refused because of what the user asked. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("There is no ticket #{0} in this server. Check the number with `/queue`, or pick one from the list as you type.")]
    UnknownTicket(TicketNumber),
    #[error("`{0}` is not a ticket number. Use the number shown as #42, for example `ticket:42`.")]
    BadTicketNumber(String),
    #[error("Only support agents can {action}. Ask an admin for the role of your support level.")]
    NotAnAgent { action: &'static str },
    #[error("`{0}` is not an article reference. Use the number shown as KB-12, for example `article:KB-12`.")]
    BadArticle(String),
    #[error("There is no article {0}. Find one with `/kb search query:…`.")]
    UnknownArticle(crate::domain::ArticleNumber),
    #[error("Only level 3 agents and admins can {action} knowledge articles.")]
    NotKbAuthor { action: &'static str },
    #[error("Ticket #{0} is not closed: an article is prefilled from a ticket's closure details. Close it first, or write the article with `title` and `body`.")]
    SourceNotClosed(TicketNumber),
    #[error("Nothing to change: give a new `title`, `body` or `tags`.")]
    NothingToEdit,
    #[error("Only admins can {action}.")]
    NotAdmin { action: &'static str },
    #[error("Ticket #{ticket} is owned by level {owner}; only agents of level {owner} or above can {action} it (your highest level is {yours}). You can still add a note with `/ticket note`.")]
    LevelTooLow {
        ticket: TicketNumber,
        owner: Level,
        yours: String,
        action: &'static str,
    },
    #[error("Only the requester of ticket #{ticket} or a support agent can {action} it.")]
    NotRequesterOrAgent {
        ticket: TicketNumber,
        action: &'static str,
    },
    #[error("As the requester you can only add public notes: leave out `internal`, or set `internal:false`.")]
    RequesterInternalNote,
    #[error("Ticket #{0} is closed. Reopen it first with `/ticket reopen ticket:{0} reason:…`.")]
    TicketClosed(TicketNumber),
    #[error("Ticket #{0} is not closed, so there is nothing to reopen.")]
    NotClosed(TicketNumber),
    #[error("Ticket #{ticket} was already acknowledged{by}; nothing changed.")]
    AlreadyAcknowledged { ticket: TicketNumber, by: String },
    #[error("Ticket #{ticket} is waiting on {on}; there is nothing to acknowledge. Add a note with `/ticket note` to follow it up.")]
    NothingToAcknowledge {
        ticket: TicketNumber,
        on: &'static str,
    },
    #[error("To escalate ticket #{ticket} to level {to} you must also give: {}. Example: `/ticket escalate ticket:{ticket} reason:\"disk full on db-2\" attempts:\"cleared /tmp, restarted the service\"`.", .missing.join(", "))]
    EscalationIncomplete {
        ticket: TicketNumber,
        to: Level,
        missing: Vec<String>,
    },
    #[error("Ticket #{ticket} is already with the vendor {vendor}; level 4 is the top of the ladder. Follow it up with `/ticket note`, or close it when the vendor has fixed it.")]
    AlreadyWithVendor {
        ticket: TicketNumber,
        vendor: String,
    },
    #[error("Only level 3 agents (or admins) can hand a ticket to a vendor (level 4).")]
    VendorNeedsLevel3,
    #[error("`{given}` is not a configured vendor. Choose one of: {}.", .known.join(", "))]
    UnknownVendor { given: String, known: Vec<String> },
    #[error("No vendors are configured, so nothing can be escalated to level 4. An admin can add `[[vendor]]` entries to bot.toml.")]
    NoVendors,
    #[error("Ticket #{ticket} is at level {from}; it can only be returned to a lower level from 1 to {}.", from.get().saturating_sub(1))]
    BadReturnLevel { ticket: TicketNumber, from: Level },
    #[error("Tickets are owned by levels 1 to 3: level 0 is self-service (knowledge articles) and level 4 is reached by escalating from level 3 to a vendor. Use `level:1`, `level:2` or `level:3`.")]
    NotAnOwningLevel,
    #[error("To open a ticket at level {0} you must be an agent of level {0} or above; leave out `level` to open it at the service desk (level 1).")]
    OpenAboveLevel(Level),
    #[error("Closing a {priority} ticket needs the root cause too: add `root_cause:\"…\"`.")]
    RootCauseRequired { priority: &'static str },
    #[error("Ticket #{ticket} is already {priority}; nothing changed.")]
    SamePriority {
        ticket: TicketNumber,
        priority: &'static str,
    },
    #[error("`{field}` is too long: {len} characters, at most {max}. Shorten it, or put the long part in a note.")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("`{0}` must not be empty.")]
    Empty(&'static str),
    #[error("`{field}` is missing. {hint}")]
    Missing {
        field: &'static str,
        hint: &'static str,
    },
    #[error("`{value}` is not a valid `{field}`. Choose one of: {allowed}.")]
    BadChoice {
        field: &'static str,
        value: String,
        allowed: &'static str,
    },
    #[error("`{value}` is not a valid `{field}`: {hint}")]
    BadValue {
        field: &'static str,
        value: String,
        hint: &'static str,
    },
    #[error("`{value}` is not a valid `{field}`: give a whole number from {min} to {max}.")]
    OutOfRange {
        field: &'static str,
        value: String,
        min: i64,
        max: i64,
    },
    #[error("Only the requester of ticket #{0} can rate it.")]
    OnlyRequesterRates(TicketNumber),
    #[error("Ticket #{0} is not closed yet; you can rate it once it is.")]
    RateBeforeClose(TicketNumber),
    #[error("You already rated ticket #{ticket} ({score}/5); the first rating counts.")]
    AlreadyRated { ticket: TicketNumber, score: u8 },
    #[error("`{command}` has no option `{option}`. Its options are: {allowed}.")]
    UnknownOption {
        command: String,
        option: String,
        allowed: String,
    },
    #[error("`{option}` was given twice; give it once.")]
    DuplicateOption { option: String },
    #[error("Unknown command `{0}`. Commands: /ticket open|note|ack|assign|escalate|return|priority|close|reopen|show|rate, /queue, /stats, /summary.")]
    UnknownCommand(String),
    #[error("Could not read that line: {0}. Write options as name:value, and quote values with spaces: title:\"VPN down\".")]
    Syntax(String),
}

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

impl Error {
    /// The line shown to the user. Internal failures never leak their detail.
    pub fn user_message(&self) -> String {
        match self {
            Error::User(e) => e.to_string(),
            Error::Internal(_) => {
                "Something went wrong on our side and nothing was changed. Try again in a minute; if it keeps failing, tell an admin (the details are in the bot's log).".to_owned()
            }
        }
    }
}
