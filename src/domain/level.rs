//! The five support levels, 0 (self-service) to 4 (external vendors).

use serde::{Deserialize, Serialize};

use crate::domain::error::UserError;

/// A support level. Only 0 to 4 exist; tickets are owned by levels 1 to 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub struct Level(u8);

/// A level reads from a number, or from the text of one: JSON map keys are text, and the
/// key figures are maps by level.
impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Level;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a support level from 0 to 4")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Level, E> {
                u8::try_from(v)
                    .ok()
                    .and_then(Level::new)
                    .ok_or_else(|| E::custom(format!("level {v} does not exist (0 to 4)")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Level, E> {
                self.visit_u64(u64::try_from(v).map_err(|_| E::custom("negative level"))?)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Level, E> {
                self.visit_u64(
                    v.parse()
                        .map_err(|_| E::custom(format!("`{v}` is not a level")))?,
                )
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Level {
    pub const SELF_SERVICE: Level = Level(0);
    pub const SERVICE_DESK: Level = Level(1);
    pub const TECHNICAL: Level = Level(2);
    pub const EXPERTS: Level = Level(3);
    pub const VENDOR: Level = Level(4);

    /// A level from its number, if it is one of the five.
    pub fn new(n: u8) -> Option<Level> {
        (n <= 4).then_some(Level(n))
    }

    /// Parses a level typed by a user.
    pub fn parse(value: &str) -> Result<Level, UserError> {
        value
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(Level::new)
            .ok_or_else(|| UserError::BadValue {
                field: "level",
                value: value.to_owned(),
                hint: "hint-level",
            })
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// Whether tickets can be owned here (1 to 3).
    pub fn owns_tickets(self) -> bool {
        (1..=3).contains(&self.0)
    }

    /// The level above, if any.
    pub fn next(self) -> Option<Level> {
        Level::new(self.0 + 1)
    }

    /// The level below, if any.
    pub fn below(self) -> Option<Level> {
        self.0.checked_sub(1).map(Level)
    }

    /// The usual name of the level, used when the config gives none.
    pub fn default_name(self) -> &'static str {
        match self.0 {
            0 => "Self-service",
            1 => "Service desk",
            2 => "Technical support",
            3 => "Experts",
            _ => "External vendors",
        }
    }
}

impl From<Level> for u8 {
    fn from(l: Level) -> u8 {
        l.0
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_five_levels_exist() {
        assert!(Level::new(4).is_some());
        assert!(Level::new(5).is_none());
        assert!(Level::parse("7").is_err());
        assert!(Level::parse("two").is_err());
        assert_eq!(Level::parse(" 2 ").unwrap(), Level::TECHNICAL);
    }

    #[test]
    fn reads_from_numbers_and_map_keys() {
        let m: std::collections::BTreeMap<Level, u8> =
            serde_json::from_str(r#"{"1": 10, "3": 30}"#).unwrap();
        assert_eq!(m[&Level::EXPERTS], 30);
        assert_eq!(
            serde_json::from_str::<Level>("2").unwrap(),
            Level::TECHNICAL
        );
        assert!(serde_json::from_str::<Level>("5").is_err());
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"1":10,"3":30}"#);
    }

    #[test]
    fn ladder_moves() {
        assert_eq!(Level::SERVICE_DESK.next(), Some(Level::TECHNICAL));
        assert_eq!(Level::VENDOR.next(), None);
        assert_eq!(Level::SELF_SERVICE.below(), None);
        assert!(!Level::SELF_SERVICE.owns_tickets());
        assert!(!Level::VENDOR.owns_tickets());
        assert!(Level::EXPERTS.owns_tickets());
    }
}
