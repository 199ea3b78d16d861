//! Service hours and SLA targets at work (SPEC §10): deadlines on each priority's clock, the
//! resolution target, the warnings and breaches (each once), the desk opening for a ticket
//! opened out of hours, and what happens to a ticket left waiting on its requester.

use chrono::{DateTime, TimeDelta, Utc};

use super::tickets::Change;
use super::{Context, Service};
use crate::config::Clock;
use crate::domain::calendar::Calendar;
use crate::domain::effects::{Outgoing, SlaTarget, TicketCard};
use crate::domain::error::Error;
use crate::domain::rules::Actor;
use crate::domain::{
    Closure, EventKind, GuildId, Priority, SlaState, Status, Ticket, TicketNumber, UserId,
    WaitingOn,
};
use crate::service::store::{self, Tx};

/// What the SLA step did to one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaAction {
    Warned(TicketNumber, SlaTarget),
    Breached(TicketNumber, SlaTarget),
    Reminded(TicketNumber),
    ClosedUnanswered(TicketNumber),
}

/// The resolution recorded when a requester never answered.
const NO_ANSWER: &str = "no answer from the requester";

/// The moments the SLA step acts on, for one ticket as it stands.
#[derive(Debug, Default)]
struct Points {
    ack_warn: Option<DateTime<Utc>>,
    ack_breach: Option<DateTime<Utc>>,
    resolve_warn: Option<DateTime<Utc>>,
    resolve_breach: Option<DateTime<Utc>>,
    remind: Option<DateTime<Utc>>,
    close: Option<DateTime<Utc>>,
}

impl Points {
    fn earliest(&self) -> Option<DateTime<Utc>> {
        [
            self.ack_warn,
            self.ack_breach,
            self.resolve_warn,
            self.resolve_breach,
            self.remind,
            self.close,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

fn std_delta(d: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

impl Service {
    /// The calendar `p`'s deadlines count on: `None` on the always clock.
    pub(super) fn hours_for(&self, p: Priority) -> Option<&Calendar> {
        (self.config.sla.clock(p) == Clock::Hours).then_some(&self.config.calendar)
    }

    /// `d` after `from`, counted on `p`'s clock.
    pub(super) fn after(&self, p: Priority, from: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
        match self.hours_for(p) {
            Some(c) => c.add(from, d),
            None => from + d,
        }
    }

    /// How much of `p`'s clock ran between `a` and `b`.
    fn ran(&self, p: Priority, a: DateTime<Utc>, b: DateTime<Utc>) -> TimeDelta {
        match self.hours_for(p) {
            Some(c) => c.open_between(a, b),
            None => (b - a).max(TimeDelta::zero()),
        }
    }

    /// When the desk opens, if a ticket of priority `p` opened at `now` waits for it.
    pub(super) fn closed_until(&self, p: Priority, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let c = self.hours_for(p)?;
        (!c.is_open(now)).then(|| c.next_opening(now)).flatten()
    }

    /// Sets the resolution target of a new (or reopened) ticket.
    pub(super) fn start_target(&self, t: &mut Ticket, now: DateTime<Utc>) {
        t.sla.waited_secs = 0;
        t.sla.waiting_since = None;
        t.sla.flags &= !(SlaState::RESOLVE_WARNED | SlaState::RESOLVE_BREACHED);
        t.sla.resolve_due_at = self
            .config
            .sla
            .resolve_within
            .get(&t.priority)
            .map(|d| self.after(t.priority, now, std_delta(*d)));
    }

    /// The target again after a wait: it moves on by the open time spent waiting.
    fn resume_target(&self, t: &mut Ticket, now: DateTime<Utc>) {
        if let Some(since) = t.sla.waiting_since.take() {
            t.sla.waited_secs += self.ran(t.priority, since, now).num_seconds();
        }
        if let Some(d) = self.config.sla.resolve_within.get(&t.priority) {
            let budget = std_delta(*d) + TimeDelta::seconds(t.sla.waited_secs);
            t.sla.resolve_due_at = Some(self.after(t.priority, t.opened_at, budget));
        }
    }

    /// The point `share` of the way through the window `from`..`to`, on `p`'s clock.
    fn share_of(
        &self,
        p: Priority,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        share: f64,
    ) -> DateTime<Utc> {
        let window = self.ran(p, from, to).num_seconds() as f64;
        self.after(p, from, TimeDelta::seconds((window * share) as i64))
    }

    fn points(&self, t: &Ticket) -> Points {
        let mut p = Points::default();
        let warn = self.config.sla.warn_at;
        let s = &t.sla;
        if let (Status::Open, Some(due)) = (t.status, t.ack_due_at) {
            if !s.has(SlaState::ACK_BREACHED) {
                p.ack_breach = Some(due);
            }
            if let (Some(w), false) = (warn, s.has(SlaState::ACK_WARNED)) {
                p.ack_warn = Some(self.share_of(t.priority, t.arrived_at, due, w));
            }
        }
        let running = !matches!(t.status, Status::Closed | Status::Waiting);
        if let (true, Some(due)) = (running, s.resolve_due_at) {
            if !s.has(SlaState::RESOLVE_BREACHED) {
                p.resolve_breach = Some(due);
            }
            if let (Some(w), false) = (warn, s.has(SlaState::RESOLVE_WARNED)) {
                p.resolve_warn = Some(self.share_of(t.priority, t.opened_at, due, w));
            }
        }
        if let (Status::Waiting, Some(WaitingOn::Requester), Some(since)) =
            (t.status, t.waiting_on, s.waiting_since)
        {
            let sla = &self.config.sla;
            if !s.has(SlaState::REMINDED) {
                p.remind = sla.remind_waiting_after.map(|d| since + std_delta(d));
            }
            p.close = sla.close_waiting_after.map(|d| since + std_delta(d));
        }
        p
    }

    /// Sets when the SLA step must look at the ticket next.
    pub(super) fn schedule_sla(&self, t: &mut Ticket) {
        t.sla.next_at = self.points(t).earliest();
    }

    /// Acts on every ticket whose SLA moment has come by `now`.
    pub async fn run_sla(&self, now: DateTime<Utc>) -> Result<Vec<SlaAction>, Error> {
        let due = store::tickets::sla_due(self.store.reader(), now, 200).await?;
        let mut actions = Vec::new();
        for (guild, number) in due {
            let mut tx = self.store.begin_write().await?;
            actions.extend(self.sla_step(&mut tx, guild, number, now).await?);
            tx.commit().await?;
        }
        if !actions.is_empty() {
            self.messages_queued.notify_one();
        }
        Ok(actions)
    }

    /// The earliest SLA moment still to come.
    pub async fn next_sla_at(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        store::tickets::next_sla(self.store.reader()).await
    }

    async fn sla_step(
        &self,
        tx: &mut Tx,
        guild: GuildId,
        number: TicketNumber,
        now: DateTime<Utc>,
    ) -> Result<Vec<SlaAction>, Error> {
        let Some(mut t) = store::tickets::find(&mut **tx, guild, number).await? else {
            return Ok(Vec::new());
        };
        let points = self.points(&t);
        let ctx = Context {
            guild,
            actor: Actor {
                user: UserId(self.config.discord.application_id),
                levels: Vec::new(),
                admin: true,
            },
            now,
        };
        let mut change = Change::new(&ctx);
        let mut done = self.targets_passed(&mut change, &mut t, &points, now);
        done.extend(self.requester_silent(&mut change, &mut t, &points, now));
        self.write(tx, &t, change, true).await?;
        Ok(done)
    }

    /// Warnings and breaches of the acknowledgement and resolution targets whose moment has
    /// come.
    fn targets_passed(
        &self,
        change: &mut Change<'_>,
        t: &mut Ticket,
        points: &Points,
        now: DateTime<Utc>,
    ) -> Vec<SlaAction> {
        let number = t.number;
        let mut done = Vec::new();
        let passed = |p: Option<DateTime<Utc>>| p.is_some_and(|p| p <= now);
        if passed(points.ack_warn) {
            t.sla.flags |= SlaState::ACK_WARNED;
            self.warn(change, t, SlaTarget::Acknowledge, t.ack_due_at);
            done.push(SlaAction::Warned(number, SlaTarget::Acknowledge));
        }
        if passed(points.resolve_warn) {
            t.sla.flags |= SlaState::RESOLVE_WARNED;
            self.warn(change, t, SlaTarget::Resolve, t.sla.resolve_due_at);
            done.push(SlaAction::Warned(number, SlaTarget::Resolve));
        }
        let breaches = [
            (points.ack_breach, SlaState::ACK_BREACHED),
            (points.resolve_breach, SlaState::RESOLVE_BREACHED),
        ];
        for (_, flag) in breaches.into_iter().filter(|(point, _)| passed(*point)) {
            t.sla.flags |= flag;
            let target = SlaTarget::from_flag(flag);
            let name = target.as_str().to_owned();
            change.system_event(t.level, EventKind::SlaBreached { target: name });
            crate::telemetry::sla_breach(t.level.get(), t.priority.as_str());
            done.push(SlaAction::Breached(number, target));
        }
        done
    }

    /// A requester who has not answered: reminded once, then the ticket closed.
    fn requester_silent(
        &self,
        change: &mut Change<'_>,
        t: &mut Ticket,
        points: &Points,
        now: DateTime<Utc>,
    ) -> Option<SlaAction> {
        let passed = |p: Option<DateTime<Utc>>| p.is_some_and(|p| p <= now);
        if passed(points.close) {
            let closure = Closure::by_bot(t, now, change.ctx.actor.user, NO_ANSWER);
            change.record(t.settle(closure, now));
            change.update_page(t);
            return Some(SlaAction::ClosedUnanswered(t.number));
        }
        if !passed(points.remind) {
            return None;
        }
        t.sla.flags |= SlaState::REMINDED;
        change.system_event(t.level, EventKind::RequesterReminded);
        change.effects.push(Outgoing::ThreadMention {
            number: t.number,
            user: t.requester,
            reason: crate::domain::effects::MentionReason::Reminder,
        });
        Some(SlaAction::Reminded(t.number))
    }

    /// One warning in the owning level's queue, no ping.
    fn warn(
        &self,
        change: &mut Change<'_>,
        t: &Ticket,
        target: SlaTarget,
        due: Option<DateTime<Utc>>,
    ) {
        let (Some(tier), Some(due)) = (self.config.tier(t.level), due) else {
            return;
        };
        change.effects.push(Outgoing::SlaWarning {
            channel: tier.queue_channel_id,
            card: TicketCard::from(t),
            target,
            due,
        });
    }

    /// Puts a ticket to wait on its requester or a vendor: its clocks stop, no re-pages.
    pub(super) fn start_waiting(t: &mut Ticket, on: WaitingOn, now: DateTime<Utc>) {
        t.status = Status::Waiting;
        t.waiting_on = Some(on);
        t.next_action_at = None;
        t.sla.waiting_since = Some(now);
        t.sla.flags &= !SlaState::REMINDED;
    }

    /// The requester answered a ticket waiting on them: the clocks run again, and the
    /// assignee (alone) is told in the thread.
    pub(super) fn resume(&self, change: &mut Change<'_>, t: &mut Ticket, now: DateTime<Utc>) {
        t.status = Status::Acknowledged;
        t.waiting_on = None;
        self.resume_target(t, now);
        change.system_event(t.level, EventKind::Resumed);
        if let Some(assignee) = t.assignee {
            change.effects.push(Outgoing::ThreadMention {
                number: t.number,
                user: assignee,
                reason: crate::domain::effects::MentionReason::Resumed,
            });
        }
        change.update_page(t);
    }
}
