//! The fixed choices of the product (priority, status, reasons, fix types), each a small enum
//! that parses itself from the words users type and the words stored in the database.

use crate::domain::error::UserError;

/// Defines an enum of choices with its wire names, parsing and the list shown in errors.
macro_rules! choices {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every choice, in the order users see them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The words users type, in the same order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];
            /// The choices as one line, for error messages.
            pub const ALLOWED: &'static str = concat!($("`", $word, "` "),+);

            /// The word users type and the database stores.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Parses the word a user typed (case-insensitive), or says which words exist.
            pub fn parse(value: &str) -> Result<Self, UserError> {
                let lower = value.trim().to_ascii_lowercase();
                match lower.as_str() {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UserError::BadChoice {
                        field: $field,
                        value: value.to_owned(),
                        allowed: Self::ALLOWED,
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

choices!(
    /// How urgent a ticket is; decides the acknowledgement deadline.
    Priority, "priority", {
        Critical => "critical",
        High => "high",
        Normal => "normal",
        Low => "low",
    }
);

impl Priority {
    /// Critical and high tickets must record their root cause to be closed.
    pub fn needs_root_cause(self) -> bool {
        matches!(self, Priority::Critical | Priority::High)
    }
}

choices!(
    /// Where a ticket stands at its owning level.
    Status, "status", {
        Open => "open",
        Acknowledged => "acknowledged",
        Waiting => "waiting",
        Closed => "closed",
    }
);

impl Status {
    /// The statuses of a ticket not closed yet, which queues and backlogs count. The store
    /// spells the same list once in SQL (`open_statuses!`), checked against this one.
    pub const OPEN: &'static [Status] = &[Status::Open, Status::Acknowledged, Status::Waiting];
    /// Their words, for the `/queue status:` choice.
    pub const OPEN_WORDS: &'static [&'static str] = &["open", "acknowledged", "waiting"];
}

choices!(
    /// Whom a `waiting` ticket waits on.
    WaitingOn, "waiting_on", {
        Requester => "requester",
        Vendor => "vendor",
    }
);

choices!(
    /// Why a ticket is returned to a lower level.
    ReturnReason, "reason", {
        MissingInfo => "missing_info",
        Misassigned => "misassigned",
    }
);

choices!(
    /// Why level 3 hands a ticket to a vendor.
    VendorReason, "vendor_reason", {
        TooComplexOrCostly => "too_complex_or_costly",
        Warranty => "warranty",
        VendorFix => "vendor_fix",
    }
);

choices!(
    /// What kind of fix closed a ticket.
    FixType, "fix_type", {
        Workaround => "workaround",
        Configuration => "configuration",
        CodeFix => "code_fix",
        Hardware => "hardware",
        Vendor => "vendor",
        NoFault => "no_fault",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_statuses_are_one_list() {
        let words: Vec<&str> = Status::OPEN.iter().map(|s| s.as_str()).collect();
        assert_eq!(words, Status::OPEN_WORDS);
        assert!(!Status::OPEN.contains(&Status::Closed));
        assert_eq!(Priority::WORDS, ["critical", "high", "normal", "low"]);
    }

    #[test]
    fn parses_case_insensitively_and_round_trips() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(&p.as_str().to_uppercase()).unwrap(), *p);
        }
        assert_eq!(
            VendorReason::parse("too_complex_or_costly").unwrap(),
            VendorReason::TooComplexOrCostly
        );
    }

    #[test]
    fn unknown_word_lists_the_choices() {
        let err = Priority::parse("urgent").unwrap_err().to_string();
        assert!(err.contains("`urgent` is not a valid `priority`"), "{err}");
        assert!(err.contains("`critical`") && err.contains("`low`"), "{err}");
    }

    #[test]
    fn root_cause_rule_follows_priority() {
        assert!(Priority::Critical.needs_root_cause());
        assert!(Priority::High.needs_root_cause());
        assert!(!Priority::Normal.needs_root_cause());
        assert!(!Priority::Low.needs_root_cause());
    }
}
