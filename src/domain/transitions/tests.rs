//! Every transition, allowed and refused, without a database.

use chrono::{Duration, TimeZone};

use super::*;
use crate::domain::{FixType, GuildId, TicketNumber};

const REQUESTER: UserId = UserId(100);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn level(n: u8) -> Level {
    Level::new(n).unwrap()
}

/// Fifteen minutes for critical, an hour for anything else, at every level.
fn ack_due(_: Level, p: Priority, arrived: DateTime<Utc>) -> Option<DateTime<Utc>> {
    Some(
        arrived
            + if p == Priority::Critical {
                Duration::minutes(15)
            } else {
                Duration::hours(1)
            },
    )
}

fn agent(n: u8) -> Actor {
    Actor {
        user: UserId(200 + u64::from(n)),
        levels: vec![level(n)],
        admin: false,
    }
}

fn requester() -> Actor {
    Actor {
        user: REQUESTER,
        levels: Vec::new(),
        admin: false,
    }
}

fn opened(priority: Priority) -> Ticket {
    let new = NewTicket {
        title: "VPN down".into(),
        details: String::new(),
        priority,
        level: level(1),
    };
    let (mut t, _) = Ticket::open(REQUESTER, new, t0(), &ack_due);
    t.guild = GuildId(1);
    t.number = TicketNumber(7);
    t
}

fn closure(t: &Ticket, by: &Actor, root_cause: Option<&str>) -> Closure {
    Closure {
        at: t0(),
        level: t.level,
        by: by.user,
        resolution: "renewed the certificate".into(),
        root_cause: root_cause.map(str::to_owned),
        fix_type: Some(FixType::Configuration),
        kb: None,
    }
}

fn up(to: u8) -> Escalation {
    Escalation {
        to: level(to),
        reason: "storage".into(),
        attempts: "rebooted".into(),
        fields: BTreeMap::new(),
        automatic: false,
    }
}

#[test]
fn open_waits_for_the_level_with_its_deadline() {
    let new = NewTicket {
        title: "VPN down".into(),
        details: "since 9".into(),
        priority: Priority::Critical,
        level: level(2),
    };
    let (t, h) = Ticket::open(REQUESTER, new, t0(), &ack_due);
    assert_eq!(
        (t.level, t.status, t.requester),
        (level(2), Status::Open, REQUESTER)
    );
    assert_eq!(t.ack_due_at, Some(t0() + Duration::minutes(15)));
    assert_eq!(t.next_action_at, t.ack_due_at);
    assert!(matches!(h.kind, EventKind::Opened { level: l, .. } if l == level(2)));
    assert!(!h.by_bot);
}

#[test]
fn acknowledge_stops_the_deadline_and_says_whether_it_was_met() {
    let mut t = opened(Priority::Normal);
    let h = t
        .acknowledge(&agent(1), t0() + Duration::minutes(20))
        .unwrap();
    assert_eq!(
        (t.status, t.ack_due_at, t.next_action_at),
        (Status::Acknowledged, None, None)
    );
    assert_eq!(h.met, Some(true));
    assert_eq!(h.kind, EventKind::Acknowledged { after_secs: 1200 });

    let mut late = opened(Priority::Normal);
    let h = late
        .acknowledge(&agent(1), t0() + Duration::hours(2))
        .unwrap();
    assert_eq!(h.met, Some(false));
}

#[test]
fn acknowledge_refused_twice_and_below_the_owning_level() {
    let mut t = opened(Priority::Normal);
    t.escalate_up(up(2), t0(), &ack_due);
    let low = t.acknowledge(&agent(1), t0()).unwrap_err();
    assert!(matches!(low, UserError::LevelTooLow { .. }), "{low:?}");
    assert_eq!(t.status, Status::Open, "a refusal changes nothing");
    t.acknowledge(&agent(2), t0()).unwrap();
    let again = t.acknowledge(&agent(2), t0()).unwrap_err();
    assert!(
        matches!(again, UserError::AlreadyAcknowledged { .. }),
        "{again:?}"
    );
    assert!(t.acknowledge(&requester(), t0()).is_err());
}

#[test]
fn assign_acknowledges_a_waiting_ticket_and_refuses_the_same_assignee() {
    let mut t = opened(Priority::High);
    let me = agent(1);
    let h = t.assign(&me, me.user, t0()).unwrap();
    assert_eq!(h.len(), 2, "acknowledged, then assigned");
    assert_eq!(
        (t.status, t.assignee),
        (Status::Acknowledged, Some(me.user))
    );
    let again = t.assign(&me, me.user, t0()).unwrap_err();
    assert!(matches!(again, UserError::AlreadyAssigned { .. }));
    let other = t.assign(&me, UserId(999), t0()).unwrap();
    assert_eq!(other.len(), 1, "already acknowledged: only the assignment");
    assert!(t.assign(&requester(), REQUESTER, t0()).is_err());
}

#[test]
fn escalate_up_arrives_at_the_next_level_afresh() {
    let mut t = opened(Priority::Normal);
    t.assign(&agent(1), agent(1).user, t0()).unwrap();
    let later = t0() + Duration::minutes(30);
    let h = t.escalate_up(up(2), later, &ack_due);
    assert_eq!(
        (t.level, t.status, t.assignee, t.repages),
        (level(2), Status::Open, None, 0)
    );
    assert_eq!(t.ack_due_at, Some(later + Duration::hours(1)));
    assert_eq!(h.level, level(2));
    assert!(
        matches!(h.kind, EventKind::Escalated { from, after_secs: 1800, automatic: false, .. } if from == level(1))
    );
    let auto = t.escalate_up(
        Escalation {
            automatic: true,
            ..up(3)
        },
        later,
        &ack_due,
    );
    assert!(auto.by_bot, "the bot escalates by itself");
}

#[test]
fn a_vendor_takes_the_ticket_while_level_3_keeps_it() {
    let mut t = opened(Priority::Normal);
    t.escalate_up(up(3), t0(), &ack_due);
    let handover = VendorHandover {
        vendor: "Acme Storage".into(),
        vendor_reason: VendorReason::Warranty,
        vendor_ref: None,
        reason: "firmware".into(),
        attempts: "rolled back".into(),
    };
    let h = t.hand_to_vendor(handover, t0() + Duration::minutes(5));
    assert_eq!(
        (t.level, t.status, t.waiting_on),
        (level(3), Status::Waiting, Some(WaitingOn::Vendor))
    );
    assert_eq!((t.ack_due_at, t.next_action_at), (None, None));
    assert_eq!(t.sla.waiting_since, Some(t0() + Duration::minutes(5)));
    assert!(matches!(h.kind, EventKind::VendorEscalated { .. }));
    t.record_vendor_case("CASE-42".into());
    assert_eq!(t.vendor.unwrap().reference.as_deref(), Some("CASE-42"));
}

#[test]
fn return_goes_down_and_refuses_going_up() {
    let mut t = opened(Priority::Normal);
    t.escalate_up(up(2), t0(), &ack_due);
    let refused = t.return_to(
        &agent(2),
        Some(level(3)),
        (ReturnReason::MissingInfo, "x".into()),
        t0(),
        &ack_due,
    );
    assert!(matches!(refused, Err(UserError::BadReturnLevel { .. })));
    assert_eq!(t.level, level(2));
    let h = t
        .return_to(
            &agent(2),
            None,
            (ReturnReason::MissingInfo, "which VPN?".into()),
            t0(),
            &ack_due,
        )
        .unwrap();
    assert_eq!((t.level, t.status), (level(1), Status::Open));
    assert!(
        matches!(h.kind, EventKind::Returned { from, to, .. } if from == level(2) && to == level(1))
    );
    assert!(
        t.return_to(
            &agent(1),
            None,
            (ReturnReason::MissingInfo, "x".into()),
            t0(),
            &ack_due
        )
        .is_err(),
        "nothing below level 1"
    );
}

#[test]
fn a_new_priority_moves_a_waiting_deadline_only() {
    let mut t = opened(Priority::Normal);
    let h = t
        .change_priority(&agent(1), Priority::Critical, &ack_due)
        .unwrap();
    assert_eq!(t.ack_due_at, Some(t0() + Duration::minutes(15)));
    assert_eq!(t.next_action_at, t.ack_due_at);
    assert_eq!(
        h.kind,
        EventKind::PriorityChanged {
            from: Priority::Normal,
            to: Priority::Critical
        }
    );
    assert!(matches!(
        t.change_priority(&agent(1), Priority::Critical, &ack_due),
        Err(UserError::SamePriority { .. })
    ));
    t.acknowledge(&agent(1), t0()).unwrap();
    t.change_priority(&agent(1), Priority::Low, &ack_due)
        .unwrap();
    assert_eq!(
        t.ack_due_at, None,
        "an acknowledged ticket has no deadline to move"
    );
}

#[test]
fn close_needs_a_root_cause_when_critical_and_records_the_target() {
    let mut t = opened(Priority::Critical);
    t.sla.resolve_due_at = Some(t0() + Duration::hours(4));
    let me = agent(1);
    let refused = t.close(&me, closure(&t, &me, None), t0()).unwrap_err();
    assert!(matches!(refused, UserError::RootCauseRequired { .. }));
    assert!(!t.is_closed());
    let h = t
        .close(
            &me,
            closure(&t, &me, Some("expired certificate")),
            t0() + Duration::hours(5),
        )
        .unwrap();
    assert_eq!((t.status, t.next_action_at), (Status::Closed, None));
    assert_eq!(h.met, Some(false), "closed after the 4-hour target");
    assert!(t.closure.is_some());
    assert!(t
        .close(&requester(), closure(&t, &requester(), Some("x")), t0())
        .is_err());
}

#[test]
fn reopen_returns_to_the_closing_level_and_keeps_the_rating() {
    let mut t = opened(Priority::Normal);
    let me = agent(1);
    assert!(matches!(
        t.reopen(&requester(), "again".into(), t0(), &ack_due),
        Err(UserError::NotClosed(_))
    ));
    t.escalate_up(up(2), t0(), &ack_due);
    t.close(&agent(2), closure(&t, &agent(2), None), t0())
        .unwrap();
    t.rate(&requester(), 5).unwrap();
    let h = t
        .reopen(
            &requester(),
            "it is back".into(),
            t0() + Duration::days(1),
            &ack_due,
        )
        .unwrap();
    assert_eq!(
        (t.level, t.status, t.closure.is_none()),
        (level(2), Status::Open, true)
    );
    assert_eq!(t.rating, Some(5));
    assert!(matches!(h.kind, EventKind::Reopened { .. }));
    assert!(t
        .reopen(
            &Actor {
                user: UserId(555),
                levels: vec![],
                admin: false
            },
            "x".into(),
            t0(),
            &ack_due
        )
        .is_err());
    let _ = me;
}

#[test]
fn only_the_requester_rates_a_closed_ticket_once() {
    let mut t = opened(Priority::Normal);
    assert!(matches!(
        t.rate(&requester(), 4),
        Err(UserError::RateBeforeClose(_))
    ));
    t.close(&agent(1), closure(&t, &agent(1), None), t0())
        .unwrap();
    assert!(matches!(
        t.rate(&agent(1), 4),
        Err(UserError::OnlyRequesterRates(_))
    ));
    assert_eq!(
        t.rate(&requester(), 4).unwrap().kind,
        EventKind::Rated { score: 4 }
    );
    assert!(matches!(
        t.rate(&requester(), 1),
        Err(UserError::AlreadyRated { score: 4, .. })
    ));
}

fn policy(limit: u32, escalate: bool) -> DeadlinePolicy {
    DeadlinePolicy {
        repage_limit: limit,
        next_repage_at: t0() + Duration::hours(2),
        escalate,
    }
}

#[test]
fn the_deadline_step_repages_then_escalates() {
    let mut t = opened(Priority::Normal);
    let due = t.ack_due_at.unwrap();
    assert_eq!(
        t.deadline_step(due - Duration::seconds(1), policy(2, true)),
        DeadlineStep::NotDue
    );
    assert_eq!(
        t.deadline_step(due, policy(2, true)),
        DeadlineStep::Repage { count: 1 }
    );
    assert_eq!(t.next_action_at, Some(t0() + Duration::hours(2)));
    assert_eq!(
        t.deadline_step(due, policy(2, true)),
        DeadlineStep::NotDue,
        "not before the next look"
    );
    let later = t0() + Duration::hours(3);
    assert_eq!(
        t.deadline_step(later, policy(2, true)),
        DeadlineStep::Repage { count: 2 }
    );
    let DeadlineStep::Escalate(e) = t.deadline_step(later + Duration::hours(3), policy(2, true))
    else {
        panic!("expected an escalation");
    };
    assert_eq!(e.to, level(2));
    assert!(e.automatic && e.reason.starts_with("not acknowledged at level 1 within"));
}

#[test]
fn the_deadline_step_pages_the_admins_at_level_3_or_gives_up() {
    let mut t = opened(Priority::Normal);
    t.escalate_up(up(3), t0(), &ack_due);
    let late = t0() + Duration::hours(2);
    assert_eq!(
        t.deadline_step(late, policy(0, true)),
        DeadlineStep::PageAdmins
    );
    assert_eq!(t.next_action_at, None, "the admins are paged once");
    assert_eq!(t.deadline_step(late, policy(0, true)), DeadlineStep::NotDue);

    let mut quiet = opened(Priority::Normal);
    assert_eq!(
        quiet.deadline_step(late, policy(0, false)),
        DeadlineStep::GiveUp
    );
    assert_eq!(quiet.next_action_at, None);
    let mut acked = opened(Priority::Normal);
    acked.acknowledge(&agent(1), t0()).unwrap();
    assert_eq!(
        acked.deadline_step(late, policy(3, true)),
        DeadlineStep::NotDue
    );
}
