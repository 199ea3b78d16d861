//! The Discord front end on serenity: the slash-command definitions (built from the same
//! `command::SPECS` the parser reads), interactions read into invocations, replies, buttons,
//! modals, channel messages, the delivery worker and the bot itself (`bot::run`). No logic
//! about tickets lives here: it parses, calls the service, renders.

pub mod answer;
pub mod arrival;
pub mod bot;
pub mod buttons;
pub mod commands;
pub mod delivery;
pub mod doctor;
pub mod interaction;
pub mod invite;
pub mod messages;
pub mod modals;
pub mod respond;
mod rest;
pub mod roles;

use std::time::Duration;

use anyhow::Context as _;
use serenity::all::{ApplicationId, Http, HttpBuilder};

/// serenity's HTTP client for this config: every request times out after `timeout` (serenity
/// sets none, and one request Discord never answers would hold its caller forever), and with
/// `proxy_url` every call goes there.
pub fn http_client(
    token: &str,
    discord: &crate::config::Discord,
    timeout: Duration,
) -> anyhow::Result<Http> {
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .build()
        .context("building the HTTP client")?;
    let mut http = HttpBuilder::new(token)
        .client(client)
        .application_id(ApplicationId::new(discord.application_id));
    if let Some(proxy) = &discord.proxy_url {
        // serenity's rate limiter ignores the proxy, so it must be off; the delivery worker
        // backs off by itself.
        http = http.proxy(proxy.clone()).ratelimiter_disabled(true);
    }
    Ok(http.build())
}
