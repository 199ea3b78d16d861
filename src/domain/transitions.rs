//! The ticket's transitions as plain functions: each checks the rules, changes the ticket and
//! returns what happened, for the timeline. The service loads the ticket in a transaction,
//! calls one, writes the ticket and what it returned, and adds the messages that need the
//! configuration (which channel, which role). Deadlines come in as `AckDue`, a function of the
//! level, the priority and the arrival, so the service-hours calendar stays outside.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::rules::{self, Actor};
use super::{
    Closure, EventKind, Level, Priority, ReturnReason, Status, Ticket, UserId, VendorCase,
    VendorReason, WaitingOn,
};
use crate::domain::error::UserError;

/// When the level a ticket arrives at must acknowledge it: `None` when it has no deadline.
pub type AckDue<'a> = &'a dyn Fn(Level, Priority, DateTime<Utc>) -> Option<DateTime<Utc>>;

/// One entry for the timeline, before the service stamps it with the time and the actor.
#[derive(Debug, Clone, PartialEq)]
pub struct Happened {
    /// The level owning the ticket after it.
    pub level: Level,
    pub kind: EventKind,
    /// Whether it met its target (an acknowledgement, a closure), when it has one.
    pub met: Option<bool>,
    /// The bot did it by itself (a page, an automatic escalation), not the member acting.
    pub by_bot: bool,
}

impl Happened {
    fn by_member(level: Level, kind: EventKind) -> Happened {
        Happened {
            level,
            kind,
            met: None,
            by_bot: false,
        }
    }
}

/// What a new ticket starts from.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub title: String,
    pub details: String,
    pub priority: Priority,
    pub level: Level,
}

/// An escalation one level up, by a member or by the bot when nobody acknowledged in time.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub to: Level,
    pub reason: String,
    pub attempts: String,
    pub fields: BTreeMap<String, String>,
    pub automatic: bool,
}

/// A hand-over to an external vendor; level 3 keeps the ticket.
#[derive(Debug, Clone)]
pub struct VendorHandover {
    pub vendor: String,
    pub vendor_reason: VendorReason,
    pub vendor_ref: Option<String>,
    pub reason: String,
    pub attempts: String,
}

/// What the acknowledgement deadline's passing does to a ticket (SPEC §4).
#[derive(Debug, Clone, PartialEq)]
pub enum DeadlineStep {
    /// The deadline has not passed, or the ticket no longer waits for an acknowledgement.
    NotDue,
    /// Page the level again: the `count`th re-page.
    Repage { count: u32 },
    /// Escalate one level up, automatically.
    Escalate(Box<Escalation>),
    /// Level 3 never acknowledged: page the admins (a vendor is a person's choice).
    PageAdmins,
    /// Re-pages are exhausted and the level only re-pages: nothing more will happen.
    GiveUp,
}

/// What the deadline step needs from the level's configuration.
#[derive(Debug, Clone, Copy)]
pub struct DeadlinePolicy {
    pub repage_limit: u32,
    /// When a re-page sent now would be followed by the next look.
    pub next_repage_at: DateTime<Utc>,
    /// Escalate when re-pages are exhausted (`on_ack_timeout = "escalate"`), or give up.
    pub escalate: bool,
}

impl Ticket {
    /// A new ticket of `requester`, opened `now` at the level `new` asks for.
    pub fn open(
        requester: UserId,
        new: NewTicket,
        now: DateTime<Utc>,
        ack_due: AckDue,
    ) -> (Ticket, Happened) {
        let NewTicket {
            title,
            details,
            priority,
            level,
        } = new;
        let due = ack_due(level, priority, now);
        let ticket = Ticket {
            id: 0,
            guild: super::GuildId(0),
            number: super::TicketNumber(0),
            title,
            details,
            requester,
            priority,
            level,
            status: Status::Open,
            waiting_on: None,
            vendor: None,
            assignee: None,
            thread_id: None,
            opened_at: now,
            arrived_at: now,
            acknowledged_at: None,
            ack_due_at: due,
            repages: 0,
            next_action_at: due,
            closure: None,
            rating: None,
            sla: Default::default(),
        };
        let opened = EventKind::Opened {
            title: ticket.title.clone(),
            priority,
            level,
        };
        (ticket, Happened::by_member(level, opened))
    }

    /// How long the ticket has been at its current level.
    pub fn seconds_at_level(&self, now: DateTime<Utc>) -> i64 {
        (now - self.arrived_at).num_seconds().max(0)
    }

    /// Puts the ticket at `level`, waiting for that level's acknowledgement.
    pub fn arrive(&mut self, level: Level, now: DateTime<Utc>, ack_due: AckDue) {
        self.level = level;
        self.status = Status::Open;
        self.waiting_on = None;
        self.assignee = None;
        self.arrived_at = now;
        self.acknowledged_at = None;
        self.ack_due_at = ack_due(level, self.priority, now);
        self.repages = 0;
        self.next_action_at = self.ack_due_at;
    }

    /// The owning level acknowledges: no more deadline, whether it met it recorded.
    pub fn acknowledge(&mut self, by: &Actor, now: DateTime<Utc>) -> Result<Happened, UserError> {
        rules::check_ack(by, self)?;
        Ok(self.mark_acknowledged(now))
    }

    fn mark_acknowledged(&mut self, now: DateTime<Utc>) -> Happened {
        let met = self.ack_due_at.map(|due| now <= due);
        self.status = Status::Acknowledged;
        self.acknowledged_at = Some(now);
        self.ack_due_at = None;
        self.next_action_at = None;
        let after_secs = self.seconds_at_level(now);
        Happened {
            met,
            ..Happened::by_member(self.level, EventKind::Acknowledged { after_secs })
        }
    }

    /// `assignee` takes the ticket; taking one that still waits acknowledges it.
    pub fn assign(
        &mut self,
        by: &Actor,
        assignee: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Happened>, UserError> {
        rules::check_assign(by, self, assignee)?;
        let mut happened = Vec::new();
        if self.status == Status::Open {
            happened.push(self.mark_acknowledged(now));
        }
        self.assignee = Some(assignee);
        happened.push(Happened::by_member(
            self.level,
            EventKind::Assigned { assignee },
        ));
        Ok(happened)
    }

    /// Moves the ticket up to `e.to`, waiting for that level. The rules were checked by
    /// `rules::plan_escalation` (or the deadline step decided it).
    pub fn escalate_up(&mut self, e: Escalation, now: DateTime<Utc>, ack_due: AckDue) -> Happened {
        let from = self.level;
        let after_secs = self.seconds_at_level(now);
        self.arrive(e.to, now, ack_due);
        let kind = EventKind::Escalated {
            from,
            to: e.to,
            reason: e.reason,
            attempts: e.attempts,
            fields: e.fields,
            automatic: e.automatic,
            after_secs,
        };
        Happened {
            by_bot: e.automatic,
            ..Happened::by_member(e.to, kind)
        }
    }

    /// Hands the ticket to a vendor: it waits on them, and level 3 keeps it.
    pub fn hand_to_vendor(&mut self, h: VendorHandover, now: DateTime<Utc>) -> Happened {
        self.status = Status::Waiting;
        self.waiting_on = Some(WaitingOn::Vendor);
        self.sla.waiting_since = Some(now);
        self.ack_due_at = None;
        self.next_action_at = None;
        self.vendor = Some(VendorCase {
            vendor: h.vendor.clone(),
            reason: h.vendor_reason,
            reference: h.vendor_ref.clone(),
        });
        let kind = EventKind::VendorEscalated {
            vendor: h.vendor,
            vendor_reason: h.vendor_reason,
            vendor_ref: h.vendor_ref,
            reason: h.reason,
            attempts: h.attempts,
            after_secs: self.seconds_at_level(now),
        };
        Happened::by_member(self.level, kind)
    }

    /// Records the vendor's case number on a ticket already with them.
    pub fn record_vendor_case(&mut self, vendor_ref: String) -> Happened {
        if let Some(case) = self.vendor.as_mut() {
            case.reference = Some(vendor_ref.clone());
        }
        Happened::by_member(self.level, EventKind::VendorCaseRecorded { vendor_ref })
    }

    /// Returns the ticket down to `to` (the level below when `None`), which must acknowledge
    /// it again.
    pub fn return_to(
        &mut self,
        by: &Actor,
        to: Option<Level>,
        (reason, note): (ReturnReason, String),
        now: DateTime<Utc>,
        ack_due: AckDue,
    ) -> Result<Happened, UserError> {
        let to = rules::plan_return(by, self, to)?;
        let from = self.level;
        self.arrive(to, now, ack_due);
        Ok(Happened::by_member(
            to,
            EventKind::Returned {
                from,
                to,
                reason,
                note,
            },
        ))
    }

    /// Changes the priority; a ticket still waiting for its acknowledgement gets the new
    /// priority's deadline.
    pub fn change_priority(
        &mut self,
        by: &Actor,
        to: Priority,
        ack_due: AckDue,
    ) -> Result<Happened, UserError> {
        rules::check_priority(by, self, to)?;
        let from = self.priority;
        self.priority = to;
        if self.status == Status::Open {
            self.ack_due_at = ack_due(self.level, to, self.arrived_at);
            if self.repages == 0 {
                self.next_action_at = self.ack_due_at;
            }
        }
        Ok(Happened::by_member(
            self.level,
            EventKind::PriorityChanged { from, to },
        ))
    }

    /// A member closes the ticket with `closure` (a root cause needed for critical and high).
    pub fn close(
        &mut self,
        by: &Actor,
        closure: Closure,
        now: DateTime<Utc>,
    ) -> Result<Happened, UserError> {
        rules::check_closure(by, self, closure.root_cause.as_deref())?;
        Ok(self.settle(closure, now))
    }

    /// Closes the ticket with `closure`, as the bot does by itself (an alert resolved, a
    /// requester who never answered): no deadline left, whether it met its resolution target
    /// recorded.
    pub fn settle(&mut self, closure: Closure, now: DateTime<Utc>) -> Happened {
        let met = self.sla.resolve_due_at.map(|due| now <= due);
        self.status = Status::Closed;
        self.waiting_on = None;
        self.ack_due_at = None;
        self.next_action_at = None;
        let kind = EventKind::Closed {
            resolution: closure.resolution.clone(),
            root_cause: closure.root_cause.clone(),
            fix_type: closure.fix_type,
            kb: closure.kb.clone(),
            after_secs: self.seconds_at_level(now),
        };
        self.closure = Some(closure);
        Happened {
            met,
            ..Happened::by_member(self.level, kind)
        }
    }

    /// Reopens a closed ticket at the level the rules choose; the first rating stays.
    pub fn reopen(
        &mut self,
        by: &Actor,
        reason: String,
        now: DateTime<Utc>,
        ack_due: AckDue,
    ) -> Result<Happened, UserError> {
        let level = rules::check_reopen(by, self)?;
        self.arrive(level, now, ack_due);
        self.closure = None;
        Ok(Happened::by_member(
            level,
            EventKind::Reopened { reason, level },
        ))
    }

    /// The requester rates the closed ticket.
    pub fn rate(&mut self, by: &Actor, score: u8) -> Result<Happened, UserError> {
        rules::check_rating(by, self)?;
        self.rating = Some(score);
        Ok(Happened::by_member(self.level, EventKind::Rated { score }))
    }

    /// What the passing of the acknowledgement deadline does, as of `now`; changes the
    /// re-page count and the next look. An escalation it returns is the caller's to carry
    /// out with `escalate_up`.
    pub fn deadline_step(&mut self, now: DateTime<Utc>, policy: DeadlinePolicy) -> DeadlineStep {
        if self.status != Status::Open || self.next_action_at.is_none_or(|t| t > now) {
            return DeadlineStep::NotDue;
        }
        if self.repages < policy.repage_limit {
            self.repages += 1;
            self.next_action_at = Some(policy.next_repage_at);
            return DeadlineStep::Repage {
                count: self.repages,
            };
        }
        self.next_action_at = None;
        if !policy.escalate {
            return DeadlineStep::GiveUp;
        }
        let Some(to) = self.level.next().filter(|_| self.level < Level::EXPERTS) else {
            return DeadlineStep::PageAdmins;
        };
        let waited = humantime::format_duration(std::time::Duration::from_secs(
            self.seconds_at_level(now) as u64,
        ));
        DeadlineStep::Escalate(Box::new(Escalation {
            to,
            reason: format!(
                "not acknowledged at level {} within {waited} ({} re-page(s))",
                self.level, self.repages
            ),
            attempts: "none recorded: escalated automatically".to_owned(),
            fields: BTreeMap::new(),
            automatic: true,
        }))
    }
}

#[cfg(test)]
mod tests;
