//! Benchmark: the release `tierdesk run` taking a flood of monitoring alerts over HTTP on
//! loopback while Discord interactions arrive beside it. Prints alerts per second and the
//! answer time (p50, p99) for a mix of 1% new keys and 99% repeats, then for a burst of 1,000
//! distinct keys (and how long until all 1,000 pages reached Discord), the interaction
//! callback p99 with and without the flood (the same run's baseline), and peak memory. Run
//! with `cargo bench --bench alert_flood`; it prints figures and asserts nothing.

#[path = "../tests/support/fake_discord.rs"]
mod fake_discord;
#[path = "support/mod.rs"]
mod support;

use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_discord::FakeDiscord;
use serde_json::json;
use support::{config, open, peak_rss_mib, spawn_bot, spread, stop};

const FLOOD: usize = 5_000;
const BURST: usize = 1_000;
const CLIENTS: usize = 16;

/// The release bot with an HTTP listener on `port` and a generic alert source.
fn start(dir: &std::path::Path, base: &str, port: u16) -> Child {
    let extra = format!(
        "[http]\nlisten = \"127.0.0.1:{port}\"\n\n[[alert_source]]\nname = \"flood\"\nkind = \"generic\"\ntoken = \"t\"\nlevel = 2\n"
    );
    spawn_bot(dir, &config(base, &extra))
}

/// Posts `keys` as firing alerts from `CLIENTS` clients at once; returns each answer time.
async fn post_all(client: &reqwest::Client, url: &str, keys: Vec<String>) -> Vec<Duration> {
    let keys = Arc::new(tokio::sync::Mutex::new(keys));
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, keys) = (client.clone(), url.to_owned(), keys.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let Some(key) = keys.lock().await.pop() else {
                    break;
                };
                let body =
                    json!({ "key": key, "status": "firing", "title": format!("{key} down") });
                let started = Instant::now();
                let resp = client
                    .post(&url)
                    .bearer_auth("t")
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status().as_u16(), 202);
                times.push(started.elapsed());
            }
            times
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// Sends 50 interactions 20 ms apart; returns their callback latencies once all were answered.
async fn interactions(fake: &FakeDiscord, first_id: u64) -> Vec<Duration> {
    let mut sent = Vec::new();
    for i in 0..50 {
        let id = first_id + i;
        sent.push((id, Instant::now()));
        fake.dispatch("INTERACTION_CREATE", open(id));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let paths: Vec<String> = sent
        .iter()
        .map(|(id, _)| format!("/interactions/{id}/token-{id}/callback"))
        .collect();
    fake.wait_for(60, "the callbacks", |r| {
        paths
            .iter()
            .all(|p| r.iter().any(|r| &r.path == p))
            .then_some(())
    })
    .await;
    let answers = fake.of("callback");
    sent.iter()
        .filter_map(|(id, at)| {
            let path = format!("/interactions/{id}/token-{id}/callback");
            answers.iter().find(|r| r.path == path).map(|r| r.at - *at)
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bot = start(dir.path(), &base, port);
    fake.wait_for(60, "the bot to connect", |r| {
        r.iter().find(|r| r.route == "set_commands").map(|_| ())
    })
    .await;
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/alerts/flood");
    while client
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await
        .is_err()
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The same run's baseline: interactions with no flood.
    let (quiet_p50, quiet_p99) = spread(interactions(&fake, 1000).await);

    // 1% new keys, 99% repeats of them, with interactions beside.
    let keys: Vec<String> = (0..FLOOD)
        .map(|i| format!("svc-{}", i % (FLOOD / 100)))
        .collect();
    let started = Instant::now();
    let (times, busy) = tokio::join!(post_all(&client, &url, keys), interactions(&fake, 2000));
    let took = started.elapsed();
    let (p50, p99) = spread(times);
    let (busy_p50, busy_p99) = spread(busy);
    println!(
        "flood of {FLOOD} alerts (1% new keys, 99% repeats), {CLIENTS} clients: {:.0} alerts/s, answer p50 {p50:.2} ms, p99 {p99:.2} ms",
        FLOOD as f64 / took.as_secs_f64()
    );
    println!(
        "interaction callbacks beside it: p50 {busy_p50:.2} ms, p99 {busy_p99:.2} ms; without the flood: p50 {quiet_p50:.2} ms, p99 {quiet_p99:.2} ms (p99 ratio {:.2})",
        busy_p99 / quiet_p99
    );

    let keys: Vec<String> = (0..BURST).map(|i| format!("burst-{i}")).collect();
    let before = fake.messages_in("1100000000000000122").len();
    let started = Instant::now();
    let (bp50, bp99) = spread(post_all(&client, &url, keys).await);
    let answered = started.elapsed();
    fake.wait_for(300, "every burst page", |_| {
        (fake.messages_in("1100000000000000122").len() >= before + BURST).then_some(())
    })
    .await;
    println!(
        "burst of {BURST} distinct keys: answered in {:.2} s (p50 {bp50:.2} ms, p99 {bp99:.2} ms), all {BURST} pages at Discord after {:.2} s; bot peak RSS {:.1} MiB",
        answered.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        peak_rss_mib(bot.id())
    );
    stop(bot);
}
