//! The daily summary: at the configured local time across daylight-saving changes, exactly
//! once per day, late after downtime but never twice; within Discord's limits.

mod common;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Madrid;
use common::*;
use tierdesk::i18n::Lang;
use tierdesk::render;
use tierdesk::service::{build_report, summary_slot};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

#[test]
fn slot_follows_the_local_clock_across_daylight_saving() {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    // Summer time (UTC+2) until 25 October 2026, winter time (UTC+1) after.
    assert_eq!(
        summary_slot(day(10, 24), nine, Madrid),
        utc(2026, 10, 24, 7, 0)
    );
    assert_eq!(
        summary_slot(day(10, 25), nine, Madrid),
        utc(2026, 10, 25, 8, 0)
    );
    assert_eq!(
        summary_slot(day(3, 28), nine, Madrid),
        utc(2026, 3, 28, 8, 0)
    );
    assert_eq!(
        summary_slot(day(3, 29), nine, Madrid),
        utc(2026, 3, 29, 7, 0)
    );
    // 02:30 does not exist on 29 March: the summary comes at the end of the gap, 03:00 CEST.
    let half_two = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
    assert_eq!(
        summary_slot(day(3, 29), half_two, Madrid),
        utc(2026, 3, 29, 1, 0)
    );
    // 02:30 happens twice on 25 October: the first one counts.
    assert_eq!(
        summary_slot(day(10, 25), half_two, Madrid),
        utc(2026, 10, 25, 0, 30)
    );
}

#[tokio::test]
async fn posted_once_a_day_on_both_sides_of_the_change() {
    each_backend(|| async {
        let app = spawn_app().await;
        let s = &app.service;
        assert!(s
            .post_daily_summary(utc(2026, 10, 24, 6, 59))
            .await
            .unwrap()
            .is_none());
        assert!(s
            .post_daily_summary(utc(2026, 10, 24, 7, 0))
            .await
            .unwrap()
            .is_some());
        assert!(s
            .post_daily_summary(utc(2026, 10, 24, 7, 30))
            .await
            .unwrap()
            .is_none());
        // A restart later that day posts nothing again.
        let restarted = app.restarted().await;
        assert!(restarted
            .post_daily_summary(utc(2026, 10, 24, 18, 0))
            .await
            .unwrap()
            .is_none());
        // After the change the slot is 08:00 UTC.
        assert!(s
            .post_daily_summary(utc(2026, 10, 25, 7, 30))
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            s.next_summary_at(utc(2026, 10, 25, 7, 30)),
            utc(2026, 10, 25, 8, 0)
        );
        assert!(s
            .post_daily_summary(utc(2026, 10, 25, 8, 0))
            .await
            .unwrap()
            .is_some());
        assert_eq!(
            s.next_summary_at(utc(2026, 10, 25, 8, 0)),
            utc(2026, 10, 26, 8, 0)
        );
        assert_eq!(app.outbox_of("summary").await, 2);
    })
    .await;
}

#[tokio::test]
async fn a_missed_slot_is_caught_up_once_and_concurrent_schedulers_post_once() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        let other = app.restarted().await;
        // The bot was down at 09:00 and starts at 15:00 local time.
        let late = utc(2026, 10, 27, 14, 0);
        let (a, b) = tokio::join!(
            app.service.post_daily_summary(late),
            other.post_daily_summary(late)
        );
        assert_eq!(
            usize::from(a.unwrap().is_some()) + usize::from(b.unwrap().is_some()),
            1
        );
        assert!(app
            .service
            .post_daily_summary(utc(2026, 10, 27, 23, 0))
            .await
            .unwrap()
            .is_none());
        assert_eq!(app.outbox_of("summary").await, 1);
        // /summary by an admin is an extra post and does not use up the daily one.
        app.now = utc(2026, 10, 28, 6, 0);
        app.ok(&app.admin(), "/summary").await;
        assert!(app
            .service
            .post_daily_summary(utc(2026, 10, 28, 8, 0))
            .await
            .unwrap()
            .is_some());
    })
    .await;
}

#[tokio::test]
async fn summary_fits_discord_whatever_the_backlog() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        let (req, l1, l2) = (app.requester(), app.agent(1), app.agent(2));
        for i in 0..40 {
            let title = format!("{i:03} {}", "Ñ".repeat(96));
            let priority = ["critical", "high", "normal", "low"][i % 4];
            app.ok(
                &req,
                &format!("/ticket open title:\"{title}\" priority:{priority}"),
            )
            .await;
            if i % 3 == 0 {
                app.ok(
                    &l1,
                    &format!(
                        "/ticket escalate ticket:{} reason:r attempts:a impact:i",
                        i + 1
                    ),
                )
                .await;
            }
            if i % 5 == 0 {
                app.ok(
                    &l2,
                    &format!(
                        "/ticket escalate ticket:{} reason:r attempts:a impact:i error:e",
                        i + 1
                    ),
                )
                .await;
            }
        }
        app.advance(chrono::Duration::days(1));
        let report = build_report(&app.service, app.service.config.discord.guild_id, app.now)
            .await
            .unwrap();
        let full = render::Text::new(&app.service.config, Lang::En).summary(&report);
        assert!(
            full.chars().count() > render::MESSAGE_LIMIT,
            "the test backlog is large enough"
        );
        let parts = render::Text::new(&app.service.config, Lang::En).summary_messages(&report);
        assert!(parts.len() > 1);
        assert!(parts
            .iter()
            .all(|p| p.chars().count() <= render::MESSAGE_LIMIT));
        assert_eq!(parts.concat(), full, "nothing is lost");
    })
    .await;
}
