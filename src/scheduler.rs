//! The scheduler loop: acts on passed acknowledgement deadlines, hands the page roles over at
//! each on-call shift boundary, and posts the daily summary.
//!
//! It sleeps until the next deadline or summary slot (both come from the database, so a
//! restart loses none), never longer than two seconds (another process may have set a sooner
//! one), wakes early when a change here may have, and stops when told to. Each pass is `Service::run_due` plus `Service::post_daily_summary`, which tests
//! call directly with the time they choose.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::service::Service;

pub use crate::service::Clock;

/// The longest the loop sleeps without looking: deadlines set by another process (the
/// console on the same database, another replica) are noticed within this. A look is two
/// indexed reads.
const MAX_SLEEP: Duration = Duration::from_secs(2);

/// One pass: every passed deadline, then the daily summary if due. Returns the next time
/// the scheduler must look.
pub async fn pass(service: &Service, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let actions = service.run_due(now).await.map_err(anyhow_of)?;
    for action in &actions {
        tracing::info!(?action, "deadline passed");
    }
    if let Some(report) = service.post_daily_summary(now).await.map_err(anyhow_of)? {
        tracing::info!(day = %report.day, open = report.open_total, "daily summary queued");
    }
    for action in service.run_sla(now).await.map_err(anyhow_of)? {
        tracing::info!(?action, "SLA moment");
    }
    for (level, member) in service.run_oncall(now).await? {
        tracing::info!(
            level = level.get(),
            member = member.0,
            "on-call handoff queued"
        );
    }
    check_config(service, now).await;
    let next_deadline = service.next_deadline().await?;
    let next_summary = service.next_summary_at(now);
    let next_handoff = service.next_oncall_change(now).await?;
    let next_sla = service.next_sla_at().await?;
    Ok([next_deadline, next_handoff, next_sla]
        .into_iter()
        .flatten()
        .fold(next_summary, DateTime::min))
}

/// At start and once an hour: warns when another replica of the guild runs a different
/// config (a rolling change gone half-way), naming the keys that differ.
async fn check_config(service: &Service, now: DateTime<Utc>) {
    match service.check_config(now, false).await {
        Ok(Some(drift)) => {
            for other in drift {
                tracing::warn!(
                    replica = %other.replica,
                    keys = %other.keys.join(", "),
                    "another replica runs a different config: finish the rolling change"
                );
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = ?e, "comparing the config with the other replicas failed"),
    }
}

fn anyhow_of(e: crate::domain::error::Error) -> anyhow::Error {
    match e {
        crate::domain::error::Error::Internal(e) => e,
        other => anyhow::anyhow!(other.to_string()),
    }
}

/// Runs passes until `shutdown` turns true. `passes` counts finished passes, for whoever
/// wants to wait for one.
pub async fn run(
    service: Service,
    clock: Clock,
    mut shutdown: watch::Receiver<bool>,
    passes: watch::Sender<u64>,
) {
    let wake = service.deadlines_changed.clone();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let now = clock();
        let wait = match pass(&service, now).await {
            Ok(next) => (next - now)
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(MAX_SLEEP),
            Err(e) => {
                tracing::error!(error = ?e, "scheduler pass failed; trying again in a minute");
                Duration::from_secs(60)
            }
        };
        passes.send_modify(|n| *n += 1);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
            _ = shutdown.changed() => {}
        }
    }
    tracing::info!("scheduler stopped");
}
