//! Plain-text rendering of replies, channel messages and the summary, for the console and
//! `summary --print`. Mentions are written as Discord writes them; the text front end never
//! pings anyone, and the Discord front end sets `allowed_mentions` on its own messages.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::figures::{describe_spread, human_duration, percent, KeyFigures};
use crate::domain::{Event, EventKind, Level, Status, Ticket};
use crate::effects::{Arrival, Outgoing, TicketCard};
use crate::service::{Reply, SummaryReport};
use crate::store::figures::TicketLine;

fn level_name(config: &Config, level: Level) -> String {
    config
        .tier(level)
        .map_or_else(|| level.default_name().to_owned(), |t| t.name.clone())
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn status_line(config: &Config, t: &Ticket) -> String {
    let mut s = format!(
        "#{} {} · {} · level {} ({}) · {}",
        t.number,
        t.title,
        t.priority,
        t.level,
        level_name(config, t.level),
        t.status
    );
    if let Some(v) = &t.vendor {
        if t.status == Status::Waiting {
            let _ = write!(s, " on {}", v.vendor);
            if let Some(r) = &v.reference {
                let _ = write!(s, " (case {r})");
            }
        }
    }
    if let Some(a) = t.assignee {
        let _ = write!(s, " · assigned to <@{a}>");
    }
    s
}

/// A reply as the person who ran the command sees it.
pub fn reply(config: &Config, reply: &Reply) -> String {
    match reply {
        Reply::Opened {
            ticket: t,
            suggestions,
        } => {
            let mut s = format!("Ticket opened: {}", status_line(config, t));
            if let Some(due) = t.ack_due_at {
                let _ = write!(
                    s,
                    "\nLevel {} has until {} to acknowledge it. Follow it in the ticket's thread.",
                    t.level,
                    when(due)
                );
            }
            if !suggestions.is_empty() {
                s.push_str("\nThese articles may solve it right away (the ticket stays open):");
                for h in suggestions {
                    let _ = write!(s, "\n  {} {} — `/kb show article:{}`", h.number, h.title, h.number);
                }
            }
            s
        }
        Reply::Noted { ticket, internal } => format!(
            "Note added to #{} ({}).",
            ticket.number,
            if *internal {
                "internal: agents only"
            } else {
                "public"
            }
        ),
        Reply::Acknowledged(t) => format!("Acknowledged: {}", status_line(config, t)),
        Reply::Assigned(t) => format!("Assigned: {}", status_line(config, t)),
        Reply::Escalated(t) => format!(
            "Ticket #{} escalated to level {} ({}), which has been paged.",
            t.number,
            t.level,
            level_name(config, t.level)
        ),
        Reply::SentToVendor(t) => format!(
            "Ticket #{} handed to the vendor; level 3 keeps ownership while it waits: {}",
            t.number,
            status_line(config, t)
        ),
        Reply::VendorCaseRecorded(t) => format!(
            "Vendor case recorded on #{}: {}",
            t.number,
            status_line(config, t)
        ),
        Reply::Returned(t) => format!(
            "Ticket #{} returned to level {} ({}), which has been paged.",
            t.number,
            t.level,
            level_name(config, t.level)
        ),
        Reply::PriorityChanged(t) => format!("Priority changed: {}", status_line(config, t)),
        Reply::Closed(t) => format!("Ticket #{} closed at level {}.", t.number, t.level),
        Reply::Reopened(t) => format!(
            "Ticket #{} reopened at level {} ({}), which has been paged.",
            t.number,
            t.level,
            level_name(config, t.level)
        ),
        Reply::Show { ticket, timeline } => show(config, ticket, timeline),
        Reply::Queue {
            level,
            status,
            tickets,
        } => {
            let mut s = match level {
                Some(l) => format!("Queue of level {l} ({})", level_name(config, *l)),
                None => "All queues".to_owned(),
            };
            if let Some(st) = status {
                let _ = write!(s, ", {st} only");
            }
            let _ = write!(s, ": {} ticket(s)", tickets.len());
            for t in tickets {
                let _ = write!(s, "\n  {}", status_line(config, t));
            }
            s
        }
        Reply::Rated(t) => format!(
            "Thank you: you rated ticket #{} {}/5.",
            t.number,
            t.rating.unwrap_or_default()
        ),
        Reply::Stats {
            days,
            level,
            figures,
        } => {
            let mut s = format!("Key figures, last {days} day(s)");
            if let Some(l) = level {
                let _ = write!(s, ", level {l} only");
            }
            s.push_str(":\n");
            s.push_str(&key_figures(config, figures));
            s
        }
        Reply::KbWritten(a) => format!(
            "Article {} written: {}. Read it with `/kb show article:{}`.",
            a.number, a.title, a.number
        ),
        Reply::KbEdited(a) => format!("Article {} updated: {}.", a.number, a.title),
        Reply::KbResults { query, hits } => {
            if hits.is_empty() {
                return format!(
                    "No article matches “{query}”. Try other words, or open a ticket with `/ticket open`."
                );
            }
            let mut s = format!("Articles for “{query}”:");
            for h in hits {
                let _ = write!(s, "\n  {} {} — {}", h.number, h.title, h.snippet);
            }
            s.push_str("\nRead one with `/kb show article:KB-…`.");
            s
        }
        Reply::KbArticle { article: a, revisions } => {
            let mut s = format!("{} {}\n{}", a.number, a.title, a.body);
            if !a.tags.is_empty() {
                let _ = write!(s, "\nTags: {}", a.tags.join(", "));
            }
            if let Some(t) = a.source_ticket {
                let _ = write!(s, "\nWritten from ticket #{t}.");
            }
            let _ = write!(s, "\nHistory:");
            for (i, r) in revisions.iter().enumerate() {
                let _ = write!(
                    s,
                    "\n  {} <@{}> {}",
                    r.at.format("%Y-%m-%d %H:%M"),
                    r.editor,
                    if i == 0 { "wrote it" } else { "edited it" }
                );
            }
            s
        }
        Reply::Summary(report) => format!(
            "Backlog summary posted in the summary channel: {} open ticket(s), {} past their deadline.",
            report.open_total, report.overdue_count
        ),
    }
}

fn show(config: &Config, t: &Ticket, timeline: &[Event]) -> String {
    let mut s = status_line(config, t);
    let _ = write!(
        s,
        "\nRequester: <@{}> · opened {}",
        t.requester,
        when(t.opened_at)
    );
    if !t.details.is_empty() {
        let _ = write!(s, "\nDetails: {}", t.details);
    }
    if let Some(c) = &t.closure {
        let _ = write!(
            s,
            "\nClosed {} at level {} by <@{}>: {}",
            when(c.at),
            c.level,
            c.by,
            c.resolution
        );
        if let Some(rc) = &c.root_cause {
            let _ = write!(s, "\nRoot cause: {rc}");
        }
        if let Some(f) = c.fix_type {
            let _ = write!(s, "\nFix type: {f}");
        }
        if let Some(kb) = &c.kb {
            let _ = write!(s, "\nKnowledge article: {kb}");
        }
    }
    let _ = write!(s, "\nTimeline:");
    for e in timeline {
        let _ = write!(s, "\n  {}", event(e));
    }
    s
}

/// One timeline entry as a line.
pub fn event(e: &Event) -> String {
    let who = e
        .actor
        .map_or_else(|| "tierdesk".to_owned(), |u| format!("<@{u}>"));
    let what = match &e.kind {
        EventKind::Opened {
            priority, level, ..
        } => {
            format!("opened it ({priority}) at level {level}")
        }
        EventKind::Note { text, internal } => {
            format!(
                "noted{}: {text}",
                if *internal { " (internal)" } else { "" }
            )
        }
        EventKind::Acknowledged { after_secs } => {
            format!("acknowledged it after {}", human_duration(*after_secs))
        }
        EventKind::Assigned { assignee } => format!("assigned it to <@{assignee}>"),
        EventKind::PriorityChanged { from, to } => {
            format!("changed the priority from {from} to {to}")
        }
        EventKind::Escalated {
            from,
            to,
            reason,
            attempts,
            fields,
            automatic,
            ..
        } => {
            let mut s = format!(
                "escalated it from level {from} to {to}{}: {reason}; tried: {attempts}",
                if *automatic {
                    " (no acknowledgement in time)"
                } else {
                    ""
                }
            );
            for (k, v) in fields {
                let _ = write!(s, "; {k}: {v}");
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
        } => format!(
            "handed it to {vendor} ({vendor_reason}{}): {reason}; tried: {attempts}",
            vendor_ref
                .as_ref()
                .map(|r| format!(", case {r}"))
                .unwrap_or_default()
        ),
        EventKind::VendorCaseRecorded { vendor_ref } => {
            format!("recorded the vendor case {vendor_ref}")
        }
        EventKind::Returned {
            from,
            to,
            reason,
            note,
        } => format!("returned it from level {from} to {to} ({reason}): {note}"),
        EventKind::Paged { level, role } => format!("paged level {level} (<@&{role}>)"),
        EventKind::Repaged { level, role, count } => {
            format!("re-paged level {level} (<@&{role}>), time {count}")
        }
        EventKind::AdminsPaged { role } => {
            format!("paged the admins (<@&{role}>): nobody acknowledged in time")
        }
        EventKind::Closed {
            resolution,
            root_cause,
            ..
        } => {
            let mut s = format!("closed it: {resolution}");
            if let Some(rc) = root_cause {
                let _ = write!(s, " (root cause: {rc})");
            }
            s
        }
        EventKind::Reopened { reason, level } => format!("reopened it at level {level}: {reason}"),
        EventKind::Rated { score } => format!("rated it {score}/5"),
        EventKind::KbSuggested { articles } => format!(
            "suggested the articles {}",
            articles
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        EventKind::KbLinked { article, suggested } => format!(
            "linked the article {article}{}",
            if *suggested {
                " (suggested at opening)"
            } else {
                ""
            }
        ),
    };
    format!("{} {who} {what}", e.at.format("%Y-%m-%d %H:%M"))
}

fn card(config: &Config, c: &TicketCard) -> String {
    let mut s = format!(
        "#{} {} · {} · level {} ({}) · {}",
        c.number,
        c.title,
        c.priority,
        c.level,
        level_name(config, c.level),
        c.status
    );
    if let Some(a) = c.assignee {
        let _ = write!(s, " · assigned to <@{a}>");
    }
    s
}

/// A message the bot posts in a channel, as the console shows it.
pub fn outgoing(config: &Config, m: &Outgoing) -> String {
    match m {
        Outgoing::Page {
            channel,
            role,
            level,
            card: c,
            arrival,
            ack_due_at,
        } => {
            let from = match arrival {
                Arrival::Opened { by } => format!("opened by <@{by}>"),
                Arrival::Escalated {
                    from,
                    reason,
                    attempts,
                    automatic,
                } => format!(
                    "escalated from level {from}{}\n    reason: {reason}\n    attempts: {attempts}",
                    if *automatic { " (no acknowledgement in time)" } else { "" }
                ),
                Arrival::Returned { from, reason, note } => {
                    format!("returned from level {from} ({reason})\n    needed: {note}")
                }
                Arrival::Reopened { reason } => format!("reopened: {reason}"),
                Arrival::ToVendor {
                    vendor,
                    vendor_reason,
                    vendor_ref,
                    reason,
                    attempts,
                } => format!(
                    "handed to {vendor} ({vendor_reason}){}\n    reason: {reason}\n    attempts: {attempts}",
                    vendor_ref
                        .as_ref()
                        .map(|r| format!(", case {r}"))
                        .unwrap_or_default()
                ),
            };
            let mut s = format!(
                "[page → channel {channel} · {} · pings <@&{role}>]\n    {}\n    {from}",
                level_name(config, *level),
                card(config, c)
            );
            if let Some(due) = ack_due_at {
                let _ = write!(s, "\n    acknowledge by {}", when(*due));
            }
            s
        }
        Outgoing::Repage {
            channel,
            role,
            level,
            card: c,
            count,
            limit,
        } => format!(
            "[re-page {count}/{limit} → channel {channel} · {} · pings <@&{role}>]\n    still not acknowledged: {}",
            level_name(config, *level),
            card(config, c)
        ),
        Outgoing::AdminPage {
            channel,
            role,
            card: c,
            repages,
        } => format!(
            "[admin page → channel {channel} · pings <@&{role}>]\n    nobody at level 3 acknowledged after {repages} re-page(s): {}",
            card(config, c)
        ),
        Outgoing::PageUpdate { card: c } => {
            format!("[page of #{} edited] {}", c.number, card(config, c))
        }
        Outgoing::ThreadOpen {
            channel,
            number,
            title,
        } => format!("[thread opened in channel {channel}] #{number} {title}"),
        Outgoing::ThreadPost { number, event: e } => format!("[thread #{number}] {}", event(e)),
        Outgoing::Summary { channel, report } => {
            format!("[summary → channel {channel}]\n{}", summary(config, report))
        }
    }
}

fn ticket_line(l: &TicketLine, now: DateTime<Utc>) -> String {
    format!(
        "#{} {} · {} · level {} · open for {}",
        l.number,
        l.title,
        l.priority,
        l.level,
        human_duration((now - l.opened_at).num_seconds())
    )
}

/// The backlog summary as text.
pub fn summary(config: &Config, r: &SummaryReport) -> String {
    let now = r.generated_at;
    let mut s = format!(
        "Backlog summary for {} — {} open ticket(s)\n",
        r.day, r.open_total
    );
    s.push_str("\nOpen tickets by level and priority:\n");
    if r.open.is_empty() {
        s.push_str("  none\n");
    }
    for c in &r.open {
        let change = match c.change {
            Some(0) => " (=)".to_owned(),
            Some(d) => format!(" ({d:+})"),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "  level {} ({}) · {}: {}{change}",
            c.level,
            level_name(config, c.level),
            c.priority,
            c.count
        );
    }
    let _ = writeln!(
        s,
        "\nPast their acknowledgement deadline: {}",
        r.overdue_count
    );
    for l in &r.overdue {
        let _ = writeln!(s, "  {}", ticket_line(l, now));
    }
    s.push_str("\nOldest open tickets:\n");
    if r.oldest.is_empty() {
        s.push_str("  none\n");
    }
    for l in &r.oldest {
        let _ = writeln!(s, "  {}", ticket_line(l, now));
    }
    let a = r.last_24h;
    let _ = writeln!(
        s,
        "\nLast 24 hours: {} opened · {} escalated · {} returned · {} closed · {} reopened",
        a.opened, a.escalated, a.returned, a.closed, a.reopened
    );
    let _ = writeln!(s, "\nKey figures, last {} days:", r.figures.window_days);
    s.push_str(&key_figures(config, &r.figures));
    s
}

/// The key figures, one level a line, then resolution times and satisfaction.
pub fn key_figures(config: &Config, f: &KeyFigures) -> String {
    let mut s = String::new();
    for (level, lf) in &f.levels {
        let _ = writeln!(
            s,
            "  level {level} ({}): reached {} · resolved here {} · escalated {} · response {} · backlog {} (age {})",
            level_name(config, *level),
            lf.reached,
            percent(lf.resolution_rate()),
            percent(lf.escalation_rate()),
            describe_spread(&lf.response),
            lf.backlog,
            describe_spread(&lf.backlog_age),
        );
    }
    let _ = writeln!(
        s,
        "  time to resolution: {} ({} closed)",
        describe_spread(&f.resolution_time),
        f.resolution_time.count
    );
    for (p, spread) in &f.resolution_time_by_priority {
        let _ = writeln!(s, "    {p}: {}", describe_spread(spread));
    }
    let _ = writeln!(
        s,
        "  solved with a knowledge article: {} ({} suggested at opening)",
        f.knowledge.solved_with_article, f.knowledge.suggested_at_open
    );
    let _ = write!(
        s,
        "  satisfaction: {} rated 4–5 ({} rating(s))",
        percent(f.satisfaction.share()),
        f.satisfaction.ratings
    );
    s
}

/// Discord's limit on a message's content, in characters.
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

/// The summary as messages within Discord's content limit.
pub fn summary_messages(config: &Config, r: &SummaryReport) -> Vec<String> {
    split_message(&summary(config, r), MESSAGE_LIMIT)
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
