//! How interactions reach the bot (SPEC §14): over its gateway connection, or as requests to
//! `POST /interactions` on the HTTP listener. Both feed the same handler; over HTTP the first
//! answer becomes the response body and the rest go through the REST API, and no gateway
//! connection is opened at all.

use std::sync::Arc;

use anyhow::Context as _;
use futures_util::future::BoxFuture;
use serde_json::Value;
use serenity::all::{ClientBuilder, GatewayIntents, Http, Interaction};
use serenity::gateway::ShardManager;
use tokio::task::JoinHandle;

use super::answer::Out;
use super::bot::Handler;
use crate::service::DiscordStatus;

/// Why an interaction sent over HTTP got no answer: the HTTP status that says so, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    pub status: u16,
    pub reason: String,
}

/// Takes an interaction's JSON and returns the JSON of its first answer (what the process
/// hands `POST /interactions`).
pub type Answerer =
    Arc<dyn Fn(Value) -> BoxFuture<'static, Result<Value, Unanswered>> + Send + Sync>;

/// The way in, with what it needs to stop.
pub enum Arrival {
    Gateway {
        connection: JoinHandle<serenity::Result<()>>,
        shards: Arc<ShardManager>,
        watcher: JoinHandle<()>,
    },
    Http {
        answerer: Answerer,
    },
}

impl Arrival {
    /// Connects to the gateway with `handler`; returns the way in and the REST client.
    pub async fn gateway(
        handler: Arc<Handler>,
        http: Http,
        status: Arc<DiscordStatus>,
    ) -> anyhow::Result<(Arrival, Arc<Http>)> {
        // Only non-privileged intents: interactions need none at all.
        let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
            .event_handler_arc(handler)
            .await
            .context("building the Discord client")?;
        let rest = client.http.clone();
        let shards = client.shard_manager.clone();
        let watcher = tokio::spawn(super::bot::watch_gateway(shards.clone(), status));
        let connection = tokio::spawn(async move { client.start().await });
        let arrival = Arrival::Gateway {
            connection,
            shards,
            watcher,
        };
        Ok((arrival, rest))
    }

    /// Takes interactions from the HTTP listener: registers the commands over REST (there is
    /// no READY to wait for) and marks Discord reachable once that worked.
    pub fn http(
        handler: Arc<Handler>,
        http: Http,
        status: Arc<DiscordStatus>,
    ) -> (Arrival, Arc<Http>) {
        let rest = Arc::new(http);
        let starting = (handler.clone(), rest.clone());
        tokio::spawn(async move {
            let (handler, rest) = starting;
            handler.start_up(rest).await;
            status.set_ready(true);
        });
        let answerer = answerer(handler, rest.clone());
        (Arrival::Http { answerer }, rest)
    }

    /// What `POST /interactions` hands interactions to, in HTTP mode.
    pub fn answerer(&self) -> Option<Answerer> {
        match self {
            Arrival::Http { answerer } => Some(answerer.clone()),
            Arrival::Gateway { .. } => None,
        }
    }

    /// Resolves when the way in fails for good (the gateway connection ending); never in
    /// HTTP mode, where the listener serves until shutdown.
    pub async fn ended(&mut self) -> anyhow::Result<()> {
        match self {
            Arrival::Gateway { connection, .. } => match connection.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(anyhow::Error::new(e).context("the Discord connection failed")),
                Err(e) => Err(anyhow::Error::new(e).context("the Discord connection task failed")),
            },
            Arrival::Http { .. } => std::future::pending().await,
        }
    }

    /// Closes the gateway connection, if there is one.
    pub async fn close(self) {
        if let Arrival::Gateway {
            connection,
            shards,
            watcher,
        } = self
        {
            watcher.abort();
            shards.shutdown_all().await;
            connection.abort();
        }
    }
}

/// Reads an interaction's JSON as serenity does from the gateway, hands it to `handler` and
/// waits for its first answer. The handler runs on its own task, so a deferred answer's
/// edit follows after the response went back.
fn answerer(handler: Arc<Handler>, http: Arc<Http>) -> Answerer {
    Arc::new(move |body| {
        let (handler, http) = (handler.clone(), http.clone());
        Box::pin(async move {
            let interaction: Interaction =
                serde_json::from_value(body).map_err(|e| Unanswered {
                    status: 400,
                    reason: format!("not an interaction Discord sends: {e}"),
                })?;
            let (out, first) = Out::body(http);
            tokio::spawn(async move { handler.handle(&out, interaction).await });
            let answer = first.await.map_err(|_| Unanswered {
                status: 500,
                reason: "the interaction got no answer (see the bot's log)".into(),
            })?;
            serde_json::to_value(&answer).map_err(|e| Unanswered {
                status: 500,
                reason: format!("the answer could not be written: {e}"),
            })
        })
    })
}
