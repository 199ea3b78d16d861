//! A large history for the release benchmarks: a million closed tickets over two years and
//! ten thousand open ones, with their timeline, written in bulk.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;
use sqlx::{Executor, QueryBuilder};

/// Fills the database `db` (opened beside the service, on the same file) with `closed`
/// closed tickets of `guild` over two years and `open` open ones.
pub async fn seed(db: &SqlitePool, guild: i64, closed: usize, open: usize, now: DateTime<Utc>) {
    let span = 730 * 86_400i64;
    let now_s = now.timestamp();
    // SQLite takes at most 32,766 bound values per statement.
    const BATCH: usize = 1_000;
    let total = closed + open;
    let mut number = 0usize;
    while number < total {
        let end = (number + BATCH).min(total);
        let mut tx = db.begin().await.unwrap();
        let rows: Vec<(usize, bool, i64)> = (number..end)
            .map(|i| {
                let is_closed = i < closed;
                let opened = if is_closed {
                    now_s - span + (i as i64 * span / closed as i64)
                } else {
                    now_s - ((i - closed) as i64 % (30 * 86_400))
                };
                (i + 1, is_closed, opened)
            })
            .collect();
        let mut q = QueryBuilder::new(
            "INSERT INTO tickets (id, guild_id, number, title, requester_id, priority, level, status, \
             opened_at, arrived_at, ack_due_at, closed_at, closed_level, closed_by, resolution) ",
        );
        q.push_values(&rows, |mut b, (n, is_closed, opened)| {
            let level = (*n % 3 + 1) as i64;
            b.push_bind(*n as i64)
                .push_bind(guild)
                .push_bind(*n as i64)
                .push_bind(format!("ticket {n}"))
                .push_bind(5000i64)
                .push_bind(["critical", "high", "normal", "low"][*n % 4])
                .push_bind(level)
                .push_bind(if *is_closed {
                    "closed"
                } else {
                    ["open", "acknowledged", "waiting"][*n % 3]
                })
                .push_bind(*opened)
                .push_bind(*opened)
                .push_bind(*opened + 3600)
                .push_bind(is_closed.then_some(*opened + 7200))
                .push_bind(is_closed.then_some(level))
                .push_bind(is_closed.then_some(42i64))
                .push_bind(is_closed.then_some("done"));
        });
        q.build().execute(&mut *tx).await.unwrap();
        let mut q = QueryBuilder::new(
            "INSERT INTO events (ticket_id, guild_id, at, actor_id, kind, level, measure, details) ",
        );
        let events = rows.iter().flat_map(|(n, is_closed, opened)| {
            let level = (*n % 3 + 1) as i64;
            let mut v = vec![
                (*n, *opened, "opened", level, None, r#"{"kind":"opened"}"#),
                (
                    *n,
                    *opened + 600,
                    "acknowledged",
                    level,
                    Some(600i64),
                    r#"{"kind":"acknowledged","after_secs":600}"#,
                ),
            ];
            if *is_closed {
                v.push((
                    *n,
                    *opened + 7200,
                    "closed",
                    level,
                    Some(7200),
                    r#"{"kind":"closed","after_secs":7200}"#,
                ));
            }
            v
        });
        q.push_values(events, |mut b, (n, at, kind, level, measure, details)| {
            b.push_bind(n as i64)
                .push_bind(guild)
                .push_bind(at)
                .push_bind(42i64)
                .push_bind(kind)
                .push_bind(level)
                .push_bind(measure)
                .push_bind(details);
        });
        q.build().execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        number = end;
    }
    let mut tx = db.begin().await.unwrap();
    tx.execute("ANALYZE").await.unwrap();
    tx.commit().await.unwrap();
}
