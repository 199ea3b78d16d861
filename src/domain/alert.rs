//! Monitoring alerts as tierdesk reads them, whatever tool sent them (SPEC §12): a key within
//! its source, firing or resolved, and what a ticket needs from it — a title, details and
//! links. The alert's text is user text: it is only ever shown, never allowed to ping.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::text::clip;
use super::{LongText, TicketNumber, TicketTitle};

/// Whether the condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Firing,
    Resolved,
}

/// A link a page shows as a button (runbook, dashboard, silence…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertLink {
    pub label: String,
    pub url: String,
}

/// Discord's limit on a link button's URL.
const URL_MAX: usize = 512;

impl AlertLink {
    /// A link, when `url` is one a button can carry (http or https, within Discord's limit).
    pub fn new(label: &str, url: &str) -> Option<AlertLink> {
        let url = url.trim();
        let web = url.starts_with("https://") || url.starts_with("http://");
        (web && url.len() <= URL_MAX && !url.contains(char::is_whitespace)).then(|| AlertLink {
            label: label.to_owned(),
            url: url.to_owned(),
        })
    }
}

/// One alert from a monitoring tool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alert {
    /// Identifies the alert within its source (a fingerprint, a monitor id, a key).
    pub key: String,
    pub firing: bool,
    pub summary: Option<String>,
    /// The alert's or monitor's name.
    pub name: Option<String>,
    pub description: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub severity: Option<String>,
    pub links: Vec<AlertLink>,
}

/// Labels that say where an alert is, tried in this order for a title.
const MAIN_LABELS: &[&str] = &["instance", "service", "job", "host", "cluster", "namespace"];
/// The most characters one piece of an alert's details may take.
const PIECE_MAX: usize = 1500;

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Whether the timeline notes the `firings`-th firing of an alert whose ticket is still open:
/// the first ten, then the hundredth, the thousandth… (the alert's row counts every one).
pub fn repeat_noted(firings: u32) -> bool {
    let mut n = firings;
    while n >= 10 && n % 10 == 0 {
        n /= 10;
    }
    firings <= 10 || n == 1
}

/// The longest key stored as sent; a longer one is stored as its start and a digest of the
/// whole, so it stays one key per alert and fits PostgreSQL's index row limit (2,704 bytes).
pub const KEY_MAX_BYTES: usize = 200;

/// `text` without NUL characters, which PostgreSQL refuses in text columns.
fn without_nul(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "")
    } else {
        text
    }
}

/// A key within `KEY_MAX_BYTES`: as sent when short enough, else its first characters and
/// the SHA-256 of the whole (the same long key always gives the same stored key).
fn bounded_key(key: String) -> String {
    if key.len() <= KEY_MAX_BYTES {
        return key;
    }
    use sha2::Digest as _;
    let digest = hex::encode(sha2::Sha256::digest(key.as_bytes()));
    let mut head = KEY_MAX_BYTES - digest.len() - 1;
    while !key.is_char_boundary(head) {
        head -= 1;
    }
    format!("{}#{digest}", &key[..head])
}

impl Alert {
    /// The alert as it can be stored on either database: no NUL anywhere, the key bounded.
    /// Monitoring tools send what they like; one odd alert must not fail a batch.
    pub fn cleaned(self) -> Alert {
        let opt = |s: Option<String>| s.map(without_nul);
        Alert {
            key: bounded_key(without_nul(self.key)),
            firing: self.firing,
            summary: opt(self.summary),
            name: opt(self.name),
            description: opt(self.description),
            labels: (self.labels.into_iter())
                .map(|(k, v)| (without_nul(k), without_nul(v)))
                .collect(),
            severity: opt(self.severity),
            links: (self.links.into_iter())
                .map(|l| AlertLink {
                    label: without_nul(l.label),
                    url: l.url,
                })
                .collect(),
        }
    }

    pub fn status(&self) -> AlertStatus {
        if self.firing {
            AlertStatus::Firing
        } else {
            AlertStatus::Resolved
        }
    }

    /// The ticket's title: the summary, else the name and main labels, else the key.
    pub fn title(&self) -> String {
        let title = match (present(&self.summary), present(&self.name)) {
            (Some(summary), _) => summary.to_owned(),
            (None, Some(name)) => {
                let wher: Vec<&str> = MAIN_LABELS
                    .iter()
                    .filter_map(|l| self.labels.get(*l).map(String::as_str))
                    .take(2)
                    .collect();
                match wher.is_empty() {
                    true => name.to_owned(),
                    false => format!("{name} on {}", wher.join(" ")),
                }
            }
            (None, None) => format!("Alert {}", self.key),
        };
        clip(&single_line(&title), TicketTitle::MAX)
    }

    /// The ticket's details: the description, the labels, the links, and the ticket it
    /// follows; each piece cut to fit, with a note when it was.
    pub fn details(&self, source: &str, follows: Option<TicketNumber>) -> String {
        let mut pieces = vec![format!(
            "Alert from {source} (key {})",
            clip(&self.key, 100)
        )];
        if let Some(d) = present(&self.description) {
            pieces.push(fit(d));
        }
        if !self.labels.is_empty() {
            let labels: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            pieces.push(fit(&format!("Labels: {}", labels.join(", "))));
        }
        for link in &self.links {
            pieces.push(format!("{}: {}", link.label, link.url));
        }
        if let Some(n) = follows {
            pieces.push(format!(
                "Follows #{n}, closed before this alert fired again."
            ));
        }
        clip(&pieces.join("\n"), LongText::MAX)
    }
}

/// One piece of details, cut with a note when it is too long.
fn fit(text: &str) -> String {
    if text.chars().count() <= PIECE_MAX {
        return text.to_owned();
    }
    let kept: String = text.chars().take(PIECE_MAX).collect();
    format!(
        "{kept}… (cut to fit: {} characters in all)",
        text.chars().count()
    )
}

fn single_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_timeline_notes_the_first_repeats_then_each_tenfold() {
        let noted: Vec<u32> = (1..=100_000).filter(|n| repeat_noted(*n)).collect();
        assert_eq!(
            noted,
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000, 10_000, 100_000]
        );
    }

    #[test]
    fn nul_characters_and_long_keys_are_made_storable() {
        let long = "k".repeat(5000);
        let alert = Alert {
            key: format!("a\0b{long}"),
            summary: Some("disk\0 full".into()),
            labels: [("ho\0st".to_owned(), "db\u{0}1".to_owned())].into(),
            ..Alert::default()
        }
        .cleaned();
        assert!(alert.key.len() <= KEY_MAX_BYTES, "{}", alert.key.len());
        assert!(alert.key.starts_with("abkkk"), "{}", alert.key);
        assert_eq!(alert.summary.as_deref(), Some("disk full"));
        assert_eq!(alert.labels.get("host").map(String::as_str), Some("db1"));
        let again = Alert {
            key: format!("ab{long}"),
            ..Alert::default()
        }
        .cleaned();
        assert_eq!(
            again.key, alert.key,
            "the same key always gives the same stored key"
        );
        let other = Alert {
            key: format!("ab{long}x"),
            ..Alert::default()
        }
        .cleaned();
        assert_ne!(other.key, alert.key, "different keys stay different");
        let accents = "é".repeat(300);
        assert!(
            Alert {
                key: accents,
                ..Alert::default()
            }
            .cleaned()
            .key
            .len()
                <= KEY_MAX_BYTES
        );
        let short = Alert {
            key: "fp-1".into(),
            ..Alert::default()
        }
        .cleaned();
        assert_eq!(short.key, "fp-1");
    }

    use super::*;

    fn alert() -> Alert {
        Alert {
            key: "c6eadffa33fcdf37".into(),
            firing: true,
            ..Alert::default()
        }
    }

    #[test]
    fn the_title_falls_back_from_summary_to_name_and_labels_to_the_key() {
        let mut a = alert();
        assert_eq!(a.title(), "Alert c6eadffa33fcdf37");
        a.name = Some("HighMemory".into());
        assert_eq!(a.title(), "HighMemory");
        a.labels.insert("instance".into(), "db-1:9100".into());
        a.labels.insert("job".into(), "node".into());
        assert_eq!(a.title(), "HighMemory on db-1:9100 node");
        a.summary = Some("  Memory\nabove 90%  ".into());
        assert_eq!(a.title(), "Memory above 90%");
        a.summary = Some("x".repeat(500));
        assert_eq!(a.title().chars().count(), TicketTitle::MAX);
    }

    #[test]
    fn long_annotations_are_cut_with_a_note_and_details_fit_a_ticket() {
        let mut a = alert();
        a.description = Some("d".repeat(10_000));
        for i in 0..200 {
            a.labels.insert(format!("label{i}"), "v".repeat(50));
        }
        let details = a.details("prometheus", Some(TicketNumber(7)));
        assert!(details.chars().count() <= LongText::MAX);
        assert!(details.contains("cut to fit: 10000 characters in all"));
        assert!(LongText::parse("details", &details).is_ok());
    }

    #[test]
    fn only_web_links_become_buttons() {
        assert!(AlertLink::new("Runbook", "https://runbooks.example/db").is_some());
        assert!(AlertLink::new("Runbook", "javascript:alert(1)").is_none());
        assert!(AlertLink::new("Runbook", "").is_none());
        assert!(AlertLink::new("Runbook", &format!("https://x/{}", "a".repeat(600))).is_none());
    }
}
