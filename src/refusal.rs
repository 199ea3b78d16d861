//! The words of every refusal: what was wrong and how to do it right, in the member's
//! language, from the Fluent catalogue. Kept apart from the error type so that the domain and
//! its errors know nothing of languages.

use crate::domain::error::{Error, MissingPart, UserError};
use crate::i18n::Lang;
use crate::tr;

impl UserError {
    /// The message in `lang`: what was wrong and how to do it right.
    pub fn message(&self, lang: Lang) -> String {
        self.about_tickets(lang)
            .or_else(|| self.about_the_ladder(lang))
            .or_else(|| self.about_input(lang))
            .or_else(|| self.about_the_rest(lang))
            .unwrap_or_default()
    }

    fn about_tickets(&self, l: Lang) -> Option<String> {
        use UserError::*;
        Some(match self {
            UnknownTicket(t) => tr!(l, "err-unknown-ticket", ticket = t),
            BadTicketNumber(v) => tr!(l, "err-bad-ticket-number", value = v),
            NotAnAgent { action } => tr!(l, "err-not-an-agent", action = tr!(l, action)),
            BadArticle(v) => tr!(l, "err-bad-article", value = v),
            UnknownArticle(a) => tr!(l, "err-unknown-article", article = a),
            NotKbAuthor { action } => tr!(l, "err-not-kb-author", action = tr!(l, action)),
            SourceNotClosed(t) => tr!(l, "err-source-not-closed", ticket = t),
            NothingToEdit => tr!(l, "err-nothing-to-edit"),
            NotAdmin { action } => tr!(l, "err-not-admin", action = tr!(l, action)),
            LevelTooLow {
                ticket,
                owner,
                yours,
                action,
            } => tr!(
                l,
                "err-level-too-low",
                ticket = ticket,
                owner = owner,
                yours = yours.map_or_else(|| tr!(l, "level-none"), |y| y.to_string()),
                action = tr!(l, action)
            ),
            NotRequesterOrAgent { ticket, action } => tr!(
                l,
                "err-not-requester-or-agent",
                ticket = ticket,
                action = tr!(l, action)
            ),
            _ => return None,
        })
    }

    fn about_the_ladder(&self, l: Lang) -> Option<String> {
        use UserError::*;
        Some(match self {
            RequesterInternalNote => tr!(l, "err-requester-internal-note"),
            TicketClosed(t) => tr!(l, "err-ticket-closed", ticket = t),
            NotClosed(t) => tr!(l, "err-not-closed", ticket = t),
            AlreadyAcknowledged { ticket, assignee } => match assignee {
                Some(a) => tr!(
                    l,
                    "err-already-acknowledged-by",
                    ticket = ticket,
                    assignee = a
                ),
                None => tr!(l, "err-already-acknowledged", ticket = ticket),
            },
            AlreadyWaiting { ticket, on } => {
                tr!(l, "err-already-waiting", ticket = ticket, on = on.as_str())
            }
            AlreadyAssigned { ticket, assignee } => tr!(
                l,
                "err-already-assigned",
                ticket = ticket,
                assignee = assignee
            ),
            NothingToAcknowledge { ticket, on } => tr!(
                l,
                "err-nothing-to-acknowledge",
                ticket = ticket,
                on = on.map_or("requester", |w| w.as_str())
            ),
            EscalationIncomplete {
                ticket,
                to,
                missing,
            } => {
                let parts: Vec<String> = missing.iter().map(|m| missing_part(m, l)).collect();
                tr!(
                    l,
                    "err-escalation-incomplete",
                    ticket = ticket,
                    to = to,
                    missing = parts.join(", ")
                )
            }
            AlreadyWithVendor { ticket, vendor } => {
                tr!(
                    l,
                    "err-already-with-vendor",
                    ticket = ticket,
                    vendor = vendor
                )
            }
            VendorNeedsLevel3 => tr!(l, "err-vendor-needs-level3"),
            UnknownVendor { given, known } => {
                tr!(
                    l,
                    "err-unknown-vendor",
                    given = given,
                    known = known.join(", ")
                )
            }
            _ => return None,
        })
    }

    fn about_input(&self, l: Lang) -> Option<String> {
        use UserError::*;
        Some(match self {
            NoVendors => tr!(l, "err-no-vendors"),
            BadReturnLevel { ticket, from } => tr!(
                l,
                "err-bad-return-level",
                ticket = ticket,
                from = from,
                below = from.get().saturating_sub(1)
            ),
            NotAnOwningLevel => tr!(l, "err-not-an-owning-level"),
            OpenAboveLevel(level) => tr!(l, "err-open-above-level", level = level),
            RootCauseRequired { priority } => tr!(
                l,
                "err-root-cause-required",
                priority = tr!(l, &format!("priority-{priority}"))
            ),
            SamePriority { ticket, priority } => tr!(
                l,
                "err-same-priority",
                ticket = ticket,
                priority = tr!(l, &format!("priority-{priority}"))
            ),
            TooLong { field, len, max } => {
                tr!(l, "err-too-long", field = field, len = len, max = max)
            }
            Empty(field) => tr!(l, "err-empty", field = field),
            Missing { field, hint } => tr!(l, "err-missing", field = field, hint = tr!(l, hint)),
            BadChoice {
                field,
                value,
                allowed,
            } => tr!(
                l,
                "err-bad-choice",
                value = value,
                field = field,
                allowed = allowed.trim()
            ),
            BadValue { field, value, hint } => tr!(
                l,
                "err-bad-value",
                value = value,
                field = field,
                hint = tr!(l, hint)
            ),
            _ => return None,
        })
    }

    fn about_the_rest(&self, l: Lang) -> Option<String> {
        use UserError::*;
        Some(match self {
            OutOfRange {
                field,
                value,
                min,
                max,
            } => tr!(
                l,
                "err-out-of-range",
                value = value,
                field = field,
                min = min,
                max = max
            ),
            OnlyRequesterRates(t) => tr!(l, "err-only-requester-rates", ticket = t),
            RateBeforeClose(t) => tr!(l, "err-rate-before-close", ticket = t),
            AlreadyRated { ticket, score } => {
                tr!(l, "err-already-rated", ticket = ticket, score = score)
            }
            UnknownOption {
                command,
                option,
                allowed,
            } => tr!(
                l,
                "err-unknown-option",
                command = command,
                option = option,
                allowed = allowed
            ),
            DuplicateOption { option } => tr!(l, "err-duplicate-option", option = option),
            UnknownCommand(c) => tr!(
                l,
                "err-unknown-command",
                command = c,
                commands = crate::command::overview()
            ),
            NoRotation(level) => tr!(l, "err-no-rotation", level = level),
            OverrideNotAllowed(level) => tr!(l, "err-override-not-allowed", level = level),
            BadUntil(text) => tr!(l, "err-bad-until", until = text),
            Syntax(detail) => tr!(l, "err-syntax", detail = detail),
            _ => return None,
        })
    }
}

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl Error {
    /// The line shown to the user, in English. Internal failures never leak their detail.
    pub fn user_message(&self) -> String {
        self.message(Lang::En)
    }

    /// The line shown to the user in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::User(e) => e.message(lang),
            Error::Internal(_) => tr!(lang, "err-internal"),
        }
    }
}

/// One thing an escalation still needs, as words.
fn missing_part(m: &MissingPart, l: Lang) -> String {
    match m {
        MissingPart::Reason => tr!(l, "missing-reason"),
        MissingPart::Attempts => tr!(l, "missing-attempts"),
        MissingPart::Vendor { known } => tr!(l, "missing-vendor", vendors = known.join(", ")),
        MissingPart::VendorReason => tr!(
            l,
            "missing-vendor-reason",
            choices = crate::domain::VendorReason::ALLOWED.trim()
        ),
        MissingPart::Field { name, to } => tr!(
            l,
            "missing-field",
            field = name,
            what = tr!(l, &format!("field-{name}")),
            to = to
        ),
    }
}
