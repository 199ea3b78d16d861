//! What happens when an acknowledgement deadline passes (SPEC §4): re-page up to
//! `repage_limit` times, every `repage_every`; then, with `on_ack_timeout = "escalate"`,
//! escalate to the next level, or at level 3 page the admins. Each action re-reads the ticket
//! inside a write transaction, so it fires once however many schedulers look.

use chrono::{DateTime, Utc};

use super::tickets::Change;
use super::{Context, Service};
use crate::config::{OnAckTimeout, Tier};
use crate::domain::effects::{Outgoing, TicketCard};
use crate::domain::error::Error;
use crate::domain::rules::Actor;
use crate::domain::transitions::{DeadlinePolicy, DeadlineStep};
use crate::domain::{EventKind, GuildId, Level, Status, Ticket, TicketNumber, UserId};
use crate::service::store::{self, Tx};

/// What the scheduler did to one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineAction {
    Repaged {
        number: TicketNumber,
        level: Level,
        count: u32,
    },
    Escalated {
        number: TicketNumber,
        from: Level,
        to: Level,
    },
    AdminsPaged {
        number: TicketNumber,
    },
    /// Re-pages exhausted and `on_ack_timeout = "repage"`: nothing more will happen.
    GaveUp {
        number: TicketNumber,
        level: Level,
    },
}

/// The bot acting by itself.
fn system_actor() -> Actor {
    Actor {
        user: UserId(0),
        levels: Vec::new(),
        admin: true,
    }
}

impl Service {
    /// The earliest acknowledgement deadline still to act on, if any.
    pub async fn next_deadline(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        store::tickets::next_deadline(self.store.reader()).await
    }

    /// Acts on every ticket whose deadline has passed by `now`, in batches of one transaction
    /// each. Returns what was done.
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<Vec<DeadlineAction>, Error> {
        const BATCH: i64 = 200;
        let mut actions = Vec::new();
        loop {
            let due = store::tickets::due(self.store.reader(), now, BATCH).await?;
            if due.is_empty() {
                break;
            }
            let mut tx = self.store.begin_write().await?;
            let before = actions.len();
            for (guild, number) in &due {
                if let Some(action) = self.fire(&mut tx, *guild, *number, now).await? {
                    actions.push(action);
                }
            }
            tx.commit().await?;
            self.messages_queued.notify_one();
            // Another scheduler took the whole batch: nothing left that this one can do.
            if actions.len() == before {
                break;
            }
        }
        Ok(actions)
    }

    /// Acts on one ticket if its deadline has still passed, as read inside `tx`.
    async fn fire(
        &self,
        tx: &mut Tx,
        guild: GuildId,
        number: TicketNumber,
        now: DateTime<Utc>,
    ) -> Result<Option<DeadlineAction>, Error> {
        let ctx = Context {
            guild,
            actor: system_actor(),
            now,
        };
        let Some(mut ticket) = store::tickets::find(&mut **tx, guild, number).await? else {
            return Ok(None);
        };
        if ticket.status != Status::Open || ticket.next_action_at.is_none_or(|t| t > now) {
            return Ok(None);
        }
        let mut change = Change::new(&ctx);
        let Some(tier) = self.config.tier(ticket.level) else {
            // The level lost its tier in the config: nothing left to remind.
            ticket.next_action_at = None;
            self.write(tx, &ticket, change, true).await?;
            return Ok(None);
        };
        let policy = DeadlinePolicy {
            repage_limit: tier.repage_limit,
            next_repage_at: self.after(ticket.priority, now, duration(tier.repage_every)),
            escalate: tier.on_ack_timeout == OnAckTimeout::Escalate,
        };
        let step = ticket.deadline_step(now, policy);
        let Some(action) = self.carry_out(&mut change, &mut ticket, tier, step) else {
            return Ok(None);
        };
        self.write(tx, &ticket, change, true).await?;
        Ok(Some(action))
    }

    /// The pages and timeline entries of one deadline step.
    fn carry_out(
        &self,
        change: &mut Change<'_>,
        ticket: &mut Ticket,
        tier: &Tier,
        step: DeadlineStep,
    ) -> Option<DeadlineAction> {
        let (number, level, role) = (ticket.number, ticket.level, tier.page_role_id);
        Some(match step {
            DeadlineStep::NotDue => return None,
            DeadlineStep::Repage { count } => {
                change.system_event(level, EventKind::Repaged { level, role, count });
                change.effects.push(Outgoing::Repage {
                    channel: tier.queue_channel_id,
                    role,
                    level,
                    card: TicketCard::from(&*ticket),
                    count,
                    limit: tier.repage_limit,
                    waited_secs: (change.ctx.now - ticket.arrived_at).num_seconds().max(0),
                });
                DeadlineAction::Repaged {
                    number,
                    level,
                    count,
                }
            }
            DeadlineStep::GiveUp => DeadlineAction::GaveUp { number, level },
            DeadlineStep::PageAdmins => {
                let role = self.config.discord.admin_role_id;
                change.system_event(level, EventKind::AdminsPaged { role });
                change.effects.push(Outgoing::AdminPage {
                    channel: tier.queue_channel_id,
                    role,
                    card: TicketCard::from(&*ticket),
                    repages: ticket.repages,
                });
                DeadlineAction::AdminsPaged { number }
            }
            DeadlineStep::Escalate(escalation) => {
                let to = escalation.to;
                self.escalate_up(change, ticket, *escalation);
                DeadlineAction::Escalated {
                    number,
                    from: level,
                    to,
                }
            }
        })
    }
}

fn duration(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
