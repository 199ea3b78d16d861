//! The real `tierdesk run` process against the fake Discord: starting it, driving it with
//! interactions built from the documentation payloads, stopping it, and reading its log.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use super::fake_discord::{FakeDiscord, Recorded};

pub const EXAMPLE: &str = include_str!("../../bot.toml.example");
pub const FIXTURE: &str = include_str!("../fixtures/interaction_create_slash_subcommand.json");
pub const BUTTON: &str = include_str!("../fixtures/interaction_create_button.json");
pub const L1_ROLE: &str = "1100000000000000101";
pub const QUEUE_L1: &str = "1100000000000000121";

pub fn start_bot(dir: &Path, base: &str) -> Child {
    let config = EXAMPLE.replace(
        "# proxy_url = \"http://127.0.0.1:3000\"",
        &format!("proxy_url = \"{base}\""),
    );
    start_bot_with(dir, &config)
}

/// `tierdesk run` in `dir` with this config text.
pub fn start_bot_with(dir: &Path, config: &str) -> Child {
    start_bot_env(dir, config, &[])
}

/// `tierdesk run` in `dir` with this config text and these environment variables.
pub fn start_bot_env(dir: &Path, config: &str, env: &[(&str, &str)]) -> Child {
    std::fs::write(dir.join("bot.toml"), config).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tierdesk"))
        .arg("run")
        .current_dir(dir)
        .env("DISCORD_TOKEN", "fake-token")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("tierdesk.db").display()),
        )
        .env("RUST_LOG", "info")
        // Given last, so a test may point the bot elsewhere (a PostgreSQL database).
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        // Appended, so a restart keeps what the run before it logged.
        .stderr(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("bot.log"))
                .unwrap(),
        )
        .spawn()
        .unwrap()
}

pub const MODAL: &str = include_str!("../fixtures/interaction_create_modal_submit_actionrow.json");

/// A documentation payload's interaction, as interaction `id` by `user` with `roles` in our
/// guild.
pub fn interaction(fixture: &str, id: u64, user: &str, roles: &[&str]) -> Value {
    let mut d: Value = serde_json::from_str::<Value>(fixture).unwrap()["d"].clone();
    d["id"] = json!(id.to_string());
    d["token"] = json!(format!("token-{id}"));
    d["guild_id"] = json!("1100000000000000002");
    d["member"]["user"]["id"] = json!(user);
    d["member"]["roles"] = json!(roles);
    d
}

/// A `/ticket` slash command.
pub fn slash(id: u64, sub: &str, options: Value, user: &str, roles: &[&str]) -> Value {
    let mut d = interaction(FIXTURE, id, user, roles);
    d["data"] = json!({
        "id": "1234560000000000201", "name": "ticket", "type": 1, "guild_id": "1100000000000000002",
        "options": [{ "name": sub, "type": 1, "options": options }]
    });
    d
}

/// A press of the button `custom_id`.
pub fn press(id: u64, custom_id: &str, user: &str, roles: &[&str]) -> Value {
    let mut d = interaction(BUTTON, id, user, roles);
    d["data"]["custom_id"] = json!(custom_id);
    d
}

/// A modal submission with `fields` typed into its text inputs.
pub fn submit(
    id: u64,
    custom_id: &str,
    fields: &[(&str, &str)],
    user: &str,
    roles: &[&str],
) -> Value {
    let mut d = interaction(MODAL, id, user, roles);
    d["data"] = json!({
        "custom_id": custom_id,
        "components": fields.iter().map(|(k, v)| json!({
            "type": 1, "components": [{ "type": 4, "custom_id": k, "value": v }]
        })).collect::<Vec<_>>()
    });
    d
}

/// An autocomplete request (type 4) while the member types `value` into `option` (of
/// Discord option type `kind`).
pub fn typing(
    id: u64,
    sub: &str,
    option: &str,
    kind: u8,
    value: &str,
    user: &str,
    roles: &[&str],
) -> Value {
    let mut d = slash(id, sub, json!([]), user, roles);
    d["type"] = json!(4);
    d["data"]["options"][0]["options"] =
        json!([{ "name": option, "type": kind, "value": value, "focused": true }]);
    d
}

/// The value of the page embed's field `name`, if it has one.
pub fn embed_field(body: &Value, name: &str) -> Option<String> {
    body["embeds"][0]["fields"]
        .as_array()?
        .iter()
        .find(|f| f["name"] == name)
        .and_then(|f| f["value"].as_str().map(str::to_owned))
}

pub fn callback_of(id: u64) -> impl Fn(&[Recorded]) -> Option<Value> {
    let path = format!("/interactions/{id}/token-{id}/callback");
    move |reqs| reqs.iter().find(|r| r.path == path).map(|r| r.body.clone())
}

pub async fn connected(fake: &FakeDiscord) {
    fake.wait_for(60, "the bot to register its commands", |r| {
        r.iter().find(|r| r.route == "set_commands").map(|_| ())
    })
    .await;
}

pub fn sigterm(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the bot did not stop within 15 s of SIGTERM");
}

pub fn texts(options: &[(&str, &str)]) -> Value {
    Value::Array(
        options
            .iter()
            .map(|(k, v)| match v.parse::<i64>() {
                Ok(n) if *k == "ticket" => json!({ "name": k, "type": 4, "value": n }),
                _ => json!({ "name": k, "type": 3, "value": v }),
            })
            .collect(),
    )
}

pub fn pages_in(fake: &FakeDiscord, channel: &str) -> usize {
    fake.messages_in(channel)
        .iter()
        .filter(|m| m["content"].as_str().unwrap_or_default().starts_with("<@&"))
        .count()
}

/// Fails the test if the bot's log shows a panic anywhere.
pub fn assert_no_panic(dir: &Path) {
    let log = std::fs::read_to_string(dir.join("bot.log")).unwrap_or_default();
    assert!(!log.contains("panicked"), "the bot panicked:\n{log}");
}

/// Stops the bot with SIGTERM and fails the test, showing the end of its log, unless it
/// exits with success.
pub fn stop_cleanly(child: &mut Child, dir: &Path) {
    let status = sigterm(child);
    if !status.success() {
        let log = std::fs::read_to_string(dir.join("bot.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!(
            "the bot exited with {status} after SIGTERM:\n{}",
            tail.join("\n")
        );
    }
}
