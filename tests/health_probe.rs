//! `/health` probed by a load balancer that gives up quickly, while another writer holds the
//! database's write lock: a probe given up mid-way must never leave its connection inside a
//! transaction holding the lock (which stopped every write until restart).
mod common;

use std::time::Duration;

use common::*;
use sqlx::Executor as _;

/// The advisory lock every write transaction takes on PostgreSQL ("tierdesk").
const WRITE_LOCK: i64 = 0x7469_6572_6465_736b;

/// Holds the write lock from another connection for `held`, as a long write would.
async fn hold_write_lock(app: &TestApp, held: Duration) -> tokio::task::JoinHandle<()> {
    let mut conn = app.db.acquire().await.unwrap();
    match app.backend {
        Backend::Sqlite => {
            conn.execute("BEGIN IMMEDIATE").await.unwrap();
        }
        Backend::Postgres => {
            conn.execute("BEGIN").await.unwrap();
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
    }
    tokio::spawn(async move {
        tokio::time::sleep(held).await;
        conn.execute("ROLLBACK").await.unwrap();
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_given_up_during_a_long_write_never_stop_the_writes() {
    each_backend(|| async {
        let app = spawn_app_with(&format!("{EXAMPLE}\n[http]\nlisten = \"127.0.0.1:0\"\n")).await;
        let (base, _stop) = serve_http(&app).await;
        let impatient = reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        for round in 0..5 {
            let holder = hold_write_lock(&app, Duration::from_millis(600)).await;
            // Three probes at once, each given up after 0.3 s, as a balancer does under load.
            let probes = (0..3).map(|_| impatient.get(format!("{base}/health")).send());
            for answer in futures_util::future::join_all(probes).await {
                assert!(
                    answer.is_err(),
                    "round {round}: the probe waits for the lock"
                );
            }
            holder.await.unwrap();
            let opened = tokio::time::timeout(
                Duration::from_secs(15),
                app.ok(
                    &app.requester(),
                    &format!("/ticket open title:\"after probe {round}\""),
                ),
            )
            .await;
            assert!(
                opened.is_ok(),
                "round {round}: a write goes through after the probes"
            );
        }
        let (status, body) = {
            let r = reqwest::get(format!("{base}/health")).await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        };
        assert!(body.contains("\"database\":\"ok\""), "{status}: {body}");
    })
    .await;
}
