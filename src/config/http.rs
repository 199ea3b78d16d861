//! `[http]` and `[[alert_source]]`: the HTTP listener (health, metrics, alerts, dashboard)
//! and the monitoring tools that may post alerts to it (SPEC §12–§13).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Deserialize;

use super::{Problems, Secret, Tier};
use crate::domain::{Level, Priority};

/// The HTTP listener.
#[derive(Debug, Clone)]
pub struct Http {
    pub listen: SocketAddr,
    /// The key that opens the dashboard; without it the dashboard is off.
    pub dashboard_token: Option<Secret>,
}

/// What kind of tool posts to an alert source, which says how to read its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Alertmanager,
    Grafana,
    UptimeKuma,
    Generic,
}

/// A monitoring tool allowed to post alerts at `POST /alerts/{name}`.
#[derive(Debug, Clone)]
pub struct AlertSource {
    pub name: String,
    pub kind: AlertKind,
    pub token: Secret,
    /// Where its tickets open.
    pub level: Level,
    /// Severity label value → priority; anything else is `normal`.
    pub priority: BTreeMap<String, Priority>,
    /// Close the ticket when the alert resolves, unless an agent acknowledged it.
    pub close_on_resolve: bool,
}

impl AlertKind {
    /// The kind named in `[[alert_source]] kind`.
    fn parse(word: &str) -> Option<AlertKind> {
        match word {
            "alertmanager" => Some(AlertKind::Alertmanager),
            "grafana" => Some(AlertKind::Grafana),
            "uptime_kuma" => Some(AlertKind::UptimeKuma),
            "generic" => Some(AlertKind::Generic),
            _ => None,
        }
    }
}

/// `priority = { critical = "critical", … }`: severity label (any case) → priority.
fn severities(
    key: &str,
    raw: BTreeMap<String, String>,
    p: &mut Problems,
) -> BTreeMap<String, Priority> {
    let mut priority = BTreeMap::new();
    for (severity, value) in raw {
        match Priority::parse(&value) {
            Ok(pr) => {
                priority.insert(severity.to_lowercase(), pr);
            }
            Err(_) => p.0.push(format!(
                "{key}.priority.{severity} = \"{value}\" is not a priority: use critical, high, normal or low"
            )),
        }
    }
    priority
}

impl AlertSource {
    /// The priority of an alert of this severity.
    pub fn priority_of(&self, severity: Option<&str>) -> Priority {
        severity
            .and_then(|s| self.priority.get(&s.to_lowercase()))
            .copied()
            .unwrap_or(Priority::Normal)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHttp {
    listen: String,
    #[serde(default)]
    dashboard_token: Option<String>,
}

impl RawHttp {
    pub(super) fn validate(
        self,
        env: &dyn Fn(&str) -> Option<String>,
        p: &mut Problems,
    ) -> Option<Http> {
        let listen = match self.listen.trim().parse::<SocketAddr>() {
            Ok(a) => a,
            Err(_) => {
                p.0.push(format!(
                    "http.listen = \"{}\" is not an address: write it as \"127.0.0.1:8080\"",
                    self.listen
                ));
                return None;
            }
        };
        let dashboard_token = env("TIERDESK_DASHBOARD_TOKEN")
            .or(self.dashboard_token.map(|t| t.trim().to_owned()))
            .filter(|t| !t.is_empty())
            .map(Secret::new);
        Some(Http {
            listen,
            dashboard_token,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlertSource {
    name: String,
    kind: String,
    #[serde(default)]
    token: String,
    level: u8,
    #[serde(default)]
    priority: BTreeMap<String, String>,
    #[serde(default)]
    close_on_resolve: bool,
}

impl RawAlertSource {
    pub(super) fn validate(
        self,
        key: &str,
        tiers: &BTreeMap<Level, Tier>,
        env: &dyn Fn(&str) -> Option<String>,
        p: &mut Problems,
    ) -> Option<AlertSource> {
        let before = p.0.len();
        let name = self.name.trim().to_owned();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            p.0.push(format!(
                "{key}.name = \"{}\" must be letters, digits, - or _: it is the path /alerts/{{name}}",
                self.name
            ));
        }
        let kind = AlertKind::parse(self.kind.trim());
        if kind.is_none() {
            p.0.push(format!(
                "{key}.kind = \"{}\" is not a kind: use alertmanager, grafana, uptime_kuma or generic",
                self.kind.trim()
            ));
        }
        let env_key = format!(
            "TIERDESK_ALERT_TOKEN_{}",
            name.to_uppercase().replace('-', "_")
        );
        let token = env(&env_key)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| self.token.trim().to_owned());
        if token.trim().is_empty() {
            p.0.push(format!(
                "{key}.token is missing: set it, or {env_key}, to the bearer token the tool sends"
            ));
        }
        let level = Level::new(self.level).filter(|l| tiers.contains_key(l));
        if self.level == Level::VENDOR.get() {
            // Level 4 is the vendors' liaison, reached only through level 3's handover.
            p.0.push(format!(
                "{key}.level = 4 is the external vendors: alerts open tickets at levels 1 to 3"
            ));
        } else if level.is_none() {
            p.0.push(format!(
                "{key}.level = {} has no [[tier]]: alerts open tickets at a configured level",
                self.level
            ));
        }
        let priority = severities(key, self.priority, p);
        (p.0.len() == before).then(|| AlertSource {
            name,
            kind: kind.unwrap_or(AlertKind::Generic),
            token: Secret::new(token),
            level: level.unwrap_or(Level::SERVICE_DESK),
            priority,
            close_on_resolve: self.close_on_resolve,
        })
    }
}
