//! Paging you can trust when Discord misbehaves (SPEC §4, "Isolation"): the delivery worker
//! against a fake Discord that fails the way Discord does — a thread that fails once, a
//! channel that refuses for good, a request never answered, a crash between Discord's act and
//! our commit, nonces forgotten — and the pages that must show the truth everywhere.

mod common;
#[path = "support/fake_discord.rs"]
mod fake_discord;
#[path = "support/openapi.rs"]
mod openapi;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use common::*;
use fake_discord::{FakeDiscord, Fault};
use serde_json::{json, Value};
use serenity::all::HttpBuilder;
use tierdesk::discord::delivery::Deliverer;

const QUEUE_L1: &str = "1100000000000000121";
const QUEUE_L2: &str = "1100000000000000122";
const SUMMARY: &str = "1100000000000000010";
const ADMIN: &str = "1100000000000000003";
/// Requests in these tests give up after this long.
const TIMEOUT: StdDuration = StdDuration::from_secs(2);

async fn setup() -> (TestApp, FakeDiscord, Deliverer) {
    let app = spawn_app().await;
    let (fake, base) = FakeDiscord::start().await;
    let http = HttpBuilder::new("test-token")
        .proxy(base)
        .ratelimiter_disabled(true)
        .build();
    let deliverer = Deliverer::new(app.service.clone(), Arc::new(http), TIMEOUT);
    (app, fake, deliverer)
}

/// The texts posted in `channel`, oldest first.
fn contents(fake: &FakeDiscord, channel: &str) -> Vec<String> {
    fake.messages_in(channel)
        .iter()
        .map(|m| m["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn page_id(fake: &FakeDiscord, channel: &str, n: usize) -> String {
    fake.messages_in(channel)[n]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn counts(app: &TestApp) -> (i64, i64) {
    app.service.outbox_counts().await.unwrap()
}

fn field(embed: &Value, name: &str) -> Option<String> {
    embed["fields"]
        .as_array()?
        .iter()
        .find(|f| f["name"] == name)
        .map(|f| f["value"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn thread_creation_failing_once_loses_no_thread_post() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        let req = app.requester();
        app.ok(&req, "/ticket open title:\"Printer jam\"").await;
        app.ok(&req, "/ticket note ticket:1 text:\"tray 2 as well\"")
            .await;
        app.ok(
            &app.agent(1),
            "/ticket close ticket:1 resolution:\"cleared the tray\"",
        )
        .await;
        fake.fail("create_thread", Fault::Status(500), 1);

        let first = d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            first.delivered, 2,
            "the page and its edit (the closure), which need no thread: {first:?}"
        );
        assert_eq!(
            counts(&app).await.0,
            4,
            "the thread and its three posts: nothing behind the thread was dropped"
        );
        // Before its retry is due, the posts wait instead of being written off.
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(counts(&app).await.0, 4);

        app.advance(Duration::seconds(1));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(counts(&app).await, (0, 0));
        let thread = page_id(&fake, QUEUE_L1, 0);
        let posts = contents(&fake, &thread);
        assert_eq!(posts.len(), 3, "opened, the note, the closure: {posts:#?}");
        // Discord shows each message's time: no stamp of our own, and never a UTC one.
        for post in &posts {
            assert!(post.starts_with("<@"), "starts with who did it: {post}");
            assert!(!post.contains("UTC") && !post.contains("2026-"), "{post}");
        }
        assert!(posts[0].contains("opened"));
        assert!(posts[1].contains("tray 2 as well"));
        assert!(posts[2].contains("cleared the tray"));
        let closure = fake.messages_in(&thread)[2].clone();
        assert_eq!(
            closure["components"][0]["components"][4]["custom_id"],
            "td:rate:1:5"
        );
    })
    .await;
}

#[tokio::test]
async fn a_channel_refusing_for_good_stalls_nothing_else() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        fake.fail_channel(QUEUE_L1, Fault::Forbidden);
        // 30 tickets wait on level 1's channel, with notes: well over one batch of rows.
        for i in 0..30 {
            app.ok(
                &app.requester(),
                &format!("/ticket open title:\"stuck {i}\""),
            )
            .await;
            let n = i + 1;
            for note in 0..3 {
                app.ok(
                    &app.requester(),
                    &format!("/ticket note ticket:{n} text:\"more {note}\""),
                )
                .await;
            }
        }
        assert!(counts(&app).await.0 > 100);
        app.ok(&app.agent(2), "/ticket open title:\"L2 work\" level:2")
            .await;
        app.ok(&app.admin(), "/summary").await;

        let report = d.deliver_due(app.now).await.unwrap();
        assert_eq!(pages_of(&fake, QUEUE_L2), 1, "level 2 is paged: {report:?}");
        assert!(
            !fake.messages_in(SUMMARY).is_empty(),
            "the summary went out"
        );
        // Only the 30 pages were tried in level 1's channel, not their dependants.
        let tried = fake
            .of("create_message")
            .iter()
            .filter(|r| r.path.contains(QUEUE_L1))
            .count();
        assert_eq!(tried, 30);
        // Nothing is retried before its backoff: an idle pass sends nothing at all.
        let before = fake.requests().len();
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            fake.requests().len(),
            before,
            "no spinning on the failing channel"
        );

        // A day of refusals later, each page is set aside and the admins are told.
        for _ in 0..30 {
            app.advance(Duration::hours(1));
            d.deliver_due(app.now).await.unwrap();
            if counts(&app).await.0 == 0 {
                break;
            }
        }
        let (pending, failed) = counts(&app).await;
        assert_eq!((pending, failed), (0, 30), "set aside, counted");
        let notices: Vec<Value> = fake
            .of("create_message")
            .into_iter()
            .filter(|r| {
                r.path.contains(SUMMARY)
                    && r.body["content"].as_str().unwrap().contains("set aside")
            })
            .map(|r| r.body)
            .collect();
        assert_eq!(
            notices.len(),
            30,
            "one notice per message set aside, sent once"
        );
        assert_eq!(notices[0]["allowed_mentions"]["roles"], json!([ADMIN]));
        assert!(notices[0]["content"]
            .as_str()
            .unwrap()
            .contains("Missing Permissions"));
    })
    .await;
}

fn pages_of(fake: &FakeDiscord, channel: &str) -> usize {
    fake.messages_in(channel)
        .iter()
        .filter(|m| !m["embeds"].as_array().is_none_or(|e| e.is_empty()))
        .count()
}

#[tokio::test]
async fn a_request_never_answered_delays_only_its_own_ticket() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        fake.fail_channel(QUEUE_L1, Fault::Hang);
        app.ok(&app.requester(), "/ticket open title:\"hangs\"")
            .await;
        app.ok(&app.agent(2), "/ticket open title:\"flows\" level:2")
            .await;
        let report = d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            report.failed, 1,
            "the unanswered request timed out: {report:?}"
        );
        assert_eq!(pages_of(&fake, QUEUE_L2), 1);
        let hung = fake
            .of("create_message")
            .into_iter()
            .find(|r| r.path.contains(QUEUE_L1))
            .unwrap();
        let flowed = fake
            .of("create_message")
            .into_iter()
            .find(|r| r.path.contains(QUEUE_L2))
            .unwrap();
        assert!(
            flowed.at < hung.at + TIMEOUT,
            "level 2's page did not wait for level 1's request to time out"
        );
        // The timed-out page is retried, and lands once Discord answers again.
        fake.heal_channel(QUEUE_L1);
        let mut app = app;
        app.advance(Duration::seconds(2));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(pages_of(&fake, QUEUE_L1), 1);
        assert_eq!(counts(&app).await, (0, 0));
    })
    .await;
}

#[tokio::test]
async fn a_crash_between_thread_creation_and_commit_adopts_the_thread() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:\"VPN\"").await;
        d.deliver_due(app.now).await.unwrap();
        // As if the bot died after Discord created the thread and before the commit.
        sqlx::query(
            "UPDATE outbox SET delivered_at = NULL WHERE kind IN ('thread_open', 'thread_post')",
        )
        .execute(&app.db)
        .await
        .unwrap();
        sqlx::query("UPDATE tickets SET thread_id = NULL")
            .execute(&app.db)
            .await
            .unwrap();
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            fake.of("create_thread").len(),
            2,
            "tried again, refused with 160004"
        );
        assert_eq!(counts(&app).await, (0, 0), "not retried forever");
        let thread = page_id(&fake, QUEUE_L1, 0);
        let stored: Option<i64> = sqlx::query_scalar("SELECT thread_id FROM tickets")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(stored.map(|t| t.to_string()), Some(thread.clone()));
        app.ok(
            &app.agent(1),
            "/ticket note ticket:1 text:\"after the crash\" internal:false",
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        assert!(contents(&fake, &thread)
            .iter()
            .any(|c| c.contains("after the crash")));
    })
    .await;
}

#[tokio::test]
async fn a_page_that_landed_unseen_is_not_posted_again_after_the_nonce_window() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        // Discord forgets nonces at once here: only looking first can prevent a second page.
        fake.set_nonce_window(StdDuration::ZERO);
        fake.fail("create_message", Fault::LandThenDrop, 1);
        app.ok(&app.requester(), "/ticket open title:\"landed\"")
            .await;
        let first = d.deliver_due(app.now).await.unwrap();
        assert_eq!(first.failed, 1);
        assert_eq!(
            pages_of(&fake, QUEUE_L1),
            1,
            "Discord has it, we do not know"
        );
        app.advance(Duration::minutes(10));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(pages_of(&fake, QUEUE_L1), 1, "found, not posted again");
        assert_eq!(fake.of("list_messages").len(), 1);
        assert_eq!(counts(&app).await, (0, 0));
        // The thread hangs off the page that was found.
        let page = page_id(&fake, QUEUE_L1, 0);
        assert!(fake.of("create_thread")[0].path.contains(&page));
    })
    .await;
}

#[tokio::test]
async fn a_multi_part_message_resumes_after_the_parts_discord_has() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        fake.set_nonce_window(StdDuration::ZERO);
        app.ok(&app.requester(), "/ticket open title:\"long\"")
            .await;
        d.deliver_due(app.now).await.unwrap();
        let thread = page_id(&fake, QUEUE_L1, 0);
        let before = fake.messages_in(&thread).len();
        let long = "word ".repeat(600);
        app.ok(
            &app.requester(),
            &format!("/ticket note ticket:1 text:\"{}\"", long.trim()),
        )
        .await;
        // The first part lands; the second fails.
        let parts_before = fake.of("create_message").len();
        fake.fail("create_message", Fault::Pass, 1);
        fake.fail("create_message", Fault::Status(500), 1);
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(fake.of("create_message").len(), parts_before + 2);
        app.advance(Duration::seconds(5));
        d.deliver_due(app.now).await.unwrap();
        let posted = fake.messages_in(&thread).len() - before;
        assert_eq!(posted, 2, "each part once, though nonces are forgotten");
        assert_eq!(counts(&app).await, (0, 0));
    })
    .await;
}

#[tokio::test]
async fn an_unreadable_row_is_set_aside_and_blocks_nothing() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        sqlx::query(
            "INSERT INTO outbox (guild_id, ticket_id, kind, payload, created_at, next_attempt_at) \
             VALUES (1100000000000000002, NULL, 'page', '{not json', 0, 0)",
        )
        .execute(&app.db)
        .await
        .unwrap();
        app.ok(&app.requester(), "/ticket open title:\"after it\"")
            .await;
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(pages_of(&fake, QUEUE_L1), 1);
        assert_eq!(counts(&app).await, (0, 1));
        let told = contents(&fake, SUMMARY);
        assert!(told.iter().any(|c| c.contains("unreadable")), "{told:#?}");
    })
    .await;
}

#[tokio::test]
async fn delivered_rows_are_pruned_after_the_retention_but_open_pages_stay() {
    each_backend(|| async {
        let (mut app, _fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:\"kept\"")
            .await;
        app.ok(&app.requester(), "/ticket open title:\"closed\"")
            .await;
        app.ok(&app.agent(1), "/ticket close ticket:2 resolution:done")
            .await;
        d.deliver_due(app.now).await.unwrap();
        assert!(outbox_rows(&app).await.len() > 4);
        assert_eq!(
            app.service.prune_outbox(app.now).await.unwrap(),
            0,
            "too young"
        );
        app.advance(Duration::days(8));
        let pruned = app.service.prune_outbox(app.now).await.unwrap();
        assert!(pruned > 0);
        assert_eq!(
            outbox_rows(&app).await,
            [("page".to_owned(), Some(1)), ("page".to_owned(), Some(2))],
            "every page stays for edits, the closed ticket's too (it may be reopened)"
        );
    })
    .await;
}

#[tokio::test]
async fn a_ticket_reopened_long_after_closure_has_its_old_page_edited() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:\"Old laptop\"")
            .await;
        app.ok(&app.agent(1), "/ticket close ticket:1 resolution:done")
            .await;
        d.deliver_due(app.now).await.unwrap();
        app.advance(Duration::days(30));
        app.service.prune_outbox(app.now).await.unwrap();
        app.ok(
            &app.requester(),
            "/ticket reopen ticket:1 reason:\"it broke again\"",
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        let first_page = &fake.messages_in(QUEUE_L1)[0];
        let status = field(&first_page["embeds"][0], "Status").unwrap();
        assert_ne!(status, "closed", "the old page says it is open again");
        assert_eq!(counts(&app).await, (0, 0));
    })
    .await;
}

#[tokio::test]
async fn every_page_a_ticket_had_shows_where_it_is_now() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        app.ok(
            &app.requester(),
            "/ticket open title:\"DNS\" priority:critical",
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        app.ok(
            &app.agent(1),
            "/ticket escalate ticket:1 reason:\"zone broken\" attempts:\"flushed caches\" impact:\"all sites\"",
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        let l1_page = fake.messages_in(QUEUE_L1)[0].clone();
        let l2_page = fake.messages_in(QUEUE_L2)[0].clone();
        // The level-1 page: the ticket moved on; its buttons are off, the thread link stays.
        let e1 = &l1_page["embeds"][0];
        assert_eq!(field(e1, "Status").as_deref(), Some("open"));
        assert_eq!(
            field(e1, "Now owned by").as_deref(),
            Some("2 (Technical support)")
        );
        assert_eq!(field(e1, "Priority").as_deref(), Some("critical"));
        assert!(
            field(e1, "Acknowledge").is_none(),
            "no deadline on a page that moved on"
        );
        let b1 = &l1_page["components"][0]["components"];
        assert_eq!(
            (b1[0]["disabled"].clone(), b1[1]["disabled"].clone()),
            (json!(true), json!(true))
        );
        assert!(b1[2]["url"]
            .as_str()
            .unwrap()
            .ends_with(&page_id(&fake, QUEUE_L1, 0)));
        // The level-2 page: live, critical red, with the escalation's reason and attempts.
        let e2 = &l2_page["embeds"][0];
        assert_eq!(e2["color"], 0xE03E3E);
        let description = e2["description"].as_str().unwrap();
        assert!(description.contains("zone broken") && description.contains("flushed caches"));
        assert!(field(e2, "Acknowledge").is_some());
        let b2 = &l2_page["components"][0]["components"];
        assert_ne!(b2[0]["disabled"], json!(true));
        assert!(
            b2[2]["url"].is_string(),
            "the thread link on the new page too"
        );

        app.ok(
            &app.agent(2),
            "/ticket close ticket:1 resolution:\"fixed the zone\" root_cause:\"bad serial\"",
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        for channel in [QUEUE_L1, QUEUE_L2] {
            let page = &fake.messages_in(channel)[0];
            assert_eq!(
                field(&page["embeds"][0], "Status").as_deref(),
                Some("closed"),
                "{channel}"
            );
            assert_eq!(
                page["components"][0]["components"][0]["disabled"],
                json!(true)
            );
        }
        let problems: Vec<String> = fake
            .requests()
            .iter()
            .flat_map(|r| openapi::check(r.route, &r.body))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    })
    .await;
}

async fn outbox_rows(app: &TestApp) -> Vec<(String, Option<i64>)> {
    sqlx::query_as("SELECT kind, ticket_id FROM outbox ORDER BY id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_page_refused_in_one_channel_holds_back_none_of_the_tickets_other_pages() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        fake.fail_channel(QUEUE_L1, Fault::Forbidden);
        app.ok(&app.requester(), "/ticket open title:\"Payroll export\"")
            .await;
        app.ok(
            &app.agent(1),
            "/ticket escalate ticket:1 reason:\"crashes\" attempts:\"reran it\" impact:\"payday\"",
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(fake.messages_in(QUEUE_L2).len(), 1, "level 2 is paged");
        app.ok(&app.agent(2), "/ticket ack ticket:1").await;
        d.deliver_due(app.now).await.unwrap();
        let page = &fake.messages_in(QUEUE_L2)[0];
        assert_eq!(
            field(&page["embeds"][0], "Status").unwrap(),
            "acknowledged",
            "level 2's page is edited although level 1's page still fails"
        );
    })
    .await;
}
