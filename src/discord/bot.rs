//! `tierdesk run`: connects to Discord, registers the slash commands, answers interactions,
//! and runs the scheduler and the delivery worker until SIGTERM.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::Utc;
use serenity::all::{
    ApplicationId, AutocompleteOption, ClientBuilder, CommandInteraction, ComponentInteraction,
    Context as Discord, CreateAutocompleteResponse, CreateInteractionResponse, EventHandler,
    GatewayIntents, GuildId, HttpBuilder, Interaction, ModalInteraction, Ready,
};
use tokio::sync::{watch, Notify};

use super::buttons::ButtonAction;
use super::delivery::Deliverer;
use super::{commands, interaction, modals, respond};
use crate::command::{self, Command};
use crate::config::Config;
use crate::error::Error;
use crate::i18n::Lang;
use crate::scheduler::{self, Clock};
use crate::service::{Context, Service};
use crate::store::{self, Store};

/// Interactions being handled right now, so shutdown can wait for them.
#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    done: Notify,
}

struct Guard<'a>(&'a InFlight);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.done.notify_waiters();
        }
    }
}

struct Handler {
    service: Service,
    accepting: Arc<AtomicBool>,
    in_flight: Arc<InFlight>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Discord, ready: Ready) {
        let guild = GuildId::new(self.service.config.discord.guild_id.0);
        match guild
            .set_commands(&ctx.http, commands::registration())
            .await
        {
            Ok(set) => {
                tracing::info!(user = %ready.user.name, commands = set.len(), "connected; slash commands registered")
            }
            Err(e) => tracing::error!(error = ?e, "registering the slash commands failed"),
        }
    }

    async fn interaction_create(&self, ctx: Discord, interaction: Interaction) {
        self.in_flight.count.fetch_add(1, Ordering::SeqCst);
        let _guard = Guard(&self.in_flight);
        if !self.accepting.load(Ordering::SeqCst) {
            let lang = match &interaction {
                Interaction::Command(c) | Interaction::Autocomplete(c) => interaction::language(c),
                _ => self.service.config.discord.language,
            };
            let reply = respond::notice(lang, "reply-shutting-down");
            let _ = match &interaction {
                Interaction::Command(c) => c.create_response(&ctx.http, reply).await,
                Interaction::Component(c) => c.create_response(&ctx.http, reply).await,
                Interaction::Modal(m) => m.create_response(&ctx.http, reply).await,
                _ => Ok(()),
            };
            return;
        }
        match interaction {
            Interaction::Command(cmd) => self.command(&ctx, &cmd).await,
            Interaction::Autocomplete(cmd) => self.autocomplete(&ctx, &cmd).await,
            Interaction::Component(press) => self.button(&ctx, &press).await,
            Interaction::Modal(submit) => self.modal(&ctx, &submit).await,
            _ => {}
        }
    }
}

impl Handler {
    /// Runs a parsed command as a member, in a span with its name, ticket, level and latency.
    async fn execute(
        &self,
        user: crate::domain::UserId,
        roles: &[crate::domain::RoleId],
        lang: Lang,
        parsed: Result<Command, Error>,
    ) -> CreateInteractionResponse {
        let started = Instant::now();
        let actor = self.service.actor(user, roles);
        let span = tracing::info_span!(
            "interaction",
            command = tracing::field::Empty,
            ticket = tracing::field::Empty,
            level = ?actor.highest().map(|l| l.get()),
            latency_ms = tracing::field::Empty,
        );
        let _enter = span.enter();
        let result = match parsed {
            Ok(cmd) => {
                span.record("command", cmd.name());
                if let Some(t) = cmd.ticket() {
                    span.record("ticket", t.0);
                }
                let ctx = Context {
                    guild: self.service.config.discord.guild_id,
                    actor,
                    now: Utc::now(),
                };
                self.service.execute(&ctx, cmd).await
            }
            Err(e) => Err(e),
        };
        let response = match &result {
            Ok(outcome) => respond::success(&self.service.config, lang, outcome),
            Err(e) => {
                match e {
                    Error::Internal(cause) => tracing::error!(error = ?cause, "command failed"),
                    Error::User(refusal) => tracing::info!(refusal = ?refusal, "command refused"),
                }
                respond::refusal(lang, e)
            }
        };
        span.record("latency_ms", started.elapsed().as_secs_f64() * 1e3);
        tracing::info!("answered");
        response
    }

    async fn command(&self, ctx: &Discord, cmd: &CommandInteraction) {
        let lang = interaction::language(cmd);
        let inv = interaction::invocation(cmd);
        let response = if modals::needs_modal(&inv) {
            match modals::modal(&inv, lang) {
                Some(form) => CreateInteractionResponse::Modal(form),
                None => respond::notice(lang, "err-internal"),
            }
        } else {
            let (user, roles) = interaction::member(cmd);
            self.execute(user, &roles, lang, command::parse(inv).map_err(Error::from))
                .await
        };
        if let Err(e) = cmd.create_response(&ctx.http, response).await {
            tracing::warn!(error = ?e, "answering the interaction failed");
        }
    }

    async fn button(&self, ctx: &Discord, press: &ComponentInteraction) {
        let Some(action) = ButtonAction::parse(&press.data.custom_id) else {
            return;
        };
        let lang = Lang::from_locale(&press.locale);
        let (user, roles) = interaction::component_member(press);
        let response = self.execute(user, &roles, lang, Ok(action.command())).await;
        let response = respond::ephemeral(response);
        if let Err(e) = press.create_response(&ctx.http, response).await {
            tracing::warn!(error = ?e, "answering the button failed");
        }
    }

    async fn modal(&self, ctx: &Discord, submit: &ModalInteraction) {
        let Some(inv) = modals::invocation(submit) else {
            return;
        };
        let lang = Lang::from_locale(&submit.locale);
        let (user, roles) = interaction::modal_member(submit);
        let response = self
            .execute(user, &roles, lang, command::parse(inv).map_err(Error::from))
            .await;
        if let Err(e) = submit.create_response(&ctx.http, response).await {
            tracing::warn!(error = ?e, "answering the modal failed");
        }
    }

    async fn autocomplete(&self, ctx: &Discord, cmd: &CommandInteraction) {
        let Some(focused) = cmd.data.autocomplete() else {
            return;
        };
        let (user, roles) = interaction::member(cmd);
        let actor = self.service.actor(user, &roles);
        let choices = match self.suggestions(&focused, &actor).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = ?e, "autocomplete failed");
                CreateAutocompleteResponse::new()
            }
        };
        let _ = cmd
            .create_response(&ctx.http, CreateInteractionResponse::Autocomplete(choices))
            .await;
    }

    async fn suggestions(
        &self,
        focused: &AutocompleteOption<'_>,
        actor: &crate::domain::rules::Actor,
    ) -> anyhow::Result<CreateAutocompleteResponse> {
        let guild = self.service.config.discord.guild_id;
        let db = self.service.store.reader();
        let mut response = CreateAutocompleteResponse::new();
        match focused.name {
            "ticket" | "from_ticket" => {
                for (n, title) in store::tickets::complete(
                    db,
                    guild,
                    focused.value,
                    actor.highest(),
                    actor.user,
                    25,
                )
                .await?
                {
                    let name = super::messages::clip(&format!("#{n} {title}"), 100);
                    response = response.add_int_choice(name, n.0);
                }
            }
            "kb" | "article" => {
                for (n, title) in store::kb::complete_titles(db, guild, focused.value, 25).await? {
                    let name = super::messages::clip(&format!("{n} {title}"), 100);
                    response = response.add_string_choice(name, n.to_string());
                }
            }
            "vendor" => {
                let typed = focused.value.to_lowercase();
                for v in self
                    .service
                    .config
                    .vendors
                    .iter()
                    .filter(|v| v.name.to_lowercase().contains(&typed))
                    .take(25)
                {
                    response = response.add_string_choice(v.name.clone(), v.name.clone());
                }
            }
            _ => {}
        }
        Ok(response)
    }
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

/// Runs the bot until SIGTERM: then it stops taking interactions, finishes those in flight,
/// delivers what can be delivered, and returns.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let token = config.require_token()?.expose().to_owned();
    let store = Store::open(&config.database_url).await?;
    let service = Service::new(store, config);
    let discord = &service.config.discord;
    let mut http =
        HttpBuilder::new(&token).application_id(ApplicationId::new(discord.application_id));
    if let Some(proxy) = &discord.proxy_url {
        // serenity's rate limiter ignores the proxy, so it must be off; the delivery worker
        // backs off by itself.
        http = http.proxy(proxy.clone()).ratelimiter_disabled(true);
    }
    let accepting = Arc::new(AtomicBool::new(true));
    let in_flight = Arc::new(InFlight::default());
    let handler = Handler {
        service: service.clone(),
        accepting: accepting.clone(),
        in_flight: in_flight.clone(),
    };
    // Only non-privileged intents: interactions need none at all.
    let mut client = ClientBuilder::new_with_http(http.build(), GatewayIntents::GUILDS)
        .event_handler(handler)
        .await
        .context("building the Discord client")?;
    let (stop, stopped) = watch::channel(false);
    let clock: Clock = Arc::new(Utc::now);
    let (passes, _) = watch::channel(0u64);
    let scheduler_task = tokio::spawn(scheduler::run(
        service.clone(),
        clock.clone(),
        stopped.clone(),
        passes,
    ));
    let deliverer = Deliverer {
        service: service.clone(),
        http: client.http.clone(),
    };
    let delivery_task =
        tokio::spawn(deliverer.run(clock, service.messages_queued.clone(), stopped));
    let shards = client.shard_manager.clone();
    let mut gateway = tokio::spawn(async move { client.start().await });

    let outcome = tokio::select! {
        _ = terminated() => {
            tracing::info!("SIGTERM: finishing what is in flight");
            Ok(())
        }
        result = &mut gateway => match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(anyhow::Error::new(e).context("the Discord connection failed")),
            Err(e) => Err(anyhow::Error::new(e).context("the Discord connection task failed")),
        },
    };
    accepting.store(false, Ordering::SeqCst);
    let drained = async {
        while in_flight.count.load(Ordering::SeqCst) > 0 {
            let notified = in_flight.done.notified();
            if in_flight.count.load(Ordering::SeqCst) == 0 {
                break;
            }
            notified.await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), drained).await;
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        let _ = delivery_task.await;
        let _ = scheduler_task.await;
    })
    .await;
    shards.shutdown_all().await;
    gateway.abort();
    service.store.close().await;
    tracing::info!("stopped");
    outcome
}
