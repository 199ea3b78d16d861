//! A large history for the release benchmarks: a million closed tickets over two years and
//! ten thousand open ones, with their timeline, written in bulk, on SQLite or PostgreSQL.

use chrono::{DateTime, Utc};
use sqlx::{AnyPool, Executor};

/// A database opened beside the service (same file, or same PostgreSQL schema). On SQLite,
/// one connection without waiting for the disk: a bulk load that can be redone.
pub async fn open(url: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    sqlx::pool::PoolOptions::<sqlx::Any>::new()
        .max_connections(if sqlite { 1 } else { 4 })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    conn.execute("PRAGMA synchronous = OFF").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .unwrap()
}

/// `($1, …), (…)` for a multi-row insert of `rows` rows of `columns` values.
fn values(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fills the database `db` with `closed` closed tickets of `guild` over two years and `open`
/// open ones.
pub async fn seed(db: &AnyPool, guild: i64, closed: usize, open: usize, now: DateTime<Utc>) {
    let span = 730 * 86_400i64;
    let now_s = now.timestamp();
    // SQLite takes at most 32,766 bound values per statement (PostgreSQL 65,535).
    const BATCH: usize = 1_000;
    let total = closed + open;
    let mut number = 0usize;
    while number < total {
        let end = (number + BATCH).min(total);
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
        let mut tx = db.begin().await.unwrap();
        insert_tickets(&mut tx, guild, &rows).await;
        insert_events(&mut tx, guild, &rows).await;
        tx.commit().await.unwrap();
        number = end;
    }
    // Ids were given explicitly: move PostgreSQL's identity sequences past them.
    for table in ["tickets", "events"] {
        let _ = db
            .execute(
                format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     (SELECT MAX(id) FROM {table}))"
                )
                .as_str(),
            )
            .await;
    }
    db.execute("ANALYZE").await.unwrap();
}

async fn insert_tickets(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    guild: i64,
    rows: &[(usize, bool, i64)],
) {
    let sql = format!(
        "INSERT INTO tickets (id, guild_id, number, title, requester_id, priority, level, status, \
         opened_at, arrived_at, ack_due_at, closed_at, closed_level, closed_by, resolution) \
         VALUES {}",
        values(rows.len(), 15)
    );
    let mut q = sqlx::query(&sql);
    for (n, is_closed, opened) in rows {
        let level = (*n % 3 + 1) as i64;
        q = q
            .bind(*n as i64)
            .bind(guild)
            .bind(*n as i64)
            .bind(format!("ticket {n}"))
            .bind(5000i64)
            .bind(["critical", "high", "normal", "low"][*n % 4])
            .bind(level)
            .bind(if *is_closed {
                "closed"
            } else {
                ["open", "acknowledged", "waiting"][*n % 3]
            })
            .bind(*opened)
            .bind(*opened)
            .bind(*opened + 3600)
            .bind(is_closed.then_some(*opened + 7200))
            .bind(is_closed.then_some(level))
            .bind(is_closed.then_some(42i64))
            .bind(is_closed.then_some("done"));
    }
    q.execute(&mut **tx).await.unwrap();
}

async fn insert_events(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    guild: i64,
    rows: &[(usize, bool, i64)],
) {
    let events: Vec<_> = rows
        .iter()
        .flat_map(|(n, is_closed, opened)| {
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
        })
        .collect();
    let sql = format!(
        "INSERT INTO events (ticket_id, guild_id, at, actor_id, kind, level, measure, details) \
         VALUES {}",
        values(events.len(), 8)
    );
    let mut q = sqlx::query(&sql);
    for (n, at, kind, level, measure, details) in events {
        q = q
            .bind(n as i64)
            .bind(guild)
            .bind(at)
            .bind(42i64)
            .bind(kind)
            .bind(level)
            .bind(measure)
            .bind(details);
    }
    q.execute(&mut **tx).await.unwrap();
}
