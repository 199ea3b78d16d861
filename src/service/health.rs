//! What operators look at: whether the database takes writes, how the outbox stands, and the
//! open tickets per level and priority (SPEC §13).

use chrono::{DateTime, Utc};

use super::Service;
use crate::domain::{Level, Priority};
use crate::service::store::{figures, outbox};

/// The outbox as `/health` and `/metrics` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxHealth {
    pub pending: i64,
    /// Seconds the oldest waiting message has waited (0 when none waits).
    pub oldest_s: i64,
    /// Messages set aside after a day of failures.
    pub failed: i64,
}

impl Service {
    /// Whether the database takes a write now.
    pub async fn database_ok(&self) -> bool {
        match self.store.writable().await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = ?e, "health: the database does not take writes");
                false
            }
        }
    }

    /// The outbox at `now`.
    pub async fn outbox_health(&self, now: DateTime<Utc>) -> anyhow::Result<OutboxHealth> {
        let db = self.store.reader();
        let oldest = outbox::oldest_pending(db).await?;
        Ok(OutboxHealth {
            pending: outbox::pending_count(db).await?,
            oldest_s: oldest.map_or(0, |t| (now - t).num_seconds().max(0)),
            failed: outbox::failed_count(db).await?,
        })
    }

    /// Open tickets (not closed) per level and priority.
    pub async fn open_tickets(&self) -> anyhow::Result<Vec<(Level, Priority, i64)>> {
        let rows = figures::open_counts(self.store.reader(), self.config.discord.guild_id).await?;
        let mut out: Vec<(Level, Priority, i64)> = Vec::new();
        for (level, priority, _status, n) in rows {
            match out
                .iter_mut()
                .find(|(l, p, _)| *l == level && *p == priority)
            {
                Some(row) => row.2 += n,
                None => out.push((level, priority, n)),
            }
        }
        Ok(out)
    }
}
