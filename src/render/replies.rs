//! Replies to commands, as the member who typed them reads them.

use std::fmt::Write as _;

use super::{when, Text};
use crate::domain::{Event, Status, Ticket};
use crate::service::Reply;
use crate::tr;

impl Text<'_> {
    /// A reply as the person who ran the command sees it.
    pub fn reply(&self, reply: &Reply) -> String {
        match reply {
            Reply::Opened { .. }
            | Reply::Noted { .. }
            | Reply::Acknowledged(_)
            | Reply::Waiting(_)
            | Reply::Assigned(_)
            | Reply::Escalated(_)
            | Reply::SentToVendor(_)
            | Reply::VendorCaseRecorded(_)
            | Reply::Returned(_)
            | Reply::PriorityChanged(_)
            | Reply::Closed(_)
            | Reply::Reopened(_)
            | Reply::Rated(_) => self.change_reply(reply),
            Reply::Show { .. }
            | Reply::Queue { .. }
            | Reply::Stats { .. }
            | Reply::Summary(_)
            | Reply::KbWritten(_)
            | Reply::KbEdited(_)
            | Reply::KbResults { .. }
            | Reply::KbArticle { .. } => self.view_reply(reply),
            Reply::OnCall(_) | Reply::OverrideSet { .. } => {
                self.oncall_reply(reply).unwrap_or_default()
            }
        }
    }

    /// The answer to a command that changed a ticket.
    fn change_reply(&self, reply: &Reply) -> String {
        let l = self.lang;
        match reply {
            Reply::Opened {
                ticket,
                suggestions,
                opens_at,
            } => self.opened_reply(ticket, suggestions, *opens_at),
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
            Reply::Rated(t) => tr!(
                l,
                "reply-rated",
                number = t.number,
                score = t.rating.unwrap_or_default()
            ),
            // The other replies are rendered by `reply`'s other branches.
            _ => String::new(),
        }
    }

    /// The answer to a command that shows something: a ticket, a queue, figures, articles.
    fn view_reply(&self, reply: &Reply) -> String {
        let l = self.lang;
        match reply {
            Reply::Show {
                ticket,
                timeline,
                earlier,
            } => self.show(ticket, timeline, *earlier),
            Reply::Queue {
                level,
                status,
                tickets,
            } => self.queue_reply(*level, *status, tickets),
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
            Reply::KbArticle { article, revisions } => self.article_reply(article, revisions),
            Reply::Summary(report) => tr!(
                l,
                "reply-summary-posted",
                open = report.open_total,
                overdue = report.overdue_count
            ),
            // The other replies are rendered by `reply`'s other branches.
            _ => String::new(),
        }
    }

    /// A new ticket: its line, when the desk opens if it is closed, its deadline, and the
    /// articles that may already answer it.
    fn opened_reply(
        &self,
        t: &Ticket,
        suggestions: &[crate::domain::ArticleHit],
        opens_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> String {
        let l = self.lang;
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

    /// A queue: which one, how many, and a line per ticket.
    fn queue_reply(
        &self,
        level: Option<crate::domain::Level>,
        status: Option<Status>,
        tickets: &[Ticket],
    ) -> String {
        let l = self.lang;
        let mut head = match level {
            Some(lv) => tr!(
                l,
                "reply-queue-level",
                level = lv,
                level_name = self.level_name(lv)
            ),
            None => tr!(l, "reply-queue-all"),
        };
        if let Some(st) = status {
            head = tr!(
                l,
                "reply-queue-status",
                head = head,
                status = self.status(st)
            );
        }
        let mut s = tr!(l, "reply-queue-count", head = head, count = tickets.len());
        for t in tickets {
            s.push_str("\n  ");
            s.push_str(&self.ticket_line(t));
        }
        s
    }

    /// An article with its tags, its source ticket and its history.
    fn article_reply(
        &self,
        a: &crate::domain::Article,
        revisions: &[crate::domain::kb::Revision],
    ) -> String {
        let l = self.lang;
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

    fn show(&self, t: &Ticket, timeline: &[Event], earlier: i64) -> String {
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
        if earlier > 0 {
            lines.push(format!("  {}", tr!(l, "show-earlier", count = earlier)));
        }
        for e in timeline {
            lines.push(format!("  {}", self.event(e)));
        }
        lines.join("\n")
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
}
