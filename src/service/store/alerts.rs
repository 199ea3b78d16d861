//! Alert keys: which ticket each monitoring alert opened, and how often it fired since.

use chrono::{DateTime, Utc};

use super::{ts, Tx};
use crate::domain::GuildId;

/// The ticket an alert key points at and how many times it fired for it.
pub async fn ticket_of(
    tx: &mut Tx,
    guild: GuildId,
    source: &str,
    key: &str,
) -> anyhow::Result<Option<(i64, u32)>> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT ticket_id, firings FROM alert_keys WHERE guild_id = $1 AND source = $2 AND alert_key = $3",
    )
    .bind(guild.db())
    .bind(source)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(t, f)| (t, f.clamp(0, u32::MAX as i64) as u32)))
}

/// Points the key at `ticket` (a new ticket: one firing so far).
pub async fn link(
    tx: &mut Tx,
    guild: GuildId,
    source: &str,
    key: &str,
    ticket: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO alert_keys (guild_id, source, alert_key, ticket_id, firings, last_at) \
         VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (guild_id, source, alert_key) \
         DO UPDATE SET ticket_id = excluded.ticket_id, firings = 1, last_at = excluded.last_at",
    )
    .bind(guild.db())
    .bind(source)
    .bind(key)
    .bind(ticket)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Counts one more firing; returns the count.
pub async fn fired_again(
    tx: &mut Tx,
    guild: GuildId,
    source: &str,
    key: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<u32> {
    let n: i64 = sqlx::query_scalar(
        "UPDATE alert_keys SET firings = firings + 1, last_at = $1 \
         WHERE guild_id = $2 AND source = $3 AND alert_key = $4 RETURNING firings",
    )
    .bind(ts(now))
    .bind(guild.db())
    .bind(source)
    .bind(key)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n.clamp(0, u32::MAX as i64) as u32)
}
