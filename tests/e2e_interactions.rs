//! End to end, interactions you can trust: the real `tierdesk run` against the fake Discord
//! while the database is busy, a form that keeps every option, the same interaction twice, an
//! interaction from another guild, a button pressed twice, and a ticket opened by the console
//! beside the running bot.

#[path = "support/bot.rs"]
mod bot;
#[path = "support/fake_discord.rs"]
mod fake_discord;

use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use bot::*;
use fake_discord::FakeDiscord;
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

const L2_ROLE: &str = "1100000000000000102";
const QUEUE_L2: &str = "1100000000000000122";

fn db_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("tierdesk.db").display())
}

async fn count(dir: &std::path::Path, sql: &str) -> i64 {
    let mut conn = SqliteConnectOptions::from_str(&db_url(dir))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let n = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    n
}

fn callbacks_of(fake: &FakeDiscord, id: u64) -> usize {
    let path = format!("/interactions/{id}/token-{id}/callback");
    fake.requests().iter().filter(|r| r.path == path).count()
}

/// Another process taking the database's write lock (a long batch, the console…); it holds
/// it until the returned connection commits or rolls back.
async fn hold_write_lock(dir: &std::path::Path) -> sqlx::SqliteConnection {
    let mut holder = SqliteConnectOptions::from_str(&db_url(dir))
        .unwrap()
        .connect()
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    holder
}

/// The page posted in `channel`, once it is there.
async fn page_in(fake: &FakeDiscord, channel: &str) -> Value {
    let channel = channel.to_owned();
    fake.wait_for(15, "the page", move |r| {
        r.iter()
            .find(|r| r.route == "create_message" && r.path.contains(&channel))
            .map(|r| r.body.clone())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_database_defers_the_answer_and_an_interaction_acts_once() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;

    // Another process holds the write lock for five seconds (a long batch, the console…).
    let mut holder = hold_write_lock(dir.path()).await;
    let open = slash(9401, "open", texts(&[("title", "slow day")]), "5000", &[]);
    let sent = Instant::now();
    fake.dispatch("INTERACTION_CREATE", open.clone());
    let deferred = fake.wait_for(10, "the deferral", callback_of(9401)).await;
    let callback_at = fake.of("callback")[0].at;
    assert_eq!(deferred["type"], 5, "deferred: {deferred}");
    assert!(
        callback_at.duration_since(sent) < Duration::from_secs(3),
        "answered within Discord's 3 s"
    );
    // Discord delivers the same interaction again while the first still waits.
    fake.dispatch("INTERACTION_CREATE", open.clone());
    tokio::time::sleep(Duration::from_secs(5)).await;
    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();

    let answer = fake
        .wait_for(15, "the answer replacing the deferral", |r| {
            r.iter()
                .find(|r| r.route == "edit_original")
                .map(|r| r.body.clone())
        })
        .await;
    assert!(answer["content"]
        .as_str()
        .unwrap()
        .starts_with("Ticket opened: #1 slow day"));
    assert_eq!(answer["allowed_mentions"]["parse"], json!([]));
    page_in(&fake, QUEUE_L1).await;
    // And once more after it was handled: still one ticket, one page.
    fake.dispatch("INTERACTION_CREATE", open);
    stop_cleanly(&mut bot, dir.path());
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM tickets").await, 1);
    assert_eq!(pages_in(&fake, QUEUE_L1), 1);
    assert_eq!(callbacks_of(&fake, 9401), 1, "the repeats answer nothing");
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_keeps_every_option_of_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;

    // A level-2 agent opens a critical ticket at level 2 but leaves the title to the form.
    let options = json!([
        { "name": "priority", "type": 3, "value": "critical" },
        { "name": "level", "type": 4, "value": 2 }
    ]);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9501, "open", options, "6002", &[L2_ROLE]),
    );
    let form = fake.wait_for(15, "the form", callback_of(9501)).await;
    assert_eq!(form["type"], 9, "a modal: {form}");
    let custom_id = form["data"]["custom_id"].as_str().unwrap().to_owned();
    fake.dispatch(
        "INTERACTION_CREATE",
        submit(
            9502,
            &custom_id,
            &[("title", "Core switch down"), ("details", "")],
            "6002",
            &[L2_ROLE],
        ),
    );
    let reply = fake.wait_for(15, "the reply", callback_of(9502)).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Ticket opened: #1 Core switch down"),
        "{reply}"
    );
    let page = page_in(&fake, QUEUE_L2).await;
    assert_eq!(embed_field(&page, "Priority").as_deref(), Some("critical"));

    // Closing through the form keeps the fix type given with the command.
    let close = json!([
        { "name": "ticket", "type": 4, "value": 1 },
        { "name": "fix_type", "type": 3, "value": "hardware" }
    ]);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9503, "close", close, "6002", &[L2_ROLE]),
    );
    let form = fake.wait_for(15, "the form", callback_of(9503)).await;
    let custom_id = form["data"]["custom_id"].as_str().unwrap().to_owned();
    fake.dispatch(
        "INTERACTION_CREATE",
        submit(
            9504,
            &custom_id,
            &[
                ("resolution", "swapped the supervisor"),
                ("root_cause", "failed PSU"),
            ],
            "6002",
            &[L2_ROLE],
        ),
    );
    let closed = fake.wait_for(15, "the reply", callback_of(9504)).await;
    assert!(
        closed["data"]["content"]
            .as_str()
            .unwrap()
            .contains("closed"),
        "{closed}"
    );
    stop_cleanly(&mut bot, dir.path());
    let fix = count(
        dir.path(),
        "SELECT COUNT(*) FROM events WHERE kind = 'closed' AND details LIKE '%hardware%'",
    )
    .await;
    assert_eq!(fix, 1, "the fix type given with the command was kept");
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_guilds_interaction_and_a_second_press_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;

    let mut foreign = slash(9601, "open", texts(&[("title", "not ours")]), "5000", &[]);
    foreign["guild_id"] = json!("999999999999999999");
    fake.dispatch("INTERACTION_CREATE", foreign);
    let refused = fake.wait_for(15, "the refusal", callback_of(9601)).await;
    assert_eq!(refused["data"]["flags"], 64);
    assert!(refused["data"]["content"]
        .as_str()
        .unwrap()
        .contains("another server"));

    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9602, "open", texts(&[("title", "ours")]), "5000", &[]),
    );
    fake.wait_for(15, "the reply", callback_of(9602)).await;
    page_in(&fake, QUEUE_L1).await;
    for id in [9603, 9604] {
        fake.dispatch(
            "INTERACTION_CREATE",
            press(id, "td:assign:1", "6001", &[L1_ROLE]),
        );
        fake.wait_for(15, "the press", callback_of(id)).await;
    }
    let second = fake
        .wait_for(15, "the second press", callback_of(9604))
        .await;
    assert!(second["data"]["content"]
        .as_str()
        .unwrap()
        .contains("already assigned"));
    stop_cleanly(&mut bot, dir.path());
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM tickets").await, 1);
    assert_eq!(
        count(
            dir.path(),
            "SELECT COUNT(*) FROM events WHERE kind = 'assigned'"
        )
        .await,
        1,
        "pressed twice, assigned once"
    );
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_opened_from_the_console_beside_the_bot_is_paged_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;
    // Let the idle worker settle into its sleep before the console writes.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut console = Command::new(env!("CARGO_BIN_EXE_tierdesk"))
        .arg("console")
        .current_dir(dir.path())
        .env("DATABASE_URL", db_url(dir.path()))
        .env_remove("DISCORD_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    console
        .stdin
        .take()
        .unwrap()
        .write_all(b"/ticket open title:\"from the console\"\n")
        .unwrap();
    let out = console.wait_with_output().unwrap();
    assert!(out.status.success());
    let page = fake
        .wait_for(5, "the console's ticket paged", |r| {
            r.iter()
                .find(|r| r.route == "create_message" && r.path.contains(QUEUE_L1))
                .map(|r| r.body.clone())
        })
        .await;
    assert!(page["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .contains("from the console"));
    stop_cleanly(&mut bot, dir.path());
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_discord_refuses_is_logged_without_the_interaction_token() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;
    fake.fail("callback", fake_discord::Fault::UnknownInteraction, 1);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            9701,
            "open",
            texts(&[("title", "late answer")]),
            "5000",
            &[],
        ),
    );
    fake.wait_for(15, "the refused callback", |r| {
        r.iter()
            .any(|r| r.path == "/interactions/9701/token-9701/callback")
            .then_some(())
    })
    .await;
    // The ticket is stored all the same, and paged.
    page_in(&fake, QUEUE_L1).await;
    stop_cleanly(&mut bot, dir.path());
    let log = std::fs::read_to_string(dir.path().join("bot.log")).unwrap();
    assert!(
        log.contains("/interactions/9701/***/callback"),
        "the failure is logged with its URL, token cut: {log}"
    );
    assert!(
        !log.contains("token-9701"),
        "the token (valid 15 minutes) never reaches the log: {log}"
    );
    assert_no_panic(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_on_a_locked_database_is_answered_in_time_with_try_again() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let mut bot = start_bot(dir.path(), &base);
    connected(&fake).await;
    // Another process holds the write lock: the form's options cannot be kept now.
    let mut holder = hold_write_lock(dir.path()).await;
    let options = json!([{ "name": "priority", "type": 3, "value": "high" }]);
    let sent = Instant::now();
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9801, "open", options.clone(), "5000", &[]),
    );
    let answer = fake.wait_for(10, "an answer", callback_of(9801)).await;
    let at = fake.of("callback")[0].at;
    assert!(
        at.duration_since(sent) < Duration::from_secs(3),
        "answered within Discord's 3 s"
    );
    assert_eq!(
        answer["data"]["flags"], 64,
        "only the member sees it: {answer}"
    );
    assert!(
        answer["data"]["content"]
            .as_str()
            .unwrap()
            .contains("could not open the form in time. Try again"),
        "{answer}"
    );
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    // Once the database answers again, the same command opens the form.
    fake.dispatch(
        "INTERACTION_CREATE",
        slash(9802, "open", options, "5000", &[]),
    );
    let form = fake.wait_for(15, "the form", callback_of(9802)).await;
    assert_eq!(form["type"], 9, "a modal: {form}");
    stop_cleanly(&mut bot, dir.path());
    assert_no_panic(dir.path());
}
