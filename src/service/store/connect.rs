//! Opening the database named by `database.url`: SQLite's pragmas or PostgreSQL's connection
//! check, and the migrations embedded for each backend.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::AnyPool;
use sqlx::{ConnectOptions, Connection, Executor};

use super::{Backend, Store};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations-postgres");

/// How long a first connection to PostgreSQL may take before start-up gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The readers, the writer and the probe of the database at `url`.
pub async fn pools(url: &str) -> anyhow::Result<Store> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url)?;
    let (readers, writer, probe) = match backend {
        Backend::Sqlite => sqlite_pools(url).await?,
        Backend::Postgres => postgres_pools(url).await?,
    };
    Ok(Store {
        backend,
        readers,
        writer,
        probe,
    })
}

/// SQLite through `Any` keeps only what the URL says, so each connection sets the pragmas
/// the store relies on: WAL (readers never wait for the writer), a busy timeout (writers from
/// other processes queue), foreign keys. The file is created if missing.
async fn sqlite_pools(url: &str) -> anyhow::Result<(AnyPool, AnyPool, AnyPool)> {
    let url = if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    let options = AnyConnectOptions::from_str(&url)
        .with_context(|| format!("database.url = \"{url}\" is not a SQLite URL"))?
        .disable_statement_logging();
    let pool = |connections: u32, busy_ms: u32| {
        AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(60))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute(format!("PRAGMA busy_timeout = {busy_ms}").as_str())
                        .await?;
                    Ok(())
                })
            })
    };
    let writer = pool(1, 10_000)
        .connect_with(options.clone())
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    let readers = pool(8, 10_000)
        .connect_with(options.clone())
        .await
        .with_context(|| format!("cannot open the database {url} for reading"))?;
    let probe = pool(1, 1_000)
        .acquire_timeout(Duration::from_secs(2))
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    Ok((readers, writer, probe))
}

/// Connects once first, so a server that cannot be reached is reported with its host and
/// the real cause (refused, unknown database, authentication) rather than a pool timeout.
async fn postgres_pools(url: &str) -> anyhow::Result<(AnyPool, AnyPool, AnyPool)> {
    let pg = sqlx::postgres::PgConnectOptions::from_str(url).with_context(|| {
        format!(
            "database.url is not a PostgreSQL URL: {}",
            crate::domain::secrets::redact_url(url)
        )
    })?;
    let place = format!(
        "PostgreSQL at {}:{} (database \"{}\")",
        pg.get_host(),
        pg.get_port(),
        pg.get_database().unwrap_or("postgres")
    );
    let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
    let first = tokio::time::timeout(CONNECT_TIMEOUT, sqlx::AnyConnection::connect_with(&options))
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {}s", CONNECT_TIMEOUT.as_secs()))
        .and_then(|connected| connected.map_err(anyhow::Error::from))
        .with_context(|| format!("cannot connect to {place}"))?;
    first.close().await.ok();
    let pool = |connections: u32| {
        AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _| Box::pin(async move { session_limits(conn).await }))
    };
    // Writes queue on one advisory lock, so a few writer connections are plenty; nine
    // connections a replica leave room for several replicas under PostgreSQL's default 100.
    let writer = pool(3).connect_with(options.clone()).await?;
    let readers = pool(5).connect_with(options.clone()).await?;
    let probe = pool(1)
        .acquire_timeout(Duration::from_secs(2))
        .connect_with(options)
        .await?;
    Ok((readers, writer, probe))
}

/// A replica frozen while holding the write lock (SIGSTOP, a VM paused, a network cut that
/// TCP has not noticed) would stop every write on every replica for as long as its
/// connection lives. PostgreSQL ends a session idle inside a transaction after
/// `IDLE_IN_TRANSACTION`, which frees its advisory lock; a writer gives up waiting for the
/// lock after `LOCK_WAIT` (longer, so it outlasts a frozen holder) and reports the failure.
const IDLE_IN_TRANSACTION: &str = "5s";
const LOCK_WAIT: &str = "30s";

async fn session_limits(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute(
        format!("SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION}'").as_str(),
    )
    .await?;
    conn.execute(format!("SET lock_timeout = '{LOCK_WAIT}'").as_str())
        .await?;
    Ok(())
}

/// Applies the backend's pending migrations. A migration recorded in the database but not
/// embedded here means a newer tierdesk ran on it: refuse rather than run against a schema
/// this binary does not know.
pub async fn migrate(backend: Backend, pool: &AnyPool) -> anyhow::Result<()> {
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    match migrator.run(pool).await {
        Err(MigrateError::VersionMissing(version)) => anyhow::bail!(
            "the database was migrated by a newer tierdesk (migration {version} is not known to \
             this binary): run that newer version, or restore a backup taken before the upgrade"
        ),
        done => done.context("applying database migrations"),
    }
}
