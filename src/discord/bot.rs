//! The interaction handler: registers the slash commands at READY, takes each interaction
//! once (in this replica, from this guild), parses it, runs it through the service and
//! answers within Discord's three seconds. `tierdesk run` (`crate::process`) wires it in.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serenity::all::{
    AutocompleteOption, CommandInteraction, ComponentInteraction, Context as Discord,
    CreateAutocompleteResponse, CreateInteractionResponse, EventHandler, GuildId, Interaction,
    ModalInteraction, Ready,
};
use tokio::sync::Notify;

use tracing::Instrument as _;

use super::answer::{self, Out, Target};
use super::buttons::ButtonAction;
use super::respond::Answer;
use super::{commands, interaction, modals, respond};
use crate::command::{self, Command};
use crate::domain::error::Error;
use crate::i18n::Lang;
use crate::service::{Context, DiscordStatus, Service};

/// Interactions being handled right now, so shutdown can wait for them.
#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    done: Notify,
}

impl InFlight {
    /// Returns once no interaction is being handled.
    async fn drained(&self) {
        while self.count.load(Ordering::SeqCst) > 0 {
            let notified = self.done.notified();
            if self.count.load(Ordering::SeqCst) == 0 {
                break;
            }
            notified.await;
        }
    }
}

struct Guard<'a>(&'a InFlight);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.done.notify_waiters();
        }
    }
}

/// Interaction ids this process saw lately: a repeat (a gateway resume replaying events) is
/// dropped at once, before anything is sent to Discord. A restarted bot starts a new
/// session, to which Discord replays nothing of the old one.
#[derive(Default)]
struct Recent {
    ids: std::sync::Mutex<(HashSet<u64>, VecDeque<u64>)>,
}

impl Recent {
    const KEEP: usize = 10_000;

    /// True the first time `id` is offered.
    fn first(&self, id: u64) -> bool {
        let mut guard = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        let (set, order) = &mut *guard;
        if !set.insert(id) {
            return false;
        }
        order.push_back(id);
        if order.len() > Self::KEEP {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
        true
    }
}

/// Answers interactions, from the gateway or from `POST /interactions`.
pub struct Handler {
    service: Service,
    accepting: Arc<AtomicBool>,
    in_flight: Arc<InFlight>,
    recent: Recent,
    /// What `/health` reads: the gateway's state and the doctor's failed checks.
    status: Arc<DiscordStatus>,
    /// Whether the start-up work (doctor, on-call roles) ran; READY comes again on reconnect.
    started: AtomicBool,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Discord, ready: Ready) {
        self.status.set_ready(true);
        tracing::info!(user = %ready.user.name, "connected to the gateway");
        self.start_up(ctx.http.clone()).await;
    }

    async fn interaction_create(&self, ctx: Discord, interaction: Interaction) {
        self.handle(&Out::rest(ctx.http.clone()), interaction).await;
    }
}

impl Handler {
    /// Registers the slash commands (again at each gateway READY), and once per process puts
    /// the page roles right and runs the doctor's checks.
    pub(super) async fn start_up(&self, http: Arc<serenity::http::Http>) {
        let guild = GuildId::new(self.service.config.discord.guild_id.0);
        match guild.set_commands(&http, commands::registration()).await {
            Ok(set) => tracing::info!(commands = set.len(), "slash commands registered"),
            Err(e) => tracing::error!(error = ?e, "registering the slash commands failed"),
        }
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let service = self.service.clone();
        let reconciling = http.clone();
        tokio::spawn(async move { super::roles::reconcile(&reconciling, &service).await });
        // The doctor's checks, logged: a partly working bot still starts, and the operator
        // reads what to fix.
        let config = self.service.config.clone();
        let status = self.status.clone();
        tokio::spawn(async move {
            let mut failed = Vec::new();
            for check in super::doctor::checks(&http, &config).await {
                if check.ok {
                    tracing::debug!(check = %check.line, "doctor: ok");
                } else {
                    tracing::error!(problem = %check.line, "doctor: the bot cannot do its job here");
                    failed.push(check.line);
                }
            }
            status.set_failed_checks(failed);
        });
    }

    /// One interaction, from the gateway or from `POST /interactions`: the same path to the
    /// same answer, which goes where `out` says.
    pub(super) async fn handle(&self, out: &Out, interaction: Interaction) {
        self.in_flight.count.fetch_add(1, Ordering::SeqCst);
        let _guard = Guard(&self.in_flight);
        let (target, lang) = match &interaction {
            Interaction::Command(c) => (Target::Command(c), interaction::language(c)),
            Interaction::Component(c) => (Target::Component(c), Lang::from_locale(&c.locale)),
            Interaction::Modal(m) => (Target::Modal(m), Lang::from_locale(&m.locale)),
            Interaction::Autocomplete(c) => {
                if self.ours(c.guild_id.map(|g| g.get()))
                    && self.accepting.load(Ordering::SeqCst)
                    && self.taken_here(c.id.get()).await
                {
                    self.autocomplete(out, c).await;
                }
                return;
            }
            _ => return,
        };
        // A repeat (Discord delivering the same interaction again) acts nothing and answers
        // nothing, even while stopping: the first delivery answers.
        if !self.recent.first(target.id()) {
            tracing::info!(interaction = target.id(), "repeated interaction dropped");
            return;
        }
        let refusal = if !self.accepting.load(Ordering::SeqCst) {
            Some("reply-shutting-down")
        } else if !self.ours(target.guild()) {
            tracing::warn!(guild = ?target.guild(), "interaction from another guild refused");
            Some("reply-other-guild")
        } else {
            None
        };
        if let Some(id) = refusal {
            if self.taken_here(target.id()).await {
                let _ = target.respond(out, respond::notice(lang, id)).await;
            }
            return;
        }
        let answered = match interaction {
            Interaction::Command(cmd) => self.command(out, &cmd, lang).await,
            Interaction::Component(press) => self.button(out, &press, lang).await,
            Interaction::Modal(submit) => self.modal(out, &submit, lang).await,
            _ => Ok(()),
        };
        if let Err(e) = answered {
            tracing::warn!(error = ?e, "answering the interaction failed");
        }
    }

    /// Whether this replica acts on interaction `id`: every replica connected to the gateway
    /// receives it, and the first to record it in the database takes it. A database that
    /// does not answer lets the replica go on: the command then reports the failure itself.
    async fn taken_here(&self, id: u64) -> bool {
        match self.service.take_interaction(id, chrono::Utc::now()).await {
            Ok(true) => true,
            Ok(false) => {
                tracing::debug!(interaction = id, "interaction taken by another replica");
                false
            }
            Err(e) => {
                tracing::warn!(error = ?e, interaction = id, "recording the interaction failed");
                true
            }
        }
    }

    /// Whether an interaction comes from the configured guild (another guild's is refused).
    fn ours(&self, guild: Option<u64>) -> bool {
        guild == Some(self.service.config.discord.guild_id.0)
    }

    /// Runs a parsed command as a member, in a span with its name, ticket, level and latency.
    async fn execute(
        &self,
        user: crate::domain::UserId,
        roles: &[crate::domain::RoleId],
        lang: Lang,
        parsed: Result<Command, Error>,
    ) -> Answer {
        let started = Instant::now();
        let actor = self.service.actor(user, roles);
        let span = tracing::info_span!(
            "interaction",
            command = tracing::field::Empty,
            ticket = tracing::field::Empty,
            level = ?actor.highest().map(|l| l.get()),
            latency_ms = tracing::field::Empty,
        );
        let command = parsed.as_ref().map_or("unparsed", |c| c.name());
        if let Ok(cmd) = &parsed {
            span.record("command", cmd.name());
            if let Some(t) = cmd.ticket() {
                span.record("ticket", t.0);
            }
        }
        let ctx = Context {
            guild: self.service.config.discord.guild_id,
            actor,
            now: Utc::now(),
        };
        // The span follows the future (never held across an await with `enter`), so work
        // that sqlx finishes on its own tasks never sees a span that already closed.
        let result = async {
            match parsed {
                Ok(cmd) => self.service.execute(&ctx, cmd).await,
                Err(e) => Err(e),
            }
        }
        .instrument(span.clone())
        .await;
        span.record("latency_ms", started.elapsed().as_secs_f64() * 1e3);
        crate::telemetry::interaction(command, started.elapsed().as_secs_f64());
        span.in_scope(|| match &result {
            Ok(outcome) => {
                tracing::info!("answered");
                respond::success_answer(&self.service.config, lang, outcome)
            }
            Err(e) => {
                match e {
                    Error::Internal(cause) => tracing::error!(error = ?cause, "command failed"),
                    Error::User(refusal) => tracing::info!(refusal = ?refusal, "command refused"),
                }
                respond::refusal_answer(lang, e)
            }
        })
    }

    /// Runs an invocation for the member of `target`, once, answering in time.
    async fn run_once(
        &self,
        out: &Out,
        target: Target<'_>,
        member: (crate::domain::UserId, Vec<crate::domain::RoleId>),
        lang: Lang,
        parsed: Result<Command, Error>,
        private: bool,
    ) -> serenity::Result<()> {
        // The claim counts against Discord's three seconds too: on a slow database the
        // interaction is deferred while the claim waits, rather than never answered.
        let work = async {
            if !self.taken_here(target.id()).await {
                return None;
            }
            let mut answer = self.execute(member.0, &member.1, lang, parsed).await;
            answer.ephemeral |= private;
            Some(answer)
        };
        answer::in_time(out, target, private, work).await
    }

    async fn command(
        &self,
        out: &Out,
        cmd: &CommandInteraction,
        lang: Lang,
    ) -> serenity::Result<()> {
        let inv = interaction::invocation(cmd);
        if modals::needs_modal(&inv) {
            // A form cannot be deferred: the claim and the draft get most of the three
            // seconds, and a database slower than that gets a clear "try again".
            let form = async {
                if !self.taken_here(cmd.id.get()).await {
                    return None;
                }
                Some(self.form(&inv, lang).await)
            };
            let form = match tokio::time::timeout(FORM_BUDGET, form).await {
                Ok(Some(form)) => form,
                Ok(None) => return Ok(()),
                Err(_slow) => {
                    tracing::warn!("the database was too slow to open a form in time");
                    respond::notice(lang, "reply-busy")
                }
            };
            return Target::Command(cmd).respond(out, form).await;
        }
        let parsed = command::parse(inv).map_err(Error::from);
        self.run_once(
            out,
            Target::Command(cmd),
            interaction::member(cmd),
            lang,
            parsed,
            false,
        )
        .await
    }

    /// The modal for a command given without its texts; the command's other options wait
    /// in a draft for the form to come back.
    async fn form(&self, inv: &command::Invocation, lang: Lang) -> CreateInteractionResponse {
        let kept = modals::kept_options(inv);
        let draft = if kept.is_empty() {
            None
        } else {
            let saved = match serde_json::to_string(&kept) {
                Ok(json) => self.service.save_modal_draft(&json, Utc::now()).await,
                Err(e) => Err(e.into()),
            };
            match saved {
                Ok(id) => Some(id),
                Err(e) => {
                    tracing::error!(error = ?e, "keeping the options for the form failed");
                    return respond::notice(lang, "err-internal");
                }
            }
        };
        match modals::modal(inv, lang, draft) {
            Some(form) => CreateInteractionResponse::Modal(form),
            None => respond::notice(lang, "err-internal"),
        }
    }

    async fn button(
        &self,
        out: &Out,
        press: &ComponentInteraction,
        lang: Lang,
    ) -> serenity::Result<()> {
        let Some(action) = ButtonAction::parse(&press.data.custom_id) else {
            return Ok(());
        };
        let member = interaction::component_member(press);
        self.run_once(
            out,
            Target::Component(press),
            member,
            lang,
            Ok(action.command()),
            true,
        )
        .await
    }

    async fn modal(
        &self,
        out: &Out,
        submit: &ModalInteraction,
        lang: Lang,
    ) -> serenity::Result<()> {
        let Some(modals::Submitted {
            mut invocation,
            draft,
        }) = modals::submitted(submit)
        else {
            return Ok(());
        };
        if let Some(id) = draft {
            match self.kept_options(id).await {
                Some(kept) => invocation.options.extend(kept),
                None => {
                    let expired = respond::notice(lang, "reply-form-expired");
                    return Target::Modal(submit).respond(out, expired).await;
                }
            }
        }
        let parsed = command::parse(invocation).map_err(Error::from);
        let member = interaction::modal_member(submit);
        self.run_once(out, Target::Modal(submit), member, lang, parsed, false)
            .await
    }

    /// The options a form's draft kept, or `None` when the draft is gone.
    async fn kept_options(&self, draft: i64) -> Option<Vec<(String, command::RawValue)>> {
        match self.service.modal_draft(draft).await {
            Ok(Some(json)) => serde_json::from_str(&json).ok(),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = ?e, "reading the form's draft failed");
                None
            }
        }
    }

    async fn autocomplete(&self, out: &Out, cmd: &CommandInteraction) {
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
        let _ = Target::Command(cmd)
            .respond(out, CreateInteractionResponse::Autocomplete(choices))
            .await;
    }

    async fn suggestions(
        &self,
        focused: &AutocompleteOption<'_>,
        actor: &crate::domain::rules::Actor,
    ) -> anyhow::Result<CreateAutocompleteResponse> {
        let mut response = CreateAutocompleteResponse::new();
        match focused.name {
            "ticket" | "from_ticket" => {
                for (n, title) in self.service.complete_tickets(actor, focused.value).await? {
                    let name = super::messages::clip(&format!("#{n} {title}"), 100);
                    response = response.add_int_choice(name, n.0);
                }
            }
            "kb" | "article" => {
                for (n, title) in self.service.complete_articles(focused.value).await? {
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

/// Keeps `/health`'s view of the gateway current: connected while a shard is. (A dropped
/// connection removes the shard's runner until it reconnects, and sends no event.)
pub(super) async fn watch_gateway(
    shards: Arc<serenity::gateway::ShardManager>,
    status: Arc<DiscordStatus>,
) {
    loop {
        let connected = shards
            .runners
            .lock()
            .await
            .values()
            .any(|r| r.stage == serenity::gateway::ConnectionStage::Connected);
        status.set_ready(connected);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// How long any request to Discord may take before it is given up (and retried).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// How long claiming an interaction and keeping a form's options may take before the member
/// is told to try again: a form must be Discord's first answer, within three seconds.
const FORM_BUDGET: Duration = Duration::from_millis(2200);

/// Whether the bot takes interactions, and those it is handling: what shutdown closes and
/// waits for.
#[derive(Clone)]
pub struct Gate {
    accepting: Arc<AtomicBool>,
    in_flight: Arc<InFlight>,
}

impl Gate {
    /// Stops taking interactions (those that arrive are told the bot is restarting).
    pub fn close(&self) {
        self.accepting.store(false, Ordering::SeqCst);
    }

    /// Returns once no interaction is being handled.
    pub async fn drained(&self) {
        self.in_flight.drained().await;
    }
}

/// The handler of every interaction, and the gate that stops it.
pub fn handler(service: Service, status: Arc<DiscordStatus>) -> (Arc<Handler>, Gate) {
    let gate = Gate {
        accepting: Arc::new(AtomicBool::new(true)),
        in_flight: Arc::new(InFlight::default()),
    };
    let handler = Arc::new(Handler {
        service,
        accepting: gate.accepting.clone(),
        in_flight: gate.in_flight.clone(),
        recent: Recent::default(),
        status,
        started: AtomicBool::new(false),
    });
    (handler, gate)
}
