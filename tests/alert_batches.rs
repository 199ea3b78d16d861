//! Alerts that PostgreSQL would refuse (a NUL character, a key past its index row limit) and
//! bodies too large for one transaction, posted as monitoring tools post them: side by side,
//! so they share the alert writer's batches. One odd alert costs nobody else their 202.
mod common;

use common::*;
use serde_json::{json, Value};

const SOURCES: &str = r#"
[http]
listen = "127.0.0.1:0"

[[alert_source]]
name = "script"
kind = "generic"
token = "script-secret"
level = 1

[[alert_source]]
name = "prometheus"
kind = "alertmanager"
token = "prom-secret"
level = 2
"#;

async fn post(base: &str, source: &str, token: &str, body: &Value) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(format!("{base}/alerts/{source}"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_alerts_beside_valid_ones_are_all_stored() {
    each_backend(|| async {
        let app = spawn_app_with(&format!("{EXAMPLE}\n{SOURCES}")).await;
        let (base, _stop) = serve_http(&app).await;
        let mut bodies = Vec::new();
        for i in 0..80 {
            bodies.push(json!({ "key": format!("disk-{i}"), "status": "firing", "title": format!("disk {i} full") }));
        }
        for i in 0..5 {
            bodies.push(json!({ "key": format!("nul-{i}\u{0}"), "status": "firing", "title": "bad\u{0}title", "details": "a\u{0}b" }));
        }
        bodies.push(json!({ "key": "k".repeat(10_000), "status": "firing", "title": "long key" }));
        let posts = bodies
            .iter()
            .map(|b| post(&base, "script", "script-secret", b));
        let answers = futures_util::future::join_all(posts).await;
        for (i, (status, body)) in answers.iter().enumerate() {
            assert_eq!(*status, 202, "alert {i}: {body}");
        }
        let opened: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(opened, 86, "every alert opened its ticket");
        let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM tickets WHERE title LIKE 'bad%'")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert_eq!(titles, vec!["badtitle".to_owned(); 5]);
        // The long key fires again: the same ticket counts the repeat.
        let again = json!({ "key": "k".repeat(10_000), "status": "firing", "title": "long key" });
        let (status, body) = post(&base, "script", "script-secret", &again).await;
        assert_eq!(status, 202);
        assert!(body.contains("\"repeat\":1"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn a_body_with_more_alerts_than_one_transaction_takes_is_refused_413() {
    each_backend(|| async {
        let app = spawn_app_with(&format!("{EXAMPLE}\n{SOURCES}")).await;
        let (base, _stop) = serve_http(&app).await;
        let alert = |i: usize| {
            json!({ "status": "firing", "labels": { "alertname": "Disk", "instance": format!("h{i}") },
                    "annotations": {}, "startsAt": "2026-11-02T09:00:00Z", "fingerprint": format!("f{i}") })
        };
        let hook = |n: usize| {
            json!({ "version": "4", "status": "firing", "externalURL": "http://am",
                    "alerts": (0..n).map(alert).collect::<Vec<_>>() })
        };
        let (status, body) = post(&base, "prometheus", "prom-secret", &hook(501)).await;
        assert_eq!(status, 413, "{body}");
        assert!(body.contains("at most 500"), "{body}");
        let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(tickets, 0, "nothing of it was stored");
        let (status, body) = post(&base, "prometheus", "prom-secret", &hook(500)).await;
        assert_eq!(status, 202, "{body}");
    })
    .await;
}

#[tokio::test]
async fn an_alert_firing_all_week_does_not_bury_its_ticket() {
    each_backend(|| async {
        let app = spawn_app_with(&format!("{EXAMPLE}\n{SOURCES}")).await;
        let source = app.service.config.alert_source("script").unwrap().clone();
        let alert = tierdesk::domain::alert::Alert {
            key: "disk-full".into(),
            firing: true,
            summary: Some("Disk full on db1".into()),
            ..Default::default()
        };
        for _ in 0..300 {
            app.service
                .receive_alerts(&source, std::slice::from_ref(&alert), app.now)
                .await
                .unwrap();
        }
        let firings: i64 = sqlx::query_scalar("SELECT firings FROM alert_keys")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(firings, 300, "every firing counted in the alert's row");
        let noted: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'alert_repeated'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(noted, 10, "repeats 2 to 10, then the 100th");

        // A ticket with a long history shows its latest entries and says how many came before.
        for i in 0..120 {
            app.ok(
                &app.agent(1),
                &format!("/ticket note ticket:1 text:\"check {i}\""),
            )
            .await;
        }
        let shown = app.ok(&app.agent(1), "/ticket show ticket:1").await;
        let tierdesk::service::Reply::Show {
            timeline, earlier, ..
        } = &shown.reply
        else {
            panic!("{:?}", shown.reply);
        };
        assert_eq!(timeline.len(), 100);
        assert_eq!(
            *earlier, 32,
            "opened, paged, 10 repeats, 20 notes before the latest 100"
        );
        let text = tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En)
            .reply(&shown.reply);
        assert!(text.contains("… 32 earlier entries not shown"), "{text}");
        assert!(text.contains("check 119"), "the latest is shown");
    })
    .await;
}
