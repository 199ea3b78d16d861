//! The outbox: messages for Discord written with the state change that caused them.

use chrono::{DateTime, Utc};
use sqlx::any::AnyExecutor;

use super::{ts, values_list, Tx};
use crate::domain::effects::{Outgoing, TicketCard};
use crate::domain::GuildId;

/// Queues messages in one statement, in order; returns their ids (the delivery nonces).
pub async fn enqueue(
    tx: &mut Tx,
    guild: GuildId,
    ticket_id: Option<i64>,
    messages: &[Outgoing],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<i64>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::with_capacity(messages.len());
    for m in messages {
        let at = m.not_before().unwrap_or(now).max(now);
        rows.push((m.kind(), m.lane(), at, serde_json::to_string(m)?));
    }
    let sql = format!(
        "INSERT INTO outbox (guild_id, ticket_id, kind, lane, payload, created_at, \
         next_attempt_at) VALUES {} RETURNING id",
        values_list(rows.len(), 7)
    );
    let mut q = sqlx::query_as(&sql);
    for (kind, lane, at, payload) in rows {
        // A message due later (the desk's opening) counts its age, and its day of retries,
        // from then.
        q = q
            .bind(guild.db())
            .bind(ticket_id)
            .bind(kind)
            .bind(lane)
            .bind(payload)
            .bind(ts(at))
            .bind(ts(at));
    }
    let mut ids: Vec<(i64,)> = q.fetch_all(&mut **tx).await?;
    // RETURNING gives no order on PostgreSQL; ids grow in row order on both.
    ids.sort_unstable();
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// A queued message not yet delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub ticket_id: Option<i64>,
    /// Messages of one lane (a level's role changes) go one after another.
    pub lane: Option<String>,
    /// The message, or why its stored payload could not be read (it is then set aside).
    pub message: Result<Outgoing, String>,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    /// Parts of a multi-part message Discord already accepted.
    pub parts_done: u32,
    /// When the first attempt began, if one did.
    pub first_attempt_at: Option<DateTime<Utc>>,
    /// The last attempt's outcome is unknown: Discord may have created the message.
    pub uncertain: bool,
}

/// Rows still to deliver (neither delivered nor set aside).
const PENDING: &str = "delivered_at IS NULL AND failed_at IS NULL";

/// A row may go now unless something it needs is still pending — and only that, so a
/// message due later (the desk's opening ping) or a page failing in one channel holds back
/// nothing else of its ticket:
/// - a page edit follows the ticket's earlier edits (the last one shows the truth); it does
///   not wait for pages still undelivered, which are sent showing the latest card;
/// - the thread follows the page it hangs off;
/// - thread posts and mentions follow the thread and each other;
/// - a level's role changes follow each other (its lane).
///
/// Pages, re-pages, notices and summaries stand alone.
///
/// Messages of the kinds that never wait skip the look at their ticket's other rows.
const ELIGIBLE: &str =
    "((o.kind NOT IN ('page_update', 'thread_open', 'thread_post', 'thread_mention') \
     OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.ticket_id = o.ticket_id \
         AND e.id < o.id AND e.delivered_at IS NULL AND e.failed_at IS NULL \
         AND ((o.kind = 'page_update' AND e.kind = 'page_update') \
           OR (o.kind = 'thread_open' AND e.kind = 'page') \
           OR (o.kind IN ('thread_post', 'thread_mention') \
               AND e.kind IN ('thread_open', 'thread_post', 'thread_mention'))))) \
     AND (o.lane IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.lane = o.lane \
         AND e.id < o.id AND e.delivered_at IS NULL AND e.failed_at IS NULL)))";

type PendingRow = (
    i64,
    Option<i64>,
    Option<String>,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    i64,
);

fn pending_of(row: PendingRow) -> Pending {
    let (id, ticket_id, lane, payload, attempts, created_at, parts_done, first, uncertain) = row;
    Pending {
        id,
        ticket_id,
        lane,
        message: serde_json::from_str(&payload).map_err(|e| format!("unreadable payload: {e}")),
        attempts,
        created_at: super::from_ts(created_at),
        parts_done: parts_done.clamp(0, u32::MAX as i64) as u32,
        first_attempt_at: first.map(super::from_ts),
        uncertain: uncertain != 0,
    }
}

/// Messages that may be delivered now, oldest first (see `ELIGIBLE`). A row that cannot be
/// decoded comes back with its error, so one bad row never blocks the others.
pub async fn due<'e>(
    db: impl AnyExecutor<'e>,
    now: DateTime<Utc>,
    limit: i64,
) -> anyhow::Result<Vec<Pending>> {
    let sql = format!(
        "SELECT o.id, o.ticket_id, o.lane, o.payload, o.attempts, o.created_at, o.parts_done, \
         o.first_attempt_at, o.uncertain FROM outbox o \
         WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= $1 \
         AND {ELIGIBLE} ORDER BY o.id LIMIT $2"
    );
    let rows: Vec<PendingRow> = sqlx::query_as(&sql)
        .bind(ts(now))
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(pending_of).collect())
}

/// How many messages wait for delivery (set-aside ones not included).
pub async fn pending_count<'e>(db: impl AnyExecutor<'e>) -> anyhow::Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM outbox WHERE {PENDING}");
    Ok(sqlx::query_scalar(&sql).fetch_one(db).await?)
}

/// When the oldest message still to deliver was queued.
pub async fn oldest_pending<'e>(db: impl AnyExecutor<'e>) -> anyhow::Result<Option<DateTime<Utc>>> {
    let sql = format!("SELECT MIN(created_at) FROM outbox WHERE {PENDING}");
    let oldest: Option<i64> = sqlx::query_scalar(&sql).fetch_one(db).await?;
    Ok(oldest.map(super::from_ts))
}

/// How many messages were set aside as failed.
pub async fn failed_count<'e>(db: impl AnyExecutor<'e>) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")
            .fetch_one(db)
            .await?,
    )
}

/// Marks a message delivered, with the id Discord gave it (pages are edited by it later).
pub async fn mark_delivered(
    tx: &mut Tx,
    id: i64,
    message_id: Option<u64>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET delivered_at = $1, discord_message_id = $2, last_error = NULL, \
         uncertain = 0 WHERE id = $3",
    )
    .bind(ts(now))
    .bind(message_id.map(|m| m as i64))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What became of an attempt that did not deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedAttempt<'a> {
    pub error: &'a str,
    pub next_attempt_at: DateTime<Utc>,
    /// Discord may have created the message all the same (timeout, dropped connection, 5xx).
    pub uncertain: bool,
    /// Retries are exhausted: set the message aside.
    pub give_up: bool,
}

/// Records a failed attempt: when to try again, or that the message is set aside.
pub async fn mark_failed(
    tx: &mut Tx,
    id: i64,
    attempt: &FailedAttempt<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
         uncertain = $3, failed_at = CASE WHEN $4 THEN $5 END, \
         first_attempt_at = COALESCE(first_attempt_at, $6) WHERE id = $7",
    )
    .bind(attempt.error)
    .bind(ts(attempt.next_attempt_at))
    .bind(i64::from(attempt.uncertain))
    .bind(attempt.give_up)
    .bind(ts(now))
    .bind(ts(now))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records that the first `parts` parts of a multi-part message reached Discord, so a retry
/// sends only the rest.
pub async fn mark_parts<'e>(
    db: impl AnyExecutor<'e>,
    id: i64,
    parts: u32,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET parts_done = CASE WHEN parts_done > $1 THEN parts_done ELSE $1 END, \
         first_attempt_at = COALESCE(first_attempt_at, $2) WHERE id = $3",
    )
    .bind(parts as i64)
    .bind(ts(now))
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// A page of a ticket as queued: the page itself, and Discord's message id once delivered.
pub type QueuedPage = (Outgoing, Option<u64>);

/// The ticket's latest page queued before outbox row `before`. The thread hangs off it.
pub async fn page_before<'e>(
    db: impl AnyExecutor<'e>,
    ticket_id: i64,
    before: i64,
) -> anyhow::Result<Option<QueuedPage>> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT payload, discord_message_id FROM outbox \
         WHERE ticket_id = $1 AND kind = 'page' AND id < $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(ticket_id)
    .bind(before)
    .fetch_optional(db)
    .await?;
    row.map(|(payload, message)| Ok((serde_json::from_str(&payload)?, message.map(|m| m as u64))))
        .transpose()
}

/// The ticket as the latest page or page edit queued after outbox row `after` shows it:
/// a page delivered late shows the truth, not the ticket as it was when queued.
pub async fn card_after<'e>(
    db: impl AnyExecutor<'e>,
    ticket_id: i64,
    after: i64,
) -> anyhow::Result<Option<TicketCard>> {
    let payload: Option<String> = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE ticket_id = $1 AND kind IN ('page', 'page_update') \
         AND id > $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(ticket_id)
    .bind(after)
    .fetch_optional(db)
    .await?;
    Ok(payload.and_then(|p| match serde_json::from_str(&p).ok()? {
        Outgoing::Page { card, .. } | Outgoing::PageUpdate { card } => Some(card),
        _ => None,
    }))
}

/// Every page of the ticket queued before outbox row `before` that Discord has, oldest first:
/// an edit puts each of them right.
pub async fn pages_before<'e>(
    db: impl AnyExecutor<'e>,
    ticket_id: i64,
    before: i64,
) -> anyhow::Result<Vec<(Outgoing, u64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT payload, discord_message_id FROM outbox WHERE ticket_id = $1 AND kind = 'page' \
         AND id < $2 AND discord_message_id IS NOT NULL ORDER BY id",
    )
    .bind(ticket_id)
    .bind(before)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(payload, message)| Ok((serde_json::from_str(&payload)?, message as u64)))
        .collect()
}

/// The earliest time a message becomes deliverable, if any (messages held back by an
/// earlier one of their ticket do not count: that one's time does).
pub async fn next_due<'e>(db: impl AnyExecutor<'e>) -> anyhow::Result<Option<DateTime<Utc>>> {
    let sql = format!(
        "SELECT MIN(o.next_attempt_at) FROM outbox o WHERE o.delivered_at IS NULL \
         AND o.failed_at IS NULL AND {ELIGIBLE}"
    );
    let next: Option<i64> = sqlx::query_scalar(&sql).fetch_one(db).await?;
    Ok(next.map(super::from_ts))
}

/// Deletes delivered messages older than `before`, except pages, and modal drafts as old.
/// Pages are kept as long as their ticket: any closed ticket may be reopened, and then every
/// page it ever had is edited to say so (one small row per arrival).
pub async fn prune(tx: &mut Tx, before: DateTime<Utc>) -> anyhow::Result<u64> {
    let pruned = sqlx::query(
        "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < $1 \
         AND (kind <> 'page' OR ticket_id IS NULL)",
    )
    .bind(ts(before))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM modal_drafts WHERE created_at < $1")
        .bind(ts(before))
        .execute(&mut **tx)
        .await?;
    Ok(pruned)
}

/// Keeps the options of a command that answered with a modal; returns the draft's id.
pub async fn save_draft(tx: &mut Tx, options: &str, now: DateTime<Utc>) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO modal_drafts (created_at, options) VALUES ($1, $2) RETURNING id",
    )
    .bind(ts(now))
    .bind(options)
    .fetch_one(&mut **tx)
    .await?)
}

/// The options kept for a modal, if the draft still exists.
pub async fn draft<'e>(db: impl AnyExecutor<'e>, id: i64) -> anyhow::Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT options FROM modal_drafts WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}
