//! What operators take away: every ticket for export, the key figures of any window, and a
//! consistent copy of the database.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{store, Service};
use crate::domain::figures::KeyFigures;
use crate::domain::Ticket;

impl Service {
    /// Every ticket of the configured guild, in number order.
    pub async fn all_tickets(&self) -> anyhow::Result<Vec<Ticket>> {
        store::tickets::all(self.store.reader(), self.config.discord.guild_id).await
    }

    /// The key figures of `[from, to]`.
    pub async fn key_figures(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> anyhow::Result<KeyFigures> {
        let guild = self.config.discord.guild_id;
        store::figures::key_figures(self.store.reader(), guild, from, to).await
    }

    /// Writes a consistent copy of the database to `path`.
    pub async fn backup(&self, path: &Path) -> anyhow::Result<()> {
        self.store.backup(path).await
    }
}
