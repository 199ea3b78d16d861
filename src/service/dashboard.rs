//! What the dashboard reads (SPEC §13): the queues by level a page at a time, a ticket with
//! its public timeline, and the key figures with the chart's numbers. Read-only, from the
//! reader pool; nothing here is shown to anyone the dashboard's key does not let in.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::summary::FIGURES_WINDOW_DAYS;
use super::Service;
use crate::domain::figures::KeyFigures;
use crate::domain::history::History;
use crate::domain::{Event, Level, Ticket, TicketNumber};
use crate::service::store;

/// Tickets on one page of a queue.
pub const PAGE_SIZE: u32 = 50;

/// One page of the open tickets of a level, oldest first.
#[derive(Debug, Clone)]
pub struct QueuePage {
    pub level: Level,
    pub tickets: Vec<Ticket>,
    /// Open tickets at the level, on every page.
    pub total: i64,
    /// From 1.
    pub page: u32,
}

impl QueuePage {
    /// How many pages the level's queue has (at least one, even when empty).
    pub fn pages(&self) -> u32 {
        (self.total.max(1) as u64).div_ceil(u64::from(PAGE_SIZE)) as u32
    }
}

/// The key figures of the last days, and the chart's numbers.
#[derive(Debug, Clone)]
pub struct FiguresView {
    pub days: i64,
    pub figures: KeyFigures,
    pub history: History,
}

impl Service {
    /// The levels that own tickets, as configured, each with its open count.
    pub async fn open_per_level(&self) -> anyhow::Result<BTreeMap<Level, i64>> {
        let guild = self.config.discord.guild_id;
        let mut per_level: BTreeMap<Level, i64> = (self.config.tiers.keys())
            .filter(|l| **l <= Level::EXPERTS)
            .map(|l| (*l, 0))
            .collect();
        for (level, _, _, n) in store::figures::open_counts(self.store.reader(), guild).await? {
            *per_level.entry(level).or_default() += n;
        }
        Ok(per_level)
    }

    /// Page `page` (from 1) of the open tickets at each of `levels` (every level that owns
    /// tickets when empty), oldest first; the open counts read once for all of them.
    pub async fn queue_pages(&self, levels: &[Level], page: u32) -> anyhow::Result<Vec<QueuePage>> {
        let totals = self.open_per_level().await?;
        let levels: Vec<Level> = if levels.is_empty() {
            totals.keys().copied().collect()
        } else {
            levels.to_vec()
        };
        let (guild, db) = (self.config.discord.guild_id, self.store.reader());
        let page = page.max(1);
        let window = (
            i64::from(PAGE_SIZE),
            i64::from(page - 1) * i64::from(PAGE_SIZE),
        );
        let mut pages = Vec::with_capacity(levels.len());
        for level in levels {
            let tickets = store::tickets::queue(db, guild, Some(level), None, window).await?;
            pages.push(QueuePage {
                level,
                tickets,
                total: totals.get(&level).copied().unwrap_or(0),
                page,
            });
        }
        Ok(pages)
    }

    /// Ticket `number` with its public timeline (never internal notes), if it exists.
    pub async fn public_ticket(
        &self,
        number: TicketNumber,
    ) -> anyhow::Result<Option<(Ticket, Vec<Event>, i64)>> {
        let db = self.store.reader();
        let guild = self.config.discord.guild_id;
        let Some(ticket) = store::tickets::find(db, guild, number).await? else {
            return Ok(None);
        };
        let (mut timeline, earlier) =
            store::events::latest(db, ticket.id, super::tickets::SHOWN_EVENTS).await?;
        timeline.retain(|e| !e.kind.is_internal());
        Ok(Some((ticket, timeline, earlier)))
    }

    /// The key figures of the last `FIGURES_WINDOW_DAYS` and the chart's numbers, as of `now`.
    pub async fn figures_view(&self, now: DateTime<Utc>) -> anyhow::Result<FiguresView> {
        let from = now - Duration::days(FIGURES_WINDOW_DAYS);
        let (figures, history) = tokio::try_join!(self.key_figures(from, now), self.history(now))?;
        Ok(FiguresView {
            days: FIGURES_WINDOW_DAYS,
            figures,
            history,
        })
    }
}
