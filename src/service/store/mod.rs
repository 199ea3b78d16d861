//! All SQL lives here: one function per query, multi-step writes inside one transaction.
//!
//! SQLite by default. Writes go through one dedicated connection and start with
//! `BEGIN IMMEDIATE`, so write transactions queue instead of dead-locking, in this process
//! and against others on the same file (the console next to the bot). Reads use a pool.
//! The SQL sticks to what PostgreSQL also understands, so a twin of this module can follow
//! without the service changing.

/// The statuses of a ticket not closed yet, as an SQL condition: `Status::OPEN` of the
/// domain, spelled once for every query (checked against it in this module's tests).
macro_rules! open_statuses {
    () => {
        "status IN ('open', 'acknowledged', 'waiting')"
    };
}

pub mod alerts;
pub mod events;
pub mod figures;
pub mod history;
pub mod kb;
pub mod oncall;
pub mod outbox;
pub mod summaries;
pub mod tickets;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// A write transaction.
pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

/// The database: a pool of readers and one writer.
#[derive(Clone)]
pub struct Store {
    readers: SqlitePool,
    writer: SqlitePool,
    /// One connection that only probes whether a write would go through, with a short
    /// busy timeout so a probe never waits behind a long write.
    probe: SqlitePool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

impl Store {
    /// Opens (creating if missing) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        if !url.starts_with("sqlite:") {
            anyhow::bail!(
                "database.url = \"{url}\": this build speaks SQLite only (\"sqlite://tierdesk.db\")"
            );
        }
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("database.url = \"{url}\" is not a SQLite URL"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await
            .with_context(|| format!("cannot open the database {url}"))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("cannot open the database {url} for reading"))?;
        let probe = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(2))
            .connect_with(options.busy_timeout(Duration::from_secs(1)))
            .await
            .with_context(|| format!("cannot open the database {url}"))?;
        Ok(Store {
            readers,
            writer,
            probe,
        })
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR
            .run(&self.writer)
            .await
            .context("applying database migrations")
    }

    /// Starts a write transaction that holds the write lock from its first statement.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    /// Whether the database takes a write now: takes the write lock and lets it go, waiting
    /// at most a second for it (a probe for `/health`, on its own connection).
    pub async fn writable(&self) -> anyhow::Result<()> {
        let mut probe = self.probe.acquire().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *probe).await?;
        sqlx::query("ROLLBACK").execute(&mut *probe).await?;
        Ok(())
    }

    /// The pool for reads that need no transaction.
    pub fn reader(&self) -> &SqlitePool {
        &self.readers
    }

    /// A consistent copy of the whole database at `path`, taken while the bot runs.
    pub async fn backup(&self, path: &Path) -> anyhow::Result<()> {
        if path.exists() {
            anyhow::bail!(
                "{} already exists: choose a new file name, backups never overwrite",
                path.display()
            );
        }
        let target = path
            .to_str()
            .context("the backup path must be valid UTF-8")?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.readers)
            .await
            .with_context(|| format!("writing the backup to {}", path.display()))?;
        Ok(())
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.probe.close().await;
        self.readers.close().await;
        self.writer.close().await;
    }
}

/// Unix seconds as stored.
pub fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// Stored unix seconds back to a time.
pub fn from_ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::domain::Status;

    #[test]
    fn the_sql_open_statuses_are_the_domains() {
        for status in Status::WORDS {
            let quoted = format!("'{status}'");
            let open = Status::OPEN_WORDS.contains(status);
            assert_eq!(open_statuses!().contains(&quoted), open, "{status}");
        }
    }
}
