//! Benchmark: the release `tierdesk run` against the fake Discord on loopback. Sends a burst
//! of 300 `/ticket open` interactions over one second through the gateway and prints the
//! interaction → callback latency (p50, p99) and the bot's peak memory. Then isolation: how
//! long level 2's pages take from interaction to Discord with level 1's channel healthy, and
//! with it refusing every request (403) while 30 tickets wait there. Run with
//! `cargo bench --bench interaction_latency`; it prints figures and asserts nothing.

#[path = "../tests/support/fake_discord.rs"]
mod fake_discord;
#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use fake_discord::FakeDiscord;
use support::{config, open, open_as, peak_rss_mib, spawn_bot, spread, stop};

/// The release bot on a fresh database against a fresh fake Discord, once connected.
async fn start_bot() -> (tempfile::TempDir, FakeDiscord, std::process::Child) {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let bot = spawn_bot(dir.path(), &config(&base, ""));
    fake.wait_for(60, "the bot to connect", |r| {
        r.iter().find(|r| r.route == "set_commands").map(|_| ())
    })
    .await;
    (dir, fake, bot)
}

/// Level 2's page latency (interaction → page request at Discord) for 50 tickets, with
/// level 1's channel refusing everything while 30 tickets wait there when `failing`.
async fn level_two_pages(failing: bool) -> (f64, f64) {
    const QUEUE_L1: &str = "1100000000000000121";
    const QUEUE_L2: &str = "1100000000000000122";
    let (_dir, fake, bot) = start_bot().await;
    if failing {
        fake.fail_channel(QUEUE_L1, fake_discord::Fault::Forbidden);
    }
    for i in 0..30 {
        fake.dispatch("INTERACTION_CREATE", open(30_000 + i));
    }
    fake.wait_for(60, "level 1's tickets", |r| {
        (r.iter().filter(|r| r.path.contains(QUEUE_L1)).count() >= 30).then_some(())
    })
    .await;
    let mut latencies = Vec::new();
    for i in 0..50u64 {
        let id = 40_000 + i;
        let sent = Instant::now();
        fake.dispatch(
            "INTERACTION_CREATE",
            open_as(id, "6002", &["1100000000000000102"], Some(2)),
        );
        let title = format!("burst {id}");
        let at = fake
            .wait_for(60, "level 2's page", |r| {
                r.iter()
                    .find(|r| {
                        r.path.contains(QUEUE_L2)
                            && r.body["embeds"][0]["title"]
                                .as_str()
                                .is_some_and(|t| t.ends_with(&title))
                    })
                    .map(|r| r.at)
            })
            .await;
        latencies.push(at - sent);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop(bot);
    spread(latencies)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    const BURST: u64 = 300;
    let (_dir, fake, bot) = start_bot().await;

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
    stop(bot);

    let healthy = level_two_pages(false).await;
    let failing = level_two_pages(true).await;
    println!(
        "level 2 page latency, level 1 healthy: p50 {:.2} ms, p99 {:.2} ms; level 1 refusing \
         everything: p50 {:.2} ms, p99 {:.2} ms (ratio p50 {:.2})",
        healthy.0,
        healthy.1,
        failing.0,
        failing.1,
        failing.0 / healthy.0
    );
}
