//! Benchmark: release replicas on one PostgreSQL database against the fake Discord (gateway
//! mode, every replica receiving every interaction). Prints ticket openings per second with
//! one replica serving and with three (the baseline and the figure, in the same run), and the
//! failover time after kill -9 of the replica delivering the outbox: from the kill to the
//! page of a ticket opened right after it reaching Discord, median of five. Needs
//! `TIERDESK_TEST_POSTGRES`; run with `cargo bench --bench replicas`. Asserts nothing.

#[allow(dead_code)]
#[path = "../tests/common/backends.rs"]
mod backends;
#[path = "../tests/support/fake_discord.rs"]
mod fake_discord;
#[path = "support/mod.rs"]
mod support;

use std::process::Child;
use std::time::{Duration, Instant};

use backends::{postgres_server, raw_pool, Backend};
use fake_discord::FakeDiscord;
use support::{config, open, spawn_bot_on};

const QUEUE_L1: &str = "1100000000000000121";

/// Replicas on a fresh schema against a fresh fake Discord, once each holds a session.
struct Desk {
    dirs: Vec<tempfile::TempDir>,
    fake: FakeDiscord,
    base: String,
    url: String,
    bots: Vec<Child>,
}

impl Desk {
    async fn start(replicas: usize) -> Desk {
        let dirs: Vec<_> = (0..replicas)
            .map(|_| tempfile::tempdir().unwrap())
            .collect();
        let url = Backend::Postgres.fresh_url(dirs[0].path()).await;
        let (fake, base) = FakeDiscord::start().await;
        let mut desk = Desk {
            dirs,
            fake,
            base,
            url,
            bots: Vec::new(),
        };
        for i in 0..replicas {
            let bot = desk.spawn(i);
            desk.bots.push(bot);
        }
        desk.wait_sessions(replicas).await;
        desk
    }

    fn spawn(&self, i: usize) -> Child {
        spawn_bot_on(self.dirs[i].path(), &config(&self.base, ""), &self.url)
    }

    async fn wait_sessions(&self, n: usize) {
        while self.fake.sessions() < n {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Pages in level 1's queue as members see them (a retried page counts once).
    fn pages(&self) -> usize {
        self.fake
            .messages_in(QUEUE_L1)
            .iter()
            .filter(|m| m["content"].as_str().unwrap_or_default().starts_with("<@&"))
            .count()
    }

    fn stop(self) {
        for bot in self.bots {
            support::stop(bot);
        }
        if std::env::var_os("TIERDESK_BENCH_LOGS").is_some() {
            for dir in self.dirs {
                let _ = dir.keep();
            }
        }
    }
}

/// Opens `n` tickets as fast as the gateway takes them; returns answers per second and
/// pages per second (to the last page at Discord).
async fn throughput(replicas: usize, n: u64) -> (f64, f64) {
    let desk = Desk::start(replicas).await;
    let start = Instant::now();
    for i in 0..n {
        desk.fake.dispatch("INTERACTION_CREATE", open(100_000 + i));
    }
    desk.fake
        .wait_for(300, "every answer", |r| {
            (r.iter().filter(|r| r.route == "callback").count() as u64 >= n).then_some(())
        })
        .await;
    let answered = start.elapsed();
    while (desk.pages() as u64) < n {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let paged = start.elapsed();
    let mut arrivals: Vec<Duration> = desk
        .fake
        .of("create_message")
        .iter()
        .filter(|r| r.path.contains(QUEUE_L1))
        .map(|r| r.at - start)
        .collect();
    arrivals.sort();
    let at = |q: usize| arrivals[(arrivals.len() * q / 100).min(arrivals.len() - 1)].as_secs_f64();
    println!(
        "  ({replicas} replica(s): page requests at Discord by 10% {:.1} s, 50% {:.1} s, 90% {:.1} s, 100% {:.1} s)",
        at(10),
        at(50),
        at(90),
        at(100)
    );
    desk.stop();
    (
        n as f64 / answered.as_secs_f64(),
        n as f64 / paged.as_secs_f64(),
    )
}

/// The replica holding the delivery lease now, by its process id.
async fn deliverer(db: &sqlx::AnyPool) -> u32 {
    loop {
        let holder: Option<String> =
            sqlx::query_scalar("SELECT holder FROM leases WHERE name = 'delivery' AND until >= $1")
                .bind(chrono::Utc::now().timestamp())
                .fetch_optional(db)
                .await
                .unwrap();
        if let Some(pid) = holder.and_then(|h| h.split(':').nth(1)?.parse().ok()) {
            return pid;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Kills the deliverer `rounds` times; each time, the time from the kill to the page of a
/// ticket opened right after it reaching Discord.
async fn failovers(rounds: u64) -> Vec<Duration> {
    let mut desk = Desk::start(3).await;
    let db = raw_pool(&desk.url).await;
    let mut times = Vec::new();
    for round in 0..rounds {
        let pid = deliverer(&db).await;
        let which = desk.bots.iter().position(|b| b.id() == pid).unwrap();
        desk.bots[which].kill().unwrap();
        desk.bots[which].wait().unwrap();
        let killed = Instant::now();
        let before = desk.pages();
        desk.fake
            .dispatch("INTERACTION_CREATE", open(200_000 + round));
        while desk.pages() == before {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        times.push(killed.elapsed());
        desk.bots[which] = desk.spawn(which);
        desk.wait_sessions(3).await;
    }
    desk.stop();
    times.sort();
    times
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if postgres_server().is_none() {
        println!("replicas: skipped (set TIERDESK_TEST_POSTGRES=postgres://… to run it)");
        return;
    }
    let n = std::env::var("TIERDESK_BENCH_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let (one_answers, one_pages) = throughput(1, n).await;
    let (three_answers, three_pages) = throughput(3, n).await;
    println!("{n} /ticket open over the gateway, one PostgreSQL database:");
    println!("  1 replica:  {one_answers:>6.0} answers/s, {one_pages:>6.0} pages/s");
    println!(
        "  3 replicas: {three_answers:>6.0} answers/s, {three_pages:>6.0} pages/s ({:.2} × one replica)",
        three_answers / one_answers
    );
    let times = failovers(5).await;
    let ms: Vec<String> = times
        .iter()
        .map(|t| format!("{:.1}", t.as_secs_f64()))
        .collect();
    println!(
        "failover after kill -9 of the deliverer (kill → next page at Discord): median {:.1} s; all: {} s",
        times[times.len() / 2].as_secs_f64(),
        ms.join(", ")
    );
}
