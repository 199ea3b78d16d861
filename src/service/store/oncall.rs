//! On-call state and overrides: who holds each level's page role, and who was put on call
//! by hand until when.

use chrono::{DateTime, Utc};
use sqlx::any::AnyExecutor;

use super::{from_ts, ts, Tx};
use crate::domain::oncall::Override;
use crate::domain::{GuildId, Level, UserId};

/// Who holds `level`'s page role as far as tierdesk knows, and since when.
pub async fn holder<'e>(
    db: impl AnyExecutor<'e>,
    guild: GuildId,
    level: Level,
) -> anyhow::Result<Option<(UserId, DateTime<Utc>)>> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT holder_id, since FROM oncall_state WHERE guild_id = $1 AND level = $2",
    )
    .bind(guild.db())
    .bind(level.get() as i64)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(h, s)| (UserId(h as u64), from_ts(s))))
}

/// Records that `holder` holds `level`'s page role from `since`.
pub async fn set_holder(
    tx: &mut Tx,
    guild: GuildId,
    level: Level,
    holder: UserId,
    since: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO oncall_state (guild_id, level, holder_id, since) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (guild_id, level) DO UPDATE SET holder_id = excluded.holder_id, since = excluded.since",
    )
    .bind(guild.db())
    .bind(level.get() as i64)
    .bind(holder.db())
    .bind(ts(since))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Overrides of `level` that have not ended by `now`.
pub async fn overrides<'e>(
    db: impl AnyExecutor<'e>,
    guild: GuildId,
    level: Level,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Override>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT user_id, starts_at, ends_at FROM oncall_overrides \
         WHERE guild_id = $1 AND level = $2 AND ends_at > $3 ORDER BY starts_at",
    )
    .bind(guild.db())
    .bind(level.get() as i64)
    .bind(ts(now))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(u, s, e)| Override {
            user: UserId(u as u64),
            starts: from_ts(s),
            ends: from_ts(e),
        })
        .collect())
}

/// Records an override set by `by`.
pub async fn add_override(
    tx: &mut Tx,
    guild: GuildId,
    level: Level,
    o: &Override,
    by: UserId,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO oncall_overrides (guild_id, level, user_id, starts_at, ends_at, set_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(guild.db())
    .bind(level.get() as i64)
    .bind(o.user.db())
    .bind(ts(o.starts))
    .bind(ts(o.ends))
    .bind(by.db())
    .bind(ts(o.starts))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
