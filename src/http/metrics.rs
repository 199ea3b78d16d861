//! `GET /metrics`: the Prometheus text format. Counters and the latency histogram are kept as
//! things happen; the gauges (open tickets, the outbox) are read from the database at scrape.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::{problem, AppState};
use crate::telemetry;

pub async fn metrics(State(state): State<AppState>) -> Response {
    let Some(handle) = &state.metrics else {
        return problem(
            StatusCode::NOT_FOUND,
            "metrics are not recorded in this process",
        );
    };
    if let Err(e) = refresh_gauges(&state).await {
        tracing::warn!(error = ?e, "metrics: reading the database failed");
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer",
        );
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

async fn refresh_gauges(state: &AppState) -> anyhow::Result<()> {
    let service = &state.service;
    for level in service.config.tiers.keys() {
        for priority in crate::domain::Priority::ALL {
            telemetry::open_tickets(level.get(), priority.as_str(), 0);
        }
    }
    for (level, priority, n) in service.open_tickets().await? {
        telemetry::open_tickets(level.get(), priority.as_str(), n);
    }
    let o = service.outbox_health(Utc::now()).await?;
    telemetry::outbox(o.pending, o.oldest_s, o.failed);
    Ok(())
}
