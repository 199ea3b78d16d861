//! The outbox: messages for Discord written with the state change that caused them.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, SqliteExecutor};

use super::{ts, Tx};
use crate::domain::GuildId;
use crate::effects::Outgoing;

/// Queues messages in one statement, in order; returns their ids (the delivery nonces).
pub async fn enqueue(
    tx: &mut Tx,
    guild: GuildId,
    ticket_id: Option<i64>,
    messages: &[Outgoing],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<i64>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::with_capacity(messages.len());
    for m in messages {
        rows.push((m.kind(), serde_json::to_string(m)?));
    }
    let mut q = QueryBuilder::new(
        "INSERT INTO outbox (guild_id, ticket_id, kind, payload, created_at, next_attempt_at) ",
    );
    q.push_values(rows, |mut b, (kind, payload)| {
        b.push_bind(guild.db())
            .push_bind(ticket_id)
            .push_bind(kind)
            .push_bind(payload)
            .push_bind(ts(now))
            .push_bind(ts(now));
    });
    q.push(" RETURNING id");
    let ids: Vec<(i64,)> = q.build_query_as().fetch_all(&mut **tx).await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// A queued message not yet delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub message: Outgoing,
    pub attempts: i64,
}

/// Undelivered messages due by `now`, oldest first.
pub async fn due<'e>(
    db: impl SqliteExecutor<'e>,
    now: DateTime<Utc>,
    limit: i64,
) -> anyhow::Result<Vec<Pending>> {
    let rows: Vec<(i64, Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT id, ticket_id, payload, attempts FROM outbox \
         WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
    )
    .bind(ts(now))
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, ticket_id, payload, attempts)| {
            Ok(Pending {
                id,
                ticket_id,
                message: serde_json::from_str(&payload)?,
                attempts,
            })
        })
        .collect()
}

/// How many messages wait for delivery.
pub async fn pending_count<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
            .fetch_one(db)
            .await?,
    )
}
