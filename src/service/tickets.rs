//! The `/ticket` use cases and `/queue`: each loads the ticket inside a write transaction,
//! checks the rules, and writes state, timeline and outbox together.

use chrono::{DateTime, Utc};

use super::{Context, Outcome, Reply, Service};
use crate::domain::effects::{Arrival, Outgoing, TicketCard};
use crate::domain::error::{Error, UserError};
use crate::domain::kb::{search_terms, Match};
use crate::domain::rules::{self, EscalationPlan, EscalationRequest};
use crate::domain::transitions::{Escalation, Happened, NewTicket, VendorHandover};
use crate::domain::{
    ArticleNumber, Closure, Event, EventKind, FixType, Level, LongText, Priority, ReturnReason,
    Status, Ticket, TicketNumber, TicketTitle, UserId, WaitingOn,
};
use crate::service::store::{self, Tx};

/// The events and messages one use case produces, written together by `write`.
/// The most timeline entries `/ticket show` and the dashboard read at once.
pub const SHOWN_EVENTS: i64 = 100;

pub(super) struct Change<'a> {
    pub(super) ctx: &'a Context,
    events: Vec<Event>,
    pub(super) effects: Vec<Outgoing>,
}

impl<'a> Change<'a> {
    pub(super) fn new(ctx: &'a Context) -> Self {
        Change {
            ctx,
            events: Vec::new(),
            effects: Vec::new(),
        }
    }

    pub(super) fn event(&mut self, level: Level, kind: EventKind) {
        self.events.push(Event {
            at: self.ctx.now,
            actor: Some(self.ctx.actor.user),
            level,
            kind,
            met: None,
        });
    }

    /// An action the bot takes by itself, such as a page.
    pub(super) fn system_event(&mut self, level: Level, kind: EventKind) {
        self.events.push(Event {
            at: self.ctx.now,
            actor: None,
            level,
            kind,
            met: None,
        });
    }

    /// What a transition returned, stamped with the time and who acted (nobody, for the bot).
    pub(super) fn record(&mut self, h: Happened) {
        self.events.push(Event {
            at: self.ctx.now,
            actor: (!h.by_bot).then_some(self.ctx.actor.user),
            level: h.level,
            kind: h.kind,
            met: h.met,
        });
    }

    /// Edits the ticket's latest page to show its state now.
    pub(super) fn update_page(&mut self, ticket: &Ticket) {
        self.effects.push(Outgoing::PageUpdate {
            card: TicketCard::from(ticket),
        });
    }
}

impl Service {
    /// Pages the owning level of `ticket` and records the page in the timeline.
    pub(super) fn page(&self, change: &mut Change<'_>, ticket: &Ticket, arrival: Arrival) {
        if let Some(tier) = self.config.tier(ticket.level) {
            change.system_event(
                ticket.level,
                EventKind::Paged {
                    level: ticket.level,
                    role: tier.page_role_id,
                },
            );
            // Out of service hours the page is posted without a ping, and the role is
            // pinged once when the desk opens.
            let opening = self.closed_until(ticket.priority, change.ctx.now);
            change.effects.push(Outgoing::Page {
                channel: tier.queue_channel_id,
                role: tier.page_role_id,
                level: ticket.level,
                card: TicketCard::from(ticket),
                arrival,
                ack_due_at: ticket.ack_due_at,
                ping: opening.is_none(),
            });
            if let Some(at) = opening {
                change.effects.push(Outgoing::OpeningPing {
                    channel: tier.queue_channel_id,
                    role: tier.page_role_id,
                    level: ticket.level,
                    card: TicketCard::from(ticket),
                    at,
                });
            }
        }
    }

    /// Deadline for the owning level to acknowledge a ticket that arrived at `arrived`.
    pub(super) fn ack_due(
        &self,
        level: Level,
        priority: Priority,
        arrived: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let tier = self.config.tier(level)?;
        let within = chrono::Duration::from_std(tier.ack_within(priority)).ok()?;
        Some(self.after(priority, arrived, within))
    }

    pub(super) async fn load(
        &self,
        tx: &mut Tx,
        ctx: &Context,
        number: TicketNumber,
    ) -> Result<Ticket, Error> {
        store::tickets::find(&mut **tx, ctx.guild, number)
            .await?
            .ok_or_else(|| UserError::UnknownTicket(number).into())
    }

    /// Writes the ticket, its new events and the messages they cause, inside `tx`.
    pub(super) async fn write(
        &self,
        tx: &mut Tx,
        ticket: &Ticket,
        change: Change<'_>,
        write_ticket: bool,
    ) -> Result<Vec<Outgoing>, Error> {
        let Change {
            ctx,
            events,
            mut effects,
        } = change;
        if write_ticket {
            let mut ticket = ticket.clone();
            self.schedule_sla(&mut ticket);
            store::tickets::update(tx, &ticket).await?;
        }
        store::events::append(tx, ctx.guild, ticket.id, &events).await?;
        // The thread shows the public timeline as it happens: no internal notes, no pages.
        effects.extend(
            events
                .into_iter()
                .filter(|e| {
                    !e.kind.is_internal()
                        && !matches!(
                            e.kind,
                            EventKind::Paged { .. }
                                | EventKind::Repaged { .. }
                                | EventKind::AdminsPaged { .. }
                                // A flood of repeats must not flood the thread.
                                | EventKind::AlertRepeated { .. }
                        )
                })
                .map(|event| Outgoing::ThreadPost {
                    number: ticket.number,
                    event,
                }),
        );
        store::outbox::enqueue(tx, ctx.guild, Some(ticket.id), &effects, ctx.now).await?;
        Ok(effects)
    }

    /// Writes one use case's change and commits it.
    async fn commit(
        &self,
        mut tx: Tx,
        ticket: &Ticket,
        change: Change<'_>,
        write_ticket: bool,
    ) -> Result<Vec<Outgoing>, Error> {
        let effects = self.write(&mut tx, ticket, change, write_ticket).await?;
        tx.commit().await?;
        // Deadlines may have moved: the scheduler recomputes its next wake-up; and the
        // delivery worker has messages to send.
        self.deadlines_changed.notify_one();
        self.messages_queued.notify_one();
        Ok(effects)
    }

    pub(super) async fn open(
        &self,
        ctx: &Context,
        title: TicketTitle,
        details: Option<LongText>,
        priority: Priority,
        level: Level,
    ) -> Result<Outcome, Error> {
        rules::check_open_level(&ctx.actor, level)?;
        let new = NewTicket {
            title: title.to_string(),
            details: details.map(|d| d.to_string()).unwrap_or_default(),
            priority,
            level,
        };
        let mut tx = self.store.begin_write().await?;
        let arrival = Arrival::Opened { by: ctx.actor.user };
        let (ticket, suggestions, change) = self.open_in(&mut tx, ctx, new, arrival).await?;
        // The row was written whole by the insert.
        let effects = self.commit(tx, &ticket, change, false).await?;
        let opens_at = self.closed_until(ticket.priority, ctx.now);
        Ok(Outcome {
            reply: Reply::Opened {
                ticket,
                suggestions,
                opens_at,
            },
            effects,
        })
    }

    /// Opens a ticket inside `tx`: numbered, its opening in the timeline, articles suggested,
    /// paged with `arrival`, its thread asked for. The caller writes the change.
    pub(super) async fn open_in<'c>(
        &self,
        tx: &mut Tx,
        ctx: &'c Context,
        new: NewTicket,
        arrival: Arrival,
    ) -> Result<(Ticket, Vec<crate::domain::ArticleHit>, Change<'c>), Error> {
        let level = new.level;
        let ack_due = |l, p, at| self.ack_due(l, p, at);
        let (mut ticket, opened) = Ticket::open(ctx.actor.user, new, ctx.now, &ack_due);
        ticket.guild = ctx.guild;
        self.start_target(&mut ticket, ctx.now);
        self.schedule_sla(&mut ticket);
        let (id, number) = store::tickets::insert(tx, &ticket).await?;
        ticket.id = id;
        ticket.number = number;
        let mut change = Change::new(ctx);
        change.record(opened);
        // Level 0, self-service: articles that match what the requester wrote.
        let text = format!("{} {}", ticket.title, ticket.details);
        let suggestions = match search_terms(&text, Match::Any) {
            // Suggestions help; a search that fails must never cost the requester the ticket.
            Some(terms) => store::kb::search(&self.store, ctx.guild, &terms, 3)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = ?e, "the article suggestions failed; opening without");
                    Vec::new()
                }),
            None => Vec::new(),
        };
        if !suggestions.is_empty() {
            change.system_event(
                level,
                EventKind::KbSuggested {
                    articles: suggestions.iter().map(|h| h.number).collect(),
                },
            );
        }
        self.page(&mut change, &ticket, arrival);
        if let Some(tier) = self.config.tier(level) {
            change.effects.push(Outgoing::ThreadOpen {
                channel: tier.queue_channel_id,
                number,
                title: ticket.title.clone(),
            });
        }
        Ok((ticket, suggestions, change))
    }

    pub(super) async fn note(
        &self,
        ctx: &Context,
        number: TicketNumber,
        text: LongText,
        internal: Option<bool>,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let internal = rules::note_visibility(&ctx.actor, &ticket, internal)?;
        let mut change = Change::new(ctx);
        change.event(
            ticket.level,
            EventKind::Note {
                text: text.to_string(),
                internal,
            },
        );
        // The requester's answer to a ticket waiting on them: the clocks run again.
        let answered = !internal
            && ctx.actor.user == ticket.requester
            && ticket.status == Status::Waiting
            && ticket.waiting_on == Some(WaitingOn::Requester);
        if answered {
            self.resume(&mut change, &mut ticket, ctx.now);
        }
        let effects = self.commit(tx, &ticket, change, answered).await?;
        Ok(Outcome {
            reply: Reply::Noted { ticket, internal },
            effects,
        })
    }

    /// `/ticket wait`: the ticket waits on its requester or a vendor; its clocks stop.
    pub(super) async fn wait(
        &self,
        ctx: &Context,
        number: TicketNumber,
        on: WaitingOn,
        note: Option<LongText>,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        rules::check_wait(&ctx.actor, &ticket, on)?;
        let mut change = Change::new(ctx);
        Self::start_waiting(&mut ticket, on, ctx.now);
        let note = note.map(|n| n.to_string()).unwrap_or_default();
        change.event(ticket.level, EventKind::Waiting { on, note });
        change.update_page(&ticket);
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome {
            reply: Reply::Waiting(ticket),
            effects,
        })
    }

    pub(super) async fn ack(&self, ctx: &Context, number: TicketNumber) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let acknowledged = ticket.acknowledge(&ctx.actor, ctx.now)?;
        let mut change = Change::new(ctx);
        change.record(acknowledged);
        change.update_page(&ticket);
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome {
            reply: Reply::Acknowledged(ticket),
            effects,
        })
    }

    pub(super) async fn assign(
        &self,
        ctx: &Context,
        number: TicketNumber,
        user: Option<UserId>,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let assignee = user.unwrap_or(ctx.actor.user);
        let mut change = Change::new(ctx);
        for happened in ticket.assign(&ctx.actor, assignee, ctx.now)? {
            change.record(happened);
        }
        change.update_page(&ticket);
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome {
            reply: Reply::Assigned(ticket),
            effects,
        })
    }

    pub(super) async fn escalate(
        &self,
        ctx: &Context,
        number: TicketNumber,
        request: EscalationRequest,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let required = ticket
            .level
            .next()
            .and_then(|l| self.config.tier(l))
            .map(|t| t.required_on_arrival.clone())
            .unwrap_or_default();
        let plan = rules::plan_escalation(
            &ctx.actor,
            &ticket,
            request,
            &required,
            &self.config.vendor_names(),
        )?;
        let mut change = Change::new(ctx);
        let reply = match plan {
            EscalationPlan::Up {
                to,
                reason,
                attempts,
                fields,
            } => {
                let escalation = Escalation {
                    to,
                    reason,
                    attempts,
                    fields,
                    automatic: false,
                };
                self.escalate_up(&mut change, &mut ticket, escalation);
                Reply::Escalated(ticket.clone())
            }
            EscalationPlan::ToVendor {
                vendor,
                vendor_reason,
                vendor_ref,
                reason,
                attempts,
            } => {
                let handover = VendorHandover {
                    vendor,
                    vendor_reason,
                    vendor_ref,
                    reason,
                    attempts,
                };
                self.hand_to_vendor(&mut change, &mut ticket, handover);
                Reply::SentToVendor(ticket.clone())
            }
            EscalationPlan::RecordVendorCase { vendor_ref } => {
                change.record(ticket.record_vendor_case(vendor_ref));
                Reply::VendorCaseRecorded(ticket.clone())
            }
        };
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome { reply, effects })
    }

    /// Hands the ticket to a vendor (level 3 keeps final responsibility: it still owns the
    /// ticket) and pages the vendor liaison.
    fn hand_to_vendor(&self, change: &mut Change<'_>, ticket: &mut Ticket, h: VendorHandover) {
        let arrival = Arrival::ToVendor {
            vendor: h.vendor.clone(),
            vendor_reason: h.vendor_reason,
            vendor_ref: h.vendor_ref.clone(),
            reason: h.reason.clone(),
            attempts: h.attempts.clone(),
        };
        change.record(ticket.hand_to_vendor(h, change.ctx.now));
        change.update_page(ticket);
        if let Some(liaison) = self.config.tier(Level::VENDOR) {
            change.effects.push(Outgoing::Page {
                channel: liaison.queue_channel_id,
                role: liaison.page_role_id,
                level: Level::VENDOR,
                card: TicketCard::from(&*ticket),
                arrival,
                ack_due_at: None,
                ping: true,
            });
        }
    }

    /// Moves the ticket up one level and pages that level; by an agent, or by the bot when
    /// nobody acknowledged in time (`automatic`).
    pub(super) fn escalate_up(&self, change: &mut Change<'_>, ticket: &mut Ticket, e: Escalation) {
        let from = ticket.level;
        let arrival = Arrival::Escalated {
            from,
            reason: e.reason.clone(),
            attempts: e.attempts.clone(),
            automatic: e.automatic,
        };
        let ack_due = |l, p, at| self.ack_due(l, p, at);
        change.record(ticket.escalate_up(e, change.ctx.now, &ack_due));
        change.update_page(ticket);
        self.page(change, ticket, arrival);
    }

    pub(super) async fn return_ticket(
        &self,
        ctx: &Context,
        number: TicketNumber,
        reason: ReturnReason,
        note: LongText,
        level: Option<Level>,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let from = ticket.level;
        let ack_due = |l, p, at| self.ack_due(l, p, at);
        let why = (reason, note.to_string());
        let returned = ticket.return_to(&ctx.actor, level, why, ctx.now, &ack_due)?;
        let mut change = Change::new(ctx);
        change.record(returned);
        change.update_page(&ticket);
        self.page(
            &mut change,
            &ticket,
            Arrival::Returned {
                from,
                reason,
                note: note.to_string(),
            },
        );
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome {
            reply: Reply::Returned(ticket),
            effects,
        })
    }

    pub(super) async fn change_priority(
        &self,
        ctx: &Context,
        number: TicketNumber,
        priority: Priority,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let ack_due = |l, p, at| self.ack_due(l, p, at);
        let changed = ticket.change_priority(&ctx.actor, priority, &ack_due)?;
        let mut change = Change::new(ctx);
        change.record(changed);
        change.update_page(&ticket);
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome {
            reply: Reply::PriorityChanged(ticket),
            effects,
        })
    }

    pub(super) async fn close(
        &self,
        ctx: &Context,
        number: TicketNumber,
        resolution: LongText,
        root_cause: Option<LongText>,
        fix_type: Option<FixType>,
        kb: Option<ArticleNumber>,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let closure = Closure {
            at: ctx.now,
            level: ticket.level,
            by: ctx.actor.user,
            resolution: resolution.to_string(),
            root_cause: root_cause.map(|r| r.to_string()),
            fix_type,
            kb: kb.map(|k| k.to_string()),
        };
        let closed = ticket.close(&ctx.actor, closure, ctx.now)?;
        if let Some(article) = kb {
            if store::kb::find(&mut *tx, ctx.guild, article)
                .await?
                .is_none()
            {
                return Err(UserError::UnknownArticle(article).into());
            }
        }
        let mut change = Change::new(ctx);
        change.record(closed);
        if let Some(article) = kb {
            let suggested = store::events::suggested_articles(&mut *tx, ticket.id)
                .await?
                .contains(&article);
            change.event(ticket.level, EventKind::KbLinked { article, suggested });
        }
        change.update_page(&ticket);
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome {
            reply: Reply::Closed(ticket),
            effects,
        })
    }

    pub(super) async fn reopen(
        &self,
        ctx: &Context,
        number: TicketNumber,
        reason: LongText,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let ack_due = |l, p, at| self.ack_due(l, p, at);
        let reopened = ticket.reopen(&ctx.actor, reason.to_string(), ctx.now, &ack_due)?;
        self.start_target(&mut ticket, ctx.now);
        // The rating stays: the requester's first rating is the one that counts (SPEC §3).
        let mut change = Change::new(ctx);
        change.record(reopened);
        self.page(
            &mut change,
            &ticket,
            Arrival::Reopened {
                reason: reason.to_string(),
            },
        );
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome {
            reply: Reply::Reopened(ticket),
            effects,
        })
    }

    pub(super) async fn rate(
        &self,
        ctx: &Context,
        number: TicketNumber,
        score: u8,
    ) -> Result<Outcome, Error> {
        let mut tx = self.store.begin_write().await?;
        let mut ticket = self.load(&mut tx, ctx, number).await?;
        let rated = ticket.rate(&ctx.actor, score)?;
        let mut change = Change::new(ctx);
        change.record(rated);
        let effects = self.commit(tx, &ticket, change, true).await?;
        Ok(Outcome {
            reply: Reply::Rated(ticket),
            effects,
        })
    }

    pub(super) async fn stats(
        &self,
        ctx: &Context,
        days: i64,
        level: Option<Level>,
    ) -> Result<Outcome, Error> {
        rules::require_agent(&ctx.actor, "action-see-figures")?;
        let mut figures = store::figures::key_figures(
            self.store.reader(),
            ctx.guild,
            ctx.now - chrono::Duration::days(days),
            ctx.now,
        )
        .await?;
        if let Some(level) = level {
            figures.levels.retain(|l, _| *l == level);
        }
        Ok(Outcome::quiet(Reply::Stats {
            days,
            level,
            figures,
        }))
    }

    /// `/ticket show`: the ticket and its latest entries. A ticket with a long history (an
    /// alert that fired all week) is read a page at a time, not whole.
    pub(super) async fn show(&self, ctx: &Context, number: TicketNumber) -> Result<Outcome, Error> {
        let db = self.store.reader();
        let ticket = store::tickets::find(db, ctx.guild, number)
            .await?
            .ok_or(UserError::UnknownTicket(number))?;
        rules::require_requester_or_agent(&ctx.actor, &ticket, "action-see")?;
        let (mut timeline, earlier) = store::events::latest(db, ticket.id, SHOWN_EVENTS).await?;
        if !ctx.actor.is_agent() {
            timeline.retain(|e| !e.kind.is_internal());
        }
        Ok(Outcome::quiet(Reply::Show {
            ticket,
            timeline,
            earlier,
        }))
    }

    pub(super) async fn queue(
        &self,
        ctx: &Context,
        level: Option<Level>,
        status: Option<Status>,
    ) -> Result<Outcome, Error> {
        rules::require_agent(&ctx.actor, "action-list-queues")?;
        if status == Some(Status::Closed) {
            return Err(UserError::BadChoice {
                field: "status",
                value: "closed".into(),
                allowed: "`open` `acknowledged` `waiting`",
            }
            .into());
        }
        // Admins see every queue unless they ask for one; agents their highest level.
        let level = match level {
            Some(l) => Some(l),
            None if ctx.actor.admin => None,
            None => ctx.actor.highest(),
        };
        let tickets =
            store::tickets::queue(self.store.reader(), ctx.guild, level, status, (1000, 0)).await?;
        Ok(Outcome::quiet(Reply::Queue {
            level,
            status,
            tickets,
        }))
    }
}

impl Service {
    /// Open tickets whose number or title contains `typed` that `actor` may act on or
    /// requested, for autocompletion.
    pub async fn complete_tickets(
        &self,
        actor: &rules::Actor,
        typed: &str,
    ) -> anyhow::Result<Vec<(TicketNumber, String)>> {
        let guild = self.config.discord.guild_id;
        store::tickets::complete(
            self.store.reader(),
            guild,
            typed,
            actor.highest(),
            actor.user,
            25,
        )
        .await
    }
}
