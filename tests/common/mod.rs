//! Shared test helpers: a fresh database per test (a SQLite file, or a PostgreSQL schema when
//! `TIERDESK_TEST_POSTGRES` names a server), the example config, and members of each level to
//! act as.
#![allow(dead_code)]

pub mod backends;
#[allow(unused_imports)]
pub use backends::{each_backend, Backend};

use chrono::{DateTime, Duration, TimeZone, Utc};
use tempfile::TempDir;
use tierdesk::command;
use tierdesk::config::Config;
use tierdesk::domain::rules::Actor;
use tierdesk::domain::{RoleId, UserId};
use tierdesk::error::Error;
use tierdesk::service::{Context, Outcome, Service};

pub const EXAMPLE: &str = include_str!("../../bot.toml.example");
pub const ADMIN_ROLE: RoleId = RoleId(1100000000000000003);
pub const L1_ROLE: RoleId = RoleId(1100000000000000101);
pub const L2_ROLE: RoleId = RoleId(1100000000000000102);
pub const L3_ROLE: RoleId = RoleId(1100000000000000103);
pub const L4_ROLE: RoleId = RoleId(1100000000000000104);
pub const REQUESTER: UserId = UserId(5000);

/// The example config pointed at `url`.
pub fn config(url: &str) -> Config {
    let url = url.to_owned();
    Config::parse(EXAMPLE, &move |k| {
        (k == "DATABASE_URL").then(|| url.clone())
    })
    .expect("the example config is valid")
}

/// A service on a fresh database, and the directory that holds it.
pub struct TestApp {
    pub service: Service,
    /// The database opened on its own, as an operator's `sqlite3` or `psql` would: for the
    /// tests that look at rows or break them.
    pub db: sqlx::AnyPool,
    /// Which database the test runs on.
    pub backend: Backend,
    pub dir: TempDir,
    pub now: DateTime<Utc>,
}

/// Monday 2 November 2026, 09:00 UTC: the clock every test starts from.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(EXAMPLE).await
}

/// A service on a fresh database with this config text.
pub async fn spawn_app_with(config_text: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::current();
    let url = backend.fresh_url(dir.path()).await;
    let env_url = url.clone();
    let config = Config::parse(config_text, &move |k| {
        (k == "DATABASE_URL").then(|| env_url.clone())
    })
    .expect("valid test config");
    let service = Service::connect(config).await.unwrap();
    let db = backends::raw_pool(&url).await;
    TestApp {
        service,
        db,
        backend,
        dir,
        now: t0(),
    }
}

impl TestApp {
    /// The same database opened again, as after a restart of the bot.
    pub async fn restarted(&self) -> Service {
        Service::connect((*self.service.config).clone())
            .await
            .unwrap()
    }

    /// How many events of `kind` the timeline holds.
    pub async fn events_of(&self, kind: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = $1")
            .bind(kind)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// How many outbox messages of `kind` wait for delivery.
    pub async fn outbox_of(&self, kind: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = $1")
            .bind(kind)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

impl TestApp {
    pub fn member(&self, user: u64, roles: &[RoleId]) -> Actor {
        self.service.actor(UserId(user), roles)
    }
    pub fn requester(&self) -> Actor {
        self.member(REQUESTER.0, &[])
    }
    pub fn agent(&self, level: u8) -> Actor {
        let role = [L1_ROLE, L2_ROLE, L3_ROLE, L4_ROLE][level as usize - 1];
        self.member(6000 + level as u64, &[role])
    }
    pub fn admin(&self) -> Actor {
        self.member(7000, &[ADMIN_ROLE])
    }

    /// Moves the clock on.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
    }

    /// Runs a console-style line as `actor` at the current time.
    pub async fn run(&self, actor: &Actor, line: &str) -> Result<Outcome, Error> {
        self.run_in(self.service.config.discord.guild_id, actor, line)
            .await
    }

    /// Runs a line in another guild.
    pub async fn run_in(
        &self,
        guild: tierdesk::domain::GuildId,
        actor: &Actor,
        line: &str,
    ) -> Result<Outcome, Error> {
        let cmd = command::parse_line(line)
            .and_then(command::parse)
            .map_err(Error::from)?;
        let ctx = Context {
            guild,
            actor: actor.clone(),
            now: self.now,
        };
        self.service.execute(&ctx, cmd).await
    }

    /// Runs a line that must succeed.
    pub async fn ok(&self, actor: &Actor, line: &str) -> Outcome {
        match self.run(actor, line).await {
            Ok(o) => o,
            Err(e) => panic!("`{line}` was refused: {}", e.user_message()),
        }
    }

    /// Runs a line that must be refused, returning the message the user sees.
    pub async fn refused(&self, actor: &Actor, line: &str) -> String {
        match self.run(actor, line).await {
            Ok(o) => panic!("`{line}` was accepted: {o:?}"),
            Err(Error::User(e)) => e.to_string(),
            Err(e) => panic!("`{line}` failed inside: {e:?}"),
        }
    }

    /// Row counts of (tickets, events, outbox): a refusal must leave them unchanged.
    pub async fn counts(&self) -> (i64, i64, i64) {
        let db = &self.db;
        let q = |t: &'static str| async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {t}"))
                .fetch_one(db)
                .await
                .unwrap()
        };
        (q("tickets").await, q("events").await, q("outbox").await)
    }
}

/// The HTTP side of `app` (dashboard, health, alerts) served on loopback: its base address,
/// and the sender that stops it when dropped.
pub async fn serve_http(app: &TestApp) -> (String, tokio::sync::watch::Sender<bool>) {
    use tierdesk::http::{AppState, DiscordStatus};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(
        app.service.clone(),
        std::sync::Arc::new(DiscordStatus::default()),
        None,
    );
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    tokio::spawn(tierdesk::http::serve(listener, state, shutdown));
    (base, stop)
}

impl TestApp {
    /// Ticket `number` and its whole timeline, as an admin's `/ticket show` gives them.
    pub async fn ticket(
        &self,
        number: i64,
    ) -> (tierdesk::domain::Ticket, Vec<tierdesk::domain::Event>) {
        let shown = self
            .ok(&self.admin(), &format!("/ticket show ticket:{number}"))
            .await;
        match shown.reply {
            tierdesk::service::Reply::Show {
                ticket, timeline, ..
            } => (ticket, timeline),
            other => panic!("/ticket show answered {other:?}"),
        }
    }
}
