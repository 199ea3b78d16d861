//! The webhook bodies of the monitoring tools, as typed serde models, read into tierdesk's
//! alerts (SPEC §12): Alertmanager's version 4 payload, Grafana's unified alerting webhook,
//! Uptime Kuma's notification, and the generic shape. A body that is not JSON or not that
//! shape is refused with what is wrong.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::AlertKind;
use crate::domain::alert::{Alert, AlertLink};

/// Reads a body of `kind` into alerts, or says what is wrong with it. The alerts come back
/// cleaned (`Alert::cleaned`): storable on either database whatever the tool sent.
pub fn parse(kind: AlertKind, body: &[u8]) -> Result<Vec<Alert>, String> {
    Ok(read(kind, body)?.into_iter().map(Alert::cleaned).collect())
}

fn read(kind: AlertKind, body: &[u8]) -> Result<Vec<Alert>, String> {
    match kind {
        AlertKind::Alertmanager | AlertKind::Grafana => {
            let hook: PromWebhook = from_json(body)?;
            hook.alerts
                .iter()
                .map(|a| a.alert(kind, &hook.external_url))
                .collect()
        }
        AlertKind::UptimeKuma => Ok(from_json::<KumaWebhook>(body)?
            .alert()
            .into_iter()
            .collect()),
        AlertKind::Generic => Ok(vec![from_json::<GenericAlert>(body)?.alert()?]),
    }
}

fn from_json<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            format!("the body is not JSON: {e}")
        } else {
            format!("the body is not the expected shape: {e}")
        }
    })
}

fn firing(status: &str) -> Result<bool, String> {
    match status {
        "firing" => Ok(true),
        "resolved" => Ok(false),
        other => Err(format!(
            "status = \"{}\": it must be \"firing\" or \"resolved\"",
            crate::domain::text::clip(other, 40)
        )),
    }
}

/// Alertmanager's webhook (version 4) and Grafana's, which shares its shape.
#[derive(Deserialize)]
struct PromWebhook {
    alerts: Vec<PromAlert>,
    #[serde(default, rename = "externalURL")]
    external_url: String,
}

#[derive(Deserialize)]
struct PromAlert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default, rename = "generatorURL")]
    generator_url: String,
    #[serde(default)]
    fingerprint: Option<String>,
    // Grafana only.
    #[serde(default, rename = "silenceURL")]
    silence_url: String,
    #[serde(default, rename = "dashboardURL")]
    dashboard_url: String,
    #[serde(default, rename = "panelURL")]
    panel_url: String,
}

impl PromAlert {
    /// The key: the fingerprint, or (from an Alertmanager too old to send one) the labels.
    fn key(&self) -> String {
        match self.fingerprint.as_deref().filter(|f| !f.is_empty()) {
            Some(f) => f.to_owned(),
            None => self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    fn alert(&self, kind: AlertKind, external_url: &str) -> Result<Alert, String> {
        let a = &self.annotations;
        let mut links = vec![
            ("Source", self.generator_url.clone()),
            ("Runbook", a.get("runbook_url").cloned().unwrap_or_default()),
            ("Dashboard", self.dashboard_url.clone()),
            ("Panel", self.panel_url.clone()),
        ];
        links.push((
            "Silence",
            match kind {
                AlertKind::Grafana => self.silence_url.clone(),
                _ => silence_url(external_url, &self.labels),
            },
        ));
        if self.dashboard_url.is_empty() {
            links.push((
                "Dashboard",
                a.get("dashboard_url").cloned().unwrap_or_default(),
            ));
        }
        Ok(Alert {
            key: self.key(),
            firing: firing(&self.status)?,
            summary: a.get("summary").cloned(),
            name: self.labels.get("alertname").cloned(),
            description: a.get("description").cloned(),
            severity: self.labels.get("severity").cloned(),
            labels: self.labels.clone(),
            links: links
                .into_iter()
                .filter_map(|(label, url)| AlertLink::new(label, &url))
                .collect(),
        })
    }
}

/// Alertmanager's page for silencing this alert, filtered on its labels.
fn silence_url(external_url: &str, labels: &BTreeMap<String, String>) -> String {
    if external_url.is_empty() {
        return String::new();
    }
    let matchers: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    let filter = format!("{{{}}}", matchers.join(","));
    let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    format!(
        "{}/#/silences/new?filter={encoded}",
        external_url.trim_end_matches('/')
    )
}

/// Uptime Kuma's webhook notification. Its "Test" button sends neither heartbeat nor
/// monitor: that is no alert.
#[derive(Deserialize)]
struct KumaWebhook {
    heartbeat: Option<KumaHeartbeat>,
    monitor: Option<KumaMonitor>,
}

#[derive(Deserialize)]
struct KumaHeartbeat {
    /// 0 down, 1 up, 2 pending, 3 maintenance.
    status: i64,
    #[serde(default)]
    msg: String,
}

#[derive(Deserialize)]
struct KumaMonitor {
    id: i64,
    name: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    hostname: Option<String>,
}

impl KumaWebhook {
    fn alert(&self) -> Option<Alert> {
        let (beat, monitor) = (self.heartbeat.as_ref()?, self.monitor.as_ref()?);
        // Pending (retrying) and maintenance are neither down nor up.
        let firing = match beat.status {
            0 => true,
            1 => false,
            _ => return None,
        };
        let mut labels = BTreeMap::new();
        if let Some(host) = monitor.hostname.as_ref().filter(|h| !h.is_empty()) {
            labels.insert("host".to_owned(), host.clone());
        }
        Some(Alert {
            key: monitor.id.to_string(),
            firing,
            summary: Some(format!("{} is down", monitor.name)),
            name: Some(monitor.name.clone()),
            description: Some(beat.msg.clone()).filter(|m| !m.is_empty()),
            labels,
            severity: firing.then(|| "down".to_owned()),
            links: monitor
                .url
                .as_deref()
                .and_then(|u| AlertLink::new("Monitored URL", u))
                .into_iter()
                .collect(),
        })
    }
}

/// The generic shape, for scripts and tools without a kind of their own.
#[derive(Deserialize)]
struct GenericAlert {
    key: String,
    status: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

impl GenericAlert {
    fn alert(self) -> Result<Alert, String> {
        if self.key.trim().is_empty() {
            return Err(
                "key is empty: give each alert a key that stays the same while it fires".into(),
            );
        }
        Ok(Alert {
            firing: firing(&self.status)?,
            key: self.key,
            summary: self.title,
            name: None,
            description: self.details,
            labels: BTreeMap::new(),
            severity: self.severity,
            links: self
                .url
                .as_deref()
                .and_then(|u| AlertLink::new("Source", u))
                .into_iter()
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alertmanager_without_fingerprint_keys_on_its_labels() {
        let body = br#"{"version":"4","status":"firing","externalURL":"http://am:9093",
            "alerts":[{"status":"firing","labels":{"alertname":"Down","job":"api"},"annotations":{}}]}"#;
        let alerts = parse(AlertKind::Alertmanager, body).unwrap();
        assert_eq!(alerts[0].key, "alertname=Down,job=api");
        let silence = &alerts[0]
            .links
            .iter()
            .find(|l| l.label == "Silence")
            .unwrap()
            .url;
        assert!(
            silence.starts_with("http://am:9093/#/silences/new?filter=%7Balertname"),
            "{silence}"
        );
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        let not_json = parse(AlertKind::Generic, b"<html>").unwrap_err();
        assert!(not_json.starts_with("the body is not JSON"), "{not_json}");
        let shape = parse(AlertKind::Alertmanager, br#"{"status":"firing"}"#).unwrap_err();
        assert!(shape.contains("missing field `alerts`"), "{shape}");
        let status = parse(AlertKind::Generic, br#"{"key":"k","status":"burning"}"#).unwrap_err();
        assert!(status.contains("\"firing\" or \"resolved\""), "{status}");
    }

    #[test]
    fn uptime_kuma_test_notifications_and_pending_beats_are_no_alert() {
        let test = br#"{"heartbeat":null,"monitor":null,"msg":"Uptime Kuma Testing"}"#;
        assert!(parse(AlertKind::UptimeKuma, test).unwrap().is_empty());
        let pending = br#"{"heartbeat":{"status":2,"msg":"retrying"},"monitor":{"id":4,"name":"web"},"msg":""}"#;
        assert!(parse(AlertKind::UptimeKuma, pending).unwrap().is_empty());
    }
}
