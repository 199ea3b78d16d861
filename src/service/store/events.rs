//! The timeline: appending events and reading a ticket's history. Rows are never updated
//! (the schema's triggers refuse it).

use sqlx::any::AnyExecutor;

use super::{from_ts, ts, values_list, Tx};
use crate::domain::{Event, GuildId, Level, UserId};

/// Appends events of one ticket in a single statement.
pub async fn append(
    tx: &mut Tx,
    guild: GuildId,
    ticket_id: i64,
    events: &[Event],
) -> anyhow::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(events.len());
    for e in events {
        rows.push((e, serde_json::to_string(&e.kind)?));
    }
    let sql = format!(
        "INSERT INTO events (ticket_id, guild_id, at, actor_id, kind, level, from_level, measure, \
         met, details) VALUES {}",
        values_list(rows.len(), 10)
    );
    let mut q = sqlx::query(&sql);
    for (e, details) in rows {
        q = q
            .bind(ticket_id)
            .bind(guild.db())
            .bind(ts(e.at))
            .bind(e.actor.map(|u| u.db()))
            .bind(e.kind.tag())
            .bind(e.level.get() as i64)
            .bind(e.kind.from_level().map(|l| l.get() as i64))
            .bind(e.kind.measure())
            .bind(e.met.map(i64::from))
            .bind(details);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// at, actor, level, met, details.
type TimelineRow = (i64, Option<i64>, i64, Option<i64>, String);

fn event_of((at, actor, level, met, details): TimelineRow) -> anyhow::Result<Event> {
    Ok(Event {
        at: from_ts(at),
        actor: actor.map(UserId::from_db),
        level: u8::try_from(level)
            .ok()
            .and_then(Level::new)
            .ok_or_else(|| anyhow::anyhow!("stored level {level} does not exist"))?,
        kind: serde_json::from_str(&details)?,
        met: met.map(|m| m != 0),
    })
}

/// The latest `limit` events of a ticket, oldest first, and how many came before them: what
/// `/ticket show` and the dashboard read, however long the history grew.
pub async fn latest(
    db: &sqlx::AnyPool,
    ticket_id: i64,
    limit: i64,
) -> anyhow::Result<(Vec<Event>, i64)> {
    let rows: Vec<TimelineRow> = sqlx::query_as(
        "SELECT at, actor_id, level, met, details FROM events WHERE ticket_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(ticket_id)
    .bind(limit)
    .fetch_all(db)
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_one(db)
        .await?;
    let earlier = total - rows.len() as i64;
    let mut events = rows
        .into_iter()
        .map(event_of)
        .collect::<anyhow::Result<Vec<_>>>()?;
    events.reverse();
    Ok((events, earlier.max(0)))
}

/// The articles suggested to the requester when the ticket was opened.
pub async fn suggested_articles<'e>(
    db: impl AnyExecutor<'e>,
    ticket_id: i64,
) -> anyhow::Result<Vec<crate::domain::ArticleNumber>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT details FROM events WHERE ticket_id = $1 AND kind = 'kb_suggested'")
            .bind(ticket_id)
            .fetch_all(db)
            .await?;
    let mut articles = Vec::new();
    for (details,) in rows {
        if let crate::domain::EventKind::KbSuggested { articles: a } =
            serde_json::from_str(&details)?
        {
            articles.extend(a);
        }
    }
    Ok(articles)
}
