//! Benchmark: the dashboard and the chart over a large history. Run with
//! `cargo bench --bench dashboard`; it prints figures, it asserts nothing.
//! `TIERDESK_BENCH_CLOSED` / `TIERDESK_BENCH_OPEN` size the history (default 1,000,000 closed
//! and 10,000 open tickets). Each page is fetched over HTTP from the in-process listener, next
//! to the key form (the same stack with no database read) as the baseline of the same run.

#[path = "support/seed.rs"]
mod seed;

use std::time::{Duration, Instant};

use chrono::Utc;
use tierdesk::command;
use tierdesk::config::Config;
use tierdesk::domain::Level;
use tierdesk::domain::UserId;
use tierdesk::http::{AppState, DiscordStatus};
use tierdesk::i18n::Lang;
use tierdesk::render::Text;
use tierdesk::service::{Context, Service};

const EXAMPLE: &str = include_str!("../bot.toml.example");
const KEY: &str = "bench-key";
const RUNS: usize = 25;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median_ms(mut runs: Vec<Duration>) -> f64 {
    runs.sort();
    runs[runs.len() / 2].as_secs_f64() * 1e3
}

/// The median time of `RUNS` fetches of `path`, after one to warm the caches; the body size.
async fn time_page(client: &reqwest::Client, base: &str, path: &str) -> (f64, usize) {
    let mut runs = Vec::with_capacity(RUNS);
    let mut size = 0;
    for i in 0..=RUNS {
        let t = Instant::now();
        let resp = client
            .get(format!("{base}{path}"))
            .header("cookie", format!("tierdesk_dashboard={KEY}"))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        size = resp.bytes().await.unwrap().len();
        if i > 0 {
            runs.push(t.elapsed());
        }
    }
    (median_ms(runs), size)
}

fn time<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut runs = Vec::with_capacity(RUNS);
    let mut last = f();
    for _ in 0..RUNS {
        let t = Instant::now();
        last = f();
        runs.push(t.elapsed());
    }
    (median_ms(runs), last)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    // TIERDESK_BENCH_KEEP=1 keeps the database, to look at query plans afterwards.
    let dir = if std::env::var_os("TIERDESK_BENCH_KEEP").is_some() {
        let kept = dir.keep();
        println!("database kept in {}", kept.display());
        kept
    } else {
        dir.path().to_path_buf()
    };
    let url = format!("sqlite://{}", dir.join("big.db").display());
    let text =
        format!("{EXAMPLE}\n[http]\nlisten = \"127.0.0.1:0\"\ndashboard_token = \"{KEY}\"\n");
    let config = Config::parse(&text, &|k| (k == "DATABASE_URL").then(|| url.clone())).unwrap();
    let service = Service::connect(config).await.unwrap();
    let raw = seed::open(&url).await;
    let closed = env_usize("TIERDESK_BENCH_CLOSED", 1_000_000);
    let open = env_usize("TIERDESK_BENCH_OPEN", 10_000);
    let now = Utc::now();
    let t = Instant::now();
    let guild = service.config.discord.guild_id.db();
    seed::seed(&raw, guild, closed, open, now).await;
    println!(
        "seeded {closed} closed and {open} open tickets in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // A ticket with a real timeline (the seed writes only what the figures read).
    let ctx = Context {
        guild: service.config.discord.guild_id,
        actor: service.actor(UserId(5000), &[]),
        now,
    };
    let number = closed + open + 1;
    for line in [
        "/ticket open title:\"VPN drops every 10 minutes\"".to_owned(),
        format!("/ticket note ticket:{number} text:\"since this morning\""),
    ] {
        let command = command::parse(command::parse_line(&line).unwrap()).unwrap();
        service.execute(&ctx, command).await.unwrap();
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(service.clone(), DiscordStatus::default().into(), None);
    let (_stop, shutdown) = tokio::sync::watch::channel(false);
    tokio::spawn(tierdesk::http::serve(listener, state, shutdown));
    let client = reqwest::Client::new();

    let per_level = service.open_per_level().await.unwrap();
    let level1 = per_level[&Level::new(1).unwrap()];
    let last_page = (level1 as u64).div_ceil(50);
    let (baseline, _) = time_page(&client, &base, "/login").await;
    println!("\ndashboard over HTTP (median of {RUNS}), against the key form ({baseline:.2} ms):");
    let pages = [
        ("queues, first page of each level", "/".to_owned()),
        ("one level, first page", "/?level=1".to_owned()),
        (
            "one level, last page",
            format!("/?level=1&page={last_page}"),
        ),
        ("a ticket and its timeline", format!("/tickets/{number}")),
        ("key figures", "/figures".to_owned()),
        ("chart (SVG)", "/chart.svg".to_owned()),
    ];
    for (name, path) in pages {
        let (ms, size) = time_page(&client, &base, &path).await;
        println!(
            "  {name:<34} {ms:>7.2} ms  ({:>5.1} × baseline, {:>6.1} KiB)",
            ms / baseline,
            size as f64 / 1024.0
        );
    }
    println!("  ({level1} open tickets at level 1: {last_page} pages)");

    let t = Instant::now();
    let history = service.history(now).await.unwrap();
    let history_ms = t.elapsed().as_secs_f64() * 1e3;
    let text = Text::new(&service.config, Lang::En);
    let (png_ms, png) = time(|| text.chart_png(&history).unwrap());
    let (svg_ms, svg) = time(|| text.chart_svg(&history).unwrap());
    println!("\nthe chart over that history:");
    println!("  its numbers from the timeline: {history_ms:.1} ms");
    println!(
        "  PNG {}×{}: {png_ms:.1} ms, {:.1} KiB (Discord's limit: 10 MiB)",
        tierdesk::render::chart::PNG_SIZE.0,
        tierdesk::render::chart::PNG_SIZE.1,
        png.len() as f64 / 1024.0
    );
    println!(
        "  SVG: {svg_ms:.1} ms, {:.1} KiB",
        svg.len() as f64 / 1024.0
    );
}
