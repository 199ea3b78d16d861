//! `tierdesk run`, the composition root: config → store and service → the front ends
//! (Discord's gateway or `POST /interactions`, the HTTP listener) → the workers (scheduler,
//! delivery) → shutdown on SIGTERM. The only module that knows every front end; each of them
//! knows only the service.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;
use tokio::sync::watch;

use crate::config::{Config, Interactions};
use crate::discord::arrival::{Answerer, Arrival};
use crate::discord::bot::{self, REQUEST_TIMEOUT};
use crate::discord::delivery::Deliverer;
use crate::http::interactions::{InteractionSink, NotAnswered};
use crate::http::AppState;
use crate::service::{Clock, DiscordStatus, Service};

/// Runs the bot until SIGTERM: then it stops taking interactions, finishes those in flight,
/// delivers what can be delivered, and returns.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let token = config.require_token()?.expose().to_owned();
    let service = Service::connect(config).await?;
    let http = crate::discord::http_client(&token, &service.config.discord, REQUEST_TIMEOUT)?;
    let metrics = install_metrics();
    let status = Arc::new(DiscordStatus::default());
    // Bound before connecting: a port already taken stops the bot with the reason.
    let listener = bind_http(&service).await?;
    let (handler, gate) = bot::handler(service.clone(), status.clone());
    let (mut arrival, http) = match service.config.discord.interactions {
        Interactions::Gateway => Arrival::gateway(handler, http, status.clone()).await?,
        Interactions::Http { .. } => Arrival::http(handler, http, status.clone()),
    };
    let (stop, stopped) = watch::channel(false);
    let [mut scheduler_task, mut delivery_task] = spawn_workers(&service, http, &stopped);
    let http_task = listener.map(|listener| {
        let mut state = AppState::new(service.clone(), status.clone(), metrics);
        if let Some(answerer) = arrival.answerer() {
            state = state.with_interactions(sink(answerer));
        }
        tracing::info!(listen = %listener.local_addr().map(|a| a.to_string()).unwrap_or_default(), "HTTP listener up");
        tokio::spawn(crate::http::serve(listener, state, stopped.clone()))
    });

    let outcome = tokio::select! {
        _ = terminated() => {
            tracing::info!("SIGTERM: finishing what is in flight");
            Ok(())
        }
        result = arrival.ended() => result,
        // A worker that stops on its own (a panic) would leave a bot that answers but never
        // pages: stop, and exit non-zero so the service manager restarts it.
        ended = &mut scheduler_task => Err(stopped_early("scheduler", ended)),
        ended = &mut delivery_task => Err(stopped_early("delivery worker", ended)),
    };
    gate.close();
    let _ = tokio::time::timeout(Duration::from_secs(10), gate.drained()).await;
    let _ = stop.send(true);
    let _ = tokio::time::timeout(
        Duration::from_secs(10),
        finish([delivery_task, scheduler_task]),
    )
    .await;
    if let Some(task) = http_task {
        let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    }
    arrival.close().await;
    service.disconnect().await;
    tracing::info!("stopped");
    outcome
}

/// `POST /interactions` hands each interaction to the Discord front end's answerer; a
/// refusal becomes the HTTP status it names.
fn sink(answerer: Answerer) -> InteractionSink {
    Arc::new(move |body| {
        let answerer = answerer.clone();
        Box::pin(async move {
            answerer(body).await.map_err(|refused| NotAnswered {
                status: axum::http::StatusCode::from_u16(refused.status)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                reason: refused.reason,
            })
        })
    })
}

/// The Prometheus recorder behind `/metrics`; `None` (metrics off) if one is installed already.
fn install_metrics() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
    let builder = PrometheusBuilder::new().set_buckets_for_metric(
        Matcher::Full(crate::telemetry::INTERACTION_LATENCY.to_owned()),
        crate::telemetry::LATENCY_BUCKETS,
    );
    match builder.and_then(|b| b.install_recorder()) {
        Ok(handle) => Some(handle),
        Err(e) => {
            tracing::warn!(error = %e, "metrics are off");
            None
        }
    }
}

fn stopped_early(task: &str, ended: Result<(), tokio::task::JoinError>) -> anyhow::Error {
    let error = match ended {
        Ok(()) => anyhow::anyhow!("the {task} stopped unexpectedly"),
        Err(e) => anyhow::Error::new(e).context(format!("the {task} failed")),
    };
    tracing::error!(error = ?error, "stopping the bot");
    error
}

/// Waits for SIGTERM or Ctrl-C.
async fn terminated() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The HTTP listener's socket, when `[http]` asks for one.
async fn bind_http(service: &Service) -> anyhow::Result<Option<tokio::net::TcpListener>> {
    let Some(h) = &service.config.http else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(h.listen)
        .await
        .with_context(|| format!("http.listen = \"{}\": cannot listen there", h.listen))?;
    Ok(Some(listener))
}

/// The scheduler and the delivery worker, running until `stopped` turns true.
fn spawn_workers(
    service: &Service,
    http: Arc<serenity::http::Http>,
    stopped: &watch::Receiver<bool>,
) -> [tokio::task::JoinHandle<()>; 2] {
    let clock: Clock = Arc::new(Utc::now);
    let (passes, _) = watch::channel(0u64);
    let scheduler = crate::scheduler::run(service.clone(), clock.clone(), stopped.clone(), passes);
    let deliverer = Deliverer::new(service.clone(), http, REQUEST_TIMEOUT);
    let delivery = deliverer.run(clock, service.messages_queued.clone(), stopped.clone());
    [tokio::spawn(scheduler), tokio::spawn(delivery)]
}

/// Waits for the workers to finish their last pass; one already seen to end is not awaited
/// again.
async fn finish(tasks: [tokio::task::JoinHandle<()>; 2]) {
    for task in tasks {
        if !task.is_finished() {
            let _ = task.await;
        }
    }
}
