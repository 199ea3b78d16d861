//! Timeline events and where a paged ticket came from, as the thread and pages show them.

use super::Text;
use crate::domain::effects::Arrival;
use crate::domain::figures::human_duration;
use crate::domain::{Event, EventKind};
use crate::tr;

impl Text<'_> {
    /// One timeline entry as a line.
    pub fn event(&self, e: &Event) -> String {
        let (who, what) = self.who_and_what(e);
        let at = format!("<t:{}:f>", e.at.timestamp());
        tr!(self.lang, "ev-line", at = at, who = who, what = what)
    }

    /// A timeline entry as a thread post: Discord shows each message's time, so no stamp.
    pub fn thread_event(&self, e: &Event) -> String {
        let (who, what) = self.who_and_what(e);
        tr!(self.lang, "ev-line-unstamped", who = who, what = what)
    }

    fn who_and_what(&self, e: &Event) -> (String, String) {
        let who = e
            .actor
            .map_or_else(|| tr!(self.lang, "the-bot"), |u| format!("<@{u}>"));
        (who, self.what(&e.kind))
    }

    /// What an event did, as words.
    fn what(&self, kind: &EventKind) -> String {
        let l = self.lang;
        match kind {
            EventKind::Opened {
                priority, level, ..
            } => tr!(
                l,
                "ev-opened",
                priority = self.priority(*priority),
                level = level
            ),
            EventKind::Note { text, internal } => {
                let id = if *internal {
                    "ev-note-internal"
                } else {
                    "ev-note"
                };
                tr!(l, id, text = text)
            }
            EventKind::Acknowledged { after_secs } => {
                tr!(l, "ev-acknowledged", after = human_duration(*after_secs))
            }
            EventKind::Assigned { assignee } => tr!(l, "ev-assigned", assignee = assignee),
            EventKind::PriorityChanged { from, to } => tr!(
                l,
                "ev-priority",
                from = self.priority(*from),
                to = self.priority(*to)
            ),
            EventKind::Paged { level, role } => tr!(l, "ev-paged", level = level, role = role),
            EventKind::Repaged { level, role, count } => {
                tr!(l, "ev-repaged", level = level, role = role, count = count)
            }
            EventKind::AdminsPaged { role } => tr!(l, "ev-admins-paged", role = role),
            EventKind::Rated { score } => tr!(l, "ev-rated", score = score),
            EventKind::AlertRepeated { source, count } => {
                tr!(l, "ev-alert-repeated", source = source, count = count)
            }
            EventKind::AlertResolved { source } => tr!(l, "ev-alert-resolved", source = source),
            EventKind::SlaBreached { target } => tr!(l, "ev-sla-breached", target = target),
            EventKind::Waiting { on, note } => {
                tr!(l, "ev-waiting", on = on.as_str(), note = note)
            }
            EventKind::Resumed => tr!(l, "ev-resumed"),
            EventKind::RequesterReminded => tr!(l, "ev-reminded"),
            EventKind::KbSuggested { .. } | EventKind::KbLinked { .. } => self.knowledge_text(kind),
            EventKind::Escalated { .. }
            | EventKind::VendorEscalated { .. }
            | EventKind::VendorCaseRecorded { .. }
            | EventKind::Returned { .. }
            | EventKind::Reopened { .. }
            | EventKind::Closed { .. } => self.move_text(kind),
        }
    }

    /// Articles suggested at opening, or linked at closing.
    fn knowledge_text(&self, kind: &EventKind) -> String {
        let l = self.lang;
        match kind {
            EventKind::KbSuggested { articles } => tr!(
                l,
                "ev-kb-suggested",
                articles = articles
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            EventKind::KbLinked { article, suggested } => {
                let id = if *suggested {
                    "ev-kb-linked-suggested"
                } else {
                    "ev-kb-linked"
                };
                tr!(l, id, article = article)
            }
            // `what` sends only articles here.
            _ => String::new(),
        }
    }

    /// An escalation: from, to, why, what was tried, and the fields the level asked for.
    fn escalated_text(&self, kind: &EventKind) -> String {
        let l = self.lang;
        let EventKind::Escalated {
            from,
            to,
            reason,
            attempts,
            fields,
            automatic,
            ..
        } = kind
        else {
            return String::new();
        };
        let id = if *automatic {
            "ev-escalated-auto"
        } else {
            "ev-escalated"
        };
        let mut s = tr!(
            l,
            id,
            from = from,
            to = to,
            reason = reason,
            attempts = attempts
        );
        for (name, value) in fields {
            s = tr!(l, "ev-field", line = s, name = name, value = value);
        }
        s
    }

    /// An escalation, a hand-over, a return, a closure or a reopening, as words.
    fn move_text(&self, kind: &EventKind) -> String {
        let l = self.lang;
        match kind {
            EventKind::Escalated { .. } => self.escalated_text(kind),
            EventKind::VendorEscalated {
                vendor,
                vendor_reason,
                vendor_ref,
                reason,
                attempts,
                ..
            } => match vendor_ref {
                Some(case) => tr!(
                    l,
                    "ev-vendor-case",
                    vendor = vendor,
                    vendor_reason = vendor_reason,
                    case = case,
                    reason = reason,
                    attempts = attempts
                ),
                None => tr!(
                    l,
                    "ev-vendor",
                    vendor = vendor,
                    vendor_reason = vendor_reason,
                    reason = reason,
                    attempts = attempts
                ),
            },
            EventKind::VendorCaseRecorded { vendor_ref } => {
                tr!(l, "ev-vendor-case-recorded", case = vendor_ref)
            }
            EventKind::Returned {
                from,
                to,
                reason,
                note,
            } => tr!(
                l,
                "ev-returned",
                from = from,
                to = to,
                reason = reason,
                note = note
            ),
            EventKind::Reopened { reason, level } => {
                tr!(l, "ev-reopened", level = level, reason = reason)
            }
            EventKind::Closed {
                resolution,
                root_cause,
                ..
            } => match root_cause {
                Some(cause) => tr!(l, "ev-closed-cause", resolution = resolution, cause = cause),
                None => tr!(l, "ev-closed", resolution = resolution),
            },
            // `event` sends only moves here.
            _ => String::new(),
        }
    }

    /// Where a paged ticket came from, as the lines under a page.
    pub fn arrival(&self, arrival: &Arrival) -> Vec<String> {
        let l = self.lang;
        match arrival {
            Arrival::Opened { by } => vec![tr!(l, "page-opened", by = by)],
            Arrival::Alert { source, .. } => vec![tr!(l, "page-alert", source = source)],
            Arrival::Escalated {
                from,
                reason,
                attempts,
                automatic,
            } => {
                let id = if *automatic {
                    "page-escalated-auto"
                } else {
                    "page-escalated"
                };
                vec![
                    tr!(l, id, from = from),
                    tr!(l, "page-reason", reason = reason),
                    tr!(l, "page-attempts", attempts = attempts),
                ]
            }
            Arrival::Returned { from, reason, note } => vec![
                tr!(l, "page-returned", from = from, reason = reason),
                tr!(l, "page-needed", note = note),
            ],
            Arrival::Reopened { reason } => vec![tr!(l, "page-reopened", reason = reason)],
            Arrival::ToVendor {
                vendor,
                vendor_reason,
                vendor_ref,
                reason,
                attempts,
            } => vec![
                match vendor_ref {
                    Some(case) => tr!(
                        l,
                        "page-vendor-case",
                        vendor = vendor,
                        vendor_reason = vendor_reason,
                        case = case
                    ),
                    None => tr!(
                        l,
                        "page-vendor",
                        vendor = vendor,
                        vendor_reason = vendor_reason
                    ),
                },
                tr!(l, "page-reason", reason = reason),
                tr!(l, "page-attempts", attempts = attempts),
            ],
        }
    }
}
