//! `POST /alerts/{source}`: a monitoring tool's webhook, checked against the source's bearer
//! token in constant time, read by the source's kind, stored, then answered 202.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{payloads, problem, AppState};
use crate::config::AlertSource;
use crate::service::AlertOutcome;
use crate::telemetry;

/// The most alerts one request may carry: they are written in one transaction, under the
/// write lock every Discord interaction also waits for.
pub const MAX_ALERTS_PER_REQUEST: usize = 500;

pub async fn receive(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(source) = state.service.config.alert_source(&name) else {
        return problem(
            StatusCode::NOT_FOUND,
            format!(
                "no alert source called `{}` in the config",
                crate::domain::text::clip(&name, 60)
            ),
        );
    };
    if !authorized(source, &headers) {
        telemetry::alert(&source.name, "rejected");
        tracing::warn!(source = %source.name, "alert refused: missing or wrong bearer token");
        return problem(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token: send `Authorization: Bearer <the source's token>`",
        );
    }
    let alerts = match payloads::parse(source.kind, &body) {
        Ok(alerts) => alerts,
        Err(reason) => {
            telemetry::alert(&source.name, "rejected");
            return problem(StatusCode::BAD_REQUEST, reason);
        }
    };
    if alerts.len() > MAX_ALERTS_PER_REQUEST {
        telemetry::alert(&source.name, "rejected");
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{} alerts in one request; at most {MAX_ALERTS_PER_REQUEST} are taken at once: \
                 send them in smaller groups (Alertmanager: group_by, or max_alerts in the \
                 webhook config)",
                alerts.len()
            ),
        );
    }
    match state.alerts.submit(source, alerts).await {
        Ok(outcomes) => accepted(&source.name, &outcomes),
        Err(reason) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{reason}; send them again"),
        ),
    }
}

/// Whether the request carries the source's token, compared in constant time.
fn authorized(source: &AlertSource, headers: &HeaderMap) -> bool {
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    source.token.matches(given)
}

fn accepted(source: &str, outcomes: &[AlertOutcome]) -> Response {
    let mut counts = serde_json::Map::new();
    for outcome in outcomes {
        telemetry::alert(source, outcome.name());
        let n = counts.entry(outcome.name()).or_insert(json!(0));
        *n = json!(n.as_u64().unwrap_or(0) + 1);
    }
    let tickets: Vec<i64> = outcomes
        .iter()
        .filter_map(|o| match o {
            AlertOutcome::Opened(n)
            | AlertOutcome::Repeat(n)
            | AlertOutcome::Resolved(n)
            | AlertOutcome::ClosedAtSource(n) => Some(n.0),
            AlertOutcome::Ignored => None,
        })
        .collect();
    (
        StatusCode::ACCEPTED,
        Json(json!({ "accepted": outcomes.len(), "outcomes": counts, "tickets": tickets })),
    )
        .into_response()
}
