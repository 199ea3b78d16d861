//! The delivery worker against a fake Discord on loopback: pages, threads and edits in
//! order, exactly once through failures, rate limits and a crash before the commit.

mod common;
#[path = "support/fake_discord.rs"]
mod fake_discord;
#[path = "support/openapi.rs"]
mod openapi;

use std::sync::Arc;

use chrono::Duration;
use common::*;
use fake_discord::{FakeDiscord, Fault};
use serde_json::json;
use serenity::all::HttpBuilder;
use tierdesk::discord::delivery::{Deliverer, Report};

const QUEUE_L1: &str = "1100000000000000121";
const QUEUE_L2: &str = "1100000000000000122";

async fn setup() -> (TestApp, FakeDiscord, Deliverer) {
    let app = spawn_app().await;
    let (fake, base) = FakeDiscord::start().await;
    let http = HttpBuilder::new("test-token")
        .proxy(base)
        .ratelimiter_disabled(true)
        .build();
    let deliverer = Deliverer::new(
        app.service.clone(),
        Arc::new(http),
        std::time::Duration::from_secs(2),
    );
    (app, fake, deliverer)
}

/// Every body the worker sent matches Discord's OpenAPI schema.
fn conforms(fake: &FakeDiscord) {
    let problems: Vec<String> = fake
        .requests()
        .iter()
        .flat_map(|r| openapi::check(r.route, &r.body))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

async fn undelivered(app: &TestApp) -> i64 {
    app.service.outbox_counts().await.unwrap().0
}

#[tokio::test]
async fn page_thread_and_edit_arrive_in_order() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        app.ok(
            &app.requester(),
            "/ticket open title:\"VPN @everyone down\"",
        )
        .await;
        let report = d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            report,
            Report {
                delivered: 3,
                failed: 0,
            }
        );
        let routes: Vec<_> = fake.requests().iter().map(|r| r.route).collect();
        assert_eq!(
            routes,
            [
                "create_message",
                "create_thread",
                "edit_message",
                "create_message"
            ],
            "page, thread, the thread's link put on the page, the first post"
        );

        let page = &fake.of("create_message")[0];
        assert_eq!(page.path, format!("/channels/{QUEUE_L1}/messages"));
        assert_eq!(
            page.body["allowed_mentions"]["roles"],
            json!(["1100000000000000111"])
        );
        assert_eq!(page.body["nonce"], "1");
        assert_eq!(page.body["enforce_nonce"], true);
        let page_id = fake.messages_in(QUEUE_L1)[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            fake.of("create_thread")[0].path,
            format!("/channels/{QUEUE_L1}/messages/{page_id}/threads")
        );
        // The thread takes the page's id; the timeline goes there and pings nobody.
        let post = &fake.of("create_message")[1];
        assert_eq!(post.path, format!("/channels/{page_id}/messages"));
        assert_eq!(
            post.body["allowed_mentions"],
            json!({ "parse": [], "users": [], "roles": [] })
        );
        assert_eq!(undelivered(&app).await, 0);

        let link = &fake.of("edit_message")[0];
        assert_eq!(
            buttons(&link.body)[2]["url"],
            format!("https://discord.com/channels/1100000000000000002/{page_id}")
        );

        app.ok(&app.agent(1), "/ticket ack ticket:1").await;
        d.deliver_due(app.now).await.unwrap();
        let edit = &fake.of("edit_message")[1];
        assert_eq!(
            edit.path,
            format!("/channels/{QUEUE_L1}/messages/{page_id}")
        );
        assert_eq!(field(&edit.body, "Status"), "acknowledged");
        assert_eq!(field(&edit.body, "Priority"), "normal", "fields kept");
        assert_eq!(
            fake.messages_in(&page_id).len(),
            2,
            "opened + acknowledged in the thread"
        );

        // Closing puts the rating buttons on the closure message in the thread.
        app.ok(&app.agent(1), "/ticket close ticket:1 resolution:fixed")
            .await;
        d.deliver_due(app.now).await.unwrap();
        let closure = fake.of("create_message").last().cloned().unwrap();
        let ids: Vec<_> = closure.body["components"][0]["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["custom_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            ids,
            [
                "td:rate:1:1",
                "td:rate:1:2",
                "td:rate:1:3",
                "td:rate:1:4",
                "td:rate:1:5"
            ]
        );
        let last_edit = fake.of("edit_message").last().cloned().unwrap();
        let closed = buttons(&last_edit.body);
        assert_eq!(
            (closed[0]["disabled"].clone(), closed[1]["disabled"].clone()),
            (json!(true), json!(true)),
            "a closed ticket's page keeps no live buttons"
        );
        assert!(closed[2]["url"].is_string(), "the thread link stays");
        conforms(&fake);
    })
    .await;
}

/// The buttons of a message body.
fn buttons(body: &serde_json::Value) -> Vec<serde_json::Value> {
    body["components"][0]["components"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The value of the embed field called `name`.
fn field(body: &serde_json::Value, name: &str) -> String {
    body["embeds"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .map(|f| f["value"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no field {name} in {body}"))
}

#[tokio::test]
async fn delivered_once_through_server_errors_with_growing_waits() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:x").await;
        fake.fail("create_message", Fault::Status(500), 3);
        let r = d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            (r.delivered, r.failed),
            (0, 1),
            "the thread waits for its page"
        );
        // Retried after 1 s, then 2 s, then 4 s: nothing happens before each is due.
        for wait in [1, 2, 4] {
            let before = fake.requests().len();
            app.advance(Duration::milliseconds(wait * 1000 - 1));
            assert_eq!(d.deliver_due(app.now).await.unwrap().delivered, 0);
            assert_eq!(fake.requests().len(), before, "not retried early");
            app.advance(Duration::milliseconds(1));
            d.deliver_due(app.now).await.unwrap();
        }
        assert_eq!(undelivered(&app).await, 0);
        assert_eq!(
            fake.of("create_message").len(),
            4 + 1,
            "4 tries of the page, 1 thread post"
        );
        assert_eq!(fake.messages_in(QUEUE_L1).len(), 1, "one page exists");
    })
    .await;
}

#[tokio::test]
async fn a_rate_limit_waits_at_least_a_second() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:x").await;
        fake.fail(
            "create_message",
            Fault::RateLimited { retry_after: 0.25 },
            1,
        );
        assert_eq!(d.deliver_due(app.now).await.unwrap().failed, 1);
        app.advance(Duration::milliseconds(900));
        let before = fake.requests().len();
        assert_eq!(d.deliver_due(app.now).await.unwrap().delivered, 0);
        assert_eq!(
            fake.requests().len(),
            before,
            "nothing sent before the second is up"
        );
        app.advance(Duration::milliseconds(100));
        assert_eq!(d.deliver_due(app.now).await.unwrap().delivered, 3);
        assert_eq!(fake.messages_in(QUEUE_L1).len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_crash_before_the_commit_does_not_post_twice() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:x").await;
        d.deliver_due(app.now).await.unwrap();
        // As if the bot died after Discord created the messages and before it recorded that.
        sqlx::query("UPDATE outbox SET delivered_at = NULL, discord_message_id = NULL")
            .execute(&app.db)
            .await
            .unwrap();
        sqlx::query("UPDATE tickets SET thread_id = NULL")
            .execute(&app.db)
            .await
            .unwrap();
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(fake.of("create_message").len(), 4, "sent again…");
        assert_eq!(
            fake.messages_in(QUEUE_L1).len(),
            1,
            "…but Discord kept one page (nonce)"
        );
        assert_eq!(undelivered(&app).await, 0);
    })
    .await;
}

#[tokio::test]
async fn the_summary_is_split_and_pings_nobody() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        for i in 0..30 {
            app.ok(
                &app.requester(),
                &format!(
                    "/ticket open title:\"{i:02} {}\" priority:critical",
                    "w".repeat(95)
                ),
            )
            .await;
        }
        d.deliver_due(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        app.ok(&app.admin(), "/summary").await;
        d.deliver_due(app.now).await.unwrap();
        let parts = fake.messages_in("1100000000000000010");
        assert!(!parts.is_empty());
        for p in fake
            .of("create_message")
            .iter()
            .filter(|r| r.path.contains("1100000000000000010"))
        {
            assert!(p.body["content"].as_str().unwrap().chars().count() <= 2000);
            assert_eq!(p.body["allowed_mentions"]["parse"], json!([]));
        }
        conforms(&fake);
    })
    .await;
}

#[tokio::test]
async fn a_4000_character_note_reaches_the_thread_whole() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:x").await;
        d.deliver_due(app.now).await.unwrap();
        let note = "é".repeat(3990) + " end";
        app.ok(
            &app.requester(),
            &format!("/ticket note ticket:1 text:\"{note}\""),
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        let thread = fake.of("create_thread")[0]
            .path
            .split('/')
            .nth(4)
            .unwrap()
            .to_owned();
        let posts: Vec<String> = fake
            .of("create_message")
            .iter()
            .filter(|r| r.path == format!("/channels/{thread}/messages"))
            .skip(1)
            .map(|r| r.body["content"].as_str().unwrap().to_owned())
            .collect();
        assert!(posts.len() >= 3, "{}", posts.len());
        assert!(posts.iter().all(|p| p.chars().count() <= 2000));
        assert!(posts.concat().contains(&note), "nothing cut");
        conforms(&fake);
    })
    .await;
}

#[tokio::test]
async fn slow_answers_and_dropped_connections_are_retried() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:x").await;
        fake.fail("create_message", Fault::Delay(300), 1);
        assert_eq!(
            d.deliver_due(app.now).await.unwrap().delivered,
            3,
            "slow is not failed"
        );
        app.ok(&app.agent(1), "/ticket ack ticket:1").await;
        fake.fail("edit_message", Fault::Drop, 1);
        let r = d.deliver_due(app.now).await.unwrap();
        assert_eq!(r.failed, 1, "{r:?}");
        app.advance(Duration::seconds(1));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(undelivered(&app).await, 0);
        assert_eq!(
            fake.of("edit_message").len(),
            3,
            "the thread link, then the acknowledgement twice"
        );
    })
    .await;
}

const SUMMARY_CHANNEL: &str = "1100000000000000010";

#[tokio::test]
async fn the_summary_carries_its_chart_as_a_png_upload() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        app.ok(&app.requester(), "/ticket open title:\"VPN down\"")
            .await;
        d.deliver_due(app.now).await.unwrap();
        app.ok(&app.admin(), "/summary").await;
        d.deliver_due(app.now).await.unwrap();

        let uploads = fake.uploads();
        assert_eq!(uploads.len(), 1, "one chart");
        let chart = &uploads[0];
        assert_eq!(chart.channel, SUMMARY_CHANNEL);
        assert_eq!(chart.filename, "backlog.png");
        assert!(chart.bytes.len() <= fake_discord::UPLOAD_LIMIT);
        let reader = png::Decoder::new(std::io::Cursor::new(&chart.bytes))
            .read_info()
            .unwrap();
        assert_eq!(
            (reader.info().width, reader.info().height),
            tierdesk::render::chart::PNG_SIZE
        );
        // On the summary's last message, which still pings nobody.
        let posted = fake.messages_in(SUMMARY_CHANNEL);
        let last = posted.last().unwrap();
        assert_eq!(last["id"].as_str(), Some(chart.message_id.as_str()));
        assert_eq!(last["attachments"][0]["filename"], "backlog.png");
        let request = fake.of("create_message").into_iter().last().unwrap();
        assert_eq!(request.body["allowed_mentions"]["parse"], json!([]));
        assert!(request.body["content"]
            .as_str()
            .unwrap()
            .contains("Backlog summary"));
        conforms(&fake);

        // Delivered once: nothing more goes out on the next pass.
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(fake.uploads().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_fake_refuses_uploads_as_discord_does() {
    each_backend(|| async {
        use serenity::all::{ChannelId, CreateAttachment, CreateMessage};
        let (_fake, base) = FakeDiscord::start().await;
        let http = HttpBuilder::new("test-token")
            .proxy(base)
            .ratelimiter_disabled(true)
            .build();
        let channel = ChannelId::new(SUMMARY_CHANNEL.parse().unwrap());
        let big = CreateAttachment::bytes(vec![0u8; fake_discord::UPLOAD_LIMIT + 1], "big.bin");
        let refused = channel
            .send_message(&http, CreateMessage::new().content("x").add_file(big))
            .await
            .unwrap_err();
        let text = format!("{refused:?}");
        assert!(text.contains("40005"), "{text}");
        let small = CreateAttachment::bytes(vec![1u8; 1024], "small.bin");
        let sent = channel
            .send_message(&http, CreateMessage::new().content("x").add_file(small))
            .await
            .unwrap();
        assert_eq!(sent.attachments[0].filename, "small.bin");
        assert_eq!(sent.attachments[0].size, 1024);
    })
    .await;
}

/// Makes the database refuse to record deliveries (as a locked or failing database would),
/// until `allow_recording`.
async fn refuse_recording(app: &TestApp) {
    let statements: &[&str] = match app.backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER refuse_delivered BEFORE UPDATE OF delivered_at ON outbox \
             BEGIN SELECT RAISE(ABORT, 'database is locked'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_delivered() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'database is locked'; END $$",
            "CREATE TRIGGER refuse_delivered BEFORE UPDATE OF delivered_at ON outbox \
             FOR EACH ROW EXECUTE FUNCTION refuse_delivered()",
        ],
    };
    for sql in statements {
        sqlx::query(sql).execute(&app.db).await.unwrap();
    }
}

async fn allow_recording(app: &TestApp) {
    let sql = match app.backend {
        Backend::Sqlite => "DROP TRIGGER refuse_delivered",
        Backend::Postgres => "DROP TRIGGER refuse_delivered ON outbox",
    };
    sqlx::query(sql).execute(&app.db).await.unwrap();
}

#[tokio::test]
async fn a_delivery_the_database_could_not_record_is_recorded_later_not_sent_again() {
    each_backend(|| async {
        let (app, fake, d) = setup().await;
        // Discord forgets nonces at once: a second send would post a second page.
        fake.set_nonce_window(std::time::Duration::ZERO);
        app.ok(&app.requester(), "/ticket open title:\"Scanner\"")
            .await;
        refuse_recording(&app).await;
        let first = d.deliver_due(app.now).await.unwrap();
        assert_eq!(first.delivered, 0, "nothing recorded: {first:?}");
        assert_eq!(fake.messages_in(QUEUE_L1).len(), 1, "Discord has the page");
        allow_recording(&app).await;
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(undelivered(&app).await, 0);
        let pages = fake
            .of("create_message")
            .iter()
            .filter(|r| r.path.contains(QUEUE_L1))
            .count();
        assert_eq!(pages, 1, "the page was recorded, not sent again");
        assert_eq!(fake.messages_in(QUEUE_L1).len(), 1);
    })
    .await;
}

/// The channel a recorded request was sent to.
fn channel_of(r: &fake_discord::Recorded) -> &str {
    r.path.split('/').nth(2).unwrap_or_default()
}

#[tokio::test]
async fn a_429_is_honoured_for_its_route_and_a_global_one_for_every_route() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        // Two tickets in level 1's queue, one in level 2's.
        app.ok(&app.requester(), "/ticket open title:\"first\"")
            .await;
        fake.fail("create_message", Fault::RateLimited { retry_after: 8.0 }, 1);
        d.deliver_due(app.now).await.unwrap();
        let posts_in = |channel: &str| {
            fake.of("create_message")
                .iter()
                .filter(|r| channel_of(r) == channel)
                .count()
        };
        assert_eq!(
            posts_in(QUEUE_L1),
            1,
            "the page was refused with 429, retry after 8 s"
        );
        app.ok(&app.requester(), "/ticket open title:\"second\"")
            .await;
        app.ok(&app.agent(2), "/ticket open title:\"third\" level:2")
            .await;
        // Two seconds later: level 1's channel waits out its 8 s, level 2's is free.
        app.advance(Duration::seconds(2));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            posts_in(QUEUE_L1),
            1,
            "nothing more in the limited channel before 8 s"
        );
        assert_eq!(posts_in(QUEUE_L2), 1, "another route is not held");
        app.advance(Duration::seconds(7));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            fake.messages_in(QUEUE_L1).len(),
            2,
            "both pages, once each, after 8 s"
        );
        assert_eq!(undelivered(&app).await, 0);

        // A global 429 holds every request, whatever its route.
        fake.fail(
            "create_message",
            Fault::GlobalRateLimited { retry_after: 5.0 },
            1,
        );
        app.ok(&app.requester(), "/ticket open title:\"fourth\"")
            .await;
        d.deliver_due(app.now).await.unwrap();
        let sent = fake.requests().len();
        app.ok(&app.agent(2), "/ticket open title:\"fifth\" level:2")
            .await;
        app.advance(Duration::seconds(3));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            fake.requests().len(),
            sent,
            "nothing at all is sent during a global limit"
        );
        app.advance(Duration::seconds(3));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            undelivered(&app).await,
            0,
            "everything goes once it is over"
        );
    })
    .await;
}
