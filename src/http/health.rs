//! `GET /health`: 200 when the database takes writes and the bot is connected to Discord,
//! 503 otherwise, with the same body either way: the database, the gateway and the outbox.
//! With the dashboard key (its cookie or `Authorization: Bearer`) it adds what is not for
//! everyone to read: the doctor's checks that failed at start, and the replicas — which one
//! this is (host and process), which one delivers, and the configs that differ.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;

use super::AppState;

pub async fn health(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let database = state.service.database_ok().await;
    let discord = state.discord.is_ready();
    let outbox = match state.service.outbox_health(Utc::now()).await {
        Ok(o) => json!({ "pending": o.pending, "oldest_s": o.oldest_s, "failed": o.failed }),
        Err(_) => json!(null),
    };
    let healthy = database && discord && !outbox.is_null();
    let mut body = json!({
        "database": if database { "ok" } else { "not answering" },
        "discord": if discord { "ready" } else { "disconnected" },
        "outbox": outbox,
    });
    if super::dashboard::holds_key(&state, &headers) {
        body["failed_checks"] = json!(state.discord.failed_checks());
        body["replicas"] = replicas(&state).await;
    }
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// This replica, the one delivering the outbox, and the configs that differ from this one's.
async fn replicas(state: &AppState) -> serde_json::Value {
    let now = state
        .service
        .database_now()
        .await
        .unwrap_or_else(|_| Utc::now());
    let delivering = match state.service.delivery_holder().await {
        Ok(Some((holder, until))) if until >= now => json!(holder),
        _ => json!(null),
    };
    let drift: Vec<serde_json::Value> = state
        .service
        .config_drift()
        .into_iter()
        .map(|d| json!({ "replica": d.replica, "differing_keys": d.keys }))
        .collect();
    json!({
        "this": state.service.replica_name(),
        "delivering": delivering,
        "config_differs": drift,
    })
}
