//! Texts users type, validated on the way in: trimmed, not empty, within SPEC §3's limits.

use serde::{Deserialize, Serialize};

use crate::domain::error::UserError;

/// `text` cut to `max` characters, with an ellipsis when something was cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn checked(field: &'static str, value: &str, max: usize) -> Result<String, UserError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(UserError::Empty(field));
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(UserError::TooLong { field, len, max });
    }
    Ok(trimmed.to_owned())
}

macro_rules! bounded_text {
    ($(#[$meta:meta])* $name:ident, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The most characters it may hold.
            pub const MAX: usize = $max;

            /// Validates `value` typed into the option called `field`.
            pub fn parse(field: &'static str, value: &str) -> Result<Self, UserError> {
                checked(field, value, Self::MAX).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// A ticket's title: at most 100 characters.
    TicketTitle,
    100
);
bounded_text!(
    /// Details, notes, attempts, resolutions: at most 4,000 characters.
    LongText,
    4000
);
bounded_text!(
    /// Short fields (a reason, a vendor reference): at most 200 characters.
    ShortText,
    200
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_limits() {
        assert!(TicketTitle::parse("title", &"x".repeat(100)).is_ok());
        let err = TicketTitle::parse("title", &"x".repeat(101)).unwrap_err();
        assert_eq!(
            err,
            UserError::TooLong {
                field: "title",
                len: 101,
                max: 100
            }
        );
        assert_eq!(
            TicketTitle::parse("title", "   ").unwrap_err(),
            UserError::Empty("title")
        );
        assert_eq!(
            TicketTitle::parse("title", "  VPN down ").unwrap().as_str(),
            "VPN down"
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 4,000 accented characters are 8,000 bytes and still fit.
        assert!(LongText::parse("details", &"é".repeat(4000)).is_ok());
        assert!(LongText::parse("details", &"é".repeat(4001)).is_err());
    }
}
