//! The backlog summary of SPEC §5: open tickets per level and priority with the change since
//! the last summary, overdue and oldest tickets, the last 24 hours, and the key figures.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::{Context, Outcome, Reply, Service};
use crate::domain::effects::Outgoing;
use crate::domain::error::Error;
use crate::domain::history::{self, History};
use crate::domain::{rules, GuildId, Level, Priority, Status};
use crate::service::store;

pub use crate::domain::summary::{count_key, Activity, Counts, OpenCount, SummaryReport};

/// How many days of history the key figures cover.
pub const FIGURES_WINDOW_DAYS: i64 = 7;

/// The local date of `now` in `tz`, as the summary's day.
pub fn local_day(now: DateTime<Utc>, tz: Tz) -> String {
    now.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// Builds the summary of `guild` as of `now`.
pub async fn build_report(
    service: &Service,
    guild: GuildId,
    now: DateTime<Utc>,
) -> anyhow::Result<SummaryReport> {
    let db = service.store.reader();
    // Independent reads, side by side on the reader pool.
    let day_ago = now - Duration::hours(24);
    let (
        previous,
        open_counts,
        (overdue_count, overdue),
        oldest,
        kinds,
        figures,
        breaches,
        history,
    ) = tokio::try_join!(
        store::summaries::last_counts(db, guild),
        store::figures::open_counts(db, guild),
        store::figures::overdue(db, guild, now, 5),
        store::figures::oldest_open(db, guild, 5),
        store::figures::activity(db, guild, day_ago, now),
        store::figures::key_figures(db, guild, now - Duration::days(FIGURES_WINDOW_DAYS), now),
        store::figures::breaches(db, guild, day_ago, now),
        service.history(now),
    )?;
    let open = open_cells(service, &open_counts, previous.as_ref());
    let kind = |k: &str| kinds.get(k).copied().unwrap_or(0);
    Ok(SummaryReport {
        generated_at: now,
        day: local_day(now, service.config.summary.timezone),
        open_total: open.iter().map(|c| c.count).sum(),
        open,
        overdue_count,
        overdue,
        oldest,
        last_24h: Activity {
            opened: kind("opened"),
            escalated: kind("escalated") + kind("vendor_escalated"),
            returned: kind("returned"),
            closed: kind("closed"),
            reopened: kind("reopened"),
        },
        figures,
        breaches,
        history: Some(history),
    })
}

/// Open tickets per level and priority, with the change since the `previous` summary; cells
/// that emptied since then still show, with their drop.
fn open_cells(
    service: &Service,
    open_counts: &[(Level, Priority, Status, i64)],
    previous: Option<&Counts>,
) -> Vec<OpenCount> {
    let mut per_cell: BTreeMap<(Level, Priority), i64> = BTreeMap::new();
    for (level, priority, _status, n) in open_counts {
        *per_cell.entry((*level, *priority)).or_default() += n;
    }
    if let Some(prev) = previous {
        for level in service.config.tiers.keys() {
            for p in Priority::ALL {
                if prev.get(&count_key(*level, *p)).is_some_and(|n| *n > 0) {
                    per_cell.entry((*level, *p)).or_default();
                }
            }
        }
    }
    let change = |level, priority, count: i64| {
        previous.map(|prev| count - prev.get(&count_key(level, priority)).copied().unwrap_or(0))
    };
    per_cell
        .into_iter()
        .map(|((level, priority), count)| OpenCount {
            level,
            priority,
            count,
            change: change(level, priority, count),
        })
        .collect()
}

impl Service {
    /// The chart's numbers for the last days, as of `now` (the dashboard's chart).
    pub async fn history(&self, now: DateTime<Utc>) -> anyhow::Result<History> {
        let (db, guild) = (self.store.reader(), self.config.discord.guild_id);
        let tz = self.config.summary.timezone;
        let since = history::window_start(now, tz);
        let days = history::day_ends(now, tz, history::CHART_DAYS);
        let ends: Vec<DateTime<Utc>> = days.iter().map(|(_, end)| *end).collect();
        let (open, moves, closes) = tokio::try_join!(
            self.open_per_level(),
            store::history::level_moves(db, guild, since, &ends),
            store::history::middle_closes(db, guild, since, &ends),
        )?;
        let levels: Vec<Level> = open.keys().copied().collect();
        Ok(history::history(&days, &levels, &open, &moves, &closes))
    }
}

impl Service {
    /// `/summary`: an admin posts the summary now (besides the daily one).
    pub(super) async fn post_summary(&self, ctx: &Context) -> Result<Outcome, Error> {
        rules::require_admin(&ctx.actor, "action-post-summary")?;
        let report = build_report(self, ctx.guild, ctx.now).await?;
        let message = Outgoing::Summary {
            channel: self.config.summary.channel_id,
            report: Box::new(report.clone()),
        };
        let mut tx = self.store.begin_write().await?;
        store::summaries::record(
            &mut tx,
            ctx.guild,
            &report.day,
            false,
            &report.counts(),
            ctx.now,
        )
        .await?;
        store::outbox::enqueue(
            &mut tx,
            ctx.guild,
            None,
            std::slice::from_ref(&message),
            ctx.now,
        )
        .await?;
        tx.commit().await?;
        self.messages_queued.notify_one();
        Ok(Outcome {
            reply: Reply::Summary(Box::new(report)),
            effects: vec![message],
        })
    }
}

/// The instant of the daily summary on the local date `day` in `tz`. On a day when that
/// local time does not exist (the clock jumps over it), the first instant after the gap.
pub fn summary_slot(day: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let mut local = day.and_time(time);
    // A gap lasts at most a few hours; step until the local time exists.
    for _ in 0..24 * 4 {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += Duration::minutes(15);
    }
    Utc.from_utc_datetime(&day.and_time(time))
}

impl Service {
    /// When the next daily summary is due, seen from `now`: today's slot if still ahead,
    /// otherwise tomorrow's.
    pub fn next_summary_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let s = &self.config.summary;
        let today = now.with_timezone(&s.timezone).date_naive();
        let slot = summary_slot(today, s.time, s.timezone);
        if now < slot {
            slot
        } else {
            summary_slot(today + Duration::days(1), s.time, s.timezone)
        }
    }

    /// Posts today's daily summary if its time has come and it was not posted yet, exactly
    /// once per guild and local day, however late (after downtime) and however many
    /// schedulers ask. Returns the report when this call posted it.
    pub async fn post_daily_summary(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<SummaryReport>, Error> {
        let s = &self.config.summary;
        let today = now.with_timezone(&s.timezone).date_naive();
        if now < summary_slot(today, s.time, s.timezone) {
            return Ok(None);
        }
        let guild = self.config.discord.guild_id;
        let day = today.format("%Y-%m-%d").to_string();
        if store::summaries::has_daily(self.store.reader(), guild, &day).await? {
            return Ok(None);
        }
        let report = build_report(self, guild, now).await?;
        let mut tx = self.store.begin_write().await?;
        // The unique index on (guild, day) for daily summaries makes this the one post.
        if !store::summaries::record(&mut tx, guild, &day, true, &report.counts(), now).await? {
            return Ok(None);
        }
        let message = Outgoing::Summary {
            channel: s.channel_id,
            report: Box::new(report.clone()),
        };
        store::outbox::enqueue(&mut tx, guild, None, std::slice::from_ref(&message), now).await?;
        tx.commit().await?;
        self.messages_queued.notify_one();
        Ok(Some(report))
    }
}
