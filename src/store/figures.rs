//! The queries behind the summary and the key figures. Each reads a window of the timeline
//! through `events_window` or the open backlog through `tickets_backlog`, so they grow with
//! the window and the backlog, never with the whole history.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::{from_ts, ts};
use crate::domain::figures::{KeyFigures, LevelFigures, Satisfaction, Spread};
use crate::domain::{GuildId, Level, Priority, Status, TicketNumber};

fn level_of(n: i64) -> Option<Level> {
    u8::try_from(n).ok().and_then(Level::new)
}

/// Key figures of `guild` over `[from, to)`.
pub async fn key_figures(
    db: &SqlitePool,
    guild: GuildId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<KeyFigures> {
    // Windows are `at >= from AND at < to`; `to + 1` so that what happened this very second
    // counts.
    let (g, from_s, to_s) = (guild.db(), ts(from), ts(to) + 1);
    let mut levels: BTreeMap<Level, LevelFigures> = BTreeMap::new();

    // Tickets that arrived at each level in the window; of those, closed there and escalated
    // further (to the next level, or from level 3 to a vendor) after that arrival.
    let reached: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "WITH arrivals AS ( \
             SELECT ticket_id, level, MIN(id) AS first_id FROM events \
             WHERE guild_id = ?1 AND kind IN ('opened', 'escalated', 'returned', 'reopened') \
               AND at >= ?2 AND at < ?3 \
             GROUP BY ticket_id, level) \
         SELECT a.level, COUNT(*), \
             SUM(EXISTS (SELECT 1 FROM events c WHERE c.ticket_id = a.ticket_id \
                 AND c.id > a.first_id AND c.kind = 'closed' AND c.level = a.level AND c.at < ?3)), \
             SUM(EXISTS (SELECT 1 FROM events e WHERE e.ticket_id = a.ticket_id \
                 AND e.id > a.first_id AND e.kind IN ('escalated', 'vendor_escalated') \
                 AND e.from_level = a.level AND e.at < ?3)) \
         FROM arrivals a GROUP BY a.level",
    )
    .bind(g)
    .bind(from_s)
    .bind(to_s)
    .fetch_all(db)
    .await?;
    for (level, count, closed, escalated) in reached {
        if let Some(level) = level_of(level) {
            let f = levels.entry(level).or_default();
            f.reached = count as u64;
            f.resolved_here = closed as u64;
            f.escalated = escalated as u64;
        }
    }

    // Response time: arrival to first acknowledgement, for acknowledgements in the window.
    let acks: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT level, measure FROM events \
         WHERE guild_id = ? AND kind = 'acknowledged' AND at >= ? AND at < ? AND measure IS NOT NULL",
    )
    .bind(g)
    .bind(from_s)
    .bind(to_s)
    .fetch_all(db)
    .await?;
    let mut response: BTreeMap<Level, Vec<i64>> = BTreeMap::new();
    for (level, secs) in acks {
        if let Some(level) = level_of(level) {
            response.entry(level).or_default().push(secs);
        }
    }
    for (level, samples) in response {
        levels.entry(level).or_default().response = Spread::of(samples);
    }

    // Backlog: open tickets now, and their age at the end of the window.
    let open: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT level, opened_at FROM tickets \
         WHERE guild_id = ? AND status IN ('open', 'acknowledged', 'waiting')",
    )
    .bind(g)
    .fetch_all(db)
    .await?;
    let mut ages: BTreeMap<Level, Vec<i64>> = BTreeMap::new();
    for (level, opened_at) in open {
        if let Some(level) = level_of(level) {
            ages.entry(level).or_default().push(ts(to) - opened_at);
        }
    }
    for (level, samples) in ages {
        let f = levels.entry(level).or_default();
        f.backlog = samples.len() as u64;
        f.backlog_age = Spread::of(samples);
    }

    // Time to resolution of the tickets closed in the window, overall and by priority.
    let closed: Vec<(String, i64)> = sqlx::query_as(
        "SELECT t.priority, e.at - t.opened_at FROM events e JOIN tickets t ON t.id = e.ticket_id \
         WHERE e.guild_id = ? AND e.kind = 'closed' AND e.at >= ? AND e.at < ?",
    )
    .bind(g)
    .bind(from_s)
    .bind(to_s)
    .fetch_all(db)
    .await?;
    let mut all = Vec::with_capacity(closed.len());
    let mut by_priority: BTreeMap<Priority, Vec<i64>> = BTreeMap::new();
    for (priority, secs) in closed {
        all.push(secs);
        by_priority
            .entry(Priority::parse(&priority)?)
            .or_default()
            .push(secs);
    }

    let scores: Vec<(i64,)> = sqlx::query_as(
        "SELECT measure FROM events WHERE guild_id = ? AND kind = 'rated' AND at >= ? AND at < ?",
    )
    .bind(g)
    .bind(from_s)
    .bind(to_s)
    .fetch_all(db)
    .await?;
    let scores: Vec<u8> = scores.into_iter().map(|(s,)| s as u8).collect();

    Ok(KeyFigures {
        window_days: (to - from).num_days(),
        levels,
        resolution_time: Spread::of(all),
        resolution_time_by_priority: by_priority
            .into_iter()
            .map(|(p, v)| (p, Spread::of(v)))
            .collect(),
        satisfaction: Satisfaction::from_scores(&scores),
    })
}

/// Open tickets per level, priority and status.
pub async fn open_counts(
    db: &SqlitePool,
    guild: GuildId,
) -> anyhow::Result<Vec<(Level, Priority, Status, i64)>> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT level, priority, status, COUNT(*) FROM tickets \
         WHERE guild_id = ? AND status IN ('open', 'acknowledged', 'waiting') \
         GROUP BY level, priority, status",
    )
    .bind(guild.db())
    .fetch_all(db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (level, priority, status, n) in rows {
        if let Some(level) = level_of(level) {
            out.push((
                level,
                Priority::parse(&priority)?,
                Status::parse(&status)?,
                n,
            ));
        }
    }
    Ok(out)
}

/// A line of a summary's ticket lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TicketLine {
    pub number: TicketNumber,
    pub title: String,
    pub level: Level,
    pub priority: Priority,
    pub opened_at: DateTime<Utc>,
    pub ack_due_at: Option<DateTime<Utc>>,
}

type LineRow = (i64, String, i64, String, i64, Option<i64>);

fn to_lines(rows: Vec<LineRow>) -> anyhow::Result<Vec<TicketLine>> {
    rows.into_iter()
        .filter_map(|(number, title, level, priority, opened_at, due)| {
            level_of(level).map(|level| {
                Ok(TicketLine {
                    number: TicketNumber(number),
                    title,
                    level,
                    priority: Priority::parse(&priority)?,
                    opened_at: from_ts(opened_at),
                    ack_due_at: due.map(from_ts),
                })
            })
        })
        .collect()
}

/// Tickets past their acknowledgement deadline: (how many, the most overdue `limit`).
pub async fn overdue(
    db: &SqlitePool,
    guild: GuildId,
    now: DateTime<Utc>,
    limit: i64,
) -> anyhow::Result<(i64, Vec<TicketLine>)> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets WHERE guild_id = ? AND status = 'open' AND ack_due_at < ?",
    )
    .bind(guild.db())
    .bind(ts(now))
    .fetch_one(db)
    .await?;
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT number, title, level, priority, opened_at, ack_due_at FROM tickets \
         WHERE guild_id = ? AND status = 'open' AND ack_due_at < ? ORDER BY ack_due_at LIMIT ?",
    )
    .bind(guild.db())
    .bind(ts(now))
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok((count, to_lines(rows)?))
}

/// The oldest not-closed tickets.
pub async fn oldest_open(
    db: &SqlitePool,
    guild: GuildId,
    limit: i64,
) -> anyhow::Result<Vec<TicketLine>> {
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT number, title, level, priority, opened_at, ack_due_at FROM tickets \
         WHERE guild_id = ? AND status IN ('open', 'acknowledged', 'waiting') \
         ORDER BY opened_at, number LIMIT ?",
    )
    .bind(guild.db())
    .bind(limit)
    .fetch_all(db)
    .await?;
    to_lines(rows)
}

/// How many events of each kind happened in `[from, to)`.
pub async fn activity(
    db: &SqlitePool,
    guild: GuildId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, COUNT(*) FROM events \
         WHERE guild_id = ? AND kind IN ('opened', 'escalated', 'vendor_escalated', 'returned', 'closed', 'reopened') \
           AND at >= ? AND at < ? GROUP BY kind",
    )
    .bind(guild.db())
    .bind(ts(from))
    .bind(ts(to) + 1)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}
