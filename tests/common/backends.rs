//! The databases a test runs on: SQLite always, and PostgreSQL when `TIERDESK_TEST_POSTGRES`
//! holds a server's URL (each test then gets a schema of its own on it). Without the variable
//! the PostgreSQL runs are skipped, and the run says so once.

use std::future::Future;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

/// The variable that turns the PostgreSQL runs on, e.g. `postgres://postgres@127.0.0.1/test`.
pub const POSTGRES_VAR: &str = "TIERDESK_TEST_POSTGRES";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    static CURRENT: Backend;
}

/// Runs `test` on SQLite, then on PostgreSQL if `TIERDESK_TEST_POSTGRES` is set. Inside,
/// `spawn_app` (and `Backend::current`) give a fresh database of that backend.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    CURRENT.scope(Backend::Sqlite, test()).await;
    if postgres_server().is_some() {
        // Shown with the test's output if it fails, so the backend that failed is known.
        println!("---- the same test on PostgreSQL ----");
        CURRENT.scope(Backend::Postgres, test()).await;
    }
}

/// The server of the PostgreSQL runs, or `None` (and a notice, once) when they are skipped.
pub fn postgres_server() -> Option<String> {
    static NOTICE: Once = Once::new();
    match std::env::var(POSTGRES_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            NOTICE.call_once(|| {
                // Straight to stderr: the test harness shows it even when the tests pass.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: PostgreSQL runs skipped: set {POSTGRES_VAR}=postgres://… to run them"
                );
            });
            None
        }
    }
}

impl Backend {
    /// The backend of the running `each_backend` pass (SQLite outside one).
    pub fn current() -> Backend {
        CURRENT.try_with(|b| *b).unwrap_or(Backend::Sqlite)
    }

    /// A fresh, empty database: a file in `dir`, or a new schema on the PostgreSQL server.
    pub async fn fresh_url(self, dir: &Path) -> String {
        match self {
            Backend::Sqlite => format!("sqlite://{}", dir.join("tierdesk.db").display()),
            Backend::Postgres => fresh_schema().await,
        }
    }
}

/// Creates a schema of its own for one test and returns the server's URL pointed at it
/// (`public` stays on the path for the `unaccent` extension). Fails the test when the server
/// does not answer: a run that asked for PostgreSQL must not pass without it.
async fn fresh_schema() -> String {
    static SEQUENCE: AtomicU32 = AtomicU32::new(0);
    let server = postgres_server().expect("PostgreSQL runs need TIERDESK_TEST_POSTGRES");
    let schema = format!(
        "tierdesk_test_{}_{}_{}",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros()
    );
    let admin = raw_pool(&server).await;
    sqlx::query("SELECT pg_advisory_lock(4242)")
        .execute(&admin)
        .await
        .unwrap();
    // Tests of many processes share the server: one creates the extension, and schemas left by
    // runs over an hour ago are dropped.
    for sql in [
        "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public".to_owned(),
        format!("CREATE SCHEMA {schema}"),
    ] {
        sqlx::query(&sql).execute(&admin).await.unwrap();
    }
    drop_old_schemas(&admin).await;
    sqlx::query("SELECT pg_advisory_unlock(4242)")
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let separator = if server.contains('?') { '&' } else { '?' };
    format!("{server}{separator}options[search_path]={schema},public")
}

async fn drop_old_schemas(admin: &sqlx::AnyPool) {
    let hour_ago = chrono::Utc::now().timestamp_micros() - 3_600_000_000;
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'tierdesk\\_test\\_%'",
    )
    .fetch_all(admin)
    .await
    .unwrap();
    for (name,) in names {
        let made: i64 = name
            .rsplit('_')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(i64::MAX);
        if made < hour_ago {
            let _ = sqlx::query(&format!("DROP SCHEMA {name} CASCADE"))
                .execute(admin)
                .await;
        }
    }
}

/// A pool of its own on `url`, as an operator's client would open it.
pub async fn raw_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::pool::PoolOptions::<sqlx::Any>::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot open the test database {url}: {e}"))
}
