//! tierdesk: a Discord bot for tiered IT support.
//!
//! The map, from the inside out (each layer imports only those before it):
//! - [`domain`]: levels, tickets, the escalation rules, the timeline, the key figures, the
//!   service-hours calendar (`calendar`), on-call schedules (`oncall`), alerts (`alert`), and
//!   the messages a change causes, as data (`effects`). Plain Rust, no I/O. [`error`] is the
//!   error type the domain refuses with.
//! - [`store`]: every SQL query (SQLite through sqlx), one function each.
//! - [`service`]: the use cases, one transaction each, returning a reply and the messages the
//!   change queued in the outbox; also the delivery worker's bookkeeping, alerts, on-call
//!   handoffs, the SLA step and what operators read.
//! - Front ends, which call the service: [`discord`] (the bot, its delivery worker, `doctor`,
//!   `invite`), [`http`] (alerts, `/health`, `/metrics`), [`console`], [`scheduler`] (deadlines,
//!   SLA moments, handoffs, the daily summary), [`cli`] and [`export`]. Their words come from
//!   [`render`], [`refusal`] and the Fluent catalogue in [`i18n`]; [`command`] parses what
//!   users type; [`telemetry`] names the metrics.
//!
//! Where to look: a slash command → `command.rs` (its spec and parser), then
//! `service/tickets.rs` (or `kb.rs`, `oncall.rs`, `sla.rs`); a page → `service/tickets.rs`
//! (`page`), `discord/messages.rs` (how it looks) and `discord/delivery.rs` (how it is sent);
//! a deadline → `service/deadlines.rs` and `service/sla.rs`; a message to Discord →
//! `domain/effects.rs` (what), `store/outbox.rs` (when it may go), `discord/delivery.rs` (how).

pub mod cli;
pub mod command;
pub mod config;
pub mod console;
pub mod discord;
pub mod domain;
pub use domain::error;
pub mod export;
pub mod http;
pub mod i18n;
pub mod refusal;
pub mod render;
pub mod scheduler;
pub mod service;
pub mod telemetry;
