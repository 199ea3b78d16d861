//! Who may do what to a ticket, and what an escalation, return or closure needs (SPEC §1–§3).
//!
//! Each check takes the acting member and the ticket and either allows the action or says,
//! in a `UserError`, what was wrong and how to do it right.

use std::collections::BTreeMap;

use super::{Level, Priority, Status, Ticket, UserId, VendorReason, WaitingOn};
use crate::domain::error::{MissingPart, UserError};

/// Extra fields a level may require on arrival (`required_on_arrival`), given as options of
/// `/ticket escalate`; the catalogue says what each is (`field-impact`…).
pub const ARRIVAL_FIELDS: &[&str] = &["impact", "error", "steps"];

/// The member acting, as their roles place them on the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    /// Levels whose agent role the member holds.
    pub levels: Vec<Level>,
    pub admin: bool,
}

impl Actor {
    /// The highest level the member acts as. Admins may do what any level may. Level 4's
    /// role (the vendor liaison) sits beside the ladder, not above level 3: it never lets a
    /// member act on tickets owned by levels 1 to 3 (SPEC §1).
    pub fn highest(&self) -> Option<Level> {
        if self.admin {
            Some(Level::VENDOR)
        } else {
            self.levels
                .iter()
                .copied()
                .filter(|l| *l != Level::VENDOR)
                .max()
        }
    }

    /// Any support role, the vendor liaison's included (agents annotate tickets).
    pub fn is_agent(&self) -> bool {
        self.admin || !self.levels.is_empty()
    }
}

pub fn require_agent(actor: &Actor, action: &'static str) -> Result<(), UserError> {
    if actor.is_agent() {
        Ok(())
    } else {
        Err(UserError::NotAnAgent { action })
    }
}

pub fn require_admin(actor: &Actor, action: &'static str) -> Result<(), UserError> {
    if actor.admin {
        Ok(())
    } else {
        Err(UserError::NotAdmin { action })
    }
}

/// Acting on a ticket (ack, assign, escalate, return, priority, close) needs an open ticket and
/// an agent of the owning level or above.
pub fn require_can_act(
    actor: &Actor,
    ticket: &Ticket,
    action: &'static str,
) -> Result<(), UserError> {
    if ticket.is_closed() {
        return Err(UserError::TicketClosed(ticket.number));
    }
    match actor.highest() {
        Some(l) if l >= ticket.level => Ok(()),
        _ => Err(UserError::LevelTooLow {
            ticket: ticket.number,
            owner: ticket.level,
            yours: actor.highest(),
            action,
        }),
    }
}

/// Reading a ticket or reopening it: its requester or any agent.
pub fn require_requester_or_agent(
    actor: &Actor,
    ticket: &Ticket,
    action: &'static str,
) -> Result<(), UserError> {
    if actor.is_agent() || actor.user == ticket.requester {
        Ok(())
    } else {
        Err(UserError::NotRequesterOrAgent {
            ticket: ticket.number,
            action,
        })
    }
}

/// Opening a ticket: anyone at level 1; above it, agents of that level or higher.
pub fn check_open_level(actor: &Actor, level: Level) -> Result<(), UserError> {
    if !level.owns_tickets() {
        return Err(UserError::NotAnOwningLevel);
    }
    if level > Level::SERVICE_DESK && actor.highest().is_none_or(|h| h < level) {
        return Err(UserError::OpenAboveLevel(level));
    }
    Ok(())
}

/// Who may add a note and whether it is internal. Agents write internal notes unless they say
/// otherwise; the requester writes public notes only. Lower levels may annotate too.
pub fn note_visibility(
    actor: &Actor,
    ticket: &Ticket,
    internal: Option<bool>,
) -> Result<bool, UserError> {
    if ticket.is_closed() {
        return Err(UserError::TicketClosed(ticket.number));
    }
    if actor.is_agent() {
        return Ok(internal.unwrap_or(true));
    }
    if actor.user != ticket.requester {
        return Err(UserError::NotRequesterOrAgent {
            ticket: ticket.number,
            action: "action-note",
        });
    }
    match internal {
        Some(true) => Err(UserError::RequesterInternalNote),
        _ => Ok(false),
    }
}

/// An acknowledgement needs a ticket that is waiting for one.
pub fn check_ack(actor: &Actor, ticket: &Ticket) -> Result<(), UserError> {
    require_can_act(actor, ticket, "action-acknowledge")?;
    match ticket.status {
        Status::Open => Ok(()),
        Status::Acknowledged => Err(UserError::AlreadyAcknowledged {
            ticket: ticket.number,
            assignee: ticket.assignee,
        }),
        _ => Err(UserError::NothingToAcknowledge {
            ticket: ticket.number,
            on: ticket.waiting_on,
        }),
    }
}

/// Assigning needs a change: a ticket already with `assignee` (a second press of "Assign to
/// me") is refused, so it adds no second event, edit or thread post.
pub fn check_assign(actor: &Actor, ticket: &Ticket, assignee: UserId) -> Result<(), UserError> {
    require_can_act(actor, ticket, "action-assign")?;
    if ticket.assignee == Some(assignee) {
        return Err(UserError::AlreadyAssigned {
            ticket: ticket.number,
            assignee,
        });
    }
    Ok(())
}

/// Waiting needs an agent of the owning level or above, and a ticket not waiting already.
pub fn check_wait(actor: &Actor, ticket: &Ticket, on: WaitingOn) -> Result<(), UserError> {
    require_can_act(actor, ticket, "action-wait")?;
    if ticket.status == Status::Waiting && ticket.waiting_on == Some(on) {
        return Err(UserError::AlreadyWaiting {
            ticket: ticket.number,
            on,
        });
    }
    Ok(())
}

/// What an agent typed into `/ticket escalate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscalationRequest {
    pub reason: Option<String>,
    pub attempts: Option<String>,
    pub vendor: Option<String>,
    pub vendor_reason: Option<VendorReason>,
    pub vendor_ref: Option<String>,
    /// `impact`, `error`, `steps`: what the next level may require on arrival.
    pub fields: BTreeMap<String, String>,
}

/// An escalation that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscalationPlan {
    /// To the next level, which now owns the ticket.
    Up {
        to: Level,
        reason: String,
        attempts: String,
        fields: BTreeMap<String, String>,
    },
    /// From level 3 to a vendor; level 3 keeps ownership and the ticket waits on the vendor.
    ToVendor {
        vendor: String,
        vendor_reason: VendorReason,
        vendor_ref: Option<String>,
        reason: String,
        attempts: String,
    },
    /// The ticket is already with the vendor: record the vendor's case reference.
    RecordVendorCase { vendor_ref: String },
}

/// Checks an escalation against the ladder's rules. `required_on_arrival` is what the next
/// level asks for; `vendors` are the configured vendor names.
pub fn plan_escalation(
    actor: &Actor,
    ticket: &Ticket,
    request: EscalationRequest,
    required_on_arrival: &[String],
    vendors: &[String],
) -> Result<EscalationPlan, UserError> {
    require_can_act(actor, ticket, "action-escalate")?;
    if let Some(plan) = with_vendor_already(ticket, &request)? {
        return Ok(plan);
    }
    let to = ticket.level.next().ok_or(UserError::AlreadyWithVendor {
        ticket: ticket.number,
        vendor: String::new(),
    })?;
    let missing = missing_parts(actor, &request, to, required_on_arrival, vendors)?;
    if !missing.is_empty() {
        return Err(UserError::EscalationIncomplete {
            ticket: ticket.number,
            to,
            missing,
        });
    }
    let (reason, attempts) = (
        request.reason.unwrap_or_default(),
        request.attempts.unwrap_or_default(),
    );
    if to != Level::VENDOR {
        return Ok(EscalationPlan::Up {
            to,
            reason,
            attempts,
            fields: request.fields,
        });
    }
    let given = request.vendor.unwrap_or_default();
    let vendor = (vendors.iter())
        .find(|v| v.eq_ignore_ascii_case(given.trim()))
        .cloned()
        .ok_or_else(|| UserError::UnknownVendor {
            given: given.clone(),
            known: vendors.to_vec(),
        })?;
    Ok(EscalationPlan::ToVendor {
        vendor,
        vendor_reason: request.vendor_reason.unwrap_or(VendorReason::VendorFix),
        vendor_ref: request.vendor_ref,
        reason,
        attempts,
    })
}

/// A ticket already with its vendor takes only the vendor's case number, once.
fn with_vendor_already(
    ticket: &Ticket,
    request: &EscalationRequest,
) -> Result<Option<EscalationPlan>, UserError> {
    let Some(case) = ticket
        .vendor
        .as_ref()
        .filter(|_| ticket.waiting_on == Some(WaitingOn::Vendor))
    else {
        return Ok(None);
    };
    match &request.vendor_ref {
        Some(vendor_ref) if case.reference.is_none() => {
            Ok(Some(EscalationPlan::RecordVendorCase {
                vendor_ref: vendor_ref.clone(),
            }))
        }
        _ => Err(UserError::AlreadyWithVendor {
            ticket: ticket.number,
            vendor: case.vendor.clone(),
        }),
    }
}

/// What an escalation to `to` still lacks: the reason and attempts always; for a vendor, who
/// and why (and only level 3 may choose one); otherwise the fields `to` asks for.
fn missing_parts(
    actor: &Actor,
    request: &EscalationRequest,
    to: Level,
    required_on_arrival: &[String],
    vendors: &[String],
) -> Result<Vec<MissingPart>, UserError> {
    let mut missing = Vec::new();
    if request.reason.is_none() {
        missing.push(MissingPart::Reason);
    }
    if request.attempts.is_none() {
        missing.push(MissingPart::Attempts);
    }
    if to != Level::VENDOR {
        missing.extend(
            (required_on_arrival.iter())
                .filter(|field| !request.fields.contains_key(*field))
                .map(|field| MissingPart::Field {
                    name: field.clone(),
                    to,
                }),
        );
        return Ok(missing);
    }
    if !(actor.admin || actor.levels.contains(&Level::EXPERTS)) {
        return Err(UserError::VendorNeedsLevel3);
    }
    if vendors.is_empty() {
        return Err(UserError::NoVendors);
    }
    if request.vendor.is_none() {
        missing.push(MissingPart::Vendor {
            known: vendors.to_vec(),
        });
    }
    if request.vendor_reason.is_none() {
        missing.push(MissingPart::VendorReason);
    }
    Ok(missing)
}

/// Where a return sends the ticket: one level below unless another lower level is named.
pub fn plan_return(actor: &Actor, ticket: &Ticket, to: Option<Level>) -> Result<Level, UserError> {
    require_can_act(actor, ticket, "action-return")?;
    let target = to.or_else(|| ticket.level.below());
    match target {
        Some(t) if t >= Level::SERVICE_DESK && t < ticket.level => Ok(t),
        _ => Err(UserError::BadReturnLevel {
            ticket: ticket.number,
            from: ticket.level,
        }),
    }
}

/// Closing needs a resolution, and for critical and high tickets the root cause.
pub fn check_closure(
    actor: &Actor,
    ticket: &Ticket,
    root_cause: Option<&str>,
) -> Result<(), UserError> {
    require_can_act(actor, ticket, "action-close")?;
    if ticket.priority.needs_root_cause() && root_cause.is_none() {
        return Err(UserError::RootCauseRequired {
            priority: ticket.priority,
        });
    }
    Ok(())
}

/// A closed ticket reopens at the level that closed it.
pub fn check_reopen(actor: &Actor, ticket: &Ticket) -> Result<Level, UserError> {
    require_requester_or_agent(actor, ticket, "action-reopen")?;
    match &ticket.closure {
        Some(c) if ticket.is_closed() => Ok(c.level),
        _ => Err(UserError::NotClosed(ticket.number)),
    }
}

/// Writing and editing knowledge articles: level 3 agents and admins.
pub fn require_kb_author(actor: &Actor, action: &'static str) -> Result<(), UserError> {
    if actor.admin || actor.levels.contains(&Level::EXPERTS) {
        Ok(())
    } else {
        Err(UserError::NotKbAuthor { action })
    }
}

/// Rating: the requester, once the ticket is closed, and only the first time.
pub fn check_rating(actor: &Actor, ticket: &Ticket) -> Result<(), UserError> {
    if actor.user != ticket.requester {
        return Err(UserError::OnlyRequesterRates(ticket.number));
    }
    if !ticket.is_closed() {
        return Err(UserError::RateBeforeClose(ticket.number));
    }
    match ticket.rating {
        Some(score) => Err(UserError::AlreadyRated {
            ticket: ticket.number,
            score,
        }),
        None => Ok(()),
    }
}

/// Changing the priority needs a different one.
pub fn check_priority(actor: &Actor, ticket: &Ticket, to: Priority) -> Result<(), UserError> {
    require_can_act(actor, ticket, "action-priority")?;
    if ticket.priority == to {
        return Err(UserError::SamePriority {
            ticket: ticket.number,
            priority: to,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::domain::{Closure, GuildId, TicketNumber, VendorCase};

    const REQUESTER: UserId = UserId(100);

    fn ticket(level: u8, status: Status, priority: Priority) -> Ticket {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        Ticket {
            id: 1,
            guild: GuildId(1),
            number: TicketNumber(7),
            title: "VPN down".into(),
            details: String::new(),
            requester: REQUESTER,
            priority,
            level: Level::new(level).unwrap(),
            status,
            waiting_on: None,
            vendor: None,
            assignee: None,
            thread_id: None,
            opened_at: t0,
            arrived_at: t0,
            acknowledged_at: None,
            ack_due_at: None,
            repages: 0,
            next_action_at: None,
            closure: None,
            rating: None,
            sla: Default::default(),
        }
    }

    fn agent(levels: &[u8]) -> Actor {
        Actor {
            user: UserId(200),
            levels: levels.iter().map(|l| Level::new(*l).unwrap()).collect(),
            admin: false,
        }
    }

    fn requester() -> Actor {
        Actor {
            user: REQUESTER,
            levels: vec![],
            admin: false,
        }
    }

    fn admin() -> Actor {
        Actor {
            user: UserId(1),
            levels: vec![],
            admin: true,
        }
    }

    fn full_request() -> EscalationRequest {
        EscalationRequest {
            reason: Some("disk full".into()),
            attempts: Some("cleared tmp".into()),
            ..Default::default()
        }
    }

    #[test]
    fn higher_levels_act_on_lower_tickets_but_not_the_reverse() {
        let t = ticket(2, Status::Open, Priority::Normal);
        assert!(require_can_act(&agent(&[3]), &t, "action-acknowledge").is_ok());
        assert!(require_can_act(&agent(&[2]), &t, "action-acknowledge").is_ok());
        assert!(require_can_act(&admin(), &t, "action-acknowledge").is_ok());
        let err = require_can_act(&agent(&[1]), &t, "action-acknowledge").unwrap_err();
        assert!(matches!(err, UserError::LevelTooLow { .. }));
        assert!(err.to_string().contains("/ticket note"), "{err}");
        assert!(require_can_act(&requester(), &t, "action-acknowledge").is_err());
    }

    #[test]
    fn lower_levels_and_the_requester_may_annotate() {
        let t = ticket(3, Status::Open, Priority::Normal);
        assert_eq!(note_visibility(&agent(&[1]), &t, None), Ok(true));
        assert_eq!(note_visibility(&agent(&[1]), &t, Some(false)), Ok(false));
        assert_eq!(note_visibility(&requester(), &t, None), Ok(false));
        assert_eq!(
            note_visibility(&requester(), &t, Some(true)),
            Err(UserError::RequesterInternalNote)
        );
        let stranger = Actor {
            user: UserId(999),
            levels: vec![],
            admin: false,
        };
        assert!(note_visibility(&stranger, &t, None).is_err());
    }

    #[test]
    fn escalation_needs_reason_and_attempts() {
        let t = ticket(1, Status::Acknowledged, Priority::High);
        let err = plan_escalation(&agent(&[1]), &t, Default::default(), &[], &[]).unwrap_err();
        let UserError::EscalationIncomplete { missing, to, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*to, Level::TECHNICAL);
        assert_eq!(missing.len(), 2);
        assert!(err.to_string().contains("`attempts`"));
        let plan = plan_escalation(&agent(&[1]), &t, full_request(), &[], &[]).unwrap();
        assert!(matches!(plan, EscalationPlan::Up { to, .. } if to == Level::TECHNICAL));
    }

    #[test]
    fn arriving_level_may_require_more_fields() {
        let t = ticket(2, Status::Acknowledged, Priority::Normal);
        let required = vec!["impact".to_owned()];
        let err = plan_escalation(&agent(&[2]), &t, full_request(), &required, &[]).unwrap_err();
        assert!(err.to_string().contains("`impact`"), "{err}");
        let mut req = full_request();
        req.fields.insert("impact".into(), "all of sales".into());
        assert!(plan_escalation(&agent(&[2]), &t, req, &required, &[]).is_ok());
    }

    #[test]
    fn the_vendor_liaison_is_beside_the_ladder_not_above_it() {
        let liaison = agent(&[4]);
        assert_eq!(liaison.highest(), None);
        assert!(liaison.is_agent(), "the liaison annotates tickets");
        for level in 1..=3 {
            let t = ticket(level, Status::Open, Priority::High);
            assert!(matches!(
                check_ack(&liaison, &t),
                Err(UserError::LevelTooLow { .. })
            ));
            assert!(require_can_act(&liaison, &t, "action-close").is_err());
        }
        // Holding level 2 as well, the liaison acts as level 2 and no higher.
        let both = agent(&[2, 4]);
        assert_eq!(both.highest(), Some(Level::TECHNICAL));
        assert!(check_ack(&both, &ticket(2, Status::Open, Priority::Low)).is_ok());
        assert!(check_ack(&both, &ticket(3, Status::Open, Priority::Low)).is_err());
    }

    #[test]
    fn assigning_twice_to_the_same_member_is_refused() {
        let mut t = ticket(1, Status::Acknowledged, Priority::Normal);
        let a = agent(&[1]);
        assert!(check_assign(&a, &t, a.user).is_ok());
        t.assignee = Some(a.user);
        assert_eq!(
            check_assign(&a, &t, a.user),
            Err(UserError::AlreadyAssigned {
                ticket: t.number,
                assignee: a.user
            })
        );
        assert!(
            check_assign(&a, &t, UserId(42)).is_ok(),
            "handing it on is a change"
        );
    }

    #[test]
    fn vendor_path_needs_level_three_and_a_known_vendor() {
        let t = ticket(3, Status::Acknowledged, Priority::Normal);
        let vendors = vec!["Acme Storage".to_owned()];
        // The vendor liaison does not outrank level 3 (SPEC §1).
        let err = plan_escalation(&agent(&[4]), &t, full_request(), &[], &vendors).unwrap_err();
        assert!(matches!(err, UserError::LevelTooLow { .. }), "{err:?}");

        let err = plan_escalation(&agent(&[3]), &t, full_request(), &[], &vendors).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`vendor`") && text.contains("`vendor_reason`"),
            "{text}"
        );

        let mut req = full_request();
        req.vendor = Some("Globex".into());
        req.vendor_reason = Some(VendorReason::Warranty);
        let err = plan_escalation(&agent(&[3]), &t, req.clone(), &[], &vendors).unwrap_err();
        assert!(matches!(err, UserError::UnknownVendor { .. }));

        req.vendor = Some("acme storage".into());
        let plan = plan_escalation(&agent(&[3]), &t, req, &[], &vendors).unwrap();
        assert!(
            matches!(plan, EscalationPlan::ToVendor { ref vendor, .. } if vendor == "Acme Storage")
        );
    }

    #[test]
    fn nothing_goes_past_the_vendor() {
        let mut t = ticket(3, Status::Waiting, Priority::Normal);
        t.waiting_on = Some(WaitingOn::Vendor);
        t.vendor = Some(VendorCase {
            vendor: "Acme Storage".into(),
            reason: VendorReason::Warranty,
            reference: None,
        });
        let err = plan_escalation(&agent(&[3]), &t, full_request(), &[], &[]).unwrap_err();
        assert!(matches!(err, UserError::AlreadyWithVendor { .. }));
        let req = EscalationRequest {
            vendor_ref: Some("CASE-1".into()),
            ..Default::default()
        };
        assert_eq!(
            plan_escalation(&agent(&[3]), &t, req, &[], &[]),
            Ok(EscalationPlan::RecordVendorCase {
                vendor_ref: "CASE-1".into()
            })
        );
    }

    #[test]
    fn returns_go_down_but_not_below_level_one() {
        let t = ticket(3, Status::Open, Priority::Normal);
        assert_eq!(plan_return(&agent(&[3]), &t, None), Ok(Level::TECHNICAL));
        assert_eq!(
            plan_return(&agent(&[3]), &t, Some(Level::SERVICE_DESK)),
            Ok(Level::SERVICE_DESK)
        );
        assert!(plan_return(&agent(&[3]), &t, Some(Level::SELF_SERVICE)).is_err());
        assert!(plan_return(&agent(&[3]), &t, Some(Level::EXPERTS)).is_err());
        let t1 = ticket(1, Status::Open, Priority::Normal);
        assert!(matches!(
            plan_return(&agent(&[1]), &t1, None),
            Err(UserError::BadReturnLevel { .. })
        ));
    }

    #[test]
    fn closure_needs_root_cause_for_urgent_tickets() {
        let t = ticket(1, Status::Acknowledged, Priority::Critical);
        assert!(matches!(
            check_closure(&agent(&[1]), &t, None),
            Err(UserError::RootCauseRequired { .. })
        ));
        assert!(check_closure(&agent(&[1]), &t, Some("bad cable")).is_ok());
        let low = ticket(1, Status::Acknowledged, Priority::Low);
        assert!(check_closure(&agent(&[1]), &low, None).is_ok());
    }

    #[test]
    fn reopen_returns_to_the_closing_level() {
        let mut t = ticket(2, Status::Closed, Priority::Normal);
        t.closure = Some(Closure {
            at: t.opened_at,
            level: Level::TECHNICAL,
            by: UserId(200),
            resolution: "replaced".into(),
            root_cause: None,
            fix_type: None,
            kb: None,
        });
        assert_eq!(check_reopen(&requester(), &t), Ok(Level::TECHNICAL));
        let open = ticket(2, Status::Open, Priority::Normal);
        assert!(matches!(
            check_reopen(&requester(), &open),
            Err(UserError::NotClosed(_))
        ));
        assert!(require_can_act(&agent(&[3]), &t, "action-close").is_err());
    }

    #[test]
    fn opening_above_level_one_needs_membership() {
        assert!(check_open_level(&requester(), Level::SERVICE_DESK).is_ok());
        assert_eq!(
            check_open_level(&requester(), Level::TECHNICAL),
            Err(UserError::OpenAboveLevel(Level::TECHNICAL))
        );
        assert!(check_open_level(&agent(&[2]), Level::TECHNICAL).is_ok());
        assert_eq!(
            check_open_level(&admin(), Level::SELF_SERVICE),
            Err(UserError::NotAnOwningLevel)
        );
        assert_eq!(
            check_open_level(&admin(), Level::VENDOR),
            Err(UserError::NotAnOwningLevel)
        );
    }

    #[test]
    fn ack_only_when_waiting_for_one() {
        let t = ticket(1, Status::Acknowledged, Priority::Normal);
        assert!(matches!(
            check_ack(&agent(&[1]), &t),
            Err(UserError::AlreadyAcknowledged { .. })
        ));
        let t = ticket(1, Status::Open, Priority::Normal);
        assert!(check_ack(&agent(&[1]), &t).is_ok());
    }
}
