//! Benchmark: the release `tierdesk run` against the fake Discord on loopback. Sends a burst
//! of 300 `/ticket open` interactions over one second through the gateway and prints the
//! interaction → callback latency (p50, p99) and the bot's peak memory. Run with
//! `cargo bench --bench interaction_latency`; it prints figures and asserts nothing.

#[path = "../tests/support/fake_discord.rs"]
mod fake_discord;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fake_discord::FakeDiscord;
use serde_json::{json, Value};

const EXAMPLE: &str = include_str!("../bot.toml.example");
const FIXTURE: &str = include_str!("../tests/fixtures/interaction_create_slash_subcommand.json");

fn open(id: u64) -> Value {
    let mut d: Value = serde_json::from_str::<Value>(FIXTURE).unwrap()["d"].clone();
    d["id"] = json!(id.to_string());
    d["token"] = json!(format!("token-{id}"));
    d["guild_id"] = json!("1100000000000000002");
    d["member"]["user"]["id"] = json!("5000");
    d["member"]["roles"] = json!([]);
    d["data"] = json!({
        "id": "1234560000000000201", "name": "ticket", "type": 1, "guild_id": "1100000000000000002",
        "options": [{ "name": "open", "type": 1, "options": [
            { "name": "title", "type": 3, "value": format!("burst {id}") }
        ]}]
    });
    d
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    const BURST: u64 = 300;
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let config = EXAMPLE.replace(
        "# proxy_url = \"http://127.0.0.1:3000\"",
        &format!("proxy_url = \"{base}\""),
    );
    std::fs::write(dir.path().join("bot.toml"), config).unwrap();
    let mut bot = Command::new(env!("CARGO_BIN_EXE_tierdesk"))
        .arg("run")
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "fake-token")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("tierdesk.db").display()),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    fake.wait_for(60, "the bot to connect", |r| {
        r.iter().find(|r| r.route == "set_commands").map(|_| ())
    })
    .await;

    let spacing = Duration::from_secs(1) / BURST as u32;
    let start = Instant::now();
    let mut sent = Vec::with_capacity(BURST as usize);
    for i in 0..BURST {
        let due = start + spacing * i as u32;
        tokio::time::sleep_until(due.into()).await;
        sent.push((i, Instant::now()));
        fake.dispatch("INTERACTION_CREATE", open(20_000 + i));
    }
    fake.wait_for(60, "every answer", |r| {
        (r.iter().filter(|r| r.route == "callback").count() as u64 == BURST).then_some(())
    })
    .await;
    let answers = fake.of("callback");
    let mut latencies: Vec<Duration> = sent
        .iter()
        .filter_map(|(i, at)| {
            let path = format!("/interactions/{}/token-{}/callback", 20_000 + i, 20_000 + i);
            answers.iter().find(|r| r.path == path).map(|r| r.at - *at)
        })
        .collect();
    latencies.sort();
    let pct = |p: f64| latencies[((p / 100.0 * latencies.len() as f64).ceil() as usize).max(1) - 1];
    println!(
        "{} interactions over 1 s: callback latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        pct(50.0).as_secs_f64() * 1e3,
        pct(99.0).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3
    );
    fake.wait_for(60, "every page", |_| {
        (fake.messages_in("1100000000000000121").len() as u64 >= BURST).then_some(())
    })
    .await;
    println!(
        "all {BURST} pages delivered {:.2} s after the first interaction; bot peak RSS {:.1} MiB",
        start.elapsed().as_secs_f64(),
        peak_rss_mib(bot.id())
    );
    let _ = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status();
    let _ = bot.wait();
}
