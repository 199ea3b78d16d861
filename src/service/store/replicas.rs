//! What replicas sharing one database agree on: interactions taken, leases held, and the
//! config each one runs.

use chrono::{DateTime, Utc};
use sqlx::any::AnyExecutor;

use super::{ts, Tx};
use crate::domain::GuildId;

/// Takes interaction `id` for this replica: true the first time, false when some replica
/// (this one included) took it already. One statement on its own: the primary key settles a
/// race, so it never waits behind the write lock of a long use case.
pub async fn take_interaction<'e>(
    db: impl AnyExecutor<'e>,
    id: u64,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done =
        sqlx::query("INSERT INTO interactions (id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id as i64)
            .bind(ts(now))
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets interactions taken before `before` (Discord never delivers one that old again).
pub async fn prune_interactions(tx: &mut Tx, before: DateTime<Utc>) -> anyhow::Result<u64> {
    Ok(sqlx::query("DELETE FROM interactions WHERE at < $1")
        .bind(ts(before))
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Takes or renews lease `name` for `holder` until `until`: true when `holder` holds it now
/// (it was free, had lapsed by `now`, or was already theirs).
pub async fn hold_lease(
    tx: &mut Tx,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let held: Option<String> = sqlx::query_scalar(
        "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
         WHERE leases.holder = excluded.holder OR leases.until < $4 \
         RETURNING holder",
    )
    .bind(name)
    .bind(holder)
    .bind(ts(until))
    .bind(ts(now))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(held.is_some())
}

/// Lets lease `name` go if `holder` holds it (a replica stopping hands over at once).
pub async fn release_lease(tx: &mut Tx, name: &str, holder: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who holds lease `name` and until when, if anyone.
pub async fn lease<'e>(
    db: impl AnyExecutor<'e>,
    name: &str,
) -> anyhow::Result<Option<(String, DateTime<Utc>)>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT holder, until FROM leases WHERE name = $1")
            .bind(name)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(holder, until)| (holder, super::from_ts(until))))
}

/// Records the config `holder` runs, as seen at `now`.
pub async fn record_config(
    tx: &mut Tx,
    holder: &str,
    guild: GuildId,
    (digest, keys): (&str, &str),
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO replicas (holder, guild_id, digest, keys, seen_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (holder) DO UPDATE SET guild_id = excluded.guild_id, \
             digest = excluded.digest, keys = excluded.keys, seen_at = excluded.seen_at",
    )
    .bind(holder)
    .bind(guild.db())
    .bind(digest)
    .bind(keys)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The other replicas of `guild` seen since `since` whose config digest is not `digest`:
/// (holder, their key digests as JSON).
pub async fn differing_configs<'e>(
    db: impl AnyExecutor<'e>,
    holder: &str,
    guild: GuildId,
    digest: &str,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT holder, keys FROM replicas WHERE guild_id = $1 AND holder <> $2 \
         AND digest <> $3 AND seen_at >= $4 ORDER BY holder",
    )
    .bind(guild.db())
    .bind(holder)
    .bind(digest)
    .bind(ts(since))
    .fetch_all(db)
    .await?)
}
