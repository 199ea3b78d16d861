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

/// A ticket's whole timeline, oldest first.
pub async fn timeline<'e>(db: impl AnyExecutor<'e>, ticket_id: i64) -> anyhow::Result<Vec<Event>> {
    let rows: Vec<TimelineRow> = sqlx::query_as(
        "SELECT at, actor_id, level, met, details FROM events WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(at, actor, level, met, details)| {
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
        })
        .collect()
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
