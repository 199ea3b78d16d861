//! Acknowledgement deadlines with an injected clock: re-pages, auto-escalation, the admins
//! paged at level 3, exactly once across restarts and concurrent schedulers.

mod common;

use chrono::Duration;
use common::*;
use tierdesk::domain::{Level, Status, TicketNumber};
use tierdesk::scheduler;
use tierdesk::service::DeadlineAction;

const N1: TicketNumber = TicketNumber(1);

async fn due_at(app: &TestApp, minutes: i64) -> Vec<DeadlineAction> {
    app.service
        .run_due(t0() + Duration::minutes(minutes))
        .await
        .unwrap()
}

#[tokio::test]
async fn repages_then_escalates_up_to_the_admins() {
    each_backend(|| async {
        let app = spawn_app().await;
        app.ok(
            &app.requester(),
            "/ticket open title:\"Core switch down\" priority:high",
        )
        .await;
        // Level 1: high is 15m, re-page every 10m, 3 times, then escalate.
        assert_eq!(due_at(&app, 14).await, []);
        let repage = |count, level| DeadlineAction::Repaged {
            number: N1,
            level,
            count,
        };
        assert_eq!(due_at(&app, 15).await, [repage(1, Level::SERVICE_DESK)]);
        assert_eq!(due_at(&app, 15).await, [], "each action fires once");
        assert_eq!(due_at(&app, 24).await, []);
        assert_eq!(due_at(&app, 25).await, [repage(2, Level::SERVICE_DESK)]);
        assert_eq!(due_at(&app, 35).await, [repage(3, Level::SERVICE_DESK)]);
        assert_eq!(
            due_at(&app, 45).await,
            [DeadlineAction::Escalated {
                number: N1,
                from: Level::SERVICE_DESK,
                to: Level::TECHNICAL
            }]
        );
        let (t, _) = app.ticket(N1.0).await;
        assert_eq!(
            (t.level, t.status, t.repages),
            (Level::TECHNICAL, Status::Open, 0)
        );
        assert_eq!(
            t.ack_due_at,
            Some(t0() + Duration::minutes(45 + 30)),
            "level 2 high is 30m"
        );
        // Level 2: re-page every 15m, twice, then escalate to level 3.
        assert_eq!(due_at(&app, 75).await, [repage(1, Level::TECHNICAL)]);
        assert_eq!(due_at(&app, 90).await, [repage(2, Level::TECHNICAL)]);
        assert!(matches!(
            due_at(&app, 105).await[..],
            [DeadlineAction::Escalated {
                to: Level::EXPERTS,
                ..
            }]
        ));
        // Level 3: high is 1h, re-page every 30m twice, then the admins, never a vendor.
        assert_eq!(due_at(&app, 165).await, [repage(1, Level::EXPERTS)]);
        assert_eq!(due_at(&app, 195).await, [repage(2, Level::EXPERTS)]);
        assert_eq!(
            due_at(&app, 225).await,
            [DeadlineAction::AdminsPaged { number: N1 }]
        );
        assert_eq!(
            due_at(&app, 10_000).await,
            [],
            "nothing after the admins were paged"
        );

        assert_eq!(app.events_of("repaged").await, 7);
        assert_eq!(app.events_of("admins_paged").await, 1);
        assert_eq!(app.outbox_of("admin_page").await, 1);
        assert_eq!(app.outbox_of("repage").await, 7);
        // Pages: opened at level 1, then automatic escalations to levels 2 and 3.
        assert_eq!(app.outbox_of("page").await, 3);
        let Ok(tierdesk::service::Outcome {
            reply: tierdesk::service::Reply::Show { timeline, .. },
            ..
        }) = app.run(&app.agent(3), "/ticket show ticket:1").await
        else {
            panic!()
        };
        let automatic: Vec<_> = timeline
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    tierdesk::domain::EventKind::Escalated {
                        automatic: true,
                        ..
                    }
                )
            })
            .collect();
        assert_eq!(automatic.len(), 2);
        assert!(
            automatic.iter().all(|e| e.actor.is_none()),
            "the bot escalated, not a person"
        );
    })
    .await;
}

#[tokio::test]
async fn an_acknowledgement_stops_the_reminders() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        app.ok(&app.requester(), "/ticket open title:x priority:critical")
            .await;
        assert_eq!(due_at(&app, 5).await.len(), 1, "critical at level 1 is 5m");
        app.advance(Duration::minutes(6));
        app.ok(&app.agent(1), "/ticket ack ticket:1").await;
        assert_eq!(due_at(&app, 600).await, []);
        // Escalating by hand sets the new level's deadline, which fires in its turn.
        app.ok(
            &app.agent(1),
            "/ticket escalate ticket:1 reason:r attempts:a impact:i",
        )
        .await;
        assert_eq!(due_at(&app, 6 + 9).await, []);
        assert!(matches!(
            due_at(&app, 6 + 10).await[..],
            [DeadlineAction::Repaged {
                level: Level::TECHNICAL,
                ..
            }]
        ));
    })
    .await;
}

#[tokio::test]
async fn repage_mode_gives_up_after_the_last_repage() {
    each_backend(|| async {
        let text = EXAMPLE.replacen(
            "on_ack_timeout = \"escalate\"",
            "on_ack_timeout = \"repage\"",
            1,
        );
        let app = spawn_app_with(&text).await;
        app.ok(&app.requester(), "/ticket open title:x priority:high")
            .await;
        for m in [15, 25, 35] {
            assert_eq!(due_at(&app, m).await.len(), 1);
        }
        assert_eq!(
            due_at(&app, 45).await,
            [DeadlineAction::GaveUp {
                number: N1,
                level: Level::SERVICE_DESK
            }]
        );
        assert_eq!(due_at(&app, 1000).await, []);
        assert_eq!(app.events_of("escalated").await, 0);
    })
    .await;
}

#[tokio::test]
async fn exactly_once_across_restarts_and_concurrent_schedulers() {
    each_backend(|| async {
        let app = spawn_app().await;
        for i in 0..60 {
            app.ok(
                &app.requester(),
                &format!("/ticket open title:\"t{i}\" priority:high"),
            )
            .await;
        }
        let other = app.restarted().await;
        let now = t0() + Duration::minutes(15);
        let (a, b) = tokio::join!(app.service.run_due(now), other.run_due(now));
        assert_eq!(a.unwrap().len() + b.unwrap().len(), 60);
        assert_eq!(app.events_of("repaged").await, 60);
        // A restart at the same moment fires nothing again.
        let again = app.restarted().await;
        assert_eq!(again.run_due(now).await.unwrap(), []);
        assert_eq!(app.outbox_of("repage").await, 60);
    })
    .await;
}

#[tokio::test]
async fn the_loop_wakes_for_new_deadlines_and_stops_on_shutdown() {
    each_backend(|| async {
        let app = spawn_app().await;
        app.ok(
            &app.requester(),
            "/ticket open title:first priority:critical",
        )
        .await;
        let clock_now = t0() + Duration::minutes(5);
        let clock: scheduler::Clock = std::sync::Arc::new(move || clock_now);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (passes_tx, mut passes) = tokio::sync::watch::channel(0u64);
        let task = tokio::spawn(scheduler::run(
            app.service.clone(),
            clock,
            stopped,
            passes_tx,
        ));

        let wait_pass = |passes: &mut tokio::sync::watch::Receiver<u64>, n: u64| {
            let mut passes = passes.clone();
            async move {
                tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    passes.wait_for(|p| *p >= n),
                )
                .await
                .expect("the scheduler made a pass")
                .unwrap();
            }
        };
        wait_pass(&mut passes, 1).await;
        assert_eq!(app.events_of("repaged").await, 1);

        // A new ticket whose deadline has already passed on the scheduler's clock: the change
        // wakes the loop, which would otherwise sleep until its next deadline.
        // Without that wake-up the loop would sleep ten minutes (the next re-page of the first
        // ticket) and this would time out.
        app.ok(
            &app.requester(),
            "/ticket open title:second priority:critical",
        )
        .await;
        let mut seen = *passes.borrow();
        while app.events_of("repaged").await < 2 {
            seen += 1;
            wait_pass(&mut passes, seen).await;
        }
        assert_eq!(app.events_of("repaged").await, 2);

        stop.send(true).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(10), task)
            .await
            .expect("the scheduler stopped")
            .unwrap();
    })
    .await;
}
