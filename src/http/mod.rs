//! The HTTP side of `tierdesk run` (SPEC §12–§13), on `[http] listen`: monitoring alerts in,
//! health, metrics and the dashboard out. A front end like the Discord one: it parses, calls the service,
//! answers; every request is bounded (body size, time, how many at once) and the listener
//! stops with the bot on SIGTERM, finishing the requests in flight.

mod alerts;
mod batcher;
mod dashboard;
mod health;
pub mod interactions;
mod metrics;
mod pages;
pub mod payloads;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;
use tokio::sync::watch;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::service::Service;

/// The largest body accepted (a larger one gets 413).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How many requests are served at once; more wait their turn.
const CONCURRENCY: usize = 256;

pub use crate::service::DiscordStatus;

/// What every handler reaches.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub discord: Arc<DiscordStatus>,
    /// Renders the metrics; `None` when no recorder is installed.
    pub metrics: Option<PrometheusHandle>,
    /// Writes alerts in batches.
    alerts: batcher::Batcher,
    /// The application's key, when interactions arrive over HTTP.
    public_key: Option<ed25519_dalek::VerifyingKey>,
    /// Where `POST /interactions` hands interactions over (the Discord front end).
    interactions: Option<interactions::InteractionSink>,
}

impl AppState {
    /// The state of the listener; starts the alert writer.
    pub fn new(
        service: Service,
        discord: Arc<DiscordStatus>,
        metrics: Option<PrometheusHandle>,
    ) -> AppState {
        let public_key = match service.config.discord.interactions {
            crate::config::Interactions::Http { public_key } => {
                ed25519_dalek::VerifyingKey::from_bytes(&public_key).ok()
            }
            crate::config::Interactions::Gateway => None,
        };
        AppState {
            alerts: batcher::Batcher::start(service.clone()),
            service,
            discord,
            metrics,
            public_key,
            interactions: None,
        }
    }

    /// Hands `POST /interactions` to `sink`.
    pub fn with_interactions(mut self, sink: interactions::InteractionSink) -> AppState {
        self.interactions = Some(sink);
        self
    }
}

/// The routes, with their limits.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/alerts/{source}", post(alerts::receive))
        .route("/interactions", post(interactions::receive))
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        .route("/", get(dashboard::queues))
        .route("/tickets/{number}", get(dashboard::ticket))
        .route("/figures", get(dashboard::figures))
        .route("/chart.svg", get(dashboard::chart))
        .route("/login", get(dashboard::login_form).post(dashboard::login))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(ConcurrencyLimitLayer::new(CONCURRENCY))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` turns true, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let stop = async move {
        while !*shutdown.borrow() {
            if shutdown.changed().await.is_err() {
                break;
            }
        }
    };
    axum::serve(listener, router(state))
        .with_graceful_shutdown(stop)
        .await?;
    Ok(())
}

/// An error answer: a status and a reason, as JSON.
pub fn problem(status: StatusCode, reason: impl Into<String>) -> Response {
    (status, Json(json!({ "error": reason.into() }))).into_response()
}

async fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "no such page")
}
