//! The delivery worker: sends the outbox to Discord, in order per ticket, marking a message
//! delivered only once Discord accepted it, and retrying with backoff otherwise.
//!
//! Exactly once: every message carries its outbox id as a nonce with `enforce_nonce`, so
//! Discord returns the first message instead of posting a second one. The window that remains
//! is a crash after Discord created the message and before `mark_delivered` commits, with the
//! bot down for longer than Discord keeps nonces (a few minutes): then the page is posted
//! again on restart. Edits and thread creation are idempotent in effect (an edit repeats the
//! same content; a second thread on the same message is refused by Discord and retried).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serenity::all::{ChannelId, CreateThread, Http, HttpError, MessageId};
use tokio::sync::{watch, Notify};

use super::messages::{self, PageView};
use crate::effects::Outgoing;
use crate::render::Text;
use crate::service::Service;
use crate::store::{self, outbox::Pending};

/// How many messages one pass looks at.
const BATCH: i64 = 100;
/// The longest wait between two attempts at one message.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub failed: usize,
    /// Waiting on an earlier message of the same ticket (its page, its thread).
    pub waiting: usize,
}

enum Attempt {
    Delivered(Option<u64>),
    /// An earlier message must go first (the page to edit, the thread to post in).
    Wait,
    Failed {
        error: String,
        retry_after: Duration,
    },
}

/// The wait before the next attempt: doubling from one second, never below Discord's ask.
fn backoff(attempts: i64, asked: Option<Duration>) -> Duration {
    let doubling = Duration::from_secs(1u64 << attempts.clamp(0, 9) as u32).min(MAX_BACKOFF);
    asked
        .map_or(doubling, |a| a.max(doubling))
        .max(Duration::from_secs(1))
}

fn failure(e: serenity::Error, attempts: i64) -> Attempt {
    let asked = match &e {
        // With a proxy, serenity's own rate limiter is off and the body's `retry_after` is not
        // parsed (it expects a `code`): wait at least one second, doubling while it lasts.
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r))
            if r.status_code.as_u16() == 429 =>
        {
            Some(Duration::from_secs(1))
        }
        _ => None,
    };
    Attempt::Failed {
        error: e.to_string(),
        retry_after: backoff(attempts, asked),
    }
}

/// Delivers the outbox through serenity's HTTP client.
pub struct Deliverer {
    pub service: Service,
    pub http: Arc<Http>,
}

impl Deliverer {
    fn text(&self) -> Text<'_> {
        Text::new(&self.service.config, self.service.config.discord.language)
    }

    /// One pass over the messages due by `now`.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> anyhow::Result<Report> {
        let due = store::outbox::due(self.service.store.reader(), now, BATCH).await?;
        let mut report = Report::default();
        // A ticket whose earlier message is not through keeps its later ones back.
        let mut held: HashSet<i64> = HashSet::new();
        for p in due {
            if p.ticket_id.is_some_and(|t| held.contains(&t)) {
                report.waiting += 1;
                continue;
            }
            let attempt = self.deliver(&p).await;
            let mut tx = self.service.store.begin_write().await?;
            match attempt {
                Attempt::Delivered(message) => {
                    if let (Outgoing::ThreadOpen { .. }, Some(ticket), Some(thread)) =
                        (&p.message, p.ticket_id, message)
                    {
                        store::tickets::set_thread(&mut tx, ticket, thread).await?;
                    }
                    store::outbox::mark_delivered(&mut tx, p.id, message, now).await?;
                    report.delivered += 1;
                }
                Attempt::Wait => {
                    report.waiting += 1;
                    held.extend(p.ticket_id);
                }
                Attempt::Failed { error, retry_after } => {
                    tracing::warn!(outbox = p.id, attempts = p.attempts + 1, %error, "delivery failed; will retry");
                    let next = now + chrono::Duration::from_std(retry_after).unwrap_or_default();
                    store::outbox::mark_failed(&mut tx, p.id, &error, next).await?;
                    report.failed += 1;
                    held.extend(p.ticket_id);
                }
            }
            tx.commit().await?;
        }
        Ok(report)
    }

    /// Acts on the ticket's latest page once Discord has it (edits and the thread hang off
    /// it): waits while it is not delivered; nothing to do when the ticket never had one (a
    /// level without a tier).
    async fn with_page(
        &self,
        p: &Pending,
        act: impl AsyncFnOnce(ChannelId, MessageId) -> Attempt,
    ) -> Attempt {
        let Some(ticket) = p.ticket_id else {
            return Attempt::Delivered(None);
        };
        match store::outbox::page_before(self.service.store.reader(), ticket, p.id).await {
            Ok(Some((Outgoing::Page { channel, .. }, Some(message)))) => {
                act(ChannelId::new(channel.0), MessageId::new(message)).await
            }
            Ok(Some(_)) => Attempt::Wait,
            Ok(None) => Attempt::Delivered(None),
            Err(e) => Attempt::Failed {
                error: format!("{e:#}"),
                retry_after: backoff(p.attempts, None),
            },
        }
    }

    async fn deliver(&self, p: &Pending) -> Attempt {
        let text = self.text();
        let http = self.http.as_ref();
        let nonce = p.id.to_string();
        let sent = |r: serenity::Result<serenity::all::Message>| match r {
            Ok(m) => Attempt::Delivered(Some(m.id.get())),
            Err(e) => failure(e, p.attempts),
        };
        match &p.message {
            Outgoing::Page {
                channel,
                role,
                level,
                card,
                arrival,
                ack_due_at,
            } => {
                let thread = match p.ticket_id {
                    Some(t) => store::tickets::thread_of(self.service.store.reader(), t)
                        .await
                        .unwrap_or_default(),
                    None => None,
                };
                let view = PageView {
                    nonce: p.id,
                    guild: self.service.config.discord.guild_id,
                    role: *role,
                    level: *level,
                    card,
                    arrival,
                    ack_due_at: *ack_due_at,
                    thread,
                };
                sent(
                    ChannelId::new(channel.0)
                        .send_message(http, messages::page(&text, &view))
                        .await,
                )
            }
            Outgoing::Repage { channel, role, .. } | Outgoing::AdminPage { channel, role, .. } => {
                let body = text.outgoing(&p.message);
                sent(
                    ChannelId::new(channel.0)
                        .send_message(http, messages::role_ping(&nonce, *role, &body))
                        .await,
                )
            }
            Outgoing::PageUpdate { card } => {
                let edit = messages::page_update(&text, card);
                self.with_page(p, async |channel, message| {
                    match channel.edit_message(http, message, edit).await {
                        Ok(_) => Attempt::Delivered(None),
                        Err(e) => failure(e, p.attempts),
                    }
                })
                .await
            }
            Outgoing::ThreadOpen { number, title, .. } => {
                let name = messages::clip(&format!("#{number} {title}"), 100);
                self.with_page(p, async |channel, message| {
                    match channel
                        .create_thread_from_message(http, message, CreateThread::new(name))
                        .await
                    {
                        Ok(thread) => Attempt::Delivered(Some(thread.id.get())),
                        Err(e) => failure(e, p.attempts),
                    }
                })
                .await
            }
            Outgoing::ThreadPost { number, event } => {
                let Some(ticket) = p.ticket_id else {
                    return Attempt::Delivered(None);
                };
                let thread = store::tickets::thread_of(self.service.store.reader(), ticket)
                    .await
                    .unwrap_or_default();
                // Earlier messages of the ticket went through (they are held back otherwise),
                // so a ticket with no thread by now will never have one: nothing to post in.
                let Some(thread) = thread else {
                    return Attempt::Delivered(None);
                };
                // A long note goes in several messages rather than being cut; the rating
                // buttons ride on the last one.
                let parts =
                    crate::render::split_message(&text.event(event), crate::render::MESSAGE_LIMIT);
                let last_part = parts.len().saturating_sub(1);
                let mut last = None;
                for (i, part) in parts.iter().enumerate() {
                    let buttons = if i == last_part
                        && matches!(event.kind, crate::domain::EventKind::Closed { .. })
                    {
                        messages::rating_buttons(*number)
                    } else {
                        Vec::new()
                    };
                    let part_nonce = if i == 0 {
                        nonce.clone()
                    } else {
                        format!("{}-{i}", p.id)
                    };
                    match ChannelId::new(thread)
                        .send_message(http, messages::quiet(&part_nonce, part, buttons))
                        .await
                    {
                        Ok(m) => last = Some(m.id.get()),
                        Err(e) => return failure(e, p.attempts),
                    }
                }
                Attempt::Delivered(last)
            }
            Outgoing::Summary { channel, report } => {
                let mut last = None;
                for (i, part) in text.summary_messages(report).iter().enumerate() {
                    let part_nonce = format!("{}-{i}", p.id);
                    match ChannelId::new(channel.0)
                        .send_message(http, messages::quiet(&part_nonce, part, Vec::new()))
                        .await
                    {
                        Ok(m) => last = Some(m.id.get()),
                        Err(e) => return failure(e, p.attempts),
                    }
                }
                Attempt::Delivered(last)
            }
        }
    }

    /// Delivers until `shutdown`, sleeping until the next message is due or a change
    /// queues a new one; on shutdown, one last pass delivers what can be delivered.
    pub async fn run(
        self,
        clock: crate::scheduler::Clock,
        wake: Arc<Notify>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            let now = clock();
            let wait = match self.deliver_due(now).await {
                Ok(_) => match store::outbox::next_due(self.service.store.reader()).await {
                    Ok(Some(next)) => (next - now)
                        .to_std()
                        .unwrap_or(Duration::ZERO)
                        .max(Duration::from_millis(50)),
                    Ok(None) => Duration::from_secs(3600),
                    Err(_) => Duration::from_secs(5),
                },
                Err(e) => {
                    tracing::error!(error = ?e, "delivery pass failed");
                    Duration::from_secs(5)
                }
            };
            if *shutdown.borrow() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
                _ = shutdown.changed() => {
                    let _ = self.deliver_due(clock()).await;
                    break;
                }
            }
        }
        tracing::info!("delivery worker stopped");
    }
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
}
