//! What happens when an acknowledgement deadline passes (SPEC §4): re-page up to
//! `repage_limit` times, every `repage_every`; then, with `on_ack_timeout = "escalate"`,
//! escalate to the next level, or at level 3 page the admins. Each action re-reads the ticket
//! inside a write transaction, so it fires once however many schedulers look.

use chrono::{DateTime, Utc};

use super::tickets::{seconds_at_level, Change, Escalation};
use super::{Context, Service};
use crate::config::OnAckTimeout;
use crate::domain::effects::{Outgoing, TicketCard};
use crate::domain::rules::Actor;
use crate::domain::{EventKind, GuildId, Level, Status, TicketNumber, UserId};
use crate::error::Error;
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
        let action = if ticket.repages < tier.repage_limit {
            ticket.repages += 1;
            ticket.next_action_at =
                Some(self.after(ticket.priority, now, duration(tier.repage_every)));
            change.system_event(
                ticket.level,
                EventKind::Repaged {
                    level: ticket.level,
                    role: tier.page_role_id,
                    count: ticket.repages,
                },
            );
            change.effects.push(Outgoing::Repage {
                channel: tier.queue_channel_id,
                role: tier.page_role_id,
                level: ticket.level,
                card: TicketCard::from(&ticket),
                count: ticket.repages,
                limit: tier.repage_limit,
            });
            DeadlineAction::Repaged {
                number,
                level: ticket.level,
                count: ticket.repages,
            }
        } else if tier.on_ack_timeout == OnAckTimeout::Repage {
            ticket.next_action_at = None;
            DeadlineAction::GaveUp {
                number,
                level: ticket.level,
            }
        } else if ticket.level >= Level::EXPERTS {
            // The next step would be a vendor, which only a person may choose.
            ticket.next_action_at = None;
            let role = self.config.discord.admin_role_id;
            change.system_event(ticket.level, EventKind::AdminsPaged { role });
            change.effects.push(Outgoing::AdminPage {
                channel: tier.queue_channel_id,
                role,
                card: TicketCard::from(&ticket),
                repages: ticket.repages,
            });
            DeadlineAction::AdminsPaged { number }
        } else {
            let from = ticket.level;
            let to = from.next().unwrap_or(Level::EXPERTS);
            let waited = humantime::format_duration(std::time::Duration::from_secs(
                seconds_at_level(&ticket, now) as u64,
            ));
            let reason = format!(
                "not acknowledged at level {from} within {waited} ({} re-page(s))",
                ticket.repages
            );
            let attempts = "none recorded: escalated automatically".to_owned();
            self.escalate_up(
                &mut change,
                &mut ticket,
                Escalation {
                    to,
                    reason,
                    attempts,
                    fields: Default::default(),
                    automatic: true,
                },
            );
            DeadlineAction::Escalated { number, from, to }
        };
        self.write(tx, &ticket, change, true).await?;
        Ok(Some(action))
    }
}

fn duration(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
