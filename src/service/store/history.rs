//! The timeline the chart reads (SPEC §5), counted per day in SQL so that only a few hundred
//! rows come back however busy the desk was: the events that moved tickets between levels,
//! and the middle resolution times of each day's closes. Both read covering indexes
//! (`events_window`, `tickets_closed`), so they grow with the window, never with the history.

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use super::figures::level_of;
use super::ts;
use crate::domain::history::{LevelMove, MoveKind};
use crate::domain::GuildId;

/// `CASE WHEN {column} < $1 THEN 0 … ELSE {last} END`: the chart's day of `column`, as
/// `history::day_of` reckons it, binding every end but the last (which is now) as `$1…`;
/// with the placeholders of the guild, `since` and now that follow it.
fn day_case(column: &str, ends: &[DateTime<Utc>]) -> (String, [String; 3]) {
    let last = ends.len().saturating_sub(1);
    let whens: String = (0..last)
        .map(|i| format!(" WHEN {column} < ${} THEN {i}", i + 1))
        .collect();
    let after = [last + 1, last + 2, last + 3].map(|n| format!("${n}"));
    (format!("CASE{whens} ELSE {last} END"), after)
}

/// Runs `sql`, whose day `CASE` (from `day_case`) binds the ends before the guild,
/// `since` and now (the last of `ends`) placeholders.
async fn by_day<T>(
    db: &AnyPool,
    sql: &str,
    guild: GuildId,
    since: DateTime<Utc>,
    ends: &[DateTime<Utc>],
) -> anyhow::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let Some((now, days_before)) = ends.split_last() else {
        return Ok(Vec::new());
    };
    let mut query = sqlx::query_as::<_, T>(sql);
    for end in days_before {
        query = query.bind(ts(*end));
    }
    Ok(query
        .bind(guild.db())
        .bind(ts(since))
        .bind(ts(*now))
        .fetch_all(db)
        .await?)
}

/// The events from `since` up to the last of `ends` that opened, moved, closed or reopened a
/// ticket of `guild`, counted per day, kind and level.
pub async fn level_moves(
    db: &AnyPool,
    guild: GuildId,
    since: DateTime<Utc>,
    ends: &[DateTime<Utc>],
) -> anyhow::Result<Vec<LevelMove>> {
    let kinds = MoveKind::EVENT_KINDS.map(|k| format!("'{k}'"));
    let (day, [guild_at, since_at, now_at]) = day_case("at", ends);
    let sql = format!(
        "SELECT {day} AS day, kind, level, from_level, COUNT(*) FROM events \
         WHERE guild_id = {guild_at} AND kind IN ({}) AND at >= {since_at} AND at <= {now_at} \
         GROUP BY 1, kind, level, from_level",
        kinds.join(", ")
    );
    let rows: Vec<(i64, String, i64, Option<i64>, i64)> =
        by_day(db, &sql, guild, since, ends).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, kind, level, from, count)| {
            Some(LevelMove {
                day: usize::try_from(day).ok()?,
                kind: MoveKind::of(&kind, from.and_then(level_of))?,
                level: level_of(level)?,
                count,
            })
        })
        .collect())
}

/// For each day from `since` up to the last of `ends`, the middle one or two of the
/// resolution times (seconds from opening to closing) of the tickets of `guild` closed that
/// day: all a median needs.
pub async fn middle_closes(
    db: &AnyPool,
    guild: GuildId,
    since: DateTime<Utc>,
    ends: &[DateTime<Utc>],
) -> anyhow::Result<Vec<(usize, i64)>> {
    let (day, [guild_at, since_at, now_at]) = day_case("closed_at", ends);
    let sql = format!(
        "SELECT day, secs FROM ( \
           SELECT day, secs, \
                  ROW_NUMBER() OVER (PARTITION BY day ORDER BY secs) AS rn, \
                  COUNT(*) OVER (PARTITION BY day) AS n \
           FROM (SELECT {day} AS day, closed_at - opened_at AS secs FROM tickets \
                 WHERE guild_id = {guild_at} AND closed_at >= {since_at} \
                   AND closed_at <= {now_at}) AS closes) AS ranked \
         WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2"
    );
    let rows: Vec<(i64, i64)> = by_day(db, &sql, guild, since, ends).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, secs)| Some((usize::try_from(day).ok()?, secs)))
        .collect())
}
