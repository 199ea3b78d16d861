//! Key figures and the backlog summary on a hand-built timeline with known answers.

mod common;

use chrono::Duration;
use common::*;
use tierdesk::domain::figures::Spread;
use tierdesk::domain::{Level, Priority};
use tierdesk::service::{build_report, Reply};

/// Builds the timeline; returns "now", two days after t0.
async fn build(app: &mut TestApp) -> chrono::DateTime<chrono::Utc> {
    let (req, l1, l2) = (app.requester(), app.agent(1), app.agent(2));
    let t0 = t0();
    let at = |app: &mut TestApp, d: Duration| app.now = t0 + d;

    // #1, outside the window: opened ten days before, closed at level 1 inside it.
    at(app, Duration::days(-10));
    app.ok(&req, "/ticket open title:old").await;
    // #2 normal: acknowledged after 10m, closed at level 1 after 1h.
    at(app, Duration::zero());
    app.ok(&req, "/ticket open title:T2").await;
    // #3 high: level 1 acks after 20m, escalates at 30m; level 2 acks 5m later, closes at 2h.
    app.ok(&req, "/ticket open title:T3 priority:high").await;
    // #4 normal: level 1 acks after 30m, escalates at 40m; level 2 acks after 15m, escalates
    // to level 3 at 1h, where it stays open.
    app.ok(&req, "/ticket open title:T4").await;
    at(app, Duration::minutes(10));
    app.ok(&l1, "/ticket ack ticket:2").await;
    at(app, Duration::minutes(20));
    app.ok(&l1, "/ticket ack ticket:3").await;
    at(app, Duration::minutes(30));
    app.ok(&l1, "/ticket ack ticket:4").await;
    app.ok(
        &l1,
        "/ticket escalate ticket:3 reason:r attempts:a impact:i",
    )
    .await;
    at(app, Duration::minutes(35));
    app.ok(&l2, "/ticket ack ticket:3").await;
    at(app, Duration::minutes(40));
    app.ok(
        &l1,
        "/ticket escalate ticket:4 reason:r attempts:a impact:i",
    )
    .await;
    at(app, Duration::minutes(55));
    app.ok(&l2, "/ticket ack ticket:4").await;
    at(app, Duration::hours(1));
    app.ok(&l1, "/ticket close ticket:2 resolution:fixed").await;
    app.ok(
        &l2,
        "/ticket escalate ticket:4 reason:r attempts:a impact:i error:e",
    )
    .await;
    // #5 low, opened at 1h, never acknowledged: past its 4h deadline by "now".
    app.ok(&req, "/ticket open title:T5 priority:low").await;
    at(app, Duration::hours(2));
    app.ok(&l2, "/ticket close ticket:3 resolution:fixed root_cause:rc")
        .await;
    at(app, Duration::hours(3));
    app.ok(&l1, "/ticket close ticket:1 resolution:stale").await;
    t0 + Duration::days(2)
}

#[tokio::test]
async fn key_figures_match_the_hand_computed_answers() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        let now = build(&mut app).await;
        let f = app
            .service
            .key_figures(now - Duration::days(7), now)
            .await
            .unwrap();

        let l1 = &f.levels[&Level::SERVICE_DESK];
        assert_eq!(
            (l1.reached, l1.resolved_here, l1.escalated),
            (4, 1, 2),
            "#1 arrived before the window"
        );
        assert_eq!(l1.resolution_rate(), Some(0.25));
        assert_eq!(l1.escalation_rate(), Some(0.5));
        assert_eq!(
            l1.response,
            Spread {
                count: 3,
                median: Some(1200),
                p90: Some(1800)
            }
        );
        assert_eq!(l1.backlog, 1);
        assert_eq!(
            l1.backlog_age.median,
            Some((Duration::days(2) - Duration::hours(1)).num_seconds())
        );

        let l2 = &f.levels[&Level::TECHNICAL];
        assert_eq!((l2.reached, l2.resolved_here, l2.escalated), (2, 1, 1));
        assert_eq!(
            l2.response,
            Spread {
                count: 2,
                median: Some(300),
                p90: Some(900)
            }
        );
        assert_eq!(l2.backlog, 0);

        let l3 = &f.levels[&Level::EXPERTS];
        assert_eq!(
            (l3.reached, l3.resolved_here, l3.escalated, l3.backlog),
            (1, 0, 0, 1)
        );
        assert_eq!(l3.backlog_age.median, Some(Duration::days(2).num_seconds()));

        let ten_days_3h = (Duration::days(10) + Duration::hours(3)).num_seconds();
        assert_eq!(
            f.resolution_time,
            Spread {
                count: 3,
                median: Some(7200),
                p90: Some(ten_days_3h)
            }
        );
        assert_eq!(
            f.resolution_time_by_priority[&Priority::Normal],
            Spread {
                count: 2,
                median: Some(3600),
                p90: Some(ten_days_3h)
            }
        );
        assert_eq!(
            f.resolution_time_by_priority[&Priority::High].median,
            Some(7200)
        );
        assert_eq!(f.satisfaction.ratings, 0);
    })
    .await;
}

#[tokio::test]
async fn summary_shows_backlog_changes_overdue_and_activity() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        let now = build(&mut app).await;
        app.now = now;
        let guild = app.service.config.discord.guild_id;
        let report = build_report(&app.service, guild, now).await.unwrap();
        assert_eq!(report.open_total, 2);
        assert!(
            report.open.iter().all(|c| c.change.is_none()),
            "first summary has no change column"
        );
        assert_eq!(
            report.overdue_count, 2,
            "#4 at level 3 (1h for normal) and #5 (4h for low)"
        );
        assert_eq!(
            report.oldest.iter().map(|l| l.number.0).collect::<Vec<_>>(),
            [4, 5]
        );
        assert_eq!(
            report.last_24h.opened, 0,
            "nothing happened in the last day"
        );

        // /summary remembers the counts; the next summary shows the change.
        app.ok(&app.admin(), "/summary").await;
        app.ok(&app.agent(3), "/ticket close ticket:4 resolution:done")
            .await;
        app.ok(&app.requester(), "/ticket open title:new priority:critical")
            .await;
        let next = build_report(&app.service, guild, now).await.unwrap();
        let cell = |l: u8, p: Priority| {
            next.open
                .iter()
                .find(|c| c.level.get() == l && c.priority == p)
                .map(|c| (c.count, c.change))
        };
        assert_eq!(cell(3, Priority::Normal), Some((0, Some(-1))));
        assert_eq!(cell(1, Priority::Critical), Some((1, Some(1))));
        assert_eq!(cell(1, Priority::Low), Some((1, Some(0))));
        assert_eq!((next.last_24h.opened, next.last_24h.closed), (1, 1));
        let text = tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En)
            .summary(&next);
        assert!(
            text.contains("level 1 (Service desk) · critical: 1 (+1)"),
            "{text}"
        );
        assert!(text.contains("resolved here 20%"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn satisfaction_and_stats_for_agents() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        let now = build(&mut app).await;
        app.now = now;
        let (req, l1) = (app.requester(), app.agent(1));
        // #2 and #3 were closed; #1 too. Ratings 5, 2 and 4: two of three are 4 or 5.
        for (ticket, score) in [(1, 5), (2, 2), (3, 4)] {
            app.ok(&req, &format!("/ticket rate ticket:{ticket} score:{score}"))
                .await;
        }
        let Reply::Stats {
            figures,
            days,
            level,
        } = app.ok(&l1, "/stats days:3 level:2").await.reply
        else {
            panic!()
        };
        assert_eq!((days, level), (3, Some(Level::TECHNICAL)));
        assert_eq!(
            figures.levels.keys().copied().collect::<Vec<_>>(),
            [Level::TECHNICAL]
        );
        assert_eq!(figures.satisfaction.ratings, 3);
        assert_eq!(figures.satisfaction.satisfied, 2);
        let text = tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En)
            .reply(&app.ok(&l1, "/stats").await.reply);
        assert!(
            text.contains("satisfaction: 67% rated 4–5 (3 rating(s))"),
            "{text}"
        );
        assert!(app
            .refused(&req, "/stats")
            .await
            .contains("Only support agents"));
        assert!(app
            .refused(&l1, "/stats days:0")
            .await
            .contains("from 1 to 90"));
    })
    .await;
}
