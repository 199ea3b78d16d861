//! `[[rotation]]`: who holds a level's page role in turn (SPEC §11), validated at load with
//! messages that name the key.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde::Deserialize;

use super::{Problems, Tier};
use crate::domain::{Level, UserId};

pub use crate::domain::oncall::Rotation;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRotation {
    level: u8,
    members: Vec<u64>,
    shift: String,
    start: String,
    timezone: String,
}

/// The shortest shift a rotation may have.
const MIN_SHIFT: Duration = Duration::from_secs(60);

impl RawRotation {
    /// The rotation, or `None` after recording what is wrong with it.
    pub(super) fn validate(
        self,
        key: &str,
        tiers: &BTreeMap<Level, Tier>,
        p: &mut Problems,
    ) -> Option<Rotation> {
        let before = p.0.len();
        let level = self.level(key, tiers, p);
        let members = self.members(key, p);
        let shift = p.duration(&format!("{key}.shift"), &self.shift);
        if shift < MIN_SHIFT {
            p.0.push(format!(
                "{key}.shift = \"{}\" is shorter than a minute: write e.g. \"12h\" or \"1w\"",
                self.shift
            ));
        }
        let start = NaiveDateTime::parse_from_str(self.start.trim(), "%Y-%m-%d %H:%M")
            .map_err(|_| {
                p.0.push(format!(
                    "{key}.start = \"{}\" is not a local date and time: write it as \"2026-11-30 09:00\"",
                    self.start
                ))
            });
        let timezone = self.timezone.trim().parse::<Tz>().map_err(|_| {
            p.0.push(format!(
                "{key}.timezone = \"{}\" is not a time zone: use an IANA name such as \"Europe/Madrid\"",
                self.timezone
            ))
        });
        match (level, start, timezone) {
            (Some(level), Ok(start), Ok(timezone)) if p.0.len() == before => Some(Rotation {
                level,
                members,
                shift,
                start,
                timezone,
            }),
            _ => None,
        }
    }

    fn level(&self, key: &str, tiers: &BTreeMap<Level, Tier>, p: &mut Problems) -> Option<Level> {
        let Some(tier) = Level::new(self.level).and_then(|l| tiers.get(&l)) else {
            p.0.push(format!(
                "{key}.level = {} has no [[tier]]: a rotation hands out the page role of a configured level",
                self.level
            ));
            return None;
        };
        if tier.page_role_id == tier.role_id {
            p.0.push(format!(
                "{key}.level = {}: the tier's page_role_id equals its role_id; give the level a separate on-call role (page_role_id) for the rotation to hand out",
                self.level
            ));
        }
        Some(tier.level)
    }

    fn members(&self, key: &str, p: &mut Problems) -> Vec<UserId> {
        if self.members.is_empty() {
            p.0.push(format!(
                "{key}.members is empty: list the members' user ids in turn"
            ));
        }
        let mut seen = Vec::new();
        for (i, m) in self.members.iter().enumerate() {
            let id = p.id(&format!("{key}.members[{i}]"), *m);
            if seen.contains(&UserId(id)) {
                p.0.push(format!(
                    "{key}.members[{i}] = {id} appears twice: each member once per turn"
                ));
            }
            seen.push(UserId(id));
        }
        seen
    }
}
