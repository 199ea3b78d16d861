//! tierdesk: a Discord bot for tiered IT support.
//!
//! The map, from the inside out (each layer imports only those before it):
//! - [`domain`]: levels, tickets and their transitions (`transitions`: open, acknowledge,
//!   escalate, return, close… and the deadline step, each checking the rules of `rules`), the
//!   timeline, the key figures, the chart's numbers (`history`), the service-hours calendar
//!   (`calendar`), on-call schedules (`oncall`), alerts (`alert`), the messages a change
//!   causes, as data (`effects`), and the error type (`error`). Plain Rust, no I/O.
//! - [`service`]: the use cases, one transaction each: load the ticket, call its transition,
//!   write the ticket, its events and the messages they cause (the outbox). Its private
//!   `store` holds every SQL query (SQLite or PostgreSQL, through sqlx's `Any` driver);
//!   nothing outside the service can reach it, so every front end goes through a `Service`
//!   method.
//! - Front ends, which call the service and never each other: [`discord`] (the interaction
//!   handler, its delivery worker, `doctor`, `invite`), [`http`] (alerts, `/health`,
//!   `/metrics`, the dashboard), [`console`], [`scheduler`] (deadlines, SLA moments, handoffs,
//!   the daily summary) and [`export`].
//! - The process: [`process`] (`tierdesk run`: wires the service, the front ends and the
//!   workers, and stops them on SIGTERM) and [`cli`] (the command line); [`logs`] writes the
//!   operator's log with tokens cut out. Their words come from [`render`] (replies, timeline, channel messages, the
//!   summary, the chart), [`refusal`] and the Fluent catalogue in [`i18n`]; [`command`]
//!   parses what users type; [`config`] reads `bot.toml`; [`telemetry`] names the metrics.
//!
//! Where to look: a slash command → `command.rs` (its spec and parser), then
//! `service/tickets.rs` (or `kb.rs`, `oncall.rs`, `sla.rs`) and the transition it calls in
//! `domain/transitions.rs`; a page → `service/tickets.rs` (`page`), `discord/messages.rs`
//! (how it looks) and `discord/delivery.rs` (how it is sent); a deadline →
//! `Ticket::deadline_step`, `service/deadlines.rs` and `service/sla.rs`; a message to Discord
//! → `domain/effects.rs` (what), `service/store/outbox.rs` (when it may go),
//! `discord/delivery.rs` (how); a dashboard page → `http/dashboard.rs` (route and key),
//! `http/pages.rs` (HTML), `service/dashboard.rs` (what it reads).

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
pub mod logs;
pub mod process;
pub mod refusal;
pub mod render;
pub mod scheduler;
pub mod service;
pub mod telemetry;
