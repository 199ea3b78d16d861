//! Text rendering of replies, channel messages and the summary, from the catalogue
//! (`crate::i18n`), in the language asked for. The console prints it; the Discord front end
//! puts it in messages and embeds. Mentions are written as Discord writes them: the console
//! never pings anyone, and every Discord message sets `allowed_mentions` explicitly.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::effects::{
    Arrival, HandoffReason, MentionReason, Outgoing, SlaTarget, TicketCard,
};
use crate::domain::figures::{human_duration, percent, KeyFigures, Spread};
use crate::domain::summary::TicketLine;
use crate::domain::{Event, EventKind, Level, Priority, Status, Ticket, UserId};
use crate::i18n::Lang;
use crate::service::{Reply, SummaryReport};
use crate::tr;

/// Renders for one config in one language.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    pub config: &'a Config,
    pub lang: Lang,
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl<'a> Text<'a> {
    pub fn new(config: &'a Config, lang: Lang) -> Text<'a> {
        Text { config, lang }
    }

    fn level_name(&self, level: Level) -> String {
        self.config
            .tier(level)
            .map_or_else(|| level.default_name().to_owned(), |t| t.name.clone())
    }

    pub fn priority(&self, p: Priority) -> String {
        tr!(self.lang, &format!("priority-{p}"))
    }

    pub fn status(&self, s: Status) -> String {
        tr!(self.lang, &format!("status-{s}"))
    }

    fn line(&self, number: i64, title: &str, p: Priority, level: Level, status: Status) -> String {
        tr!(
            self.lang,
            "ticket-line",
            number = number,
            title = title,
            priority = self.priority(p),
            level = level,
            level_name = self.level_name(level),
            status = self.status(status)
        )
    }

    /// `#42 VPN down · high · level 1 (Service desk) · open`, with vendor and assignee.
    pub fn ticket_line(&self, t: &Ticket) -> String {
        let mut s = self.line(t.number.0, &t.title, t.priority, t.level, t.status);
        if let Some(v) = &t.vendor {
            if t.status == Status::Waiting {
                s = tr!(self.lang, "ticket-waiting-on", line = s, vendor = v.vendor);
                if let Some(r) = &v.reference {
                    s = tr!(self.lang, "ticket-vendor-case", line = s, case = r);
                }
            }
        }
        if let Some(a) = t.assignee {
            s = tr!(self.lang, "ticket-assigned", line = s, assignee = a);
        }
        s
    }

    /// A page's ticket as one line: level, status, assignee.
    pub fn card_line(&self, c: &TicketCard) -> String {
        self.card(c)
    }

    fn card(&self, c: &TicketCard) -> String {
        let s = self.line(c.number.0, &c.title, c.priority, c.level, c.status);
        match c.assignee {
            Some(a) => tr!(self.lang, "ticket-assigned", line = s, assignee = a),
            None => s,
        }
    }

    /// A reply as the person who ran the command sees it.
    pub fn reply(&self, reply: &Reply) -> String {
        let l = self.lang;
        match reply {
            Reply::OnCall(_) | Reply::OverrideSet { .. } => {
                self.oncall_reply(reply).unwrap_or_default()
            }
            Reply::Opened {
                ticket: t,
                suggestions,
                opens_at,
            } => {
                let mut s = tr!(l, "reply-opened", line = self.ticket_line(t));
                if let Some(at) = opens_at {
                    s.push('\n');
                    s.push_str(&tr!(
                        l,
                        "reply-opened-closed",
                        at = format!("<t:{}:f>", at.timestamp())
                    ));
                }
                if let Some(due) = t.ack_due_at {
                    s.push('\n');
                    s.push_str(&tr!(
                        l,
                        "reply-opened-due",
                        level = t.level,
                        due = when(due)
                    ));
                }
                if !suggestions.is_empty() {
                    s.push('\n');
                    s.push_str(&tr!(l, "reply-suggestions"));
                    for h in suggestions {
                        s.push_str("\n  ");
                        s.push_str(&tr!(
                            l,
                            "reply-suggestion",
                            article = h.number,
                            title = h.title
                        ));
                    }
                }
                s
            }
            Reply::Noted { ticket, internal } => {
                let id = if *internal {
                    "reply-noted-internal"
                } else {
                    "reply-noted-public"
                };
                tr!(l, id, number = ticket.number)
            }
            Reply::Acknowledged(t) => tr!(l, "reply-acknowledged", line = self.ticket_line(t)),
            Reply::Waiting(t) => tr!(l, "reply-waiting", line = self.ticket_line(t)),
            Reply::Assigned(t) => tr!(l, "reply-assigned", line = self.ticket_line(t)),
            Reply::Escalated(t) => tr!(
                l,
                "reply-escalated",
                number = t.number,
                level = t.level,
                level_name = self.level_name(t.level)
            ),
            Reply::SentToVendor(t) => tr!(
                l,
                "reply-sent-to-vendor",
                number = t.number,
                line = self.ticket_line(t)
            ),
            Reply::VendorCaseRecorded(t) => tr!(
                l,
                "reply-vendor-case",
                number = t.number,
                line = self.ticket_line(t)
            ),
            Reply::Returned(t) => tr!(
                l,
                "reply-returned",
                number = t.number,
                level = t.level,
                level_name = self.level_name(t.level)
            ),
            Reply::PriorityChanged(t) => tr!(l, "reply-priority", line = self.ticket_line(t)),
            Reply::Closed(t) => tr!(l, "reply-closed", number = t.number, level = t.level),
            Reply::Reopened(t) => tr!(
                l,
                "reply-reopened",
                number = t.number,
                level = t.level,
                level_name = self.level_name(t.level)
            ),
            Reply::Show { ticket, timeline } => self.show(ticket, timeline),
            Reply::Queue {
                level,
                status,
                tickets,
            } => {
                let mut head = match level {
                    Some(lv) => tr!(
                        l,
                        "reply-queue-level",
                        level = lv,
                        level_name = self.level_name(*lv)
                    ),
                    None => tr!(l, "reply-queue-all"),
                };
                if let Some(st) = status {
                    head = tr!(
                        l,
                        "reply-queue-status",
                        head = head,
                        status = self.status(*st)
                    );
                }
                let mut s = tr!(l, "reply-queue-count", head = head, count = tickets.len());
                for t in tickets {
                    s.push_str("\n  ");
                    s.push_str(&self.ticket_line(t));
                }
                s
            }
            Reply::Rated(t) => tr!(
                l,
                "reply-rated",
                number = t.number,
                score = t.rating.unwrap_or_default()
            ),
            Reply::Stats {
                days,
                level,
                figures,
            } => {
                let mut head = tr!(l, "reply-stats", days = days);
                if let Some(lv) = level {
                    head = tr!(l, "reply-stats-level", head = head, level = lv);
                }
                format!("{head}:\n{}", self.key_figures(figures))
            }
            Reply::KbWritten(a) => tr!(l, "reply-kb-written", article = a.number, title = a.title),
            Reply::KbEdited(a) => tr!(l, "reply-kb-edited", article = a.number, title = a.title),
            Reply::KbResults { query, hits } => {
                if hits.is_empty() {
                    return tr!(l, "reply-kb-none", query = query);
                }
                let mut s = tr!(l, "reply-kb-results", query = query);
                for h in hits {
                    s.push_str("\n  ");
                    s.push_str(&tr!(
                        l,
                        "reply-kb-hit",
                        article = h.number,
                        title = h.title,
                        snippet = h.snippet
                    ));
                }
                s.push('\n');
                s.push_str(&tr!(l, "reply-kb-read"));
                s
            }
            Reply::KbArticle {
                article: a,
                revisions,
            } => {
                let mut s = format!("{} {}\n{}", a.number, a.title, a.body);
                if !a.tags.is_empty() {
                    s.push('\n');
                    s.push_str(&tr!(l, "kb-tags", tags = a.tags.join(", ")));
                }
                if let Some(t) = a.source_ticket {
                    s.push('\n');
                    s.push_str(&tr!(l, "kb-source", number = t));
                }
                s.push('\n');
                s.push_str(&tr!(l, "kb-history"));
                for (i, r) in revisions.iter().enumerate() {
                    let id = if i == 0 { "kb-wrote" } else { "kb-edited" };
                    let _ = write!(
                        s,
                        "\n  {} {}",
                        r.at.format("%Y-%m-%d %H:%M"),
                        tr!(l, id, editor = r.editor)
                    );
                }
                s
            }
            Reply::Summary(report) => tr!(
                l,
                "reply-summary-posted",
                open = report.open_total,
                overdue = report.overdue_count
            ),
        }
    }

    fn show(&self, t: &Ticket, timeline: &[Event]) -> String {
        let l = self.lang;
        let mut lines = vec![
            self.ticket_line(t),
            tr!(
                l,
                "show-requester",
                requester = t.requester,
                opened = when(t.opened_at)
            ),
        ];
        if !t.details.is_empty() {
            lines.push(tr!(l, "show-details", details = t.details));
        }
        if let (Some(due), false) = (t.sla.resolve_due_at, t.is_closed()) {
            let id = if t.status == Status::Waiting {
                "show-target-paused"
            } else {
                "show-target"
            };
            lines.push(tr!(l, id, due = when(due)));
        }
        if let Some(c) = &t.closure {
            lines.push(tr!(
                l,
                "show-closed",
                at = when(c.at),
                level = c.level,
                by = c.by,
                resolution = c.resolution
            ));
            if let Some(rc) = &c.root_cause {
                lines.push(tr!(l, "show-root-cause", cause = rc));
            }
            if let Some(f) = c.fix_type {
                lines.push(tr!(l, "show-fix-type", fix = f));
            }
            if let Some(kb) = &c.kb {
                lines.push(tr!(l, "show-kb", article = kb));
            }
        }
        lines.push(tr!(l, "show-timeline"));
        for e in timeline {
            lines.push(format!("  {}", self.event(e)));
        }
        lines.join("\n")
    }

    /// One timeline entry as a line.
    pub fn event(&self, e: &Event) -> String {
        let l = self.lang;
        let who = e
            .actor
            .map_or_else(|| tr!(l, "the-bot"), |u| format!("<@{u}>"));
        let what = match &e.kind {
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
            EventKind::Escalated {
                from,
                to,
                reason,
                attempts,
                fields,
                automatic,
                ..
            } => {
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
            EventKind::Paged { level, role } => tr!(l, "ev-paged", level = level, role = role),
            EventKind::Repaged { level, role, count } => {
                tr!(l, "ev-repaged", level = level, role = role, count = count)
            }
            EventKind::AdminsPaged { role } => tr!(l, "ev-admins-paged", role = role),
            EventKind::Closed {
                resolution,
                root_cause,
                ..
            } => match root_cause {
                Some(cause) => tr!(l, "ev-closed-cause", resolution = resolution, cause = cause),
                None => tr!(l, "ev-closed", resolution = resolution),
            },
            EventKind::Reopened { reason, level } => {
                tr!(l, "ev-reopened", level = level, reason = reason)
            }
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
        };
        tr!(
            l,
            "ev-line",
            at = e.at.format("%Y-%m-%d %H:%M"),
            who = who,
            what = what
        )
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

    /// A message the bot posts in a channel, as the console shows it.
    pub fn outgoing(&self, m: &Outgoing) -> String {
        let l = self.lang;
        match m {
            Outgoing::Page {
                channel,
                role,
                level,
                card: c,
                arrival,
                ack_due_at,
                ping,
            } => {
                let mut lines = vec![
                    tr!(
                        l,
                        "page-head",
                        channel = channel,
                        level_name = self.level_name(*level),
                        role = role
                    ),
                    format!("    {}", self.card(c)),
                ];
                lines.extend(
                    self.arrival(arrival)
                        .into_iter()
                        .map(|a| format!("    {a}")),
                );
                if let Some(due) = ack_due_at {
                    lines.push(format!("    {}", tr!(l, "page-due", due = when(*due))));
                }
                if !ping {
                    lines.push(format!("    {}", tr!(l, "page-quiet")));
                }
                lines.join("\n")
            }
            Outgoing::Repage {
                channel,
                role,
                level,
                card: c,
                count,
                limit,
            } => format!(
                "{}\n    {}",
                tr!(
                    l,
                    "repage-head",
                    count = count,
                    limit = limit,
                    channel = channel,
                    level_name = self.level_name(*level),
                    role = role
                ),
                tr!(l, "repage-body", card = self.card(c))
            ),
            Outgoing::AdminPage {
                channel,
                role,
                card: c,
                repages,
            } => format!(
                "{}\n    {}",
                tr!(l, "admin-page-head", channel = channel, role = role),
                tr!(l, "admin-page-body", repages = repages, card = self.card(c))
            ),
            Outgoing::PageUpdate { card: c } => {
                tr!(l, "page-edited", number = c.number, card = self.card(c))
            }
            Outgoing::ThreadOpen {
                channel,
                number,
                title,
            } => tr!(
                l,
                "thread-opened",
                channel = channel,
                number = number,
                title = title
            ),
            Outgoing::ThreadPost { number, event } => {
                tr!(l, "thread-post", number = number, event = self.event(event))
            }
            Outgoing::DeliveryFailed {
                channel,
                role,
                what,
                ticket,
                error,
            } => {
                let body = match ticket {
                    Some(n) => tr!(
                        l,
                        "delivery-failed-ticket",
                        what = what,
                        number = n,
                        error = error
                    ),
                    None => tr!(l, "delivery-failed", what = what, error = error),
                };
                format!(
                    "{}\n    {body}",
                    tr!(l, "delivery-failed-head", channel = channel, role = role)
                )
            }
            Outgoing::OpeningPing {
                channel,
                role,
                card: c,
                at,
                ..
            } => tr!(
                l,
                "opening-ping",
                channel = channel,
                role = role,
                at = when(*at),
                card = self.card(c)
            ),
            Outgoing::SlaWarning {
                channel,
                card: c,
                target,
                due,
            } => format!("[→ {channel}] {}", self.sla_warning(c, *target, when(*due))),
            Outgoing::ThreadMention {
                number,
                user,
                reason,
            } => tr!(
                l,
                "thread-post",
                number = number,
                event = self.mention_text(*reason, *user)
            ),
            Outgoing::Handoff {
                role,
                on,
                off,
                until,
                ..
            } => {
                let off = off.map(|o| format!(", <@{o}> -")).unwrap_or_default();
                format!(
                    "{}\n    {}",
                    tr!(l, "handoff-head", role = role, on = on, off = off),
                    self.handoff_notice(m, when(*until)).unwrap_or_default()
                )
            }
            Outgoing::RoleRefused {
                channel,
                admins,
                level,
                role,
            } => format!(
                "{}\n    {}",
                tr!(l, "delivery-failed-head", channel = channel, role = admins),
                tr!(l, "role-refused", level = level, role = role)
            ),
            Outgoing::Summary { channel, report } => format!(
                "{}\n{}",
                tr!(l, "summary-head", channel = channel),
                self.summary(report)
            ),
        }
    }

    /// The replies of `/oncall`.
    fn oncall_reply(&self, reply: &Reply) -> Option<String> {
        let l = self.lang;
        let shift = |s: &crate::domain::oncall::Shift| {
            tr!(
                l,
                "reply-oncall-shift",
                user = s.member,
                until = format!("<t:{}:f>", s.ends.timestamp())
            )
        };
        match reply {
            Reply::OnCall(levels) if levels.is_empty() => Some(tr!(l, "reply-oncall-none")),
            Reply::OnCall(levels) => Some(
                levels
                    .iter()
                    .map(|o| {
                        let next: Vec<String> = o.next.iter().map(shift).collect();
                        tr!(
                            l,
                            "reply-oncall-level",
                            level = o.level,
                            level_name = self.level_name(o.level),
                            now = shift(&o.now),
                            next = next.join(" · ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Reply::OverrideSet { level, shift: s } => Some(tr!(
                l,
                "reply-override",
                level = level,
                level_name = self.level_name(*level),
                now = shift(s)
            )),
            _ => None,
        }
    }

    /// The ping at the desk's opening for a ticket paged while it was closed.
    pub fn opening_ping(&self, role: crate::domain::RoleId, c: &TicketCard) -> String {
        tr!(
            self.lang,
            "opening-ping-text",
            role = role,
            number = c.number,
            title = c.title,
            level_name = self.level_name(c.level)
        )
    }

    /// A warning that a target is near, for the owning level's queue.
    pub fn sla_warning(&self, c: &TicketCard, target: SlaTarget, due: String) -> String {
        let id = match target {
            SlaTarget::Acknowledge => "sla-warn-ack",
            SlaTarget::Resolve => "sla-warn-resolve",
        };
        tr!(self.lang, id, number = c.number, title = c.title, due = due)
    }

    /// A thread post that mentions one member: a reminder, or the requester's answer.
    pub fn mention_text(&self, reason: MentionReason, user: UserId) -> String {
        match reason {
            MentionReason::Reminder => tr!(self.lang, "thread-reminder", user = user),
            MentionReason::Resumed => tr!(self.lang, "thread-resumed", user = user),
        }
    }

    /// The notice of a handoff, in the level's queue; `until` as the reader should see it.
    pub fn handoff_notice(&self, m: &Outgoing, until: String) -> Option<String> {
        let Outgoing::Handoff { level, on, why, .. } = m else {
            return None;
        };
        let level_name = self.level_name(*level);
        let l = self.lang;
        Some(match why {
            HandoffReason::Shift => {
                tr!(
                    l,
                    "handoff-shift",
                    on = on,
                    level_name = level_name,
                    until = until
                )
            }
            HandoffReason::OverrideStarted { by } => tr!(
                l,
                "handoff-override",
                on = on,
                level_name = level_name,
                until = until,
                by = by
            ),
            HandoffReason::OverrideEnded => tr!(
                l,
                "handoff-override-ended",
                on = on,
                level_name = level_name,
                until = until
            ),
        })
    }

    fn summary_ticket(&self, t: &TicketLine, now: DateTime<Utc>) -> String {
        tr!(
            self.lang,
            "summary-ticket",
            number = t.number,
            title = t.title,
            priority = self.priority(t.priority),
            level = t.level,
            age = human_duration((now - t.opened_at).num_seconds())
        )
    }

    /// The backlog summary as text.
    pub fn summary(&self, r: &SummaryReport) -> String {
        let l = self.lang;
        let none = format!("  {}", tr!(l, "level-none"));
        let mut lines = vec![
            tr!(l, "summary-title", day = r.day, open = r.open_total),
            String::new(),
            tr!(l, "summary-open"),
        ];
        if r.open.is_empty() {
            lines.push(none.clone());
        }
        for c in &r.open {
            let change = match c.change {
                Some(0) => " (=)".to_owned(),
                Some(d) => format!(" ({d:+})"),
                None => String::new(),
            };
            lines.push(format!(
                "  {}",
                tr!(
                    l,
                    "summary-open-line",
                    level = c.level,
                    level_name = self.level_name(c.level),
                    priority = self.priority(c.priority),
                    count = c.count,
                    change = change
                )
            ));
        }
        lines.push(String::new());
        lines.push(tr!(l, "summary-overdue", count = r.overdue_count));
        for t in &r.overdue {
            lines.push(format!("  {}", self.summary_ticket(t, r.generated_at)));
        }
        lines.push(String::new());
        lines.push(tr!(l, "summary-oldest"));
        if r.oldest.is_empty() {
            lines.push(none);
        }
        for t in &r.oldest {
            lines.push(format!("  {}", self.summary_ticket(t, r.generated_at)));
        }
        let a = r.last_24h;
        lines.push(String::new());
        lines.push(tr!(
            l,
            "summary-activity",
            opened = a.opened,
            escalated = a.escalated,
            returned = a.returned,
            closed = a.closed,
            reopened = a.reopened
        ));
        if !r.breaches.is_empty() {
            lines.push(String::new());
            lines.push(tr!(l, "summary-breaches"));
            for (number, title, target) in &r.breaches {
                lines.push(format!(
                    "  {}",
                    tr!(
                        l,
                        "summary-breach",
                        number = number,
                        title = title,
                        target = target
                    )
                ));
            }
        }
        lines.push(String::new());
        lines.push(tr!(l, "summary-figures", days = r.figures.window_days));
        lines.push(self.key_figures(&r.figures));
        lines.join("\n")
    }

    fn spread(&self, s: &Spread) -> String {
        match (s.median, s.p90) {
            (Some(m), Some(p)) => tr!(
                self.lang,
                "spread",
                median = human_duration(m),
                p90 = human_duration(p)
            ),
            _ => "–".to_owned(),
        }
    }

    /// The key figures, one level a line, then resolution times, knowledge and satisfaction.
    pub fn key_figures(&self, f: &KeyFigures) -> String {
        let l = self.lang;
        let mut lines = Vec::new();
        for (level, lf) in &f.levels {
            lines.push(format!(
                "  {}",
                tr!(
                    l,
                    "fig-level",
                    level = level,
                    level_name = self.level_name(*level),
                    reached = lf.reached,
                    resolved = percent(lf.resolution_rate()),
                    escalated = percent(lf.escalation_rate()),
                    response = self.spread(&lf.response),
                    backlog = lf.backlog,
                    age = self.spread(&lf.backlog_age)
                )
            ));
        }
        lines.push(format!(
            "  {}",
            tr!(
                l,
                "fig-resolution",
                spread = self.spread(&f.resolution_time),
                count = f.resolution_time.count
            )
        ));
        for (p, spread) in &f.resolution_time_by_priority {
            lines.push(format!(
                "    {}",
                tr!(
                    l,
                    "fig-priority",
                    priority = self.priority(*p),
                    spread = self.spread(spread)
                )
            ));
        }
        for a in &f.sla {
            let (level, priority) = (&a.level, &a.priority);
            lines.push(format!(
                "  {}",
                tr!(
                    l,
                    "fig-sla",
                    level = level,
                    priority = self.priority(*priority),
                    ack = percent(a.ack_share()),
                    acked = a.acked,
                    resolved = percent(a.resolve_share()),
                    closed = a.resolved
                )
            ));
        }
        lines.push(format!(
            "  {}",
            tr!(
                l,
                "fig-knowledge",
                solved = f.knowledge.solved_with_article,
                suggested = f.knowledge.suggested_at_open
            )
        ));
        lines.push(format!(
            "  {}",
            tr!(
                l,
                "fig-satisfaction",
                share = percent(f.satisfaction.share()),
                count = f.satisfaction.ratings
            )
        ));
        lines.join("\n")
    }

    /// The summary as messages within Discord's content limit.
    pub fn summary_messages(&self, r: &SummaryReport) -> Vec<String> {
        split_message(&self.summary(r), MESSAGE_LIMIT)
    }
}

pub const MESSAGE_LIMIT: usize = 2000;

/// Splits `text` into messages of at most `limit` characters, at line ends where it can
/// (a longer line is cut inside), so that nothing is lost whatever the backlog.
pub fn split_message(text: &str, limit: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.split_inclusive('\n') {
        let mut line = line;
        loop {
            let len = line.chars().count();
            if current_len + len <= limit {
                current.push_str(line);
                current_len += len;
                break;
            }
            if current_len > 0 {
                chunks.push(std::mem::take(&mut current));
                current_len = 0;
                continue;
            }
            // A single line longer than the limit: cut it at a character boundary.
            let cut = line
                .char_indices()
                .nth(limit)
                .map_or(line.len(), |(i, _)| i);
            chunks.push(line[..cut].to_owned());
            line = &line[cut..];
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_line_ends_and_loses_nothing() {
        let text: String = (0..300)
            .map(|i| format!("line {i} {}\n", "x".repeat(i % 50)))
            .collect();
        let parts = split_message(&text, 200);
        assert!(parts.iter().all(|p| p.chars().count() <= 200));
        assert!(parts.iter().all(|p| p.ends_with('\n')));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn cuts_a_line_longer_than_the_limit() {
        let text = "é".repeat(450);
        let parts = split_message(&text, 200);
        assert_eq!(
            parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            [200, 200, 50]
        );
        assert_eq!(parts.concat(), text);
    }
}
