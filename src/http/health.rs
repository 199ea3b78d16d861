//! `GET /health`: 200 when the database takes writes and the bot is connected to Discord,
//! 503 otherwise, with the same body either way: the database, the gateway, the outbox, and
//! the doctor's checks that failed at start.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;

use super::AppState;

pub async fn health(State(state): State<AppState>) -> Response {
    let database = state.service.database_ok().await;
    let discord = state.discord.is_ready();
    let outbox = match state.service.outbox_health(Utc::now()).await {
        Ok(o) => json!({ "pending": o.pending, "oldest_s": o.oldest_s, "failed": o.failed }),
        Err(_) => json!(null),
    };
    let healthy = database && discord && !outbox.is_null();
    let body = json!({
        "database": if database { "ok" } else { "not answering" },
        "discord": if discord { "ready" } else { "disconnected" },
        "outbox": outbox,
        "failed_checks": state.discord.failed_checks(),
    });
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
