//! Benchmark: on-call handoffs of the release `tierdesk run` against the fake Discord, in real
//! time. A rotation of one-minute shifts (the shortest allowed) starts a few seconds after the
//! bot; for each boundary it prints how long after it the page role reached the member coming
//! on (p50, max), and the interaction callback latency around the boundaries against the same
//! interactions between them. `TIERDESK_BENCH_HANDOFFS` handoffs (default 20, one a minute).
//! Run with `cargo bench --bench handoff_delay`; it prints figures and asserts nothing.

#[path = "../tests/support/fake_discord.rs"]
mod fake_discord;
#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Timelike, Utc};
use fake_discord::FakeDiscord;
use support::{config, open, spawn_bot, spread, stop};

/// Sends one interaction and returns its callback latency.
async fn interact(fake: &FakeDiscord, id: u64) -> Duration {
    let sent = Instant::now();
    fake.dispatch("INTERACTION_CREATE", open(id));
    let path = format!("/interactions/{id}/token-{id}/callback");
    let at = fake
        .wait_for(30, "the callback", |r| {
            r.iter().find(|r| r.path == path).map(|r| r.at)
        })
        .await;
    at - sent
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let handoffs: usize = std::env::var("TIERDESK_BENCH_HANDOFFS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    // The first boundary on the next whole minute at least 20 s away, in UTC local time.
    let now = Utc::now();
    let mut first = now.with_second(0).unwrap().with_nanosecond(0).unwrap() + TimeDelta::minutes(1);
    if first - now < TimeDelta::seconds(20) {
        first += TimeDelta::minutes(1);
    }
    let rotation = format!(
        "[[rotation]]\nlevel = 1\nmembers = [1100000000000000501, 1100000000000000502, 1100000000000000503]\nshift = \"1m\"\nstart = \"{}\"\ntimezone = \"UTC\"\n",
        first.format("%Y-%m-%d %H:%M")
    );
    let bot = spawn_bot(dir.path(), &config(&base, &rotation));
    fake.wait_for(60, "the bot to connect", |r| {
        r.iter().find(|r| r.route == "set_commands").map(|_| ())
    })
    .await;

    let mut delays = Vec::new();
    let (mut near, mut between) = (Vec::new(), Vec::new());
    let mut id = 50_000;
    for k in 0..handoffs {
        let boundary = first + TimeDelta::minutes(k as i64);
        // Interactions half a minute before (between boundaries), then across the boundary.
        let quiet_at = boundary - TimeDelta::seconds(30);
        tokio::time::sleep((quiet_at - Utc::now()).to_std().unwrap_or_default()).await;
        id += 1;
        between.push(interact(&fake, id).await);
        tokio::time::sleep((boundary - Utc::now()).to_std().unwrap_or_default()).await;
        let boundary_instant = Instant::now();
        for _ in 0..3 {
            id += 1;
            near.push(interact(&fake, id).await);
        }
        let member = format!("110000000000000050{}", 1 + k % 3);
        let at = fake
            .wait_for(30, "the role given", |r| {
                r.iter()
                    .rev()
                    .find(|r| {
                        r.route == "add_role"
                            && r.path.contains(&member)
                            && r.at >= boundary_instant - Duration::from_secs(1)
                    })
                    .map(|r| r.at)
            })
            .await;
        delays.push(at.saturating_duration_since(boundary_instant));
    }
    let (p50, _) = spread(delays.clone());
    let max = delays.iter().max().copied().unwrap_or_default();
    println!(
        "{handoffs} handoffs: role given {p50:.0} ms after the boundary (p50), {:.0} ms at most",
        max.as_secs_f64() * 1e3
    );
    let (np50, np99) = spread(near);
    let (bp50, bp99) = spread(between);
    println!(
        "interaction callbacks at the boundaries: p50 {np50:.2} ms, p99 {np99:.2} ms; between them: p50 {bp50:.2} ms, p99 {bp99:.2} ms"
    );
    stop(bot);
}
