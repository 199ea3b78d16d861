//! The ticket ladder as agents use it: open, escalate up to the vendor, close, reopen,
//! return; every rule allowed and refused; the timeline and outbox after each step.

mod common;

use chrono::Duration;
use common::*;
use tierdesk::domain::effects::{Arrival, Outgoing};
use tierdesk::domain::{EventKind, GuildId, Level, Status, TicketNumber, WaitingOn};
use tierdesk::service::Reply;

async fn timeline_kinds(app: &TestApp, number: i64) -> Vec<&'static str> {
    let (_, timeline) = app.ticket(number).await;
    timeline.into_iter().map(|e| e.kind.tag()).collect()
}

fn pages(effects: &[Outgoing]) -> Vec<(Level, Arrival)> {
    effects
        .iter()
        .filter_map(|m| match m {
            Outgoing::Page { level, arrival, .. } => Some((*level, arrival.clone())),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn full_ladder_to_the_vendor_then_close_and_reopen() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        let (req, l1, l2, l3) = (app.requester(), app.agent(1), app.agent(2), app.agent(3));

        let opened = app
            .ok(
                &req,
                r#"/ticket open title:"SAN volume offline" details:"db-2 lost its disk" priority:high"#,
            )
            .await;
        let Reply::Opened { ticket: t, .. } = &opened.reply else {
            panic!()
        };
        assert_eq!(
            (t.number, t.level, t.status),
            (TicketNumber(1), Level::SERVICE_DESK, Status::Open)
        );
        assert_eq!(
            t.ack_due_at,
            Some(app.now + Duration::minutes(15)),
            "high at level 1 is 15m"
        );
        let p = pages(&opened.effects);
        assert_eq!(p.len(), 1);
        assert!(
            matches!(p[0], (Level::SERVICE_DESK, Arrival::Opened { by }) if by == common::REQUESTER)
        );
        assert!(opened
            .effects
            .iter()
            .any(|m| matches!(m, Outgoing::ThreadOpen { .. })));
        assert_eq!(timeline_kinds(&app, 1).await, ["opened", "paged"]);

        app.advance(Duration::minutes(3));
        app.ok(&l1, "/ticket ack ticket:1").await;
        let refused = app
            .refused(&l1, r#"/ticket escalate ticket:1 reason:"storage fault""#)
            .await;
        assert!(
            refused.contains("`attempts`") && refused.contains("`impact`"),
            "{refused}"
        );

        let up = app
            .ok(&l1, r#"/ticket escalate ticket:1 reason:"storage fault" attempts:"rescanned the bus, rebooted db-2" impact:"billing is down""#)
            .await;
        let Reply::Escalated(t) = &up.reply else {
            panic!()
        };
        assert_eq!(
            (t.level, t.status, t.assignee),
            (Level::TECHNICAL, Status::Open, None)
        );
        assert!(
            matches!(&pages(&up.effects)[..], [(Level::TECHNICAL, Arrival::Escalated { from: Level::SERVICE_DESK, reason, attempts, automatic: false })]
            if reason == "storage fault" && attempts.contains("rebooted"))
        );
        assert!(
            matches!(up.effects[0], Outgoing::PageUpdate { .. }),
            "the old page is edited first"
        );

        // Level 1 can no longer act on it, only annotate.
        let refused = app.refused(&l1, "/ticket ack ticket:1").await;
        assert!(refused.contains("owned by level 2"), "{refused}");
        app.ok(&l1, r#"/ticket note ticket:1 text:"user called again""#)
            .await;

        app.advance(Duration::minutes(10));
        app.ok(&l2, "/ticket assign ticket:1").await;
        let refused = app
            .refused(
                &l2,
                r#"/ticket escalate ticket:1 reason:"controller" attempts:"swapped path""#,
            )
            .await;
        assert!(
            refused.contains("`impact`") && refused.contains("`error`"),
            "level 3 asks for both: {refused}"
        );
        app.ok(&l2, r#"/ticket escalate ticket:1 reason:"controller firmware" attempts:"swapped path, failover" impact:"billing" error:"SCSI sense 0x3f""#).await;

        app.advance(Duration::minutes(20));
        app.ok(&l3, "/ticket ack ticket:1").await;
        // Level 2 agents may not hand to a vendor; neither may they act on level 3 tickets.
        assert!(app
            .refused(&l2, "/ticket escalate ticket:1 reason:x attempts:y")
            .await
            .contains("owned by level 3"));
        let refused = app
            .refused(
                &l3,
                r#"/ticket escalate ticket:1 reason:"firmware bug" attempts:"rolled back""#,
            )
            .await;
        assert!(
            refused.contains("`vendor`") && refused.contains("`vendor_reason`"),
            "{refused}"
        );
        let refused = app
            .refused(&l3, r#"/ticket escalate ticket:1 reason:"firmware bug" attempts:"rolled back" vendor:"Initech" vendor_reason:warranty"#)
            .await;
        assert!(
            refused.contains("Acme Storage"),
            "lists the configured vendors: {refused}"
        );

        let vendor = app
            .ok(&l3, r#"/ticket escalate ticket:1 reason:"firmware bug" attempts:"rolled back firmware" vendor:"acme storage" vendor_reason:warranty"#)
            .await;
        let Reply::SentToVendor(t) = &vendor.reply else {
            panic!()
        };
        assert_eq!(
            t.level,
            Level::EXPERTS,
            "level 3 keeps final responsibility"
        );
        assert_eq!(
            (t.status, t.waiting_on),
            (Status::Waiting, Some(WaitingOn::Vendor))
        );
        assert_eq!(t.vendor.as_ref().unwrap().vendor, "Acme Storage");
        assert!(
            matches!(
                &pages(&vendor.effects)[..],
                [(Level::VENDOR, Arrival::ToVendor { .. })]
            ),
            "vendor liaison paged"
        );

        // Nothing goes past level 4; the case reference can be recorded once.
        let refused = app
            .refused(&l3, "/ticket escalate ticket:1 reason:x attempts:y")
            .await;
        assert!(refused.contains("top of the ladder"), "{refused}");
        app.ok(&l3, "/ticket escalate ticket:1 vendor_ref:ACME-7731")
            .await;

        app.advance(Duration::hours(5));
        let refused = app
            .refused(
                &l3,
                r#"/ticket close ticket:1 resolution:"vendor patched firmware""#,
            )
            .await;
        assert!(refused.contains("root cause"), "{refused}");
        let refused = app
            .refused(&l3, r#"/ticket close ticket:1 resolution:"vendor patched firmware" root_cause:"firmware bug" kb:KB-12"#)
            .await;
        assert!(refused.contains("no article KB-12"), "{refused}");
        app.ok(&l3, r#"/kb write title:"SAN controller firmware 2.1 drops volumes" body:"Upgrade to 2.2." tags:storage"#).await;
        let closed = app
            .ok(&l3, r#"/ticket close ticket:1 resolution:"vendor patched firmware" root_cause:"controller firmware 2.1 bug" fix_type:vendor kb:KB-1"#)
            .await;
        let Reply::Closed(t) = &closed.reply else {
            panic!()
        };
        let c = t.closure.as_ref().unwrap();
        assert_eq!((c.level, c.by), (Level::EXPERTS, l3.user));
        assert_eq!(c.root_cause.as_deref(), Some("controller firmware 2.1 bug"));
        assert_eq!(c.kb.as_deref(), Some("KB-1"));
        assert_eq!(t.status, Status::Closed);

        assert_eq!(
            timeline_kinds(&app, 1).await,
            [
                "opened",
                "paged",
                "acknowledged",
                "escalated",
                "paged",
                "note",
                "acknowledged",
                "assigned",
                "escalated",
                "paged",
                "acknowledged",
                "vendor_escalated",
                "vendor_case_recorded",
                "closed",
                "kb_linked"
            ]
        );

        // Closed tickets refuse work until reopened, and reopen at the closing level.
        assert!(app
            .refused(&l3, "/ticket ack ticket:1")
            .await
            .contains("is closed"));
        assert!(app
            .refused(&req, "/ticket note ticket:1 text:hi")
            .await
            .contains("Reopen it first"));
        let reopened = app
            .ok(&req, r#"/ticket reopen ticket:1 reason:"offline again""#)
            .await;
        let Reply::Reopened(t) = &reopened.reply else {
            panic!()
        };
        assert_eq!(
            (t.level, t.status, t.waiting_on),
            (Level::EXPERTS, Status::Open, None)
        );
        assert!(t.closure.is_none());
        assert!(matches!(
            &pages(&reopened.effects)[..],
            [(Level::EXPERTS, Arrival::Reopened { .. })]
        ));
    })
    .await;
}

#[tokio::test]
async fn return_for_missing_information() {
    each_backend(|| async {
        let app = spawn_app().await;
        let (req, l1, l3) = (app.requester(), app.agent(1), app.agent(3));
        app.ok(&req, "/ticket open title:\"Printer jams\"").await;
        app.ok(&l1, "/ticket escalate ticket:1 reason:hardware attempts:\"cleaned rollers\" impact:\"2nd floor\"").await;
        app.ok(&l3, "/ticket ack ticket:1").await;
        let refused = app
            .refused(
                &l3,
                "/ticket return ticket:1 reason:missing_info note:\"model?\" level:0",
            )
            .await;
        assert!(refused.contains("lower level from 1 to 1"), "{refused}");
        let back = app
            .ok(
                &l3,
                "/ticket return ticket:1 reason:missing_info note:\"Which printer model and tray?\"",
            )
            .await;
        let Reply::Returned(t) = &back.reply else {
            panic!()
        };
        assert_eq!((t.level, t.status), (Level::SERVICE_DESK, Status::Open));
        assert!(
            matches!(&pages(&back.effects)[..], [(Level::SERVICE_DESK, Arrival::Returned { note, .. })] if note.contains("model"))
        );
        let refused = app
            .refused(&l1, "/ticket return ticket:1 reason:misassigned note:x")
            .await;
        assert!(
            refused.contains("lower level"),
            "below level 1 is refused: {refused}"
        );
        assert!(app
            .refused(&l1, "/ticket return ticket:1 reason:lost note:x")
            .await
            .contains("missing_info"));
    })
    .await;
}

#[tokio::test]
async fn refusals_change_nothing_and_say_how_to_fix_it() {
    each_backend(|| async {
        let app = spawn_app().await;
        let (req, l1, l2) = (app.requester(), app.agent(1), app.agent(2));
        let stranger = app.member(9999, &[]);
        app.ok(&req, "/ticket open title:\"Mail bounces\" priority:normal")
            .await;
        let before = app.counts().await;

        let cases: Vec<(&tierdesk::domain::rules::Actor, String, &str)> = vec![
            (&l1, "/ticket ack ticket:99".into(), "no ticket #99"),
            (
                &l1,
                format!("/ticket note ticket:1 text:{}", "x".repeat(4001)),
                "at most 4000",
            ),
            (
                &l1,
                format!("/ticket open title:{}", "y".repeat(101)),
                "at most 100",
            ),
            (
                &stranger,
                "/ticket ack ticket:1".into(),
                "only agents of level 1",
            ),
            (
                &stranger,
                "/ticket show ticket:1".into(),
                "Only the requester",
            ),
            (
                &stranger,
                "/ticket note ticket:1 text:hi".into(),
                "Only the requester",
            ),
            (
                &req,
                "/ticket note ticket:1 text:hi internal:true".into(),
                "only add public notes",
            ),
            (
                &req,
                "/ticket open title:x level:2".into(),
                "level 2 or above",
            ),
            (
                &l1,
                "/ticket open title:x level:0".into(),
                "level 0 is self-service",
            ),
            (
                &l1,
                "/ticket open title:x level:4".into(),
                "level 4 is reached by escalating",
            ),
            (
                &l1,
                "/ticket open title:x level:9".into(),
                "numbered 0 to 4",
            ),
            (
                &l1,
                "/ticket priority ticket:1 priority:normal".into(),
                "already normal",
            ),
            (
                &l1,
                "/ticket priority ticket:1 priority:urgent".into(),
                "`critical`",
            ),
            (&l1, "/ticket reopen ticket:1 reason:x".into(), "not closed"),
            (&req, "/queue".into(), "Only support agents"),
            (&l2, "/summary".into(), "Only admins"),
            (
                &l1,
                "/ticket open title:x colour:red".into(),
                "has no option `colour`",
            ),
            (
                &l1,
                "/ticket escalate ticket:1 reason:x attempts:y vendor:Acme".into(),
                "`impact`",
            ),
            (&l1, "/queue status:closed".into(), "`open`"),
        ];
        for (actor, line, expected) in cases {
            let msg = app.refused(actor, &line).await;
            assert!(msg.contains(expected), "`{line}` → {msg}");
        }
        assert_eq!(app.counts().await, before, "refusals must change nothing");

        // A ticket of another guild is not found here.
        let other = app
            .run_in(GuildId(42), &l1, "/ticket ack ticket:1")
            .await
            .unwrap_err();
        assert!(other.user_message().contains("no ticket #1"));

        // Acknowledging twice acts once.
        app.ok(&l1, "/ticket ack ticket:1").await;
        assert!(app
            .refused(&l1, "/ticket ack ticket:1")
            .await
            .contains("already acknowledged"));
    })
    .await;
}

#[tokio::test]
async fn notes_are_internal_for_agents_and_hidden_from_the_requester() {
    each_backend(|| async {
        let app = spawn_app().await;
        let (req, l1) = (app.requester(), app.agent(1));
        app.ok(&req, "/ticket open title:\"Laptop slow\"").await;
        let internal = app
            .ok(&l1, "/ticket note ticket:1 text:\"suspect disk\"")
            .await;
        assert!(matches!(
            internal.reply,
            Reply::Noted { internal: true, .. }
        ));
        assert!(
            internal.effects.is_empty(),
            "internal notes are not posted in the thread"
        );
        let public = app
            .ok(&req, "/ticket note ticket:1 text:\"it is worse today\"")
            .await;
        assert!(matches!(
            public.reply,
            Reply::Noted {
                internal: false,
                ..
            }
        ));
        assert!(matches!(&public.effects[..], [Outgoing::ThreadPost { .. }]));

        let Reply::Show { timeline, .. } = app.ok(&req, "/ticket show ticket:1").await.reply else {
            panic!()
        };
        assert!(!timeline
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Note { text, .. } if text == "suspect disk")));
        let Reply::Show { timeline, .. } = app.ok(&l1, "/ticket show ticket:1").await.reply else {
            panic!()
        };
        assert!(timeline
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Note { text, .. } if text == "suspect disk")));
    })
    .await;
}

#[tokio::test]
async fn queue_lists_a_levels_open_tickets_and_priority_moves_the_deadline() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        let (req, l1, l2, admin) = (app.requester(), app.agent(1), app.agent(2), app.admin());
        for title in ["A", "B", "C"] {
            app.ok(&req, &format!("/ticket open title:{title}")).await;
            app.advance(Duration::minutes(1));
        }
        app.ok(
            &l1,
            "/ticket escalate ticket:2 reason:r attempts:a impact:i",
        )
        .await;
        app.ok(&l1, "/ticket close ticket:3 resolution:done").await;
        let Reply::Queue { tickets, level, .. } = app.ok(&l1, "/queue").await.reply else {
            panic!()
        };
        assert_eq!(level, Some(Level::SERVICE_DESK));
        assert_eq!(tickets.iter().map(|t| t.number.0).collect::<Vec<_>>(), [1]);
        let Reply::Queue { tickets, .. } = app.ok(&l2, "/queue").await.reply else {
            panic!()
        };
        assert_eq!(tickets.iter().map(|t| t.number.0).collect::<Vec<_>>(), [2]);
        let Reply::Queue { tickets, .. } = app.ok(&admin, "/queue").await.reply else {
            panic!()
        };
        assert_eq!(tickets.len(), 2, "admins see every queue");
        let Reply::Queue { tickets, .. } = app
            .ok(&admin, "/queue level:1 status:acknowledged")
            .await
            .reply
        else {
            panic!()
        };
        assert!(tickets.is_empty());

        let Reply::PriorityChanged(t) = app
            .ok(&l1, "/ticket priority ticket:1 priority:critical")
            .await
            .reply
        else {
            panic!()
        };
        assert_eq!(
            t.ack_due_at,
            Some(t.arrived_at + Duration::minutes(5)),
            "critical at level 1 is 5m"
        );
    })
    .await;
}

#[tokio::test]
async fn the_timeline_is_append_only() {
    each_backend(|| async {
        let app = spawn_app().await;
        app.ok(&app.requester(), "/ticket open title:x").await;
        let db = &app.db;
        let update = sqlx::query("UPDATE events SET kind = 'closed'")
            .execute(db)
            .await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM events").execute(db).await;
        assert!(delete.is_err());
    })
    .await;
}

#[tokio::test]
async fn outbox_holds_every_message_in_order_for_delivery() {
    each_backend(|| async {
        let app = spawn_app().await;
        app.ok(
            &app.requester(),
            "/ticket open title:\"VPN @everyone <@&1>\"",
        )
        .await;
        app.ok(&app.agent(1), "/ticket ack ticket:1").await;
        let queued: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, payload FROM outbox ORDER BY id")
                .fetch_all(&app.db)
                .await
                .unwrap();
        let kinds: Vec<_> = queued
            .iter()
            .map(|(_, payload)| serde_json::from_str::<Outgoing>(payload).unwrap().kind())
            .collect();
        assert_eq!(
            kinds,
            [
                "page",
                "thread_open",
                "thread_post",
                "page_update",
                "thread_post"
            ]
        );
        // The page, and the edit (which shows the latest card on whatever pages exist), may
        // go now; the thread waits for its page, the posts for the thread.
        let due = app.service.outbox_due(app.now, 100).await.unwrap();
        let due: Vec<_> = due.iter().map(|p| p.id).collect();
        assert_eq!(due, [queued[0].0, queued[3].0]);
    })
    .await;
}

#[tokio::test]
async fn only_the_requester_rates_once_after_closure() {
    each_backend(|| async {
        let app = spawn_app().await;
        let (req, l1) = (app.requester(), app.agent(1));
        app.ok(&req, "/ticket open title:\"Wi-Fi drops\"").await;
        let early = app.refused(&req, "/ticket rate ticket:1 score:5").await;
        assert!(early.contains("not closed yet"), "{early}");
        app.ok(
            &l1,
            "/ticket close ticket:1 resolution:\"new access point\"",
        )
        .await;
        assert!(app
            .refused(&l1, "/ticket rate ticket:1 score:5")
            .await
            .contains("Only the requester"));
        for bad in ["0", "6", "five"] {
            let msg = app
                .refused(&req, &format!("/ticket rate ticket:1 score:{bad}"))
                .await;
            assert!(msg.contains("from 1 to 5"), "{msg}");
        }
        let rated = app.ok(&req, "/ticket rate ticket:1 score:4").await;
        assert!(matches!(rated.reply, Reply::Rated(ref t) if t.rating == Some(4)));
        let again = app.refused(&req, "/ticket rate ticket:1 score:1").await;
        assert!(again.contains("the first rating counts"), "{again}");
        assert_eq!(app.events_of("rated").await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_rating_counts_once_across_a_reopen() {
    each_backend(|| async {
        let app = spawn_app().await;
        let (req, l1) = (app.requester(), app.agent(1));
        app.ok(&req, "/ticket open title:\"Wi-Fi drops\"").await;
        app.ok(&l1, "/ticket close ticket:1 resolution:\"new AP\"")
            .await;
        app.ok(&req, "/ticket rate ticket:1 score:2").await;
        app.ok(&req, "/ticket reopen ticket:1 reason:\"drops again\"")
            .await;
        app.ok(&l1, "/ticket close ticket:1 resolution:\"moved the AP\"")
            .await;
        // The rating button on the old closure message is pressed again.
        let again = app.refused(&req, "/ticket rate ticket:1 score:5").await;
        assert!(again.contains("already"), "{again}");
        assert_eq!(app.events_of("rated").await, 1, "the first rating counts");
    })
    .await;
}

#[tokio::test]
async fn assign_to_me_twice_assigns_once() {
    each_backend(|| async {
        let app = spawn_app().await;
        let l1 = app.agent(1);
        app.ok(&app.requester(), "/ticket open title:x").await;
        app.ok(&l1, "/ticket assign ticket:1").await;
        let queued = app.service.outbox_counts().await.unwrap().0;
        let again = app.refused(&l1, "/ticket assign ticket:1").await;
        assert!(again.contains("already assigned"), "{again}");
        assert_eq!(app.events_of("assigned").await, 1);
        assert_eq!(
            app.service.outbox_counts().await.unwrap().0,
            queued,
            "no edit, no post"
        );
    })
    .await;
}
