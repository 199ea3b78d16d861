//! Posted summaries, remembered so the next one can show the change in the backlog.

use chrono::{DateTime, Utc};
use sqlx::any::AnyExecutor;

use super::{ts, Tx};
use crate::domain::GuildId;

/// Open tickets per "level/priority" key, as a summary showed them.
pub use crate::domain::summary::Counts;

/// The counts of the most recent summary of `guild`, if any.
pub async fn last_counts<'e>(
    db: impl AnyExecutor<'e>,
    guild: GuildId,
) -> anyhow::Result<Option<Counts>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT counts FROM summaries WHERE guild_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(guild.db())
            .fetch_optional(db)
            .await?;
    row.map(|(json,)| Ok(serde_json::from_str(&json)?))
        .transpose()
}

/// Records a posted summary. For a scheduled one, returns false when that day's was already
/// recorded (nothing is written then).
pub async fn record(
    tx: &mut Tx,
    guild: GuildId,
    day: &str,
    scheduled: bool,
    counts: &Counts,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO summaries (guild_id, day, scheduled, posted_at, counts) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT DO NOTHING",
    )
    .bind(guild.db())
    .bind(day)
    .bind(i64::from(scheduled))
    .bind(ts(now))
    .bind(serde_json::to_string(counts)?)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the daily summary of `day` was posted.
pub async fn has_daily<'e>(
    db: impl AnyExecutor<'e>,
    guild: GuildId,
    day: &str,
) -> anyhow::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM summaries WHERE guild_id = $1 AND day = $2 AND scheduled = 1",
    )
    .bind(guild.db())
    .bind(day)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}
