//! End to end: the real `tierdesk run` process against the fake Discord on loopback,
//! driven through the gateway like Discord would, stopped with SIGTERM and restarted.

#[path = "support/fake_discord.rs"]
mod fake_discord;
#[path = "support/openapi.rs"]
mod openapi;

#[path = "support/bot.rs"]
mod bot;

use bot::*;
use fake_discord::FakeDiscord;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_through_discord_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;
    let registered = fake.of("set_commands");
    assert_eq!(
        registered[0].path,
        "/applications/1100000000000000001/guilds/1100000000000000002/commands"
    );
    assert_eq!(registered[0].body.as_array().unwrap().len(), 6);

    // A member opens a ticket whose title tries to ping everyone.
    let open = slash(
        9001,
        "open",
        json!([{ "name": "title", "type": 3, "value": "VPN down @everyone" }]),
        "5000",
        &[],
    );
    assert!(fake.dispatch("INTERACTION_CREATE", open));
    let reply = fake
        .wait_for(15, "the reply to /ticket open", callback_of(9001))
        .await;
    assert_eq!(reply["type"], 4);
    assert!(reply["data"]["content"]
        .as_str()
        .unwrap()
        .starts_with("Ticket opened: #1 VPN down @everyone"));
    assert_eq!(reply["data"]["allowed_mentions"]["parse"], json!([]));

    // The page reaches level 1's queue, pinging its on-call role only; its thread follows.
    let page = fake
        .wait_for(15, "the page", |r| {
            r.iter()
                .find(|r| r.route == "create_message" && r.path.contains(QUEUE_L1))
                .map(|r| r.body.clone())
        })
        .await;
    assert_eq!(
        page["allowed_mentions"]["roles"],
        json!(["1100000000000000111"])
    );
    fake.wait_for(15, "the thread", |r| {
        r.iter().find(|r| r.route == "create_thread").map(|_| ())
    })
    .await;

    // SIGTERM: a clean stop.
    assert!(sigterm(&mut bot).success(), "exit 0 on SIGTERM");

    // After a restart, the page's buttons still work: no state was kept in memory.
    let mut bot = start_bot(dir.path(), &base);
    fake.wait_for(60, "the bot to come back", |r| {
        (r.iter().filter(|r| r.route == "set_commands").count() == 2).then_some(())
    })
    .await;
    fake.dispatch(
        "INTERACTION_CREATE",
        press(9002, "td:assign:1", "6001", &[L1_ROLE]),
    );
    let reply = fake
        .wait_for(15, "the reply to the button", callback_of(9002))
        .await;
    assert_eq!(reply["data"]["flags"], 64, "a button answers privately");
    assert!(reply["data"]["content"]
        .as_str()
        .unwrap()
        .starts_with("Assigned: #1"));
    let assignee = fake
        .wait_for(15, "the page edit showing the assignee", |r| {
            r.iter()
                .filter(|r| r.route == "edit_message")
                .find_map(|r| embed_field(&r.body, "Assignee"))
        })
        .await;
    assert_eq!(assignee, "<@6001>");

    // Pressed twice, it acts once.
    fake.dispatch(
        "INTERACTION_CREATE",
        press(9003, "td:ack:1", "6001", &[L1_ROLE]),
    );
    let again = fake
        .wait_for(15, "the second press", callback_of(9003))
        .await;
    assert!(again["data"]["content"]
        .as_str()
        .unwrap()
        .contains("already acknowledged"));
    stop_cleanly(&mut bot, dir.path());
    let problems: Vec<String> = fake
        .requests()
        .iter()
        .flat_map(|r| openapi::check(r.route, &r.body))
        .collect();
    assert!(
        problems.is_empty(),
        "bodies that break Discord's schema: {problems:#?}"
    );
    let unknown: Vec<_> = fake.of("unknown").iter().map(|r| r.path.clone()).collect();
    assert!(
        unknown.is_empty(),
        "routes the fake does not know: {unknown:?}"
    );
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_ladder_through_discord() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;
    // (subcommand, options, member, roles, what the reply says)
    type Step<'a> = (
        &'a str,
        Vec<(&'a str, &'a str)>,
        &'a str,
        &'a [&'a str],
        &'a str,
    );
    let steps: Vec<Step> = vec![
        (
            "open",
            vec![("title", "SAN offline"), ("priority", "high")],
            "5000",
            &[],
            "Ticket opened",
        ),
        (
            "escalate",
            vec![
                ("ticket", "1"),
                ("reason", "storage"),
                ("attempts", "rescanned"),
                ("impact", "billing"),
            ],
            "6001",
            &[L1_ROLE],
            "escalated to level 2",
        ),
        (
            "escalate",
            vec![
                ("ticket", "1"),
                ("reason", "firmware"),
                ("attempts", "failover"),
                ("impact", "billing"),
                ("error", "SCSI 0x3f"),
            ],
            "6002",
            &["1100000000000000102"],
            "escalated to level 3",
        ),
        (
            "escalate",
            vec![
                ("ticket", "1"),
                ("reason", "vendor bug"),
                ("attempts", "rollback"),
                ("vendor", "Acme Storage"),
                ("vendor_reason", "warranty"),
                ("vendor_ref", "ACME-1"),
            ],
            "6003",
            &["1100000000000000103"],
            "handed to the vendor",
        ),
        (
            "close",
            vec![
                ("ticket", "1"),
                ("resolution", "vendor patch"),
                ("root_cause", "firmware 2.1"),
            ],
            "6003",
            &["1100000000000000103"],
            "closed at level 3",
        ),
    ];
    for (i, (sub, options, user, roles, expect)) in steps.into_iter().enumerate() {
        let id = 9100 + i as u64;
        fake.dispatch(
            "INTERACTION_CREATE",
            slash(id, sub, texts(&options), user, roles),
        );
        let reply = fake.wait_for(15, sub, callback_of(id)).await;
        let content = reply["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(content.contains(expect), "{sub}: {content}");
    }
    // Typing a ticket number suggests the member's reachable open tickets; vendors too.
    fake.dispatch(
        "INTERACTION_CREATE",
        typing(9150, "ack", "ticket", 4, "", "6001", &[L1_ROLE]),
    );
    let reply = fake
        .wait_for(15, "ticket suggestions", callback_of(9150))
        .await;
    assert_eq!(reply["type"], 8);
    assert_eq!(
        reply["data"]["choices"],
        json!([]),
        "#1 is closed: nothing to suggest"
    );
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            9151,
            "open",
            texts(&[("title", "Printer jam")]),
            "5000",
            &[],
        ),
    );
    fake.wait_for(15, "the second ticket", callback_of(9151))
        .await;
    fake.dispatch(
        "INTERACTION_CREATE",
        typing(9152, "ack", "ticket", 4, "", "6001", &[L1_ROLE]),
    );
    let reply = fake
        .wait_for(15, "ticket suggestions", callback_of(9152))
        .await;
    assert_eq!(
        reply["data"]["choices"],
        json!([{ "name": "#2 Printer jam", "value": 2 }])
    );
    let l3 = ["1100000000000000103"];
    fake.dispatch(
        "INTERACTION_CREATE",
        typing(9153, "escalate", "vendor", 3, "glo", "6003", &l3),
    );
    let reply = fake
        .wait_for(15, "vendor suggestions", callback_of(9153))
        .await;
    assert_eq!(
        reply["data"]["choices"],
        json!([{ "name": "Globex Networks", "value": "Globex Networks" }])
    );

    // `/ticket close ticket:2` without its texts opens a form; submitted, it closes #2.
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9160, "close", texts(&[("ticket", "2")]), "6001", &[L1_ROLE]),
    );
    let form = fake.wait_for(15, "the close form", callback_of(9160)).await;
    assert_eq!(form["type"], 9, "a modal");
    assert_eq!(form["data"]["custom_id"], "td:modal:close:2");
    fake.dispatch(
        "INTERACTION_CREATE",
        submit(
            9161,
            "td:modal:close:2",
            &[("resolution", "cleared the jam"), ("root_cause", "")],
            "6001",
            &[L1_ROLE],
        ),
    );
    let closed = fake.wait_for(15, "the closure", callback_of(9161)).await;
    assert!(
        closed["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Ticket #2 closed at level 1"),
        "{closed}"
    );

    // Pages reached levels 1, 2, 3 and the vendor liaison, each pinging its own role.
    for (channel, role) in [
        (QUEUE_L1, "1100000000000000111"),
        ("1100000000000000122", "1100000000000000112"),
        ("1100000000000000123", "1100000000000000113"),
        ("1100000000000000124", "1100000000000000104"),
    ] {
        let page = fake
            .wait_for(15, "a page", |r| {
                r.iter()
                    .find(|r| r.route == "create_message" && r.path.contains(channel))
                    .map(|r| r.body.clone())
            })
            .await;
        assert_eq!(page["allowed_mentions"]["roles"], json!([role]));
    }
    stop_cleanly(&mut bot, dir.path());
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_arrive_once_through_errors_rate_limits_and_a_kill() {
    use fake_discord::Fault;
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;

    // Three server errors, then a rate limit, before the page gets through.
    fake.fail("create_message", Fault::Status(500), 3);
    fake.fail("create_message", Fault::RateLimited { retry_after: 0.2 }, 1);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9201, "open", texts(&[("title", "first")]), "5000", &[]),
    );
    fake.wait_for(15, "the reply", callback_of(9201)).await;
    // The thread hangs off the page, so it comes once the page got through. (The daily
    // summary, due since this morning, may take some of the failures on the way.)
    fake.wait_for(30, "the page and its thread", |r| {
        r.iter().find(|r| r.route == "create_thread").map(|_| ())
    })
    .await;
    let tries = fake.of("create_message").len();
    assert!(tries >= 5, "four failures and a success: {tries}");
    assert_eq!(pages_in(&fake, QUEUE_L1), 1, "one page however many tries");

    // Discord fails for good; the bot is killed while it retries; nothing is lost.
    fake.fail("create_message", Fault::Status(503), 10_000);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9202, "open", texts(&[("title", "second")]), "5000", &[]),
    );
    fake.wait_for(15, "the reply", callback_of(9202)).await;
    let before = fake.of("create_message").len();
    fake.wait_for(15, "a failed try", |r| {
        (r.iter().filter(|r| r.route == "create_message").count() > before).then_some(())
    })
    .await;
    bot.kill().unwrap();
    bot.wait().unwrap();
    fake.clear_faults();
    let mut bot = start_bot(dir.path(), &base);
    fake.wait_for(30, "the second page after the restart", |_| {
        (pages_in(&fake, QUEUE_L1) == 2).then_some(())
    })
    .await;
    stop_cleanly(&mut bot, dir.path());
    assert_eq!(pages_in(&fake, QUEUE_L1), 2, "each page once");
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_300_interactions_is_answered_and_sigterm_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;
    for i in 0..300u64 {
        let title = format!("burst {i} <@5000> @here");
        fake.dispatch(
            "INTERACTION_CREATE",
            slash(10_000 + i, "open", texts(&[("title", &title)]), "5000", &[]),
        );
    }
    fake.wait_for(60, "300 answers", |r| {
        (r.iter().filter(|r| r.route == "callback").count() == 300).then_some(())
    })
    .await;
    // Answered at once (type 4), or deferred (type 5) when the machine is busy and then
    // edited: either way the words that reach the channel ping nobody.
    for r in fake.of("callback") {
        match r.body["type"].as_u64() {
            Some(4) => assert_eq!(r.body["data"]["allowed_mentions"]["parse"], json!([])),
            other => assert_eq!(other, Some(5), "{}", r.body),
        }
    }
    for r in fake.of("edit_original") {
        assert_eq!(r.body["allowed_mentions"]["parse"], json!([]), "{}", r.body);
    }
    // Stop at once: what was acknowledged is delivered now or after the restart, once.
    stop_cleanly(&mut bot, dir.path());
    let identified = fake.of("identify").len();
    let mut bot = start_bot(dir.path(), &base);
    // Stopped only once it is up: the pages may all be out already, and a SIGTERM before the
    // bot listens for it would kill it instead of stopping it.
    fake.wait_for(60, "the restarted bot's session", |r| {
        (r.iter().filter(|r| r.route == "identify").count() > identified).then_some(())
    })
    .await;
    fake.wait_for(60, "all 300 pages", |_| {
        (pages_in(&fake, QUEUE_L1) == 300).then_some(())
    })
    .await;
    stop_cleanly(&mut bot, dir.path());
    assert_eq!(pages_in(&fake, QUEUE_L1), 300);
    assert_no_panic(dir.path());
}

/// The daily summary through the real bot: due at start (its time is midnight), posted with
/// its chart as a PNG upload, once, though the first try lands without an answer and the bot
/// is then killed and started again (it must not post today's summary a second time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_summary_uploads_its_chart_once_through_a_lost_answer_and_a_restart() {
    use fake_discord::Fault;
    const SUMMARY: &str = "1100000000000000010";
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let config = EXAMPLE
        .replace(
            "# proxy_url = \"http://127.0.0.1:3000\"",
            &format!("proxy_url = \"{base}\""),
        )
        .replace("time = \"09:00\"", "time = \"00:00\"");
    fake.fail("create_message", Fault::LandThenDrop, 1);
    let mut bot = start_bot_with(dir.path(), &config);
    fake.wait_for(30, "the summary sent again after the lost answer", |r| {
        (r.iter().filter(|r| r.route == "create_message").count() >= 2).then_some(())
    })
    .await;
    bot.kill().unwrap();
    bot.wait().unwrap();
    let mut bot = start_bot_with(dir.path(), &config);
    fake.wait_for(60, "the restarted bot", |r| {
        (r.iter().filter(|r| r.route == "set_commands").count() >= 2).then_some(())
    })
    .await;
    // Room for a wrong second post to show: the scheduler's first pass runs at start.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    stop_cleanly(&mut bot, dir.path());

    let uploads = fake.uploads();
    assert_eq!(uploads.len(), 1, "one chart, however many tries");
    let chart = &uploads[0];
    assert_eq!(
        (chart.channel.as_str(), chart.filename.as_str()),
        (SUMMARY, "backlog.png")
    );
    assert_eq!(chart.content_type.as_deref(), Some("image/png"));
    assert!(chart.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(chart.bytes.len() <= fake_discord::UPLOAD_LIMIT);
    let posted = fake.messages_in(SUMMARY);
    assert_eq!(posted.len(), 1, "the summary once");
    assert!(posted[0]["content"]
        .as_str()
        .unwrap()
        .contains("Backlog summary"));
    let problems: Vec<String> = (fake.of("create_message").iter())
        .flat_map(|r| openapi::check(r.route, &r.body))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_no_panic(dir.path());
}
