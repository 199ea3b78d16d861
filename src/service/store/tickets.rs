//! Ticket rows: insert, find, update and the queue listing.

use sqlx::any::AnyExecutor;
use sqlx::FromRow;

use super::{from_ts, ts, Tx};
use crate::domain::{
    Closure, FixType, GuildId, Level, Priority, Status, Ticket, TicketNumber, UserId, VendorCase,
    VendorReason, WaitingOn,
};

const COLUMNS: &str =
    "id, guild_id, number, title, details, requester_id, priority, level, status, \
    waiting_on, vendor, vendor_reason, vendor_ref, assignee_id, thread_id, opened_at, arrived_at, \
    acknowledged_at, ack_due_at, repages, next_action_at, closed_at, closed_level, closed_by, resolution, root_cause, \
    fix_type, kb_ref, rating, resolve_due_at, waiting_since, waited_secs, sla_flags, sla_next_at";

#[derive(FromRow)]
struct Row {
    id: i64,
    guild_id: i64,
    number: i64,
    title: String,
    details: String,
    requester_id: i64,
    priority: String,
    level: i64,
    status: String,
    waiting_on: Option<String>,
    vendor: Option<String>,
    vendor_reason: Option<String>,
    vendor_ref: Option<String>,
    assignee_id: Option<i64>,
    thread_id: Option<i64>,
    opened_at: i64,
    arrived_at: i64,
    acknowledged_at: Option<i64>,
    ack_due_at: Option<i64>,
    repages: i64,
    next_action_at: Option<i64>,
    closed_at: Option<i64>,
    closed_level: Option<i64>,
    closed_by: Option<i64>,
    resolution: Option<String>,
    root_cause: Option<String>,
    fix_type: Option<String>,
    kb_ref: Option<String>,
    rating: Option<i64>,
    resolve_due_at: Option<i64>,
    waiting_since: Option<i64>,
    waited_secs: i64,
    sla_flags: i64,
    sla_next_at: Option<i64>,
}

fn level(n: i64) -> anyhow::Result<Level> {
    u8::try_from(n)
        .ok()
        .and_then(Level::new)
        .ok_or_else(|| anyhow::anyhow!("stored level {n} does not exist"))
}

impl Row {
    /// A stored row that fails to convert means the database was edited by hand.
    fn into_ticket(self) -> anyhow::Result<Ticket> {
        let closure = match (self.closed_at, self.closed_level, self.closed_by) {
            (Some(at), Some(lvl), Some(by)) => Some(Closure {
                at: from_ts(at),
                level: level(lvl)?,
                by: UserId::from_db(by),
                resolution: self.resolution.unwrap_or_default(),
                root_cause: self.root_cause,
                fix_type: self.fix_type.as_deref().map(FixType::parse).transpose()?,
                kb: self.kb_ref,
            }),
            _ => None,
        };
        let vendor = match (self.vendor, self.vendor_reason) {
            (Some(vendor), Some(reason)) => Some(VendorCase {
                vendor,
                reason: VendorReason::parse(&reason)?,
                reference: self.vendor_ref,
            }),
            _ => None,
        };
        Ok(Ticket {
            id: self.id,
            guild: GuildId::from_db(self.guild_id),
            number: TicketNumber(self.number),
            title: self.title,
            details: self.details,
            requester: UserId::from_db(self.requester_id),
            priority: Priority::parse(&self.priority)?,
            level: level(self.level)?,
            status: Status::parse(&self.status)?,
            waiting_on: self
                .waiting_on
                .as_deref()
                .map(WaitingOn::parse)
                .transpose()?,
            vendor,
            assignee: self.assignee_id.map(UserId::from_db),
            thread_id: self.thread_id.map(|t| t as u64),
            opened_at: from_ts(self.opened_at),
            arrived_at: from_ts(self.arrived_at),
            acknowledged_at: self.acknowledged_at.map(from_ts),
            ack_due_at: self.ack_due_at.map(from_ts),
            repages: self.repages.max(0) as u32,
            next_action_at: self.next_action_at.map(from_ts),
            closure,
            rating: self.rating.map(|r| r as u8),
            sla: crate::domain::SlaState {
                resolve_due_at: self.resolve_due_at.map(from_ts),
                waiting_since: self.waiting_since.map(from_ts),
                waited_secs: self.waited_secs,
                flags: self.sla_flags.clamp(0, u32::MAX as i64) as u32,
                next_at: self.sla_next_at.map(from_ts),
            },
        })
    }
}

/// Inserts a new ticket, numbering it after the guild's last one. Returns (id, number).
pub async fn insert(tx: &mut Tx, t: &Ticket) -> anyhow::Result<(i64, TicketNumber)> {
    let (id, number): (i64, i64) = sqlx::query_as(
        "INSERT INTO tickets (guild_id, number, title, details, requester_id, priority, level, \
             status, opened_at, arrived_at, ack_due_at, next_action_at, resolve_due_at, sla_next_at) \
         VALUES ($1, (SELECT COALESCE(MAX(number), 0) + 1 FROM tickets WHERE guild_id = $1), \
             $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         RETURNING id, number",
    )
    .bind(t.guild.db())
    .bind(&t.title)
    .bind(&t.details)
    .bind(t.requester.db())
    .bind(t.priority.as_str())
    .bind(t.level.get() as i64)
    .bind(t.status.as_str())
    .bind(ts(t.opened_at))
    .bind(ts(t.arrived_at))
    .bind(t.ack_due_at.map(ts))
    .bind(t.next_action_at.map(ts))
    .bind(t.sla.resolve_due_at.map(ts))
    .bind(t.sla.next_at.map(ts))
    .fetch_one(&mut **tx)
    .await?;
    Ok((id, TicketNumber(number)))
}

/// The ticket numbered `number` in `guild`.
pub async fn find<'e>(
    db: impl AnyExecutor<'e>,
    guild: GuildId,
    number: TicketNumber,
) -> anyhow::Result<Option<Ticket>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM tickets WHERE guild_id = $1 AND number = $2"
    ))
    .bind(guild.db())
    .bind(number.0)
    .fetch_optional(db)
    .await?;
    row.map(Row::into_ticket).transpose()
}

/// The ticket with database id `id`.
pub async fn find_by_id<'e>(db: impl AnyExecutor<'e>, id: i64) -> anyhow::Result<Option<Ticket>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM tickets WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(Row::into_ticket).transpose()
}

/// Writes the current state of `t` back to its row.
pub async fn update(tx: &mut Tx, t: &Ticket) -> anyhow::Result<()> {
    let c = t.closure.as_ref();
    let v = t.vendor.as_ref();
    sqlx::query(
        "UPDATE tickets SET title = $1, details = $2, priority = $3, level = $4, status = $5, \
             waiting_on = $6, vendor = $7, vendor_reason = $8, vendor_ref = $9, assignee_id = $10, \
             arrived_at = $11, acknowledged_at = $12, ack_due_at = $13, repages = $14, next_action_at = $15, \
             closed_at = $16, closed_level = $17, \
             closed_by = $18, resolution = $19, root_cause = $20, fix_type = $21, kb_ref = $22, rating = $23, \
             resolve_due_at = $24, waiting_since = $25, waited_secs = $26, sla_flags = $27, sla_next_at = $28 \
         WHERE id = $29",
    )
    .bind(&t.title)
    .bind(&t.details)
    .bind(t.priority.as_str())
    .bind(t.level.get() as i64)
    .bind(t.status.as_str())
    .bind(t.waiting_on.map(|w| w.as_str()))
    .bind(v.map(|v| v.vendor.as_str()))
    .bind(v.map(|v| v.reason.as_str()))
    .bind(v.and_then(|v| v.reference.as_deref()))
    .bind(t.assignee.map(|u| u.db()))
    .bind(ts(t.arrived_at))
    .bind(t.acknowledged_at.map(ts))
    .bind(t.ack_due_at.map(ts))
    .bind(t.repages as i64)
    .bind(t.next_action_at.map(ts))
    .bind(c.map(|c| ts(c.at)))
    .bind(c.map(|c| c.level.get() as i64))
    .bind(c.map(|c| c.by.db()))
    .bind(c.map(|c| c.resolution.as_str()))
    .bind(c.and_then(|c| c.root_cause.as_deref()))
    .bind(c.and_then(|c| c.fix_type.map(|f| f.as_str())))
    .bind(c.and_then(|c| c.kb.as_deref()))
    .bind(t.rating.map(|r| r as i64))
    .bind(t.sla.resolve_due_at.map(ts))
    .bind(t.sla.waiting_since.map(ts))
    .bind(t.sla.waited_secs)
    .bind(t.sla.flags as i64)
    .bind(t.sla.next_at.map(ts))
    .bind(t.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Not-closed tickets of a guild, optionally one level and one status, oldest first: `limit`
/// of them after skipping `offset`.
pub async fn queue<'e>(
    db: impl AnyExecutor<'e>,
    guild: GuildId,
    level: Option<Level>,
    status: Option<Status>,
    (limit, offset): (i64, i64),
) -> anyhow::Result<Vec<Ticket>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        concat!(
            "SELECT {} FROM tickets WHERE guild_id = $1 AND ",
            open_statuses!(),
            " AND ($2 IS NULL OR level = $2) AND ($3 IS NULL OR status = $3) \
             ORDER BY opened_at, number LIMIT $4 OFFSET $5"
        ),
        COLUMNS
    ))
    .bind(guild.db())
    .bind(level.map(|l| l.get() as i64))
    .bind(status.map(|s| s.as_str()))
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(Row::into_ticket).collect()
}

/// Every ticket of a guild, in number order, for export.
pub async fn all<'e>(db: impl AnyExecutor<'e>, guild: GuildId) -> anyhow::Result<Vec<Ticket>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM tickets WHERE guild_id = $1 ORDER BY number"
    ))
    .bind(guild.db())
    .fetch_all(db)
    .await?;
    rows.into_iter().map(Row::into_ticket).collect()
}

/// Open tickets whose next deadline has passed, soonest first.
pub async fn due<'e>(
    db: impl AnyExecutor<'e>,
    now: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> anyhow::Result<Vec<(GuildId, TicketNumber)>> {
    numbers_where(
        db,
        "status = 'open' AND next_action_at <= $1 ORDER BY next_action_at LIMIT $2",
        now,
        limit,
    )
    .await
}

/// (guild, number) of the tickets matching `filter` (binding ?1 to `now`, ?2 to `limit`).
async fn numbers_where<'e>(
    db: impl AnyExecutor<'e>,
    filter: &str,
    now: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> anyhow::Result<Vec<(GuildId, TicketNumber)>> {
    let sql = format!("SELECT guild_id, number FROM tickets WHERE {filter}");
    let rows: Vec<(i64, i64)> = sqlx::query_as(&sql)
        .bind(ts(now))
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(g, n)| (GuildId::from_db(g), TicketNumber(n)))
        .collect())
}

/// The earliest deadline still ahead, if any.
pub async fn next_deadline<'e>(
    db: impl AnyExecutor<'e>,
) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
    let next: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(next_action_at) FROM tickets WHERE status = 'open' AND next_action_at IS NOT NULL",
    )
    .fetch_one(db)
    .await?;
    Ok(next.map(from_ts))
}

/// The thread Discord opened for ticket `id`, if any.
pub async fn thread_of<'e>(db: impl AnyExecutor<'e>, id: i64) -> anyhow::Result<Option<u64>> {
    let thread: Option<Option<i64>> =
        sqlx::query_scalar("SELECT thread_id FROM tickets WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(thread.flatten().map(|t| t as u64))
}

/// Records the thread Discord opened for ticket `id`.
pub async fn set_thread(tx: &mut Tx, id: i64, thread: u64) -> anyhow::Result<()> {
    sqlx::query("UPDATE tickets SET thread_id = $1 WHERE id = $2")
        .bind(thread as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Open tickets for autocompletion: those whose number or title contains `typed`, owned at
/// `max_level` or below (an agent's reach), or requested by `requester` (a member's own).
pub async fn complete<'e>(
    db: impl AnyExecutor<'e>,
    guild: GuildId,
    typed: &str,
    max_level: Option<Level>,
    requester: UserId,
    limit: i64,
) -> anyhow::Result<Vec<(TicketNumber, String)>> {
    let typed = typed.trim().trim_start_matches('#');
    let escaped = typed
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows: Vec<(i64, String)> = sqlx::query_as(concat!(
        "SELECT number, title FROM tickets WHERE guild_id = $1 AND ",
        open_statuses!(),
        " AND (level <= $2 OR requester_id = $3) \
           AND (CAST(number AS TEXT) LIKE $4 ESCAPE '\\' OR lower(title) LIKE lower($5) ESCAPE '\\') \
             ORDER BY number DESC LIMIT $6"
    ))
    .bind(guild.db())
    .bind(max_level.map_or(0, |l| l.get() as i64))
    .bind(requester.db())
    .bind(format!("{escaped}%"))
    .bind(format!("%{escaped}%"))
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(n, t)| (TicketNumber(n), t))
        .collect())
}

/// Tickets whose SLA moment has come by `now`: (guild, number), oldest moment first.
pub async fn sla_due<'e>(
    db: impl AnyExecutor<'e>,
    now: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> anyhow::Result<Vec<(GuildId, TicketNumber)>> {
    numbers_where(
        db,
        "sla_next_at IS NOT NULL AND sla_next_at <= $1 ORDER BY sla_next_at LIMIT $2",
        now,
        limit,
    )
    .await
}

/// The earliest SLA moment of any ticket.
pub async fn next_sla<'e>(
    db: impl AnyExecutor<'e>,
) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
    let next: Option<i64> = sqlx::query_scalar("SELECT MIN(sla_next_at) FROM tickets")
        .fetch_one(db)
        .await?;
    Ok(next.map(from_ts))
}
