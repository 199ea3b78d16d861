//! The figures operators scrape at `GET /metrics` (SPEC §13): one place that names each
//! metric and its labels, so the front ends that count things cannot spell them two ways.
//! Without an installed recorder (tests, the console) every call here does nothing.

use metrics::{counter, gauge, histogram};

pub const PAGES_SENT: &str = "tierdesk_pages_sent_total";
pub const DELIVERY_FAILURES: &str = "tierdesk_delivery_failures_total";
pub const INTERACTION_LATENCY: &str = "tierdesk_interaction_latency_seconds";
pub const ALERTS_RECEIVED: &str = "tierdesk_alerts_received_total";
pub const OPEN_TICKETS: &str = "tierdesk_open_tickets";
pub const OUTBOX_PENDING: &str = "tierdesk_outbox_pending";
pub const OUTBOX_OLDEST: &str = "tierdesk_outbox_oldest_seconds";
pub const OUTBOX_FAILED: &str = "tierdesk_outbox_failed";
pub const SLA_BREACHES: &str = "tierdesk_sla_breaches_total";

/// Buckets of the interaction latency histogram, in seconds.
pub const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// A page reached Discord.
pub fn page_sent(level: u8) {
    counter!(PAGES_SENT, "level" => level.to_string()).increment(1);
}

/// An attempt to deliver a message of outbox `kind` failed.
pub fn delivery_failed(kind: &'static str) {
    counter!(DELIVERY_FAILURES, "kind" => kind).increment(1);
}

/// An interaction was answered after `seconds`.
pub fn interaction(command: &'static str, seconds: f64) {
    histogram!(INTERACTION_LATENCY, "command" => command).record(seconds);
}

/// An alert from `source` was taken, with its outcome (opened, repeat, resolved, ignored,
/// rejected).
pub fn alert(source: &str, outcome: &'static str) {
    counter!(ALERTS_RECEIVED, "source" => source.to_owned(), "outcome" => outcome).increment(1);
}

/// A ticket at `level` of `priority` missed a target.
pub fn sla_breach(level: u8, priority: &'static str) {
    counter!(SLA_BREACHES, "level" => level.to_string(), "priority" => priority).increment(1);
}

/// The open tickets at `level` of `priority`, as counted now.
pub fn open_tickets(level: u8, priority: &'static str, count: i64) {
    gauge!(OPEN_TICKETS, "level" => level.to_string(), "priority" => priority).set(count as f64);
}

/// The outbox as it stands: messages waiting, the oldest one's age, messages set aside.
pub fn outbox(pending: i64, oldest_seconds: i64, failed: i64) {
    gauge!(OUTBOX_PENDING).set(pending as f64);
    gauge!(OUTBOX_OLDEST).set(oldest_seconds as f64);
    gauge!(OUTBOX_FAILED).set(failed as f64);
}
