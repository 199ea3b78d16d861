//! The timeline the chart reads (SPEC §5): the events that moved tickets between levels, and
//! the closes with their time to resolution, since a start. Both read `events_window` and
//! `tickets_closed`, so they grow with the window, never with the whole history.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::figures::level_of;
use super::{from_ts, ts};
use crate::domain::history::{LevelMove, MoveKind};
use crate::domain::GuildId;

/// The events since `since` that opened, moved, closed or reopened a ticket of `guild`.
pub async fn level_moves(
    db: &SqlitePool,
    guild: GuildId,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<LevelMove>> {
    let kinds = MoveKind::EVENT_KINDS.map(|k| format!("'{k}'")).join(", ");
    let sql = format!(
        "SELECT kind, at, level, from_level FROM events \
         WHERE guild_id = ? AND kind IN ({kinds}) AND at >= ?"
    );
    let rows: Vec<(String, i64, i64, Option<i64>)> = sqlx::query_as(&sql)
        .bind(guild.db())
        .bind(ts(since))
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, at, level, from)| {
            let kind = MoveKind::of(&kind, from.and_then(level_of))?;
            Some(LevelMove {
                at: from_ts(at),
                kind,
                level: level_of(level)?,
            })
        })
        .collect())
}

/// The tickets of `guild` closed since `since`: when, and how many seconds after opening.
pub async fn closes(
    db: &SqlitePool,
    guild: GuildId,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<(DateTime<Utc>, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT closed_at, closed_at - opened_at FROM tickets \
         WHERE guild_id = ? AND closed_at >= ?",
    )
    .bind(guild.db())
    .bind(ts(since))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, secs)| (from_ts(at), secs))
        .collect())
}
