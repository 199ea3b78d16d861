//! What the release benchmarks share: the release bot started on a config, the interaction
//! they send it, the bot's peak memory and percentiles of a sample.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

pub const EXAMPLE: &str = include_str!("../../bot.toml.example");
const FIXTURE: &str = include_str!("../../tests/fixtures/interaction_create_slash_subcommand.json");

/// The example config pointed at the fake Discord at `base`, with `extra` sections.
pub fn config(base: &str, extra: &str) -> String {
    let text = EXAMPLE.replace(
        "# proxy_url = \"http://127.0.0.1:3000\"",
        &format!("proxy_url = \"{base}\""),
    );
    format!("{text}\n{extra}")
}

/// The release `tierdesk run` in `dir` with this config, quiet.
pub fn spawn_bot(dir: &Path, config: &str) -> Child {
    let url = format!("sqlite://{}", dir.join("tierdesk.db").display());
    spawn_bot_on(dir, config, &url)
}

/// The release `tierdesk run` in `dir` with this config on the database at `url`, quiet.
pub fn spawn_bot_on(dir: &Path, config: &str, url: &str) -> Child {
    std::fs::write(dir.join("bot.toml"), config).unwrap();
    // TIERDESK_BENCH_LOGS=<RUST_LOG filter, e.g. info> keeps each bot's log in its directory.
    let logs = std::env::var_os("TIERDESK_BENCH_LOGS").is_some();
    let stderr = match logs {
        true => Stdio::from(std::fs::File::create(dir.join("bot.log")).unwrap()),
        false => Stdio::null(),
    };
    Command::new(env!("CARGO_BIN_EXE_tierdesk"))
        .arg("run")
        .current_dir(dir)
        .env("DISCORD_TOKEN", "fake-token")
        .env("DATABASE_URL", url)
        .env(
            "RUST_LOG",
            std::env::var("TIERDESK_BENCH_LOGS").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// Stops the bot with SIGTERM and waits for it.
pub fn stop(mut bot: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status();
    let _ = bot.wait();
}

/// `/ticket open title:"burst {id}"` by a member with no role.
pub fn open(id: u64) -> Value {
    open_as(id, "5000", &[], None)
}

/// `/ticket open` by `user` with `roles`, at `level` when given.
pub fn open_as(id: u64, user: &str, roles: &[&str], level: Option<i64>) -> Value {
    let mut d: Value = serde_json::from_str::<Value>(FIXTURE).unwrap()["d"].clone();
    d["id"] = json!(id.to_string());
    d["token"] = json!(format!("token-{id}"));
    d["guild_id"] = json!("1100000000000000002");
    d["member"]["user"]["id"] = json!(user);
    d["member"]["roles"] = json!(roles);
    let mut options = vec![json!({ "name": "title", "type": 3, "value": format!("burst {id}") })];
    if let Some(level) = level {
        options.push(json!({ "name": "level", "type": 4, "value": level }));
    }
    d["data"] = json!({
        "id": "1234560000000000201", "name": "ticket", "type": 1, "guild_id": "1100000000000000002",
        "options": [{ "name": "open", "type": 1, "options": options }]
    });
    d
}

/// The peak resident memory of process `pid`, in MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Milliseconds at the p50 and p99 of `d` (nearest rank).
pub fn spread(mut d: Vec<Duration>) -> (f64, f64) {
    d.sort();
    let pct = |p: f64| d[((p / 100.0 * d.len() as f64).ceil() as usize).max(1) - 1];
    (pct(50.0).as_secs_f64() * 1e3, pct(99.0).as_secs_f64() * 1e3)
}
