//! Event management end to end (SPEC §12–§13): the real `tierdesk run` with `[http]` and four
//! alert sources, fed the monitoring tools' webhook bodies over HTTP, paging at the fake
//! Discord; `/health` and `/metrics` as an operator scrapes them.

#[path = "support/bot.rs"]
mod bot;
#[path = "support/fake_discord.rs"]
mod fake_discord;

use std::path::Path;
use std::process::Child;
use std::str::FromStr;
use std::time::Duration;

use bot::*;
use fake_discord::FakeDiscord;
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

const ALERTMANAGER: &str = include_str!("fixtures/alertmanager_v4.json");
const GRAFANA: &str = include_str!("fixtures/grafana_webhook.json");
const KUMA_DOWN: &str = include_str!("fixtures/uptime_kuma_down.json");
const QUEUE_L2: &str = "1100000000000000122";
const QUEUE_L3: &str = "1100000000000000123";
const PAGE_L1: &str = "1100000000000000111";

fn sources(port: u16) -> String {
    format!(
        r#"
[http]
listen = "127.0.0.1:{port}"

[[alert_source]]
name = "prometheus"
kind = "alertmanager"
token = "prom-secret"
level = 2
priority = {{ critical = "critical", warning = "high" }}
close_on_resolve = true

[[alert_source]]
name = "grafana"
kind = "grafana"
token = "graf-secret"
level = 3
priority = {{ warning = "high" }}

[[alert_source]]
name = "kuma"
kind = "uptime_kuma"
token = "kuma-secret"
level = 1
priority = {{ down = "high" }}
close_on_resolve = true

[[alert_source]]
name = "script"
kind = "generic"
level = 1
close_on_resolve = true
"#
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The bot with the example config, the alert sources and the HTTP listener on `port`.
fn start(dir: &Path, base: &str, port: u16) -> Child {
    let config = EXAMPLE.replace(
        "# proxy_url = \"http://127.0.0.1:3000\"",
        &format!("proxy_url = \"{base}\""),
    );
    let text = format!("{config}\n{}", sources(port));
    start_bot_env(
        dir,
        &text,
        &[("TIERDESK_ALERT_TOKEN_SCRIPT", "script-secret")],
    )
}

fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("tierdesk.db").display())
}

async fn query<T>(dir: &Path, sql: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
{
    let mut conn = SqliteConnectOptions::from_str(&db_url(dir))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let v: T = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    v
}

struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    fn new(port: u16) -> Http {
        Http {
            client: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn wait_up(&self) {
        for _ in 0..300 {
            if self
                .client
                .get(format!("{}/health", self.base))
                .send()
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the HTTP listener never came up");
    }

    async fn post(
        &self,
        source: &str,
        token: Option<&str>,
        body: impl Into<String>,
    ) -> (u16, Value) {
        let body: String = body.into();
        // A body refused for its size is answered before it is read; the server then closes
        // the connection, and a client still writing may see the reset instead of the 413.
        // Sent again, as a monitoring tool would.
        let mut last_error = None;
        for _ in 0..3 {
            let mut req = self
                .client
                .post(format!("{}/alerts/{source}", self.base))
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let text = resp.text().await.unwrap_or_default();
                    return (status, serde_json::from_str(&text).unwrap_or(Value::Null));
                }
                Err(e) => last_error = Some(e),
            }
        }
        panic!("no answer from the listener: {last_error:?}");
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }
}

fn generic(key: &str, status: &str, title: &str) -> String {
    json!({ "key": key, "status": status, "title": title, "details": "from a script", "severity": "warning", "url": "https://status.example.org" }).to_string()
}

/// The pages posted in `channel` (create requests), with their bodies.
/// The pages sent to `channel`, one per nonce: a request retried after a kill -9 carries the
/// nonce of the first, and Discord keeps one message for both.
fn pages(fake: &FakeDiscord, channel: &str) -> Vec<Value> {
    let mut nonces = std::collections::HashSet::new();
    fake.of("create_message")
        .into_iter()
        .filter(|r| {
            r.path.contains(channel) && r.body["embeds"].as_array().is_some_and(|e| !e.is_empty())
        })
        .filter(|r| nonces.insert(r.body["nonce"].to_string()))
        .map(|r| r.body)
        .collect()
}

async fn wait_pages(fake: &FakeDiscord, channel: &str, n: usize) -> Vec<Value> {
    let channel = channel.to_owned();
    fake.wait_for(15, "the pages", |_| {
        let p = pages(fake, &channel);
        (p.len() >= n).then_some(p)
    })
    .await
}

fn link_labels(page: &Value) -> Vec<String> {
    page["components"][1]["components"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|b| b["label"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tools_webhook_opens_a_ticket_paged_at_its_level() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let port = free_port();
    let mut running = start(dir.path(), &base, port);
    connected(&fake).await;
    let http = Http::new(port);
    http.wait_up().await;

    let (status, body) = http
        .post("prometheus", Some("prom-secret"), ALERTMANAGER)
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(
        body["outcomes"]["opened"], 2,
        "a group's alerts are each a ticket"
    );
    let l2 = wait_pages(&fake, QUEUE_L2, 2).await;
    let titles: Vec<&str> = l2
        .iter()
        .map(|p| p["embeds"][0]["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"#1 Disk almost full on db-1"),
        "{titles:?}"
    );
    assert!(embed_field(&l2[0], "Priority").as_deref() == Some("critical"));
    assert_eq!(link_labels(&l2[0]), ["Source", "Runbook", "Silence"]);

    let (status, _) = http.post("grafana", Some("graf-secret"), GRAFANA).await;
    assert_eq!(status, 202);
    let l3 = wait_pages(&fake, QUEUE_L3, 1).await;
    assert_eq!(embed_field(&l3[0], "Priority").as_deref(), Some("high"));
    assert_eq!(
        link_labels(&l3[0]),
        ["Source", "Runbook", "Dashboard", "Panel", "Silence"]
    );

    let (status, _) = http.post("kuma", Some("kuma-secret"), KUMA_DOWN).await;
    assert_eq!(status, 202);
    let l1 = wait_pages(&fake, QUEUE_L1, 1).await;
    assert!(l1[0]["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .ends_with("Intranet is down"));
    assert_eq!(embed_field(&l1[0], "Priority").as_deref(), Some("high"));
    assert_eq!(l1[0]["allowed_mentions"]["roles"], json!([PAGE_L1]));

    let (status, _) = http
        .post(
            "script",
            Some("script-secret"),
            generic("backup-nightly", "firing", "Backup failed"),
        )
        .await;
    assert_eq!(
        status, 202,
        "the generic source's token came from the environment"
    );
    wait_pages(&fake, QUEUE_L1, 2).await;
    assert!(sigterm(&mut running).success());
    let requested: i64 = query(
        dir.path(),
        "SELECT COUNT(*) FROM tickets WHERE requester_id = 1100000000000000001",
    )
    .await;
    assert_eq!(requested, 5, "requested by the bot");
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeats_are_counted_not_paged_across_a_restart_and_a_kill_after_202_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let port = free_port();
    let mut running = start(dir.path(), &base, port);
    connected(&fake).await;
    let http = Http::new(port);
    http.wait_up().await;
    for _ in 0..3 {
        let (status, _) = http
            .post(
                "script",
                Some("script-secret"),
                generic("db-down", "firing", "DB down"),
            )
            .await;
        assert_eq!(status, 202);
    }
    wait_pages(&fake, QUEUE_L1, 1).await;
    assert!(sigterm(&mut running).success());

    // After a restart the key still points at its ticket; a kill -9 right after a 202 loses
    // nothing.
    let mut running = start(dir.path(), &base, port);
    http.wait_up().await;
    let (status, _) = http
        .post(
            "script",
            Some("script-secret"),
            generic("db-down", "firing", "DB down"),
        )
        .await;
    assert_eq!(status, 202);
    let (status, _) = http
        .post(
            "script",
            Some("script-secret"),
            generic("mail-down", "firing", "Mail down"),
        )
        .await;
    assert_eq!(status, 202);
    running.kill().unwrap();
    running.wait().unwrap();
    let mut running = start(dir.path(), &base, port);
    connected(&fake).await;
    let l1 = wait_pages(&fake, QUEUE_L1, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sigterm(&mut running).success());
    assert_eq!(
        pages(&fake, QUEUE_L1).len(),
        2,
        "db-down paged once, mail-down once: {l1:#?}"
    );
    let repeats: i64 = query(
        dir.path(),
        "SELECT COUNT(*) FROM events WHERE kind = 'alert_repeated'",
    )
    .await;
    assert_eq!(repeats, 3, "the timeline counts the repeats");
    let firings: i64 = query(
        dir.path(),
        "SELECT firings FROM alert_keys WHERE alert_key = 'db-down'",
    )
    .await;
    assert_eq!(firings, 4);
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolved_closes_what_nobody_acknowledged_and_a_new_firing_links_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let port = free_port();
    let mut running = start(dir.path(), &base, port);
    connected(&fake).await;
    let http = Http::new(port);
    http.wait_up().await;
    http.post(
        "script",
        Some("script-secret"),
        generic("a", "firing", "A down"),
    )
    .await;
    http.post(
        "script",
        Some("script-secret"),
        generic("b", "firing", "B down"),
    )
    .await;
    wait_pages(&fake, QUEUE_L1, 2).await;
    // An agent acknowledges B.
    fake.dispatch(
        "INTERACTION_CREATE",
        press(9801, "td:ack:2", "6001", &[L1_ROLE]),
    );
    fake.wait_for(15, "the ack", callback_of(9801)).await;

    let (_, a) = http
        .post(
            "script",
            Some("script-secret"),
            generic("a", "resolved", "A down"),
        )
        .await;
    let (_, b) = http
        .post(
            "script",
            Some("script-secret"),
            generic("b", "resolved", "B down"),
        )
        .await;
    assert_eq!(a["outcomes"]["resolved"], 1);
    assert_eq!(b["outcomes"]["resolved"], 1);
    let (_, again) = http
        .post(
            "script",
            Some("script-secret"),
            generic("a", "firing", "A down"),
        )
        .await;
    assert_eq!(again["outcomes"]["opened"], 1);
    wait_pages(&fake, QUEUE_L1, 3).await;
    assert!(sigterm(&mut running).success());

    let status: String = query(dir.path(), "SELECT status FROM tickets WHERE number = 1").await;
    assert_eq!(status, "closed");
    let fix: String = query(
        dir.path(),
        "SELECT fix_type || ' / ' || resolution FROM tickets WHERE number = 1",
    )
    .await;
    assert_eq!(fix, "no_fault / resolved at the source");
    let b_status: String = query(dir.path(), "SELECT status FROM tickets WHERE number = 2").await;
    assert_eq!(
        b_status, "acknowledged",
        "the agent closes what they acknowledged"
    );
    let b_events: i64 = query(dir.path(), "SELECT COUNT(*) FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = 2 AND e.kind = 'alert_resolved'").await;
    assert_eq!(b_events, 1);
    let details: String = query(dir.path(), "SELECT details FROM tickets WHERE number = 3").await;
    assert!(details.contains("Follows #1"), "{details}");
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_a_reason_and_alert_text_pings_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let port = free_port();
    let mut running = start(dir.path(), &base, port);
    connected(&fake).await;
    let http = Http::new(port);
    http.wait_up().await;

    let (s, b) = http.post("prometheus", None, ALERTMANAGER).await;
    assert_eq!(
        (s, b["error"].as_str().unwrap().contains("token")),
        (401, true)
    );
    let (s, _) = http
        .post("prometheus", Some("graf-secret"), ALERTMANAGER)
        .await;
    assert_eq!(s, 401, "another source's token");
    let (s, b) = http.post("nagios", Some("x"), "{}").await;
    assert_eq!(s, 404, "{b}");
    let (s, _) = http
        .post(
            "script",
            Some("script-secret"),
            "x".repeat(1024 * 1024 + 10),
        )
        .await;
    assert_eq!(s, 413);
    let (s, b) = http.post("script", Some("script-secret"), "not json").await;
    assert_eq!(s, 400);
    assert!(
        b["error"]
            .as_str()
            .unwrap()
            .starts_with("the body is not JSON"),
        "{b}"
    );
    let (s, b) = http
        .post(
            "prometheus",
            Some("prom-secret"),
            r#"{"version":"4","status":"firing"}"#,
        )
        .await;
    assert_eq!(s, 400);
    assert!(b["error"].as_str().unwrap().contains("`alerts`"), "{b}");
    let tickets: i64 = query(dir.path(), "SELECT COUNT(*) FROM tickets").await;
    assert_eq!(tickets, 0, "nothing stored from a refused request");

    // Bare, huge and hostile alerts still make a readable ticket that pings nobody.
    let bare = json!({ "version": "4", "status": "firing", "alerts": [
        { "status": "firing", "labels": {}, "annotations": {}, "fingerprint": "bare1" },
        { "status": "firing", "labels": { "alertname": "Flood @everyone <@&1100000000000000003>", "instance": "<@5000>" },
          "annotations": { "description": "d".repeat(10_000) }, "fingerprint": "huge1" }
    ]});
    let (s, b) = http
        .post("prometheus", Some("prom-secret"), bare.to_string())
        .await;
    assert_eq!(s, 202, "{b}");
    let l2 = wait_pages(&fake, QUEUE_L2, 2).await;
    let titles: Vec<&str> = l2
        .iter()
        .map(|p| p["embeds"][0]["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"#1 Alert bare1"), "{titles:?}");
    for page in &l2 {
        assert_eq!(
            page["allowed_mentions"]["roles"],
            json!(["1100000000000000112"])
        );
        assert_eq!(page["allowed_mentions"]["parse"], json!([]));
        assert!(!page["content"].as_str().unwrap().contains("@everyone"));
    }
    assert!(sigterm(&mut running).success());
    let details: String = query(dir.path(), "SELECT details FROM tickets WHERE number = 2").await;
    assert!(details.contains("cut to fit: 10000 characters in all"));
    assert!(details.chars().count() <= 4000);
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_turns_503_when_the_database_or_the_gateway_stops_answering() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let port = free_port();
    let mut running = start(dir.path(), &base, port);
    connected(&fake).await;
    let http = Http::new(port);
    http.wait_up().await;
    let healthy = || async {
        for _ in 0..100 {
            let (s, body) = http.get("/health").await;
            if s == 200 {
                return serde_json::from_str::<Value>(&body).unwrap();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never healthy");
    };
    let ok = healthy().await;
    assert_eq!(ok["database"], "ok");
    assert_eq!(ok["discord"], "ready");
    assert_eq!(ok["outbox"]["failed"], 0);

    // Another process holds the write lock: the database does not take writes.
    let mut holder = SqliteConnectOptions::from_str(&db_url(dir.path()))
        .unwrap()
        .connect()
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    let (s, body) = http.get("/health").await;
    assert_eq!(s, 503, "{body}");
    let down: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(down["database"], "not answering");
    assert!(down["outbox"]["pending"].is_number(), "same body: {down}");
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    healthy().await;

    // The gateway drops and Discord refuses to take the bot back.
    fake.gateway_outage();
    let mut last = String::new();
    for _ in 0..100 {
        let (s, body) = http.get("/health").await;
        last = body;
        if s == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let gone: Value = serde_json::from_str(&last).unwrap();
    assert_eq!(gone["discord"], "disconnected", "{gone}");
    fake.gateway_restore();
    let back = healthy().await;
    assert_eq!(back["discord"], "ready");
    assert!(sigterm(&mut running).success());
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_was_done() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let port = free_port();
    let mut running = start(dir.path(), &base, port);
    connected(&fake).await;
    let http = Http::new(port);
    http.wait_up().await;
    http.post("prometheus", Some("prom-secret"), ALERTMANAGER)
        .await;
    http.post("prometheus", Some("prom-secret"), ALERTMANAGER)
        .await;
    http.post("prometheus", None, ALERTMANAGER).await;
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9901, "open", texts(&[("title", "printer")]), "5000", &[]),
    );
    fake.wait_for(15, "the reply", callback_of(9901)).await;
    wait_pages(&fake, QUEUE_L2, 2).await;
    wait_pages(&fake, QUEUE_L1, 1).await;

    let (s, text) = http.get("/metrics").await;
    assert_eq!(s, 200);
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
    let value = |name: &str, labels: &[(&str, &str)]| -> f64 {
        scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .find(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                prometheus_parse::Value::Histogram(ref h) => h.last().map_or(0.0, |b| b.count),
                prometheus_parse::Value::Summary(_) => f64::NAN,
            })
            .unwrap_or_else(|| panic!("no {name} {labels:?} in:\n{text}"))
    };
    assert_eq!(
        value(
            "tierdesk_alerts_received_total",
            &[("source", "prometheus"), ("outcome", "opened")]
        ),
        2.0
    );
    assert_eq!(
        value(
            "tierdesk_alerts_received_total",
            &[("source", "prometheus"), ("outcome", "repeat")]
        ),
        2.0
    );
    assert_eq!(
        value(
            "tierdesk_alerts_received_total",
            &[("source", "prometheus"), ("outcome", "rejected")]
        ),
        1.0
    );
    assert_eq!(
        value(
            "tierdesk_open_tickets",
            &[("level", "2"), ("priority", "critical")]
        ),
        2.0
    );
    assert_eq!(
        value(
            "tierdesk_open_tickets",
            &[("level", "1"), ("priority", "normal")]
        ),
        1.0
    );
    assert_eq!(
        value(
            "tierdesk_open_tickets",
            &[("level", "3"), ("priority", "low")]
        ),
        0.0
    );
    assert_eq!(value("tierdesk_pages_sent_total", &[("level", "2")]), 2.0);
    assert_eq!(
        value(
            "tierdesk_interaction_latency_seconds",
            &[("command", "ticket open")]
        ),
        1.0
    );
    assert!(value("tierdesk_outbox_pending", &[]) >= 0.0);
    assert!(sigterm(&mut running).success());
    assert_no_panic(dir.path());
}
