//! All SQL lives here: one function per query, multi-step writes inside one transaction.
//!
//! SQLite by default, PostgreSQL for a URL that names it, both through sqlx's `Any` driver so
//! every query is written once. Write transactions run one at a time: on SQLite through one
//! dedicated connection starting with `BEGIN IMMEDIATE` (queueing against other processes on
//! the same file too), on PostgreSQL under one advisory lock (queueing against every replica).
//! Reads use a pool.

/// The statuses of a ticket not closed yet, as an SQL condition: `Status::OPEN` of the
/// domain, spelled once for every query (checked against it in this module's tests).
macro_rules! open_statuses {
    () => {
        "status IN ('open', 'acknowledged', 'waiting')"
    };
}

pub mod alerts;
mod connect;
pub mod events;
pub mod figures;
pub mod history;
pub mod kb;
pub mod oncall;
pub mod outbox;
pub mod replicas;
pub mod summaries;
pub mod tickets;

use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::AnyPool;

/// A write transaction.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database the URL names. Queries are written once, in SQL both understand (numbered
/// `$N` parameters, standard functions); the few that differ ask the store which one runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend of a `database.url`, or why the URL names none.
    pub fn of(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!(
                "database.url = \"{url}\" names no database tierdesk knows: use \
                 \"sqlite://tierdesk.db\" or \"postgres://user@host/db\""
            )
        }
    }
}

/// Every write transaction on PostgreSQL first takes this advisory lock, so write
/// transactions run one after another across every replica, as on SQLite: a use case reads
/// the state the previous one committed, and a deadline seen by two replicas fires once.
const WRITE_LOCK: i64 = 0x7469_6572_6465_736b; // "tierdesk"

/// The database: a pool of readers and one writer.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    readers: AnyPool,
    writer: AnyPool,
    /// One connection that only probes whether a write would go through, with a short
    /// timeout so a probe never waits behind a long write.
    probe: AnyPool,
}

impl Store {
    /// Opens (creating if missing) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        connect::pools(url).await
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether several replicas may run on this database (PostgreSQL; SQLite is one bot's).
    pub fn shared_by_replicas(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Applies the embedded migrations that have not run yet; refuses a database that a
    /// newer tierdesk migrated.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        connect::migrate(self.backend, &self.writer).await
    }

    /// Starts a write transaction that holds the write lock from its first statement.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => {
                let mut tx = self.writer.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// Whether the database takes a write now: takes the write lock and lets it go, waiting
    /// at most about a second for it (a probe for `/health`, on its own connection).
    ///
    /// The probe runs on a task of its own, so a caller that gives up (a load balancer's
    /// timeout drops the HTTP handler) cannot leave the probe's connection inside its
    /// transaction, holding the write lock: the task always ends with its rollback.
    pub async fn writable(&self) -> anyhow::Result<()> {
        let store = self.clone();
        tokio::spawn(async move { store.probe_write().await })
            .await
            .context("the write probe stopped")?
    }

    async fn probe_write(&self) -> anyhow::Result<()> {
        let mut tx = match self.backend {
            // The probe pool's busy timeout bounds the wait.
            Backend::Sqlite => self.probe.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.probe.begin().await?,
        };
        let locked = match self.backend {
            Backend::Sqlite => Ok(()),
            Backend::Postgres => Self::probe_lock(&mut tx).await,
        };
        tx.rollback().await?;
        locked
    }

    async fn probe_lock(tx: &mut Tx) -> anyhow::Result<()> {
        sqlx::query("SET LOCAL lock_timeout = '1s'")
            .execute(&mut **tx)
            .await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The database's clock: every replica reads leases against the same time, whatever
    /// its own clock says.
    pub async fn database_now(&self) -> anyhow::Result<DateTime<Utc>> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT CAST(strftime('%s', 'now') AS INTEGER)",
            Backend::Postgres => "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)",
        };
        let secs: i64 = sqlx::query_scalar(sql).fetch_one(&self.readers).await?;
        Ok(from_ts(secs))
    }

    /// The pool for reads that need no transaction.
    pub fn reader(&self) -> &AnyPool {
        &self.readers
    }

    /// A consistent copy of the whole database at `path`, taken while the bot runs.
    pub async fn backup(&self, path: &Path) -> anyhow::Result<()> {
        if self.backend == Backend::Postgres {
            anyhow::bail!(
                "this database is PostgreSQL: back it up with PostgreSQL's own tool, e.g. \
                 `pg_dump --format=custom --file={} \"$DATABASE_URL\"` (restore with pg_restore)",
                path.display()
            );
        }
        if path.exists() {
            anyhow::bail!(
                "{} already exists: choose a new file name, backups never overwrite",
                path.display()
            );
        }
        let target = path
            .to_str()
            .context("the backup path must be valid UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.readers)
            .await
            .with_context(|| format!("writing the backup to {}", path.display()))?;
        Ok(())
    }

    /// Closes every connection, checkpointing SQLite's WAL.
    pub async fn close(&self) {
        self.probe.close().await;
        self.readers.close().await;
        self.writer.close().await;
    }
}

/// `($1, $2, …), ($k, …)`: the placeholders of a multi-row `VALUES` of `rows` rows of
/// `columns` values, numbered as both backends read them.
pub fn values_list(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
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
    fn values_lists_number_every_placeholder() {
        assert_eq!(super::values_list(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values_list(0, 3), "");
    }

    #[test]
    fn urls_name_their_backend() {
        use super::Backend;
        assert_eq!(Backend::of("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://h/db").unwrap(), Backend::Postgres);
        let err = Backend::of("mysql://h/db").unwrap_err().to_string();
        assert!(err.contains("postgres://"), "{err}");
    }

    #[test]
    fn the_sql_open_statuses_are_the_domains() {
        for status in Status::WORDS {
            let quoted = format!("'{status}'");
            let open = Status::OPEN_WORDS.contains(status);
            assert_eq!(open_statuses!().contains(&quoted), open, "{status}");
        }
    }
}
