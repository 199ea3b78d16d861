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

/// Marks a message delivered, with the id Discord gave it (pages are edited by it later).
pub async fn mark_delivered(
    tx: &mut Tx,
    id: i64,
    message_id: Option<u64>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE outbox SET delivered_at = ?, discord_message_id = ?, last_error = NULL WHERE id = ?")
        .bind(ts(now))
        .bind(message_id.map(|m| m as i64))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a failed attempt and when to try again.
pub async fn mark_failed(
    tx: &mut Tx,
    id: i64,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
    )
    .bind(error)
    .bind(ts(next_attempt_at))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The ticket's latest page queued before outbox row `before`: (its message, the Discord
/// message id once delivered). Page edits and the thread hang off it.
pub async fn page_before<'e>(
    db: impl SqliteExecutor<'e>,
    ticket_id: i64,
    before: i64,
) -> anyhow::Result<Option<(Outgoing, Option<u64>)>> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT payload, discord_message_id FROM outbox \
         WHERE ticket_id = ? AND kind = 'page' AND id < ? ORDER BY id DESC LIMIT 1",
    )
    .bind(ticket_id)
    .bind(before)
    .fetch_optional(db)
    .await?;
    row.map(|(payload, message)| Ok((serde_json::from_str(&payload)?, message.map(|m| m as u64))))
        .transpose()
}

/// The earliest time an undelivered message is due, if any.
pub async fn next_due<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<Option<DateTime<Utc>>> {
    let next: Option<i64> =
        sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL")
            .fetch_one(db)
            .await?;
    Ok(next.map(super::from_ts))
}
