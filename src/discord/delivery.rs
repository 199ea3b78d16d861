//! The delivery worker: sends the outbox to Discord, marking a message delivered only once
//! Discord accepted it, retrying with backoff otherwise, and setting it aside after a day.
//!
//! Order and isolation: the outbox hands out only the messages that may go now (a ticket's
//! edits follow each other, its thread follows its page, thread posts follow the thread;
//! pages stand alone). Tickets are delivered concurrently, each in order, so one channel that refuses or
//! never answers delays nothing but its own ticket; every request has a timeout.
//!
//! Exactly once: every message carries its outbox id as a nonce with `enforce_nonce`, so
//! Discord returns the first message instead of posting a second one within its nonce window.
//! Beyond that window, an attempt whose outcome was unknown (a timeout, a dropped connection,
//! a 5xx) is looked for in the channel before it is sent again; multi-part messages record
//! each part Discord accepted and resume after it. A second thread on the same message is
//! refused by Discord (160004): the thread that exists is adopted.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use serenity::all::{
    ChannelId, CreateAttachment, CreateMessage, CreateThread, EditMessage, GuildId, Http, Message,
    MessageId, RoleId, UserId,
};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use super::messages::{self, PageView};
use super::rest::{Rest, RestError};
use crate::domain::effects::Outgoing;
use crate::render::Text;
use crate::service::delivery::{FailedAttempt, Pending};
use crate::service::Service;

/// How many messages one look at the outbox takes.
const BATCH: i64 = 200;
/// How many tickets are being delivered at once.
const MAX_IN_FLIGHT: usize = 16;
/// The longest wait between two attempts at one message.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// After this long without success a message is set aside as failed.
const GIVE_UP_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// How long Discord is trusted to remember a nonce (it says "a few minutes").
const NONCE_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(2);
/// How often the worker looks at the outbox while idle, to notice messages queued by another
/// process (the console, another replica) within a few seconds.
pub const POLL: Duration = Duration::from_secs(2);

/// How often the delivery lease is renewed by its holder, and sought by the other replicas
/// (under a third of its length, so a slow renewal never loses it).
const LEASE_RENEW: Duration = Duration::from_millis(1500);
/// Discord's error codes the worker acts on.
const UNKNOWN_MESSAGE: isize = 10008;
const THREAD_ALREADY_CREATED: isize = 160004;
const UNKNOWN_MEMBER: isize = 10007;
const MISSING_PERMISSIONS: isize = 50013;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub failed: usize,
}

impl Report {
    fn add(&mut self, other: Report) {
        self.delivered += other.delivered;
        self.failed += other.failed;
    }
}

/// Why a request did not go through.
enum SendError {
    Rest(RestError),
    Timeout,
    /// The database could not be read; retried like a failed request.
    Internal(String),
}

impl SendError {
    /// Discord's JSON error code, when it answered with one.
    fn code(&self) -> Option<isize> {
        match self {
            SendError::Rest(RestError::Status { code, .. }) => Some(*code),
            _ => None,
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            SendError::Rest(RestError::Status { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// How long Discord asked to wait (a 429), or its limit still runs (held back unsent).
    fn retry_after(&self) -> Option<Duration> {
        match self {
            SendError::Rest(RestError::Status { retry_after, .. }) => *retry_after,
            SendError::Rest(RestError::Held { wait }) => Some(*wait),
            _ => None,
        }
    }

    /// Discord may have acted even though we got no success: a timeout, a connection lost
    /// mid-answer, a server error.
    fn uncertain(&self) -> bool {
        match self {
            SendError::Timeout => true,
            SendError::Rest(RestError::Transport(_)) => true,
            _ => self.status().is_some_and(|s| s >= 500),
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Rest(e) => write!(f, "{e}"),
            SendError::Timeout => f.write_str("Discord did not answer in time"),
            SendError::Internal(e) => write!(f, "reading the outbox: {e}"),
        }
    }
}

type Sent<T> = Result<T, SendError>;

enum Attempt {
    Delivered(Option<u64>),
    Failed(SendError),
}

/// The wait before the next attempt: doubling from one second, never below Discord's ask.
fn backoff(attempts: i64, asked: Option<Duration>) -> Duration {
    let doubling = Duration::from_secs(1u64 << attempts.clamp(0, 9) as u32).min(MAX_BACKOFF);
    asked
        .map_or(doubling, |a| a.max(doubling))
        .max(Duration::from_secs(1))
}

/// The snowflake of the first message Discord could have created at `t`.
fn snowflake_at(t: DateTime<Utc>) -> MessageId {
    const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;
    let ms = (t.timestamp_millis() - DISCORD_EPOCH_MS).max(1);
    MessageId::new((ms as u64) << 22)
}

/// Delivers the outbox through serenity's HTTP client.
#[derive(Clone)]
pub struct Deliverer {
    service: Service,
    rest: Rest,
    timeout: Duration,
    /// Messages Discord accepted whose delivery the database could not record (it was
    /// locked or down), with the id Discord gave: the next attempt records them instead of
    /// sending them again.
    unrecorded: Arc<std::sync::Mutex<std::collections::HashMap<i64, Option<u64>>>>,
}

impl Deliverer {
    /// A worker whose every request gives up after `timeout`.
    pub fn new(service: Service, http: Arc<Http>, timeout: Duration) -> Deliverer {
        Deliverer {
            service,
            rest: Rest::new(http),
            timeout,
            unrecorded: Arc::default(),
        }
    }

    fn unrecorded(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, Option<u64>>> {
        self.unrecorded.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a delivery Discord accepted; if the database refuses, keeps it to record at
    /// the next attempt (sending again would post it twice once the nonce is forgotten).
    async fn record_delivered(
        &self,
        p: &Pending,
        message: Option<u64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        match self.service.outbox_delivered(p, message, now).await {
            Ok(()) => {
                self.unrecorded().remove(&p.id);
                Ok(())
            }
            Err(e) => {
                self.unrecorded().insert(p.id, message);
                Err(e)
            }
        }
    }

    fn text(&self) -> Text<'_> {
        Text::new(&self.service.config, self.service.config.discord.language)
    }

    /// One request, bounded by the timeout.
    async fn call<T>(
        &self,
        request: impl std::future::Future<Output = Result<T, RestError>>,
    ) -> Sent<T> {
        match tokio::time::timeout(self.timeout, request).await {
            Ok(r) => r.map_err(SendError::Rest),
            Err(_) => Err(SendError::Timeout),
        }
    }

    /// Posts a message (with its files, if any) in `channel`.
    async fn post_message(
        &self,
        channel: ChannelId,
        create: CreateMessage,
        files: Vec<CreateAttachment>,
        now: DateTime<Utc>,
    ) -> Sent<Message> {
        (self.call(self.rest.post_message(channel, &create, files, now))).await
    }

    async fn edit_message(
        &self,
        channel: ChannelId,
        message: MessageId,
        edit: EditMessage,
        now: DateTime<Utc>,
    ) -> Sent<()> {
        (self.call(self.rest.edit_message(channel, message, &edit, now))).await
    }

    /// Starts a thread on `message`; its id.
    async fn thread_from(
        &self,
        channel: ChannelId,
        message: MessageId,
        create: CreateThread<'_>,
        now: DateTime<Utc>,
    ) -> Sent<u64> {
        (self.call(self.rest.thread_from(channel, message, &create, now))).await
    }

    /// Gives (`give`) or takes the page role, with the reason in the audit log.
    async fn member_role(
        &self,
        give: bool,
        user: UserId,
        role: RoleId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Sent<()> {
        let guild = GuildId::new(self.service.config.discord.guild_id.0);
        let change = self.rest.member_role(give, guild, user, role, reason, now);
        self.call(change).await
    }

    /// One pass: delivers every message deliverable by `now`, tickets side by side, and
    /// those each delivery made deliverable (the thread after its page…), until nothing more
    /// goes. Tests and shutdown use it; the running worker uses `run`.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> anyhow::Result<Report> {
        let mut total = Report::default();
        loop {
            let due = self.service.outbox_due(now, BATCH).await?;
            if due.is_empty() {
                break;
            }
            let reports: Vec<Report> = futures_util::stream::iter(lanes(due).into_values())
                .map(|lane| self.deliver_lane(lane, now))
                .buffer_unordered(MAX_IN_FLIGHT)
                .collect()
                .await;
            let mut round = Report::default();
            reports.into_iter().for_each(|r| round.add(r));
            total.add(round);
            if round.delivered == 0 {
                break;
            }
        }
        Ok(total)
    }

    /// Delivers one ticket's due messages in order. None of them waits for another (the
    /// outbox hands out only messages whose prerequisites are through), so one that fails
    /// (a page in a channel that refuses) does not hold back the next; a database that
    /// cannot record stops the lane.
    async fn deliver_lane(&self, lane: Vec<Pending>, now: DateTime<Utc>) -> Report {
        let mut report = Report::default();
        for p in lane {
            match self.settle(&p, now).await {
                Ok(true) => report.delivered += 1,
                Ok(false) => report.failed += 1,
                Err(e) => {
                    tracing::error!(outbox = p.id, error = ?e, "recording a delivery failed");
                    report.failed += 1;
                    break;
                }
            }
        }
        report
    }

    /// Attempts one message and records the outcome; true when it was delivered.
    async fn settle(&self, p: &Pending, now: DateTime<Utc>) -> anyhow::Result<bool> {
        let landed = self.unrecorded().get(&p.id).copied();
        if let Some(message) = landed {
            self.record_delivered(p, message, now).await?;
            return Ok(true);
        }
        let attempt = match &p.message {
            Ok(message) => self.deliver(p, message, now).await,
            Err(unreadable) => {
                tracing::error!(outbox = p.id, error = %unreadable, "outbox row set aside");
                let failed = FailedAttempt {
                    error: unreadable,
                    next_attempt_at: now,
                    uncertain: false,
                    give_up: true,
                };
                self.service.outbox_failed(p, &failed, now).await?;
                return Ok(false);
            }
        };
        match attempt {
            Attempt::Delivered(message) => {
                self.record_delivered(p, message, now).await?;
                if let Ok(Outgoing::Page { level, .. }) = &p.message {
                    crate::telemetry::page_sent(level.get());
                }
                Ok(true)
            }
            Attempt::Failed(e) => {
                if let Ok(m) = &p.message {
                    crate::telemetry::delivery_failed(m.kind());
                }
                // The bot may not hand the role out: the admins learn what to fix, once.
                if let (Ok(Outgoing::Handoff { level, role, .. }), Some(MISSING_PERMISSIONS), 0) =
                    (&p.message, e.code(), p.attempts)
                {
                    self.service.role_refused(*level, *role, now).await?;
                }
                let wait = backoff(p.attempts, e.retry_after());
                let error = e.to_string();
                let failed = FailedAttempt {
                    error: &error,
                    next_attempt_at: now + chrono::Duration::from_std(wait).unwrap_or_default(),
                    uncertain: e.uncertain() || p.uncertain,
                    // A day of trying, counted from the first attempt: a message held back
                    // (the desk closed, its ticket's thread failing) is not set aside early.
                    give_up: now - p.first_attempt_at.unwrap_or(now) >= GIVE_UP_AFTER,
                };
                if failed.give_up {
                    tracing::error!(outbox = p.id, %error, "delivery failed for a day; set aside");
                } else {
                    tracing::warn!(outbox = p.id, attempts = p.attempts + 1, %error, "delivery failed; will retry");
                }
                self.service.outbox_failed(p, &failed, now).await?;
                Ok(false)
            }
        }
    }

    async fn deliver(&self, p: &Pending, message: &Outgoing, now: DateTime<Utc>) -> Attempt {
        let text = self.text();
        let result = match message {
            Outgoing::Page { .. } => self.page(p, message, &text, now).await,
            Outgoing::Handoff { .. } => self.handoff(p, message, &text, now).await,
            Outgoing::OpeningPing { .. } => self.opening_ping(p, message, &text, now).await,
            Outgoing::SlaWarning {
                channel,
                card,
                target,
                due,
            } => {
                let body = text.sla_warning(card, *target, format!("<t:{}:R>", due.timestamp()));
                let create = messages::quiet(&p.id.to_string(), &body, Vec::new());
                self.send(p, 0, ChannelId::new(channel.0), create, &body, now)
                    .await
            }
            Outgoing::ThreadMention { user, reason, .. } => match self.thread_of(p).await {
                Ok(Some(thread)) => {
                    let body = text.mention_text(*reason, *user);
                    let create = messages::mention_one(&p.id.to_string(), *user, &body);
                    self.send(p, 0, ChannelId::new(thread), create, &body, now)
                        .await
                }
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            },
            Outgoing::Repage {
                channel,
                role,
                card,
                level,
                ..
            } => {
                let body = text.discord_notice(message).unwrap_or_default();
                let to = (ChannelId::new(channel.0), RoleId::new(role.0), *level);
                self.repage(p, body, to, card, &text, now).await
            }
            Outgoing::AdminPage {
                channel,
                role,
                card,
                ..
            } => {
                let body = messages::clip(
                    &text.discord_notice(message).unwrap_or_default(),
                    crate::render::MESSAGE_LIMIT,
                );
                let create = messages::role_ping(&p.id.to_string(), *role, &body)
                    .embed(messages::card_embed(&text, card));
                self.send(p, 0, ChannelId::new(channel.0), create, &body, now)
                    .await
            }
            Outgoing::DeliveryFailed { channel, role, .. }
            | Outgoing::RoleRefused {
                channel,
                admins: role,
                ..
            }
            | Outgoing::MemberGone {
                channel,
                admins: role,
                ..
            } => {
                let body = messages::clip(
                    &text.discord_notice(message).unwrap_or_default(),
                    crate::render::MESSAGE_LIMIT,
                );
                let create = messages::role_ping(&p.id.to_string(), *role, &body);
                self.send(p, 0, ChannelId::new(channel.0), create, &body, now)
                    .await
            }
            Outgoing::PageUpdate { card } => {
                self.edit_pages(p, card, &text, now).await.map(|_| None)
            }
            Outgoing::ThreadOpen { number, title, .. } => {
                self.open_thread(p, &format!("#{number} {title}"), &text, now)
                    .await
            }
            Outgoing::ThreadPost { number, event } => {
                self.thread_post(p, *number, event, &text, now).await
            }
            Outgoing::Summary { channel, report } => {
                self.summary(p, ChannelId::new(channel.0), report, &text, now)
                    .await
            }
        };
        match result {
            Ok(message) => Attempt::Delivered(message),
            Err(e) => Attempt::Failed(e),
        }
    }

    /// The ping at the desk's opening, unless the ticket was acknowledged, moved on or
    /// closed before it opened: then there is nobody to wake.
    async fn opening_ping(
        &self,
        p: &Pending,
        message: &Outgoing,
        text: &Text<'_>,
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        let Outgoing::OpeningPing {
            channel,
            role,
            level,
            card,
            ..
        } = message
        else {
            return Ok(None);
        };
        let state = match p.ticket_id {
            Some(t) => self.service.ticket_state(t).await.map_err(internal)?,
            None => None,
        };
        if state != Some((*level, crate::domain::Status::Open)) {
            return Ok(None);
        }
        let body = text.opening_ping(*role, card);
        let create = messages::role_ping(&p.id.to_string(), *role, &body);
        self.send(p, 0, ChannelId::new(channel.0), create, &body, now)
            .await
    }

    /// The summary, in as many messages as it takes; the chart rides on the last one. A
    /// chart that cannot be drawn is left out rather than holding the summary back.
    async fn summary(
        &self,
        p: &Pending,
        channel: ChannelId,
        report: &crate::domain::summary::SummaryReport,
        text: &Text<'_>,
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        let parts = text.summary_messages(report);
        let chart = report.history.as_ref().and_then(|h| {
            (text.chart_png(h))
                .inspect_err(|e| tracing::warn!(error = %e, "the summary chart was not drawn"))
                .ok()
        });
        let last = parts.len().saturating_sub(1);
        let attach = |i: usize, create: CreateMessage| match &chart {
            Some(png) if i == last => {
                let file = CreateAttachment::bytes(png.clone(), crate::render::chart::PNG_NAME);
                (create.add_file(file.clone()), vec![file])
            }
            _ => (create, Vec::new()),
        };
        self.parts(p, channel, &parts, attach, now).await
    }

    /// The page view of a page message, showing the ticket as `card` says it stands now.
    fn view<'a>(
        &self,
        nonce: i64,
        page: &'a Outgoing,
        card: &'a crate::domain::effects::TicketCard,
        thread: Option<u64>,
    ) -> Option<PageView<'a>> {
        let Outgoing::Page {
            role,
            level,
            arrival,
            ack_due_at,
            ping,
            ..
        } = page
        else {
            return None;
        };
        Some(PageView {
            nonce,
            guild: self.service.config.discord.guild_id,
            role: *role,
            level: *level,
            card,
            arrival,
            ack_due_at: *ack_due_at,
            thread,
            on_call: None,
            ping: *ping,
        })
    }

    /// A re-page reads like a page: the line that pings the role and the member on call (who
    /// may mute role mentions), then the ticket's card.
    async fn repage(
        &self,
        p: &Pending,
        mut body: String,
        (channel, role, level): (ChannelId, RoleId, crate::domain::Level),
        card: &crate::domain::effects::TicketCard,
        text: &Text<'_>,
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        let on_call = self.on_call(level).await?;
        if let Some(member) = on_call {
            body = format!("{body} {}", text.on_call_note(member));
        }
        let body = messages::clip(&body, crate::render::MESSAGE_LIMIT);
        let role = crate::domain::RoleId(role.get());
        let create = messages::role_ping(&p.id.to_string(), role, &body)
            .allowed_mentions(messages::role_and_member(role, on_call))
            .embed(messages::card_embed(text, card));
        self.send(p, 0, channel, create, &body, now).await
    }

    /// Who is on call at `level`, for a level with a rotation.
    async fn on_call(&self, level: crate::domain::Level) -> Sent<Option<crate::domain::UserId>> {
        if self.service.config.rotation(level).is_none() {
            return Ok(None);
        }
        self.service.on_call_now(level).await.map_err(internal)
    }

    async fn thread_of(&self, p: &Pending) -> Sent<Option<u64>> {
        match p.ticket_id {
            Some(t) => self.service.ticket_thread(t).await.map_err(internal),
            None => Ok(None),
        }
    }

    async fn page(
        &self,
        p: &Pending,
        page: &Outgoing,
        text: &Text<'_>,
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        let Outgoing::Page { channel, card, .. } = page else {
            return Ok(None);
        };
        let thread = self.thread_of(p).await?;
        // Sent late (its channel failed, edits went ahead): show the ticket as it is now. A
        // page never tried before goes ahead of its ticket's later edits, which put it right.
        let latest = match p.ticket_id {
            Some(t) if p.attempts > 0 => {
                self.service.card_after(t, p.id).await.map_err(internal)?
            }
            _ => None,
        };
        let card = latest.as_ref().unwrap_or(card);
        let Some(mut view) = self.view(p.id, page, card, thread) else {
            return Ok(None);
        };
        view.on_call = self.on_call(view.level).await?;
        let content = messages::page_content(text, &view);
        let create = messages::page(text, &view);
        self.send(p, 0, ChannelId::new(channel.0), create, &content, now)
            .await
    }

    /// Puts every page the ticket had right: each shows the ticket as it stands, keeps its
    /// fields, and its buttons work only on the page of the level that owns the ticket.
    async fn edit_pages(
        &self,
        p: &Pending,
        card: &crate::domain::effects::TicketCard,
        text: &Text<'_>,
        now: DateTime<Utc>,
    ) -> Sent<()> {
        let Some(ticket) = p.ticket_id else {
            return Ok(());
        };
        let pages = self
            .service
            .pages_before(ticket, p.id)
            .await
            .map_err(internal)?;
        let thread = self.thread_of(p).await?;
        // One page that cannot be edited (its channel refuses) does not stop the others; the
        // retry edits them all again, which changes nothing where they are right.
        let mut first_error = None;
        for (page, message) in &pages {
            let (Outgoing::Page { channel, .. }, Some(view)) =
                (page, self.view(p.id, page, card, thread))
            else {
                continue;
            };
            let edit = messages::page_edit(text, &view);
            let done = self
                .edit_message(
                    ChannelId::new(channel.0),
                    MessageId::new(*message),
                    edit,
                    now,
                )
                .await;
            match done {
                Ok(_) => {}
                // Someone deleted that page: nothing left to put right there.
                Err(e) if e.code() == Some(UNKNOWN_MESSAGE) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Opens the ticket's thread on its page (adopting the one Discord already has), then
    /// puts the thread's link on the page.
    async fn open_thread(
        &self,
        p: &Pending,
        name: &str,
        text: &Text<'_>,
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        let Some(ticket) = p.ticket_id else {
            return Ok(None);
        };
        let page = self
            .service
            .page_before(ticket, p.id)
            .await
            .map_err(internal)?;
        // No page, or its page was set aside: there is nothing to hang a thread on.
        let Some((page @ Outgoing::Page { channel, card, .. }, Some(message))) = &page else {
            return Ok(None);
        };
        let channel = ChannelId::new(channel.0);
        let message = MessageId::new(*message);
        let create = CreateThread::new(messages::clip(name, 100));
        let thread = match self.thread_from(channel, message, create, now).await {
            Ok(thread) => thread,
            // Created by an earlier attempt whose answer was lost: a thread started from a
            // message takes the message's id.
            Err(e) if e.code() == Some(THREAD_ALREADY_CREATED) => message.get(),
            Err(e) => return Err(e),
        };
        if let Some(view) = self.view(p.id, page, card, Some(thread)) {
            let edit = messages::page_edit(text, &view);
            match self.edit_message(channel, message, edit, now).await {
                Ok(_) => {}
                Err(e) if e.code() == Some(UNKNOWN_MESSAGE) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Some(thread))
    }

    async fn thread_post(
        &self,
        p: &Pending,
        number: crate::domain::TicketNumber,
        event: &crate::domain::Event,
        text: &Text<'_>,
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        // The thread's creation is through (the outbox holds this one back otherwise), so a
        // ticket with no thread by now never had a page to hang one on.
        let Some(thread) = self.thread_of(p).await? else {
            return Ok(None);
        };
        // A long note goes in several messages rather than being cut; the rating buttons
        // ride on the last one.
        let parts =
            crate::render::split_message(&text.thread_event(event), crate::render::MESSAGE_LIMIT);
        let last = parts.len().saturating_sub(1);
        let closed = matches!(event.kind, crate::domain::EventKind::Closed { .. });
        let buttons = |i: usize, create: CreateMessage| {
            let create = if closed && i == last {
                create.components(messages::rating_buttons(number))
            } else {
                create
            };
            (create, Vec::new())
        };
        self.parts(p, ChannelId::new(thread), &parts, buttons, now)
            .await
    }

    /// Hands the page role over, in order and each step once: to the member coming on, from
    /// the one going off, then the notice that mentions only the member coming on.
    async fn handoff(
        &self,
        p: &Pending,
        m: &Outgoing,
        text: &Text<'_>,
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        let Outgoing::Handoff {
            level,
            role,
            channel,
            on,
            off,
            until,
            ..
        } = m
        else {
            return Ok(None);
        };
        let role = RoleId::new(role.0);
        let reason = format!("tierdesk: on-call handoff for level {level}");
        let mut gone = false;
        if p.parts_done < 1 {
            let add = self.member_role(true, UserId::new(on.0), role, &reason, now);
            match add.await {
                Ok(()) => self.service.outbox_parts_done(p, 1, now).await,
                // Left the server: retrying would hold every later handoff of the level. Skip
                // them, tell the admins, and still take the role from the one going off.
                Err(e) if e.code() == Some(UNKNOWN_MEMBER) => {
                    gone = true;
                    tracing::warn!(level = %level, member = on.0, "the member coming on call left the server");
                    self.service.handoff_member_gone(p, *level, *on, now).await
                }
                Err(e) => return Err(e),
            }
            .map_err(internal)?;
        }
        if let (true, Some(off)) = (p.parts_done < 2, off.filter(|o| o != on)) {
            let remove = self.member_role(false, UserId::new(off.0), role, &reason, now);
            match remove.await {
                // Gone from the server: nobody left to take the role from.
                Err(e) if e.code() != Some(UNKNOWN_MEMBER) => return Err(e),
                _ => {}
            }
            self.service
                .outbox_parts_done(p, 2, now)
                .await
                .map_err(internal)?;
        }
        if gone {
            // Nobody to tell in the queue: the admins' notice says what happened.
            return Ok(None);
        }
        let until = format!("<t:{}:f>", until.timestamp());
        let notice = text.handoff_notice(m, until).unwrap_or_default();
        let create = messages::mention_one(&p.id.to_string(), *on, &notice);
        self.send(p, 2, ChannelId::new(channel.0), create, &notice, now)
            .await
    }

    /// Sends the parts not yet sent, recording each one Discord accepted.
    async fn parts(
        &self,
        p: &Pending,
        channel: ChannelId,
        parts: &[String],
        decorate: impl Fn(usize, CreateMessage) -> (CreateMessage, Vec<CreateAttachment>),
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        let mut last = None;
        for (i, part) in parts.iter().enumerate().skip(p.parts_done as usize) {
            // The first part keeps the plain outbox id as its nonce.
            let nonce = if i == 0 {
                p.id.to_string()
            } else {
                format!("{}-{i}", p.id)
            };
            let (create, files) = decorate(i, messages::quiet(&nonce, part, Vec::new()));
            let m = self
                .create_once(p, i as u32, channel, (create, files), part, now)
                .await?;
            last = Some(m.id.get());
            if i + 1 < parts.len() {
                self.service
                    .outbox_parts_done(p, i as u32 + 1, now)
                    .await
                    .map_err(internal)?;
            }
        }
        Ok(last)
    }

    /// Creates a message once and gives its id (see `create_once`).
    async fn send(
        &self,
        p: &Pending,
        part: u32,
        channel: ChannelId,
        create: CreateMessage,
        content: &str,
        now: DateTime<Utc>,
    ) -> Sent<Option<u64>> {
        let m = self
            .create_once(p, part, channel, (create, Vec::new()), content, now)
            .await?;
        Ok(Some(m.id.get()))
    }

    /// Creates a message once: when an earlier attempt at this very part may have landed and
    /// Discord's nonce memory may have lapsed, the channel is searched for it first.
    async fn create_once(
        &self,
        p: &Pending,
        part: u32,
        channel: ChannelId,
        (create, files): (CreateMessage, Vec<CreateAttachment>),
        content: &str,
        now: DateTime<Utc>,
    ) -> Sent<Message> {
        let first = p.first_attempt_at.unwrap_or(now);
        if p.uncertain && part == p.parts_done && now - first > NONCE_WINDOW {
            if let Some(found) = self.find_landed(channel, first, content, now).await? {
                tracing::info!(
                    outbox = p.id,
                    "an earlier attempt had landed; not sent again"
                );
                return Ok(found);
            }
        }
        self.post_message(channel, create, files, now).await
    }

    /// A message the bot posted in `channel` since `since` with exactly `content`.
    async fn find_landed(
        &self,
        channel: ChannelId,
        since: DateTime<Utc>,
        content: &str,
        now: DateTime<Utc>,
    ) -> Sent<Option<Message>> {
        let after = snowflake_at(since - chrono::TimeDelta::minutes(1));
        let recent = self
            .call(self.rest.messages_after(channel, after, now))
            .await?;
        Ok(recent
            .into_iter()
            .find(|m| m.author.bot && m.content == content))
    }

    /// Delivers until `shutdown`: tickets side by side, each as soon as its message is due,
    /// looking at the outbox when woken, when a ticket finishes, and every `POLL` at least.
    /// On shutdown it waits for what is in flight and makes one last pass.
    pub async fn run(
        self,
        clock: crate::service::Clock,
        wake: Arc<Notify>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut in_flight: HashSet<i64> = HashSet::new();
        let mut tasks: JoinSet<i64> = JoinSet::new();
        let mut last_prune: Option<DateTime<Utc>> = None;
        let mut leading = Lease::default();
        loop {
            let now = clock();
            let wait = if in_flight.len() >= MAX_IN_FLIGHT {
                // Every slot taken: nothing can start before a ticket finishes.
                LEASE_RENEW
            } else if self.lead(now, &mut leading).await {
                self.prune_daily(now, &mut last_prune).await;
                match self.start_due(now, &mut in_flight, &mut tasks).await {
                    Ok(wait) => wait.min(LEASE_RENEW),
                    Err(e) => {
                        tracing::error!(error = ?e, "looking at the outbox failed");
                        POLL.min(LEASE_RENEW)
                    }
                }
            } else {
                LEASE_RENEW
            };
            if *shutdown.borrow() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    finished(done, &mut in_flight);
                }
                _ = shutdown.changed() => break,
            }
            // Every ticket done meanwhile frees its slot before the next look, so one look
            // (a query) starts as many tickets as it can, not one.
            while let Some(done) = tasks.try_join_next() {
                finished(done, &mut in_flight);
            }
        }
        while tasks.join_next().await.is_some() {}
        if self.lead(clock(), &mut leading).await {
            if let Err(e) = self.deliver_due(clock()).await {
                tracing::error!(error = ?e, "the last delivery pass failed");
            }
            if let Err(e) = self.service.release_delivery().await {
                tracing::warn!(error = ?e, "letting the delivery lease go failed");
            }
        }
        tracing::info!("delivery worker stopped");
    }

    /// Whether this replica delivers now: takes or renews the delivery lease (one replica at
    /// a time sends the outbox; another takes over within seconds when it stops renewing).
    /// A lease renewed less than `LEASE_RENEW` ago is not renewed again: the loop comes
    /// round after every ticket delivered, and a write per round would queue behind the
    /// deliveries' own writes.
    async fn lead(&self, now: DateTime<Utc>, lease: &mut Lease) -> bool {
        let renew = chrono::TimeDelta::from_std(LEASE_RENEW).unwrap_or_default();
        if lease.held && lease.renewed.is_some_and(|at| now - at < renew) {
            return true;
        }
        let held = match self.service.hold_delivery_now().await {
            Ok(held) => held,
            Err(e) => {
                tracing::error!(error = ?e, "renewing the delivery lease failed");
                false
            }
        };
        if held != lease.held {
            match held {
                true => tracing::info!(
                    replica = self.service.replica_name(),
                    "delivering the outbox"
                ),
                false => tracing::info!("another replica delivers the outbox"),
            }
        }
        *lease = Lease {
            held,
            renewed: held.then_some(now),
        };
        held
    }

    /// Starts a task for each ticket with deliverable messages that is not being delivered
    /// already; returns how long to wait before looking again.
    async fn start_due(
        &self,
        now: DateTime<Utc>,
        in_flight: &mut HashSet<i64>,
        tasks: &mut JoinSet<i64>,
    ) -> anyhow::Result<Duration> {
        let due = self.service.outbox_due(now, BATCH).await?;
        for (key, lane) in lanes(due) {
            if in_flight.len() >= MAX_IN_FLIGHT || !in_flight.insert(key) {
                continue;
            }
            let worker = self.clone();
            tasks.spawn(async move {
                worker.deliver_lane(lane, now).await;
                key
            });
        }
        let next = self.service.outbox_next_due().await?;
        Ok(match next {
            // Due now but in flight (or over the limit): a finishing task wakes the loop.
            Some(next) if next <= now => POLL,
            Some(next) => (next - now)
                .to_std()
                .unwrap_or(POLL)
                .clamp(Duration::from_millis(50), POLL),
            None => POLL,
        })
    }

    /// Drops what the outbox no longer needs, once a day.
    async fn prune_daily(&self, now: DateTime<Utc>, last: &mut Option<DateTime<Utc>>) {
        if last.is_some_and(|l| now - l < chrono::TimeDelta::days(1)) {
            return;
        }
        *last = Some(now);
        match self.service.prune_outbox(now).await {
            Ok(n) if n > 0 => tracing::info!(rows = n, "old delivered messages pruned"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "pruning the outbox failed"),
        }
    }
}

/// Frees the slot of a ticket whose delivery task ended.
fn finished(done: Result<i64, tokio::task::JoinError>, in_flight: &mut HashSet<i64>) {
    match done {
        Ok(lane) => {
            in_flight.remove(&lane);
        }
        Err(e) => {
            // A delivery task panicked: its lane is unknown, so start afresh.
            tracing::error!(error = %e, "a delivery task failed");
            in_flight.clear();
        }
    }
}

/// This replica's hold on the delivery lease, as it last saw it.
#[derive(Default)]
struct Lease {
    held: bool,
    renewed: Option<DateTime<Utc>>,
}

/// The due messages grouped by ticket, in order; a message about no ticket is a lane alone
/// (keyed by its negated id, which no ticket id can be).
fn lanes(due: Vec<Pending>) -> BTreeMap<i64, Vec<Pending>> {
    let mut lanes: BTreeMap<i64, Vec<Pending>> = BTreeMap::new();
    for p in due {
        lanes
            .entry(p.ticket_id.unwrap_or(-p.id))
            .or_default()
            .push(p);
    }
    lanes
}

/// A database error met while delivering: retried like a failed request.
fn internal(e: anyhow::Error) -> SendError {
    SendError::Internal(format!("{e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_second_and_respects_discord() {
        assert_eq!(backoff(0, None), Duration::from_secs(1));
        assert_eq!(backoff(3, None), Duration::from_secs(8));
        assert_eq!(backoff(30, None), MAX_BACKOFF);
        assert_eq!(
            backoff(0, Some(Duration::from_millis(10))),
            Duration::from_secs(1)
        );
        assert_eq!(
            backoff(0, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
    }

    #[test]
    fn snowflakes_follow_time() {
        let t = DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = snowflake_at(t).get();
        assert_eq!(
            ((id >> 22) as i64) + 1_420_070_400_000,
            t.timestamp_millis()
        );
        assert!(snowflake_at(t + chrono::TimeDelta::seconds(1)) > snowflake_at(t));
    }
}
