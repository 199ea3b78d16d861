//! The delivery worker's bookkeeping, as use cases: which messages may go now, what became of
//! an attempt, the pages an edit must put right, and the housekeeping that keeps the outbox
//! small. The worker (a front end) reaches the outbox only through these.

use chrono::{DateTime, Duration, Utc};

pub use crate::service::store::outbox::{FailedAttempt, Pending};

use super::Service;
use crate::domain::effects::Outgoing;
use crate::service::store::{outbox, tickets};

/// Delivered messages are kept this long (for page edits of closed tickets, and inspection).
pub const RETENTION_DAYS: i64 = 7;

impl Service {
    /// Messages that may be delivered now, oldest first, at most `limit`.
    pub async fn outbox_due(&self, now: DateTime<Utc>, limit: i64) -> anyhow::Result<Vec<Pending>> {
        outbox::due(self.store.reader(), now, limit).await
    }

    /// When the next message becomes deliverable, if any is waiting.
    pub async fn outbox_next_due(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        outbox::next_due(self.store.reader()).await
    }

    /// Messages still to deliver, and messages set aside as failed.
    pub async fn outbox_counts(&self) -> anyhow::Result<(i64, i64)> {
        let db = self.store.reader();
        Ok((
            outbox::pending_count(db).await?,
            outbox::failed_count(db).await?,
        ))
    }

    /// Discord accepted the message (`message`: the id it gave it). A thread's id becomes
    /// the ticket's thread.
    pub async fn outbox_delivered(
        &self,
        p: &Pending,
        message: Option<u64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut tx = self.store.begin_write().await?;
        if let (Ok(Outgoing::ThreadOpen { .. }), Some(ticket), Some(thread)) =
            (&p.message, p.ticket_id, message)
        {
            tickets::set_thread(&mut tx, ticket, thread).await?;
        }
        outbox::mark_delivered(&mut tx, p.id, message, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An attempt failed. When retries are exhausted the message is set aside and, in the
    /// same transaction, the admins are told once in the summary channel.
    pub async fn outbox_failed(
        &self,
        p: &Pending,
        attempt: &FailedAttempt<'_>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut tx = self.store.begin_write().await?;
        outbox::mark_failed(&mut tx, p.id, attempt, now).await?;
        let notice = attempt.give_up && !matches!(p.message, Ok(Outgoing::DeliveryFailed { .. }));
        if notice {
            let message = self.failure_notice(p, attempt.error);
            outbox::enqueue(&mut tx, self.config.discord.guild_id, None, &[message], now).await?;
        }
        tx.commit().await?;
        if notice {
            self.messages_queued.notify_one();
        }
        Ok(())
    }

    fn failure_notice(&self, p: &Pending, error: &str) -> Outgoing {
        let (what, number) = match &p.message {
            Ok(m) => (m.kind().to_owned(), m.ticket_number()),
            Err(_) => ("unreadable".to_owned(), None),
        };
        Outgoing::DeliveryFailed {
            channel: self.config.summary.channel_id,
            role: self.config.discord.admin_role_id,
            what,
            ticket: number,
            error: crate::domain::text::clip(error, 300),
        }
    }

    /// The first `parts` parts of a multi-part message reached Discord.
    pub async fn outbox_parts_done(
        &self,
        p: &Pending,
        parts: u32,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut tx = self.store.begin_write().await?;
        outbox::mark_parts(&mut *tx, p.id, parts, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The member a handoff gives the page role to has left the server: the handoff goes on
    /// past that step (the one going off still loses the role) and, in the same transaction,
    /// the admins are told once, naming them.
    pub async fn handoff_member_gone(
        &self,
        p: &Pending,
        level: crate::domain::Level,
        member: crate::domain::UserId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let notice = Outgoing::MemberGone {
            channel: self.config.summary.channel_id,
            admins: self.config.discord.admin_role_id,
            level,
            member,
        };
        let mut tx = self.store.begin_write().await?;
        outbox::mark_parts(&mut *tx, p.id, 1, now).await?;
        outbox::enqueue(&mut tx, self.config.discord.guild_id, None, &[notice], now).await?;
        tx.commit().await?;
        self.messages_queued.notify_one();
        Ok(())
    }

    /// The level that owns a ticket and its status, by database id.
    pub async fn ticket_state(
        &self,
        ticket: i64,
    ) -> anyhow::Result<Option<(crate::domain::Level, crate::domain::Status)>> {
        let t = tickets::find_by_id(self.store.reader(), ticket).await?;
        Ok(t.map(|t| (t.level, t.status)))
    }

    /// The ticket's thread, once Discord created it.
    pub async fn ticket_thread(&self, ticket: i64) -> anyhow::Result<Option<u64>> {
        tickets::thread_of(self.store.reader(), ticket).await
    }

    /// The ticket's latest page queued before outbox row `before` (the thread hangs off it).
    pub async fn page_before(
        &self,
        ticket: i64,
        before: i64,
    ) -> anyhow::Result<Option<outbox::QueuedPage>> {
        outbox::page_before(self.store.reader(), ticket, before).await
    }

    /// The ticket's card as queued after outbox row `after`, if anything newer was queued.
    pub async fn card_after(
        &self,
        ticket: i64,
        after: i64,
    ) -> anyhow::Result<Option<crate::domain::effects::TicketCard>> {
        outbox::card_after(self.store.reader(), ticket, after).await
    }

    /// Every page of the ticket Discord has, queued before outbox row `before`.
    pub async fn pages_before(
        &self,
        ticket: i64,
        before: i64,
    ) -> anyhow::Result<Vec<(Outgoing, u64)>> {
        outbox::pages_before(self.store.reader(), ticket, before).await
    }

    /// Deletes what the outbox no longer needs (see `RETENTION_DAYS`); returns how many rows.
    pub async fn prune_outbox(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        let mut tx = self.store.begin_write().await?;
        let pruned = outbox::prune(&mut tx, now - Duration::days(RETENTION_DAYS)).await?;
        // Discord never delivers an interaction again a day later.
        crate::service::store::replicas::prune_interactions(&mut tx, now - Duration::days(1))
            .await?;
        tx.commit().await?;
        Ok(pruned)
    }

    /// Keeps the options of a command that answered with a modal; returns the draft's id.
    pub async fn save_modal_draft(&self, options: &str, now: DateTime<Utc>) -> anyhow::Result<i64> {
        let mut tx = self.store.begin_write().await?;
        let id = outbox::save_draft(&mut tx, options, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The options kept for a modal.
    pub async fn modal_draft(&self, id: i64) -> anyhow::Result<Option<String>> {
        outbox::draft(self.store.reader(), id).await
    }
}
