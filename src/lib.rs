//! tierdesk: a Discord bot for tiered IT support.
//!
//! The map, from the inside out:
//! - [`domain`]: levels, tickets, the escalation rules, the timeline, the key figures. Plain
//!   Rust, no I/O.
//! - [`store`]: every SQL query (SQLite through sqlx), one function each.
//! - [`service`]: the use cases, one transaction each, returning a reply and the messages
//!   the change queued in the outbox ([`effects`]).
//! - [`command`]: the typed commands and the one parser that builds them.
//! - [`console`] and [`render`]: the terminal front end over the same commands.
//! - [`scheduler`]: acknowledgement deadlines and the daily summary, on their own clock.
//! - [`config`], [`export`], [`cli`]: configuration, exports and the command line.
//! - [`error`]: the error users see, and the one operators log.

pub mod cli;
pub mod command;
pub mod config;
pub mod console;
pub mod discord;
pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod i18n;
pub mod refusal;
pub mod render;
pub mod scheduler;
pub mod service;
pub mod store;
pub mod telemetry;
