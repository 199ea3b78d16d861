//! Service hours, SLA targets and waiting (SPEC §10), with time as a parameter: deadlines on
//! each priority's clock, the out-of-hours reply and the one ping at opening (delivered to a
//! fake Discord, once across a restart), warnings and breaches once, waiting and resuming,
//! reminders and auto-close, and the attainment figures on a timeline with known answers.

mod common;
#[path = "support/fake_discord.rs"]
mod fake_discord;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use common::*;
use fake_discord::{FakeDiscord, Fault};
use serde_json::json;
use serenity::all::HttpBuilder;
use tierdesk::discord::delivery::Deliverer;
use tierdesk::domain::{Status, TicketNumber};
use tierdesk::service::{Reply, SlaAction};

const HOURS: &str = r#"
[hours]
timezone = "Europe/Madrid"
week = { mon = "08:00-18:00", tue = "08:00-13:00,15:00-18:00", wed = "08:00-18:00", thu = "08:00-18:00", fri = "08:00-15:00" }
holidays = ["2026-12-25"]

[sla]
clock = { critical = "always", high = "always", normal = "hours", low = "hours" }
resolve_within = { critical = "4h", high = "1d", normal = "3d", low = "10d" }
warn_at = 0.75
remind_waiting_after = "2d"
close_waiting_after = "7d"
"#;
const QUEUE_L1: &str = "1100000000000000121";
const PAGE_L1: &str = "1100000000000000111";

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn app_at(now: &str) -> TestApp {
    let mut app = spawn_app_with(&format!("{EXAMPLE}\n{HOURS}")).await;
    app.now = utc(now);
    app
}

fn deliverer(service: tierdesk::service::Service, base: String) -> Deliverer {
    let http = HttpBuilder::new("t")
        .proxy(base)
        .ratelimiter_disabled(true)
        .build();
    Deliverer::new(service, Arc::new(http), std::time::Duration::from_secs(2))
}

async fn ticket(app: &TestApp, n: i64) -> tierdesk::domain::Ticket {
    let shown = app
        .ok(&app.admin(), &format!("/ticket show ticket:{n}"))
        .await;
    let Reply::Show { ticket, .. } = shown.reply else {
        panic!()
    };
    ticket
}

#[tokio::test]
async fn a_friday_evening_ticket_waits_for_monday_and_is_pinged_once_at_opening() {
    each_backend(|| async {
        // Friday 6 November 2026, 17:00 in Madrid: closed since 15:00.
        let mut app = app_at("2026-11-06T16:00:00Z").await;
        let (fake, base) = FakeDiscord::start().await;
        let d = deliverer(app.service.clone(), base);
        let opened = app
            .ok(&app.requester(), "/ticket open title:\"Printer offline\"")
            .await;
        let text = tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En)
            .reply(&opened.reply);
        let monday_8 = utc("2026-11-09T07:00:00Z");
        assert!(
            text.contains(&format!(
                "The desk is closed: it opens <t:{}:f>",
                monday_8.timestamp()
            )),
            "{text}"
        );
        assert!(text.contains("A critical ticket pages at once"));
        let t = ticket(&app, 1).await;
        assert_eq!(
            t.ack_due_at,
            Some(monday_8 + Duration::hours(1)),
            "1h of open time"
        );

        // The page goes out now, quietly; nothing is re-paged over the weekend.
        d.deliver_due(app.now).await.unwrap();
        let page = fake.of("create_message")[0].body.clone();
        assert_eq!(
            page["allowed_mentions"]["roles"],
            json!([]),
            "no ping at night"
        );
        app.advance(Duration::days(1));
        assert!(app.service.run_due(app.now).await.unwrap().is_empty());
        d.deliver_due(app.now).await.unwrap();
        let pings = |fake: &FakeDiscord| {
            fake.of("create_message")
                .iter()
                .filter(|r| r.body["allowed_mentions"]["roles"] == json!([PAGE_L1]))
                .count()
        };
        assert_eq!(pings(&fake), 0);

        // Monday at opening: one ping, even when the bot restarts right then.
        app.now = monday_8;
        d.deliver_due(app.now).await.unwrap();
        let restarted = deliverer(app.restarted().await, fake.base());
        restarted.deliver_due(app.now).await.unwrap();
        assert_eq!(pings(&fake), 1);
        let ping = fake.messages_in(QUEUE_L1).pop().unwrap();
        assert!(ping["content"]
            .as_str()
            .unwrap()
            .contains("the desk is open: #1 Printer offline"));
    })
    .await;
}

#[tokio::test]
async fn a_critical_ticket_pages_at_once_at_night() {
    each_backend(|| async {
        // Saturday 7 November, 03:00 in Madrid.
        let app = app_at("2026-11-07T02:00:00Z").await;
        let opened = app
            .ok(
                &app.requester(),
                "/ticket open title:\"Core down\" priority:critical",
            )
            .await;
        let Reply::Opened {
            ticket, opens_at, ..
        } = &opened.reply
        else {
            panic!()
        };
        assert_eq!(*opens_at, None);
        assert_eq!(ticket.ack_due_at, Some(app.now + Duration::minutes(5)));
        assert_eq!(
            ticket.sla.resolve_due_at,
            Some(app.now + Duration::hours(4))
        );
        let page = opened.effects.iter().find(|e| e.kind() == "page").unwrap();
        assert!(matches!(
            page,
            tierdesk::domain::effects::Outgoing::Page { ping: true, .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn a_low_ticket_is_not_re_paged_while_closed_and_is_after_opening() {
    each_backend(|| async {
        // Friday 14:30 in Madrid: 30 minutes of the 4h window before closing.
        let mut app = app_at("2026-11-06T13:30:00Z").await;
        let (fake, base) = FakeDiscord::start().await;
        let d = deliverer(app.service.clone(), base);
        app.ok(
            &app.requester(),
            "/ticket open title:\"Mouse\" priority:low",
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        let due = ticket(&app, 1).await.ack_due_at.unwrap();
        assert_eq!(due, utc("2026-11-09T10:30:00Z"), "Monday 11:30 local");
        for hours in [3, 12, 40, 60] {
            app.now = utc("2026-11-06T13:30:00Z") + Duration::hours(hours);
            assert!(
                app.service.run_due(app.now).await.unwrap().is_empty(),
                "+{hours}h"
            );
        }
        app.now = due;
        assert_eq!(app.service.run_due(app.now).await.unwrap().len(), 1);
        d.deliver_due(app.now).await.unwrap();
        let repage = fake.messages_in(QUEUE_L1).pop().unwrap();
        // Written for people: the role, the ticket and how long it waited; no console head,
        // no channel id; the card rides as an embed like the page's.
        let content = repage["content"].as_str().unwrap();
        assert_eq!(
            content,
            "<@&1100000000000000111> ticket #1 for Service desk is still not acknowledged \
             after 2d 21h: re-page 1 of 3."
        );
        assert!(
            !content.contains('[') && !content.contains(QUEUE_L1),
            "{content}"
        );
        assert_eq!(repage["embeds"][0]["title"], "#1 Mouse");
        let sent = fake.of("create_message").pop().unwrap();
        assert_eq!(
            sent.body["allowed_mentions"],
            serde_json::json!({ "parse": [], "roles": ["1100000000000000111"], "users": [] }),
            "only the level's page role may ping"
        );
        // The next re-page is 10 minutes of open time later.
        assert_eq!(
            ticket(&app, 1).await.next_action_at,
            Some(due + Duration::minutes(10))
        );
    })
    .await;
}

#[tokio::test]
async fn warnings_and_breaches_happen_once() {
    each_backend(|| async {
        let mut app = app_at("2026-11-02T09:00:00Z").await;
        let start = app.now;
        app.ok(
            &app.requester(),
            "/ticket open title:\"Mail\" priority:high",
        )
        .await;
        // 75% of the 15-minute acknowledgement window.
        app.now = start + Duration::seconds(675);
        let warned = app.service.run_sla(app.now).await.unwrap();
        assert_eq!(
            warned,
            [SlaAction::Warned(
                TicketNumber(1),
                tierdesk::domain::effects::SlaTarget::Acknowledge
            )]
        );
        assert!(
            app.service.run_sla(app.now).await.unwrap().is_empty(),
            "once"
        );
        app.now = start + Duration::minutes(15);
        let breached = app.service.run_sla(app.now).await.unwrap();
        assert_eq!(
            breached,
            [SlaAction::Breached(
                TicketNumber(1),
                tierdesk::domain::effects::SlaTarget::Acknowledge
            )]
        );
        app.now = start + Duration::minutes(20);
        assert!(
            app.service.run_sla(app.now).await.unwrap().is_empty(),
            "once"
        );
        app.ok(&app.agent(1), "/ticket ack ticket:1").await;
        app.now = start + Duration::hours(18);
        let w = app.service.run_sla(app.now).await.unwrap();
        assert_eq!(
            w,
            [SlaAction::Warned(
                TicketNumber(1),
                tierdesk::domain::effects::SlaTarget::Resolve
            )]
        );
        app.now = start + Duration::hours(24);
        let b = app.service.run_sla(app.now).await.unwrap();
        assert_eq!(
            b,
            [SlaAction::Breached(
                TicketNumber(1),
                tierdesk::domain::effects::SlaTarget::Resolve
            )]
        );
        assert_eq!(app.events_of("sla_breached").await, 2);
        // The queue got one warning for each target, and they ping nobody.
        let queued: Vec<String> =
            sqlx::query_scalar("SELECT payload FROM outbox WHERE kind = 'sla_warning'")
                .fetch_all(&app.db)
                .await
                .unwrap();
        assert_eq!(queued.len(), 2);
        // The summary lists the breaches of the last 24 hours: the resolution's, not the
        // acknowledgement's of yesterday.
        app.advance(Duration::hours(1));
        let summary = app.ok(&app.admin(), "/summary").await;
        let Reply::Summary(report) = summary.reply else {
            panic!()
        };
        let breached: Vec<&str> = report.breaches.iter().map(|(_, _, t)| t.as_str()).collect();
        assert_eq!(breached, ["resolve"]);
    })
    .await;
}

#[tokio::test]
async fn waiting_stops_the_clocks_and_the_requesters_answer_resumes_them() {
    each_backend(|| async {
        let mut app = app_at("2026-11-02T09:00:00Z").await; // Monday 10:00 local
        let (req, l1) = (app.requester(), app.agent(1));
        app.ok(&req, "/ticket open title:\"VPN profile\"").await;
        app.ok(&l1, "/ticket assign ticket:1").await;
        let before = ticket(&app, 1).await.sla.resolve_due_at.unwrap();
        let refused = app
            .refused(&req, "/ticket wait ticket:1 on:requester")
            .await;
        assert!(refused.contains("level"), "{refused}");
        app.ok(
            &l1,
            "/ticket wait ticket:1 on:requester note:\"which laptop?\"",
        )
        .await;
        let waiting = ticket(&app, 1).await;
        assert_eq!(
            (waiting.status, waiting.next_action_at),
            (Status::Waiting, None)
        );
        // A day later (9 open hours on Monday's and Tuesday's clock), the requester answers.
        app.advance(Duration::days(1));
        assert!(
            app.service.run_due(app.now).await.unwrap().is_empty(),
            "no re-pages"
        );
        let answered = app
            .ok(&req, "/ticket note ticket:1 text:\"the ThinkPad\"")
            .await;
        let t = ticket(&app, 1).await;
        assert_eq!(t.status, Status::Acknowledged);
        let waited = Duration::seconds(t.sla.waited_secs);
        assert_eq!(
            waited,
            Duration::hours(8) + Duration::hours(2),
            "Mon 10-18, Tue 8-10"
        );
        assert!(
            t.sla.resolve_due_at.unwrap() > before,
            "the target moved on"
        );
        let told = answered
            .effects
            .iter()
            .find(|e| e.kind() == "thread_mention")
            .unwrap();
        assert!(
            matches!(told, tierdesk::domain::effects::Outgoing::ThreadMention { user, .. } if *user == l1.user)
        );
    })
    .await;
}

#[tokio::test]
async fn a_ticket_left_waiting_is_reminded_once_then_closed_and_may_be_reopened() {
    each_backend(|| async {
        let mut app = app_at("2026-11-02T09:00:00Z").await;
        let start = app.now;
        let (req, l1) = (app.requester(), app.agent(1));
        app.ok(&req, "/ticket open title:\"Laptop\"").await;
        app.ok(&l1, "/ticket wait ticket:1 on:requester").await;
        app.now = start + Duration::days(2);
        let r = app.service.run_sla(app.now).await.unwrap();
        assert_eq!(r, [SlaAction::Reminded(TicketNumber(1))]);
        app.now = start + Duration::days(3);
        assert!(
            app.service.run_sla(app.now).await.unwrap().is_empty(),
            "reminded once"
        );
        app.now = start + Duration::days(7);
        let c = app.service.run_sla(app.now).await.unwrap();
        assert_eq!(c, [SlaAction::ClosedUnanswered(TicketNumber(1))]);
        let t = ticket(&app, 1).await;
        let closure = t.closure.unwrap();
        assert_eq!(closure.resolution, "no answer from the requester");
        assert_eq!(closure.fix_type, Some(tierdesk::domain::FixType::NoFault));
        app.ok(&req, "/ticket reopen ticket:1 reason:\"sorry, was away\"")
            .await;
        assert_eq!(ticket(&app, 1).await.status, Status::Open);
    })
    .await;
}

#[tokio::test]
async fn attainment_figures_on_a_known_timeline() {
    each_backend(|| async {
        let mut app = app_at("2026-11-02T09:00:00Z").await;
        let start = app.now;
        let l1 = app.agent(1);
        // Three high tickets (15m to acknowledge, 1d to resolve): two acknowledged in time,
        // one late; one resolved in time, one late.
        for _ in 0..3 {
            app.ok(&app.requester(), "/ticket open title:x priority:high")
                .await;
        }
        app.now = start + Duration::minutes(10);
        app.ok(&l1, "/ticket ack ticket:1").await;
        app.ok(&l1, "/ticket ack ticket:2").await;
        app.now = start + Duration::minutes(30);
        app.ok(&l1, "/ticket ack ticket:3").await;
        app.now = start + Duration::hours(2);
        app.ok(&l1, "/ticket close ticket:1 resolution:x root_cause:y")
            .await;
        app.now = start + Duration::hours(30);
        app.ok(&l1, "/ticket close ticket:2 resolution:x root_cause:y")
            .await;
        let stats = app.ok(&app.admin(), "/stats days:7").await;
        let Reply::Stats { figures, .. } = stats.reply else {
            panic!()
        };
        let a = figures
            .sla
            .iter()
            .find(|a| a.priority == tierdesk::domain::Priority::High)
            .unwrap();
        assert_eq!((a.acked_in_time, a.acked), (2, 3));
        assert_eq!((a.resolved_in_time, a.resolved), (1, 2));
        let text = tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En)
            .reply(&Reply::Stats {
                days: 7,
                level: None,
                figures,
            });
        assert!(
            text.contains(
                "SLA level 1 · high: acknowledged in time 67% (of 3) · resolved in time 50% (of 2)"
            ),
            "{text}"
        );
    })
    .await;
}

#[tokio::test]
async fn out_of_hours_the_thread_and_page_edits_do_not_wait_for_the_opening_ping() {
    each_backend(|| async {
        // Friday 20:00 in Madrid: the desk opens on Monday at 08:00.
        let mut app = app_at("2026-11-06T19:00:00Z").await;
        let (fake, base) = FakeDiscord::start().await;
        let d = deliverer(app.service.clone(), base);
        app.ok(&app.requester(), "/ticket open title:\"Printer\"")
            .await;
        app.ok(&app.agent(1), "/ticket ack ticket:1").await;
        app.ok(
            &app.agent(1),
            "/ticket close ticket:1 resolution:\"new toner\"",
        )
        .await;
        app.advance(Duration::seconds(5));
        d.deliver_due(app.now).await.unwrap();
        let page = &fake.messages_in(QUEUE_L1)[0];
        let status = page["embeds"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "Status")
            .unwrap()["value"]
            .clone();
        assert_eq!(status, "closed", "the page was edited on Friday");
        let thread = page["id"].as_str().unwrap().to_owned();
        let posts: Vec<String> = fake
            .messages_in(&thread)
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            posts.iter().any(|p| p.contains("new toner")),
            "the closure reached the thread on Friday: {posts:#?}"
        );
        let closure = fake.messages_in(&thread).pop().unwrap();
        assert_eq!(
            closure["components"][0]["components"][0]["custom_id"], "td:rate:1:1",
            "the rating buttons arrive with it"
        );
        // Only the opening ping waits for Monday (and then finds nothing to wake).
        assert_eq!(app.service.outbox_counts().await.unwrap(), (1, 0));
    })
    .await;
}

#[tokio::test]
async fn a_message_held_for_days_gets_a_day_of_retries_from_its_first_attempt() {
    each_backend(|| async {
        // Friday 20:00 in Madrid: the opening ping waits for Monday 08:00.
        let mut app = app_at("2026-11-06T19:00:00Z").await;
        let (fake, base) = FakeDiscord::start().await;
        let d = deliverer(app.service.clone(), base);
        app.ok(&app.requester(), "/ticket open title:\"Laptop\"")
            .await;
        d.deliver_due(app.now).await.unwrap();
        // Monday at opening, Discord fails once: queued 2½ days ago, tried once — retried.
        app.now = utc("2026-11-09T07:00:00Z");
        fake.fail("create_message", Fault::Status(500), 1);
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            app.service.outbox_counts().await.unwrap(),
            (1, 0),
            "waiting for its retry, not set aside"
        );
        app.now += Duration::seconds(2);
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(app.service.outbox_counts().await.unwrap(), (0, 0));
        let ping = fake.messages_in(QUEUE_L1).pop().unwrap();
        assert!(
            ping["content"]
                .as_str()
                .unwrap()
                .contains("the desk is open"),
            "{ping}"
        );
    })
    .await;
}
