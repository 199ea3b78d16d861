//! The use cases: one function per command, each one transaction that changes the ticket,
//! appends its timeline and queues the messages the change causes. Nothing here talks to
//! Discord; the front ends (console, Discord) parse, call `execute`, and render the result.

mod alerts;
pub mod dashboard;
mod deadlines;
pub mod delivery;
mod health;
mod kb;
mod oncall;
pub mod replicas;
mod reports;
mod sla;
mod status;
/// Every SQL query. Private to the service: no front end can reach the database but
/// through a `Service` method.
mod store;
mod summary;
mod tickets;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use alerts::AlertOutcome;
pub use deadlines::DeadlineAction;
pub use health::OutboxHealth;
pub use oncall::OnCall;
pub use sla::SlaAction;
pub use status::{Clock, DiscordStatus};
pub use summary::{build_report, local_day, summary_slot, SummaryReport, FIGURES_WINDOW_DAYS};

use crate::command::Command;
use crate::config::Config;
use crate::domain::effects::Outgoing;
use crate::domain::error::Error;
use crate::domain::figures::KeyFigures;
use crate::domain::kb::{Article, ArticleHit, Revision};
use crate::domain::rules::Actor;
use crate::domain::{Event, GuildId, Level, RoleId, Status, Ticket, UserId};
use crate::service::store::Store;

/// The tierdesk service, shared by every front end.
#[derive(Clone)]
pub struct Service {
    store: Store,
    pub config: Arc<Config>,
    /// Signalled after every change, so the scheduler looks again at its next deadline.
    pub deadlines_changed: Arc<tokio::sync::Notify>,
    /// Signalled when messages were queued, so the delivery worker sends them now.
    pub messages_queued: Arc<tokio::sync::Notify>,
    /// This process among the replicas sharing the database.
    replica: replicas::Replica,
}

/// Who acts, where, and when. `now` is a parameter so tests control time.
#[derive(Debug, Clone)]
pub struct Context {
    pub guild: GuildId,
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

/// What a command answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Opened {
        ticket: Ticket,
        /// Up to three knowledge articles matching the ticket, for self-service.
        suggestions: Vec<ArticleHit>,
        /// When the desk opens, for a ticket opened while it is closed.
        opens_at: Option<DateTime<Utc>>,
    },
    Noted {
        ticket: Ticket,
        internal: bool,
    },
    Acknowledged(Ticket),
    Waiting(Ticket),
    Assigned(Ticket),
    Escalated(Ticket),
    SentToVendor(Ticket),
    VendorCaseRecorded(Ticket),
    Returned(Ticket),
    PriorityChanged(Ticket),
    Closed(Ticket),
    Reopened(Ticket),
    Show {
        ticket: Ticket,
        /// The latest entries, oldest first (`SHOWN_EVENTS` at most).
        timeline: Vec<Event>,
        /// How many entries came before them.
        earlier: i64,
    },
    Queue {
        level: Option<Level>,
        status: Option<Status>,
        tickets: Vec<Ticket>,
    },
    Summary(Box<SummaryReport>),
    Stats {
        days: i64,
        level: Option<Level>,
        figures: KeyFigures,
    },
    Rated(Ticket),
    KbWritten(Article),
    KbEdited(Article),
    KbResults {
        query: String,
        hits: Vec<ArticleHit>,
    },
    KbArticle {
        article: Article,
        revisions: Vec<Revision>,
    },
    /// Who is on call now and next, per level with a rotation.
    OnCall(Vec<OnCall>),
    OverrideSet {
        level: Level,
        shift: crate::domain::oncall::Shift,
    },
}

impl Reply {
    /// Staff views and personal answers are shown to the asker only.
    pub fn ephemeral(&self) -> bool {
        matches!(
            self,
            Reply::Show { .. }
                | Reply::Queue { .. }
                | Reply::Noted { .. }
                | Reply::Summary(_)
                | Reply::Stats { .. }
                | Reply::Rated(_)
                | Reply::KbResults { .. }
                | Reply::KbArticle { .. }
                | Reply::OnCall(_)
        )
    }
}

/// A reply and the messages the change queued for Discord.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub reply: Reply,
    pub effects: Vec<Outgoing>,
}

impl Outcome {
    fn quiet(reply: Reply) -> Outcome {
        Outcome {
            reply,
            effects: Vec::new(),
        }
    }
}

impl Service {
    /// Opens the database at `config.database_url` (applying any migration it lacks) and the
    /// service over it.
    pub async fn connect(config: Config) -> anyhow::Result<Service> {
        let store = Store::open(&config.database_url).await?;
        Ok(Service::new(store, config))
    }

    /// Closes the database's connections, once every write is done.
    pub async fn disconnect(&self) {
        self.store.close().await;
    }

    fn new(store: Store, config: Config) -> Service {
        Service {
            store,
            config: Arc::new(config),
            deadlines_changed: Arc::new(tokio::sync::Notify::new()),
            messages_queued: Arc::new(tokio::sync::Notify::new()),
            replica: replicas::Replica::new(),
        }
    }

    /// Places a member on the ladder from their roles.
    pub fn actor(&self, user: UserId, roles: &[RoleId]) -> Actor {
        let levels = self
            .config
            .tiers
            .values()
            .filter(|t| roles.contains(&t.role_id))
            .map(|t| t.level)
            .collect();
        Actor {
            user,
            levels,
            admin: roles.contains(&self.config.discord.admin_role_id),
        }
    }

    /// Runs one command. A refusal changes nothing.
    pub async fn execute(&self, ctx: &Context, command: Command) -> Result<Outcome, Error> {
        match command {
            Command::Open {
                title,
                details,
                priority,
                level,
            } => self.open(ctx, title, details, priority, level).await,
            Command::Note {
                ticket,
                text,
                internal,
            } => self.note(ctx, ticket, text, internal).await,
            Command::Ack { ticket } => self.ack(ctx, ticket).await,
            Command::Wait { ticket, on, note } => self.wait(ctx, ticket, on, note).await,
            Command::Assign { ticket, user } => self.assign(ctx, ticket, user).await,
            Command::Escalate { ticket, request } => self.escalate(ctx, ticket, request).await,
            Command::Return {
                ticket,
                reason,
                note,
                level,
            } => self.return_ticket(ctx, ticket, reason, note, level).await,
            Command::Priority { ticket, priority } => {
                self.change_priority(ctx, ticket, priority).await
            }
            Command::Close {
                ticket,
                resolution,
                root_cause,
                fix_type,
                kb,
            } => {
                self.close(ctx, ticket, resolution, root_cause, fix_type, kb)
                    .await
            }
            Command::Reopen { ticket, reason } => self.reopen(ctx, ticket, reason).await,
            Command::Show { ticket } => self.show(ctx, ticket).await,
            Command::Queue { level, status } => self.queue(ctx, level, status).await,
            Command::Summary => self.post_summary(ctx).await,
            Command::Stats { days, level } => self.stats(ctx, days, level).await,
            Command::Rate { ticket, score } => self.rate(ctx, ticket, score).await,
            Command::KbWrite {
                title,
                body,
                tags,
                from_ticket,
            } => self.kb_write(ctx, title, body, tags, from_ticket).await,
            Command::KbEdit {
                article,
                title,
                body,
                tags,
            } => self.kb_edit(ctx, article, title, body, tags).await,
            Command::KbSearch { query } => self.kb_search(ctx, query).await,
            Command::KbShow { article } => self.kb_show(ctx, article).await,
            Command::OnCallWho { level } => self.oncall_who(ctx, level).await,
            Command::OnCallOverride { level, user, until } => {
                self.oncall_override(ctx, level, user, until).await
            }
        }
    }
}
