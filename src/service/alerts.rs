//! Monitoring alerts into tickets (SPEC §12): a batch from one source in one transaction, so
//! the 202 the tool gets means the alerts are stored. Firing with no open ticket for the key
//! opens one at the source's level, requested by the bot; firing again counts a repeat and
//! pages nothing; resolved is recorded and, with `close_on_resolve`, closes a ticket nobody
//! acknowledged.

use chrono::{DateTime, Utc};

use super::tickets::Change;
use super::{Context, Service};
use crate::config::AlertSource;
use crate::domain::alert::Alert;
use crate::domain::effects::Arrival;
use crate::domain::error::Error;
use crate::domain::rules::Actor;
use crate::domain::transitions::NewTicket;
use crate::domain::{Closure, EventKind, Status, Ticket, TicketNumber, UserId};
use crate::service::store::{self, Tx};

/// What became of one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertOutcome {
    /// A ticket was opened (and paged).
    Opened(TicketNumber),
    /// It fired again on an open ticket: counted, not paged.
    Repeat(TicketNumber),
    /// Resolved: recorded on the ticket, which an agent acknowledged and will close.
    Resolved(TicketNumber),
    /// Resolved, and the ticket nobody acknowledged was closed.
    ClosedAtSource(TicketNumber),
    /// Resolved, with no open ticket for it: nothing to do.
    Ignored,
}

impl AlertOutcome {
    /// The outcome's name, as metrics count it.
    pub fn name(self) -> &'static str {
        match self {
            AlertOutcome::Opened(_) => "opened",
            AlertOutcome::Repeat(_) => "repeat",
            AlertOutcome::Resolved(_) | AlertOutcome::ClosedAtSource(_) => "resolved",
            AlertOutcome::Ignored => "ignored",
        }
    }
}

/// The resolution recorded when the source resolved the alert.
const RESOLVED_AT_SOURCE: &str = "resolved at the source";

impl Service {
    /// The bot acting on its own: it may open tickets at any level.
    fn bot_context(&self, now: DateTime<Utc>) -> Context {
        Context {
            guild: self.config.discord.guild_id,
            actor: Actor {
                user: UserId(self.config.discord.application_id),
                levels: Vec::new(),
                admin: true,
            },
            now,
        }
    }

    /// Takes a batch of alerts from `source`; once this returns they are durable.
    pub async fn receive_alerts(
        &self,
        source: &AlertSource,
        alerts: &[Alert],
        now: DateTime<Utc>,
    ) -> Result<Vec<AlertOutcome>, Error> {
        let mut all = self
            .receive_alert_requests(&[(source, alerts)], now)
            .await?;
        Ok(all.pop().unwrap_or_default())
    }

    /// Takes the alerts of several requests in one transaction (a flood costs one commit per
    /// batch, not per request); the outcomes come back per request, in order.
    pub async fn receive_alert_requests(
        &self,
        requests: &[(&AlertSource, &[Alert])],
        now: DateTime<Utc>,
    ) -> Result<Vec<Vec<AlertOutcome>>, Error> {
        let ctx = self.bot_context(now);
        let mut tx = self.store.begin_write().await?;
        let mut all = Vec::with_capacity(requests.len());
        for (source, alerts) in requests {
            let mut outcomes = Vec::with_capacity(alerts.len());
            for alert in *alerts {
                outcomes.push(self.receive_one(&mut tx, &ctx, source, alert).await?);
            }
            all.push(outcomes);
        }
        tx.commit().await?;
        self.deadlines_changed.notify_one();
        self.messages_queued.notify_one();
        Ok(all)
    }

    async fn receive_one(
        &self,
        tx: &mut Tx,
        ctx: &Context,
        source: &AlertSource,
        alert: &Alert,
    ) -> Result<AlertOutcome, Error> {
        let guild = ctx.guild;
        let linked = store::alerts::ticket_of(tx, guild, &source.name, &alert.key).await?;
        let ticket = match linked {
            Some((id, _)) => store::tickets::find_by_id(&mut **tx, id).await?,
            None => None,
        };
        match (alert.firing, ticket) {
            (true, Some(open)) if !open.is_closed() => {
                let count =
                    store::alerts::fired_again(tx, guild, &source.name, &alert.key, ctx.now)
                        .await?;
                // The count lives in the alert's row; the timeline notes only some repeats,
                // so an alert firing every minute for a week does not bury the ticket.
                if crate::domain::alert::repeat_noted(count) {
                    let mut change = Change::new(ctx);
                    let source = source.name.clone();
                    change.system_event(open.level, EventKind::AlertRepeated { source, count });
                    self.write(tx, &open, change, false).await?;
                }
                Ok(AlertOutcome::Repeat(open.number))
            }
            (true, previous) => {
                let follows = previous.map(|t| t.number);
                self.open_for_alert(tx, ctx, source, alert, follows).await
            }
            (false, Some(open)) if !open.is_closed() => self.resolve(tx, ctx, source, open).await,
            (false, _) => Ok(AlertOutcome::Ignored),
        }
    }

    async fn open_for_alert(
        &self,
        tx: &mut Tx,
        ctx: &Context,
        source: &AlertSource,
        alert: &Alert,
        follows: Option<TicketNumber>,
    ) -> Result<AlertOutcome, Error> {
        let new = NewTicket {
            title: alert.title(),
            details: alert.details(&source.name, follows),
            priority: source.priority_of(alert.severity.as_deref()),
            level: source.level,
        };
        let arrival = Arrival::Alert {
            source: source.name.clone(),
            links: alert.links.clone(),
        };
        let (ticket, _, change) = self.open_in(tx, ctx, new, arrival).await?;
        self.write(tx, &ticket, change, false).await?;
        store::alerts::link(tx, ctx.guild, &source.name, &alert.key, ticket.id, ctx.now).await?;
        Ok(AlertOutcome::Opened(ticket.number))
    }

    async fn resolve(
        &self,
        tx: &mut Tx,
        ctx: &Context,
        source: &AlertSource,
        mut ticket: Ticket,
    ) -> Result<AlertOutcome, Error> {
        let mut change = Change::new(ctx);
        let name = source.name.clone();
        change.system_event(ticket.level, EventKind::AlertResolved { source: name });
        // An agent who acknowledged it is working on it: they close it.
        let close = source.close_on_resolve && ticket.status == Status::Open;
        if close {
            let closure = Closure::by_bot(&ticket, ctx.now, ctx.actor.user, RESOLVED_AT_SOURCE);
            change.record(ticket.settle(closure, ctx.now));
            change.update_page(&ticket);
        }
        self.write(tx, &ticket, change, close).await?;
        Ok(if close {
            AlertOutcome::ClosedAtSource(ticket.number)
        } else {
            AlertOutcome::Resolved(ticket.number)
        })
    }
}
