//! Benchmark: ticket operations through the service next to the raw SQLite insert rate, and
//! the summary over a large history. Run with `cargo bench --bench ticket_ops`; it prints
//! figures, it asserts nothing. `TIERDESK_BENCH_CLOSED` / `TIERDESK_BENCH_OPEN` size the
//! history (default 1,000,000 closed and 10,000 open tickets).

#[allow(dead_code)]
#[path = "../tests/common/backends.rs"]
mod backends;
#[path = "support/seed.rs"]
mod seed;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, QueryBuilder};
use tierdesk::command;
use tierdesk::config::Config;
use tierdesk::domain::{GuildId, RoleId, UserId};
use tierdesk::service::{build_report, Context, Service};

const EXAMPLE: &str = include_str!("../bot.toml.example");

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank - 1]
}

/// A memory figure of this process from /proc/self/status (`VmHWM` peak, `VmRSS` now).
fn memory_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// The service's database file opened on its own, for bulk seeding.
async fn raw_pool(service: &Service) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&service.config.database_url)
        .await
        .unwrap()
}

async fn service_at(dir: &std::path::Path, name: &str) -> Service {
    service_with(dir, name, "").await
}

/// A service on a fresh database with the example config and `extra` sections.
async fn service_with(dir: &std::path::Path, name: &str, extra: &str) -> Service {
    let url = format!("sqlite://{}", dir.join(name).display());
    let text = format!("{EXAMPLE}\n{extra}");
    let config = Config::parse(&text, &|k| (k == "DATABASE_URL").then(|| url.clone())).unwrap();
    Service::connect(config).await.unwrap()
}

/// Service hours with every priority on the `hours` clock, for the deadline step's cost.
const CALENDAR: &str = r#"
[hours]
timezone = "Europe/Madrid"
week = { mon = "08:00-18:00", tue = "08:00-13:00,15:00-18:00", wed = "08:00-18:00", thu = "08:00-18:00", fri = "08:00-15:00" }
holidays = ["2026-12-25"]

[sla]
clock = { critical = "hours", high = "hours", normal = "hours", low = "hours" }
resolve_within = { critical = "4h", high = "1d", normal = "3d", low = "10d" }
warn_at = 0.75
"#;

/// `run_due` over `due` tickets past their deadline; returns (actions, milliseconds).
async fn time_run_due(
    service: &Service,
    guild: GuildId,
    due: usize,
    now: DateTime<Utc>,
) -> (usize, f64) {
    let open_ctx = Context {
        guild,
        actor: service.actor(UserId(7), &[]),
        now,
    };
    for i in 0..due {
        let line = format!("/ticket open title:\"due {i}\" priority:critical");
        let cmd = command::parse(command::parse_line(&line).unwrap()).unwrap();
        service.execute(&open_ctx, cmd).await.unwrap();
    }
    let t = Instant::now();
    let actions = service
        .run_due(now + chrono::Duration::hours(1))
        .await
        .unwrap();
    (actions.len(), t.elapsed().as_secs_f64() * 1e3)
}

/// Single-row autocommit INSERTs on a connection set up like the store's (WAL, NORMAL).
async fn raw_insert_rate(dir: &std::path::Path, n: usize) -> f64 {
    let options = SqliteConnectOptions::new()
        .filename(dir.join("raw.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    pool.execute("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .await
        .unwrap();
    let start = Instant::now();
    for i in 0..n {
        sqlx::query("INSERT INTO bench_raw (v) VALUES (?)")
            .bind(format!("row {i}"))
            .execute(&pool)
            .await
            .unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn ticket_ops(service: &Service, tickets: usize) -> (f64, Vec<Duration>) {
    let guild = service.config.discord.guild_id;
    let agent = service.actor(
        UserId(42),
        &[RoleId(1100000000000000101), RoleId(1100000000000000102)],
    );
    let ctx = Context {
        guild,
        actor: agent,
        now: Utc::now(),
    };
    let mut latencies = Vec::with_capacity(tickets * 4);
    let start = Instant::now();
    for n in 1..=tickets {
        for line in [
            format!("/ticket open title:\"bench {n}\" priority:normal"),
            format!("/ticket ack ticket:{n}"),
            format!("/ticket escalate ticket:{n} reason:r attempts:a impact:i"),
            format!("/ticket close ticket:{n} resolution:done"),
        ] {
            let cmd = command::parse(command::parse_line(&line).unwrap()).unwrap();
            let t = Instant::now();
            service.execute(&ctx, cmd).await.unwrap();
            latencies.push(t.elapsed());
        }
    }
    let rate = latencies.len() as f64 / start.elapsed().as_secs_f64();
    latencies.sort();
    (rate, latencies)
}

/// Fills the knowledge base with `n` articles. Words follow Zipf's law over a vocabulary of
/// 20,000 filler words plus the help-desk words, as text does: a few words are everywhere,
/// most are rare. Returns the most frequent word, for the worst-case query.
async fn seed_articles(service: &Service, n: usize, now: DateTime<Utc>) -> String {
    let db = raw_pool(service).await;
    const HELP_DESK: &[&str] = &[
        "vpn",
        "certificate",
        "printer",
        "tray",
        "conexión",
        "disk",
        "full",
        "server",
        "outlook",
        "password",
        "wifi",
        "firmware",
        "controller",
        "storage",
        "laptop",
        "slow",
        "mfa",
        "reset",
        "account",
        "locked",
        "email",
        "bounce",
        "dns",
        "timeout",
        "backup",
        "restore",
        "license",
        "expired",
        "driver",
        "update",
        "monitor",
        "docking",
        "station",
        "teams",
        "audio",
        "camera",
        "red",
        "lenta",
        "impresora",
        "contraseña",
        "correo",
        "servidor",
        "actualización",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        // xorshift: a reproducible sequence without a dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut vocabulary: Vec<String> = HELP_DESK.iter().map(|w| w.to_string()).collect();
    vocabulary.extend((0..20_000).map(|i| format!("term{i}")));
    for i in (1..vocabulary.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        vocabulary.swap(i, j);
    }
    // Cumulative Zipf weights: the word of rank r is drawn with weight 1 / (r + 1).
    let mut cumulative = Vec::with_capacity(vocabulary.len());
    let mut total = 0.0;
    for r in 0..vocabulary.len() {
        total += 1.0 / (r as f64 + 1.0);
        cumulative.push(total);
    }
    let mut word = || {
        let x = (next() % 1_000_000_007) as f64 / 1_000_000_007.0 * total;
        let i = cumulative
            .partition_point(|c| *c < x)
            .min(vocabulary.len() - 1);
        vocabulary[i].clone()
    };
    let guild = service.config.discord.guild_id.db();
    const BATCH: usize = 2_000;
    let mut done = 0;
    while done < n {
        let end = (done + BATCH).min(n);
        let rows: Vec<(i64, String, String)> = (done..end)
            .map(|i| {
                let title = (0..6).map(|_| word()).collect::<Vec<_>>().join(" ");
                let body = (0..80).map(|_| word()).collect::<Vec<_>>().join(" ");
                (i as i64 + 1, title, body)
            })
            .collect();
        let mut tx = db.begin().await.unwrap();
        let mut q = QueryBuilder::new(
            "INSERT INTO articles (guild_id, number, title, body, tags, author_id, created_at, updated_at) ",
        );
        q.push_values(rows, |mut b, (number, title, body)| {
            b.push_bind(guild)
                .push_bind(number)
                .push_bind(title)
                .push_bind(body)
                .push_bind("bench")
                .push_bind(1i64)
                .push_bind(now.timestamp())
                .push_bind(now.timestamp());
        });
        q.build().execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        done = end;
    }
    vocabulary[0].clone()
}

async fn time_searches(
    service: &Service,
    ctx: &Context,
    queries: &[&str],
    rounds: usize,
) -> Vec<Duration> {
    let mut times = Vec::new();
    for query in queries.iter().cycle().take(queries.len() * rounds) {
        let line = format!("/kb search query:\"{query}\"");
        let cmd = command::parse(command::parse_line(&line).unwrap()).unwrap();
        let t = Instant::now();
        service.execute(ctx, cmd).await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    times
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    // TIERDESK_BENCH_KEEP=1 keeps the databases, to look at query plans afterwards.
    let dir = if std::env::var_os("TIERDESK_BENCH_KEEP").is_some() {
        let kept = dir.keep();
        println!("databases kept in {}", kept.display());
        kept
    } else {
        dir.path().to_path_buf()
    };
    let tickets = env_usize("TIERDESK_BENCH_TICKETS", 2_500);
    let closed = env_usize("TIERDESK_BENCH_CLOSED", 1_000_000);
    let open = env_usize("TIERDESK_BENCH_OPEN", 10_000);
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
    // TIERDESK_BENCH_POSTGRES_ONLY=1 skips the SQLite figures (each section has its own
    // baseline, measured in the same run).
    if std::env::var_os("TIERDESK_BENCH_POSTGRES_ONLY").is_none() {
        sqlite_figures(&dir, tickets, closed, open, now).await;
    }
    postgres_figures(&dir, tickets, closed, open, now).await;
}

/// Every figure on SQLite files.
async fn sqlite_figures(
    dir: &std::path::Path,
    tickets: usize,
    closed: usize,
    open: usize,
    now: DateTime<Utc>,
) {
    let dir = dir.to_path_buf();
    let ops_service = service_at(&dir, "ops.db").await;

    let raw = raw_insert_rate(&dir, 5_000).await;
    let (rate, lat) = ticket_ops(&ops_service, tickets).await;
    println!(
        "ticket operations (open, ack, escalate, close; {} ops on a database file):",
        lat.len()
    );
    println!("  raw single-row autocommit INSERT: {raw:>9.0} /s");
    println!(
        "  service operations:               {rate:>9.0} /s  ({:.2} × raw)",
        rate / raw
    );
    println!(
        "  latency per operation: p50 {:.3} ms, p99 {:.3} ms",
        percentile(&lat, 50.0).as_secs_f64() * 1e3,
        percentile(&lat, 99.0).as_secs_f64() * 1e3
    );

    let big = service_at(&dir, "big.db").await;
    let t = Instant::now();
    seed::seed(
        &seed::open(&big.config.database_url).await,
        big.config.discord.guild_id.db(),
        closed,
        open,
        now,
    )
    .await;
    println!(
        "\nseeded {closed} closed and {open} open tickets in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let guild = big.config.discord.guild_id;
    let mut runs = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let report = build_report(&big, guild, now).await.unwrap();
        let text =
            tierdesk::render::Text::new(&big.config, tierdesk::i18n::Lang::En).summary(&report);
        runs.push(t.elapsed());
        assert!(text.contains("Backlog summary"));
    }
    runs.sort();
    println!(
        "summary (build + render) over that history: median {:.1} ms, worst {:.1} ms",
        percentile(&runs, 50.0).as_secs_f64() * 1e3,
        runs.last().unwrap().as_secs_f64() * 1e3
    );
    // Where the time goes, read by read.
    let week = now - chrono::Duration::days(7);
    let t = Instant::now();
    big.key_figures(week, now).await.unwrap();
    let figures = t.elapsed();
    let t = Instant::now();
    big.open_per_level().await.unwrap();
    let counts = t.elapsed();
    let t = Instant::now();
    big.history(now).await.unwrap();
    let chart = t.elapsed();
    println!(
        "  of which: key figures {:.1} ms, open counts {:.1} ms, the chart's 14 days {:.1} ms",
        figures.as_secs_f64() * 1e3,
        counts.as_secs_f64() * 1e3,
        chart.as_secs_f64() * 1e3
    );
    let admin = big.actor(UserId(1), &[big.config.discord.admin_role_id]);
    let ctx = Context {
        guild,
        actor: admin,
        now,
    };
    let mut stats = Vec::new();
    for _ in 0..7 {
        let cmd = command::parse(command::parse_line("/stats days:7").unwrap()).unwrap();
        let t = Instant::now();
        big.execute(&ctx, cmd).await.unwrap();
        stats.push(t.elapsed());
    }
    stats.sort();
    println!(
        "/stats over that history: median {:.1} ms, worst {:.1} ms",
        percentile(&stats, 50.0).as_secs_f64() * 1e3,
        stats.last().unwrap().as_secs_f64() * 1e3
    );

    // Deadlines: many tickets past their acknowledgement deadline at once.
    let due = env_usize("TIERDESK_BENCH_DUE", 10_000);
    let rss_before = memory_mib("VmRSS:");
    let plain = service_at(&dir, "deadlines.db").await;
    let (actions, ms) = time_run_due(&plain, guild, due, now).await;
    println!(
        "run_due with {due} due deadlines: {actions} actions in {ms:.0} ms ({:.0}/s); RSS {:.1} → {:.1} MiB",
        actions as f64 / ms * 1e3,
        rss_before,
        memory_mib("VmRSS:")
    );
    let hours = service_with(&dir, "deadlines-hours.db", CALENDAR).await;
    let (cal_actions, cal_ms) = time_run_due(&hours, guild, due, now).await;
    println!(
        "run_due with {due} due deadlines on the service-hours clock: {cal_actions} actions in {cal_ms:.0} ms (ratio to wall clock {:.2})",
        cal_ms / ms
    );
    // Knowledge base: full-text search over many articles.
    let articles = env_usize("TIERDESK_BENCH_ARTICLES", 100_000);
    let kb = service_at(&dir, "kb.db").await;
    let commonest = seed_articles(&kb, articles, now).await;
    let reader = kb.actor(UserId(9), &[]);
    let kb_ctx = Context {
        guild,
        actor: reader,
        now,
    };
    let typical = [
        "vpn certificate",
        "printer tray",
        "conexion",
        "disk full server",
        "outlook password",
        "wifi",
        "firmware controller storage",
        "kubernetes",
    ];
    let searches = time_searches(&kb, &kb_ctx, &typical, 5).await;
    println!(
        "/kb search over {articles} articles (Zipf vocabulary): median {:.2} ms, p99 {:.2} ms",
        percentile(&searches, 50.0).as_secs_f64() * 1e3,
        percentile(&searches, 99.0).as_secs_f64() * 1e3
    );
    let worst = time_searches(&kb, &kb_ctx, &[commonest.as_str()], 5).await;
    println!(
        "  worst case, the commonest word (\"{commonest}\", in most articles): median {:.1} ms",
        percentile(&worst, 50.0).as_secs_f64() * 1e3
    );
    println!("peak memory (VmHWM): {:.1} MiB", memory_mib("VmHWM:"));
}

/// A service on a fresh PostgreSQL schema with the example config.
async fn postgres_service(dir: &std::path::Path) -> Service {
    let url = backends::Backend::Postgres.fresh_url(dir).await;
    let config = Config::parse(EXAMPLE, &|k| (k == "DATABASE_URL").then(|| url.clone())).unwrap();
    Service::connect(config).await.unwrap()
}

/// Single-row autocommit INSERTs through sqlx's PostgreSQL driver, on the server `url` names.
async fn raw_postgres_insert_rate(url: &str, n: usize) -> f64 {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    pool.execute("CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)")
        .await
        .unwrap();
    let start = Instant::now();
    for i in 0..n {
        sqlx::query("INSERT INTO bench_raw (v) VALUES ($1)")
            .bind(format!("row {i}"))
            .execute(&pool)
            .await
            .unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// The same figures on PostgreSQL, when `TIERDESK_TEST_POSTGRES` names a server: service
/// operations against raw inserts there, and the summary over the same history.
async fn postgres_figures(
    dir: &std::path::Path,
    tickets: usize,
    closed: usize,
    open: usize,
    now: DateTime<Utc>,
) {
    if backends::postgres_server().is_none() {
        println!("\nPostgreSQL: skipped (set TIERDESK_TEST_POSTGRES=postgres://… to run it)");
        return;
    }
    let ops = postgres_service(dir).await;
    let raw = raw_postgres_insert_rate(&ops.config.database_url, 5_000).await;
    let (rate, lat) = ticket_ops(&ops, tickets).await;
    println!("\nPostgreSQL ({} ops):", lat.len());
    println!("  raw single-row autocommit INSERT: {raw:>9.0} /s");
    println!(
        "  service operations:               {rate:>9.0} /s  ({:.2} × raw)",
        rate / raw
    );
    println!(
        "  latency per operation: p50 {:.3} ms, p99 {:.3} ms",
        percentile(&lat, 50.0).as_secs_f64() * 1e3,
        percentile(&lat, 99.0).as_secs_f64() * 1e3
    );
    let big = postgres_service(dir).await;
    let t = Instant::now();
    let guild = big.config.discord.guild_id;
    seed::seed(
        &seed::open(&big.config.database_url).await,
        guild.db(),
        closed,
        open,
        now,
    )
    .await;
    println!(
        "  seeded {closed} closed and {open} open tickets in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let mut runs = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let report = build_report(&big, guild, now).await.unwrap();
        tierdesk::render::Text::new(&big.config, tierdesk::i18n::Lang::En).summary(&report);
        runs.push(t.elapsed());
    }
    runs.sort();
    println!(
        "  summary (build + render) over that history: median {:.1} ms, worst {:.1} ms",
        percentile(&runs, 50.0).as_secs_f64() * 1e3,
        runs.last().unwrap().as_secs_f64() * 1e3
    );
}
