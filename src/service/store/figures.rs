//! The queries behind the summary and the key figures. Each reads a window of the timeline
//! through `events_window` or the open backlog through `tickets_backlog`, so they grow with
//! the window and the backlog, never with the whole history.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use super::{from_ts, ts};
use crate::domain::figures::{
    Attainment, KeyFigures, Knowledge, LevelFigures, Satisfaction, Spread,
};
use crate::domain::summary::TicketLine;
use crate::domain::{GuildId, Level, Priority, Status, TicketNumber};

pub(super) fn level_of(n: i64) -> Option<Level> {
    u8::try_from(n).ok().and_then(Level::new)
}

/// Key figures of `guild` over `[from, to)`. The five queries are independent reads, run
/// side by side on the reader pool.
pub async fn key_figures(
    db: &AnyPool,
    guild: GuildId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<KeyFigures> {
    // Windows are `at >= from AND at < to`; `to + 1` so that what happened this very second
    // counts.
    let w = Window {
        guild: guild.db(),
        from: ts(from),
        to: ts(to) + 1,
    };
    let (reached, response, backlog, resolution, scores, knowledge, sla) = tokio::try_join!(
        reached_per_level(db, w),
        samples(db, w, RESPONSE_SQL),
        samples(db, w, BACKLOG_AGE_SQL),
        samples(db, w, RESOLUTION_SQL),
        samples(db, w, RATINGS_SQL),
        knowledge(db, w),
        attainment(db, w),
    )?;

    let levels = per_level(reached, response, backlog);
    let all: Vec<i64> = resolution.iter().map(|(_, v)| *v).collect();
    let mut by_priority = BTreeMap::new();
    for (priority, secs) in by_group(resolution) {
        by_priority.insert(Priority::parse(&priority)?, Spread::of(secs));
    }
    let scores: Vec<u8> = scores.into_iter().map(|(_, s)| s as u8).collect();

    Ok(KeyFigures {
        window_days: (to - from).num_days(),
        levels,
        resolution_time: Spread::of(all),
        resolution_time_by_priority: by_priority,
        satisfaction: Satisfaction::from_scores(&scores),
        knowledge,
        sla,
    })
}

/// The per-level figures from the arrivals (kind, level, from level, count, arrivals within
/// the window), response times and backlog ages the window's queries read.
fn per_level(
    reached: Vec<(String, i64, Option<i64>, i64, i64)>,
    response: Vec<(String, i64)>,
    backlog: Vec<(String, i64)>,
) -> BTreeMap<Level, LevelFigures> {
    let mut levels: BTreeMap<Level, LevelFigures> = BTreeMap::new();
    for (kind, level, from_level, count, arrived_in_window) in reached {
        let (Some(level), from_level) = (level_of(level), from_level.and_then(level_of)) else {
            continue;
        };
        if kind != "closed" && kind != "vendor_escalated" {
            levels.entry(level).or_default().reached += count as u64;
        }
        match (kind.as_str(), from_level) {
            ("closed", _) => {
                levels.entry(level).or_default().resolved_here += arrived_in_window as u64
            }
            ("escalated" | "vendor_escalated", Some(from)) => {
                levels.entry(from).or_default().escalated += arrived_in_window as u64
            }
            _ => {}
        }
    }
    for (level, secs) in by_group(response) {
        if let Some(level) = level.parse().ok().and_then(level_of) {
            levels.entry(level).or_default().response = Spread::of(secs);
        }
    }
    for (level, ages) in by_group(backlog) {
        if let Some(level) = level.parse().ok().and_then(level_of) {
            let f = levels.entry(level).or_default();
            f.backlog = ages.len() as u64;
            f.backlog_age = Spread::of(ages);
        }
    }
    levels
}

/// Acknowledgements and closures in the window that had a target, per level and the
/// ticket's priority, and how many met it.
async fn attainment(db: &AnyPool, w: Window) -> anyhow::Result<Vec<Attainment>> {
    let rows: Vec<(String, i64, String, i64, i64)> = sqlx::query_as(
        "SELECT e.kind, e.level, t.priority, COUNT(*), CAST(COALESCE(SUM(e.met), 0) AS BIGINT) FROM events e \
         JOIN tickets t ON t.id = e.ticket_id \
         WHERE e.guild_id = $1 AND e.kind IN ('acknowledged', 'closed') AND e.at >= $2 \
           AND e.at < $3 AND e.met IS NOT NULL \
         GROUP BY e.kind, e.level, t.priority",
    )
    .bind(w.guild)
    .bind(w.from)
    .bind(w.to)
    .fetch_all(db)
    .await?;
    let mut out: BTreeMap<(Level, Priority), Attainment> = BTreeMap::new();
    for (kind, level, priority, total, met) in rows {
        let Some(level) = level_of(level) else {
            continue;
        };
        let priority = Priority::parse(&priority)?;
        let a = out.entry((level, priority)).or_insert(Attainment {
            level,
            priority,
            acked_in_time: 0,
            acked: 0,
            resolved_in_time: 0,
            resolved: 0,
        });
        if kind == "acknowledged" {
            (a.acked, a.acked_in_time) = (total as u64, met as u64);
        } else {
            (a.resolved, a.resolved_in_time) = (total as u64, met as u64);
        }
    }
    Ok(out.into_values().collect())
}

/// The tickets that missed a target in `[from, to)`: (number, title, target).
pub async fn breaches(
    db: &AnyPool,
    guild: GuildId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<(TicketNumber, String, String)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT t.number, t.title, e.details FROM events e JOIN tickets t ON t.id = e.ticket_id \
         WHERE e.guild_id = $1 AND e.kind = 'sla_breached' AND e.at >= $2 AND e.at <= $3 ORDER BY e.id",
    )
    .bind(guild.db())
    .bind(ts(from))
    .bind(ts(to))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(n, title, details)| {
            let target = serde_json::from_str::<serde_json::Value>(&details)
                .ok()
                .and_then(|v| v["target"].as_str().map(str::to_owned))
                .unwrap_or_default();
            (TicketNumber(n), title, target)
        })
        .collect())
}

/// Closures in the window that linked a knowledge article, and how many of those articles
/// had been suggested at opening.
async fn knowledge(db: &AnyPool, w: Window) -> anyhow::Result<Knowledge> {
    let (solved, suggested): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(measure), 0) AS BIGINT) FROM events \
         WHERE guild_id = $1 AND kind = 'kb_linked' AND at >= $2 AND at < $3",
    )
    .bind(w.guild)
    .bind(w.from)
    .bind(w.to)
    .fetch_one(db)
    .await?;
    Ok(Knowledge {
        solved_with_article: solved as u64,
        suggested_at_open: suggested as u64,
    })
}

/// A guild and a window of unix seconds, bound as ?1, ?2, ?3.
#[derive(Clone, Copy)]
struct Window {
    guild: i64,
    from: i64,
    to: i64,
}

/// Arrival to first acknowledgement, per level, for acknowledgements in the window.
const RESPONSE_SQL: &str = "SELECT string_agg(CAST(level AS TEXT), ','), string_agg(CAST(measure AS TEXT), ',') FROM events \
     WHERE guild_id = $1 AND kind = 'acknowledged' AND at >= $2 AND at < $3 \
       AND measure IS NOT NULL";

/// Age of the open tickets at the end of the window, per level.
const BACKLOG_AGE_SQL: &str = concat!(
    "SELECT string_agg(CAST(level AS TEXT), ','), string_agg(CAST($3 - 1 - opened_at AS TEXT), ',') FROM tickets \
     WHERE guild_id = $1 AND ",
    open_statuses!()
);

/// Open to close, per priority, for tickets closed in the window.
const RESOLUTION_SQL: &str = "SELECT string_agg(CAST(priority AS TEXT), ','), string_agg(CAST(closed_at - opened_at AS TEXT), ',') \
     FROM tickets WHERE guild_id = $1 AND closed_at >= $2 AND closed_at < $3";

/// Satisfaction ratings given in the window.
const RATINGS_SQL: &str =
    "SELECT string_agg(CAST(0 AS TEXT), ','), string_agg(CAST(measure AS TEXT), ',') FROM events \
     WHERE guild_id = $1 AND kind = 'rated' AND at >= $2 AND at < $3";

/// (group, value) pairs for the key figures' arithmetic. The query aggregates them into two
/// comma-separated lists, so thousands of samples cross from SQLite in one row instead of
/// one row each (a row costs about a microsecond through sqlx; this is what keeps the
/// summary fast over a busy week).
async fn samples(db: &AnyPool, w: Window, sql: &str) -> anyhow::Result<Vec<(String, i64)>> {
    let (groups, values): (Option<String>, Option<String>) = sqlx::query_as(sql)
        .bind(w.guild)
        .bind(w.from)
        .bind(w.to)
        .fetch_one(db)
        .await?;
    let (Some(groups), Some(values)) = (groups, values) else {
        return Ok(Vec::new());
    };
    groups
        .split(',')
        .zip(values.split(','))
        .map(|(g, v)| {
            let v = v
                .parse::<i64>()
                .map_err(|_| anyhow::anyhow!("key figures: `{v}` is not a number"))?;
            Ok((g.to_owned(), v))
        })
        .collect()
}

fn by_group(rows: Vec<(String, i64)>) -> BTreeMap<String, Vec<i64>> {
    let mut groups: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (g, v) in rows {
        groups.entry(g).or_default().push(v);
    }
    groups
}

/// Arrivals at each level in the window, and the closures and escalations of those arrivals:
/// a closure or escalation whose arrival (`at - measure`, the time spent at the level) falls
/// in the window too. Rows of (kind, level, from_level, count, of which arrived in window).
async fn reached_per_level(
    db: &AnyPool,
    w: Window,
) -> anyhow::Result<Vec<(String, i64, Option<i64>, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT kind, level, from_level, COUNT(*), COUNT(*) FILTER (WHERE at - measure >= $2) \
         FROM events \
         WHERE guild_id = $1 AND at >= $2 AND at < $3 AND kind IN \
             ('opened', 'escalated', 'returned', 'reopened', 'closed', 'vendor_escalated') \
         GROUP BY kind, level, from_level",
    )
    .bind(w.guild)
    .bind(w.from)
    .bind(w.to)
    .fetch_all(db)
    .await?)
}

/// Open tickets per level, priority and status.
pub async fn open_counts(
    db: &AnyPool,
    guild: GuildId,
) -> anyhow::Result<Vec<(Level, Priority, Status, i64)>> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(concat!(
        "SELECT level, priority, status, COUNT(*) FROM tickets WHERE guild_id = $1 AND ",
        open_statuses!(),
        " GROUP BY level, priority, status"
    ))
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
    db: &AnyPool,
    guild: GuildId,
    now: DateTime<Utc>,
    limit: i64,
) -> anyhow::Result<(i64, Vec<TicketLine>)> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets WHERE guild_id = $1 AND status = 'open' AND ack_due_at < $2",
    )
    .bind(guild.db())
    .bind(ts(now))
    .fetch_one(db)
    .await?;
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT number, title, level, priority, opened_at, ack_due_at FROM tickets \
         WHERE guild_id = $1 AND status = 'open' AND ack_due_at < $2 ORDER BY ack_due_at LIMIT $3",
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
    db: &AnyPool,
    guild: GuildId,
    limit: i64,
) -> anyhow::Result<Vec<TicketLine>> {
    let rows: Vec<LineRow> = sqlx::query_as(concat!(
        "SELECT number, title, level, priority, opened_at, ack_due_at FROM tickets \
             WHERE guild_id = $1 AND ",
        open_statuses!(),
        " ORDER BY opened_at, number LIMIT $2"
    ))
    .bind(guild.db())
    .bind(limit)
    .fetch_all(db)
    .await?;
    to_lines(rows)
}

/// How many events of each kind happened in `[from, to)`.
pub async fn activity(
    db: &AnyPool,
    guild: GuildId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, COUNT(*) FROM events \
         WHERE guild_id = $1 AND kind IN ('opened', 'escalated', 'vendor_escalated', 'returned', 'closed', 'reopened') \
           AND at >= $2 AND at < $3 GROUP BY kind",
    )
    .bind(guild.db())
    .bind(ts(from))
    .bind(ts(to) + 1)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}
