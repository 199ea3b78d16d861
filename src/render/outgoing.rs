//! Messages the bot posts in channels (as the console shows them), notices and pings.

use super::{when, Text};
use crate::domain::effects::{HandoffReason, MentionReason, Outgoing, SlaTarget, TicketCard};
use crate::domain::UserId;
use crate::tr;

impl Text<'_> {
    /// A message the bot posts in a channel, as the console shows it.
    pub fn outgoing(&self, m: &Outgoing) -> String {
        let l = self.lang;
        match m {
            Outgoing::Page { .. }
            | Outgoing::Repage { .. }
            | Outgoing::AdminPage { .. }
            | Outgoing::OpeningPing { .. } => self.page_text(m),
            Outgoing::DeliveryFailed { .. }
            | Outgoing::SlaWarning { .. }
            | Outgoing::ThreadMention { .. }
            | Outgoing::Handoff { .. }
            | Outgoing::RoleRefused { .. }
            | Outgoing::MemberGone { .. } => self.notice_text(m),
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
            Outgoing::Summary { channel, report } => format!(
                "{}\n{}",
                tr!(l, "summary-head", channel = channel),
                self.summary(report)
            ),
        }
    }

    /// A page as the console shows it: the head, the ticket, where it came from, its
    /// deadline, and whether it pinged.
    fn page_lines(&self, m: &Outgoing) -> String {
        let l = self.lang;
        let Outgoing::Page {
            channel,
            role,
            level,
            card: c,
            arrival,
            ack_due_at,
            ping,
        } = m
        else {
            return String::new();
        };
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

    /// A page, a re-page, the admins' page or the ping at the opening.
    fn page_text(&self, m: &Outgoing) -> String {
        let l = self.lang;
        match m {
            Outgoing::Page { .. } => self.page_lines(m),
            Outgoing::Repage {
                channel,
                role,
                level,
                card: c,
                count,
                limit,
                ..
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
            // `outgoing` sends only its own group here.
            _ => String::new(),
        }
    }

    /// A notice to the admins, a member or the queue.
    fn notice_text(&self, m: &Outgoing) -> String {
        let l = self.lang;
        match m {
            Outgoing::DeliveryFailed {
                channel,
                role,
                what,
                ticket,
                error,
            } => {
                let body = self.delivery_failed(what, *ticket, error);
                format!(
                    "{}\n    {body}",
                    tr!(l, "delivery-failed-head", channel = channel, role = role)
                )
            }
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
            Outgoing::MemberGone {
                channel,
                admins,
                level,
                member,
            } => format!(
                "{}\n    {}",
                tr!(l, "delivery-failed-head", channel = channel, role = admins),
                self.member_gone(*level, *member)
            ),
            // `outgoing` sends only its own group here.
            _ => String::new(),
        }
    }

    fn member_gone(&self, level: crate::domain::Level, member: UserId) -> String {
        let level_name = self.level_name(level);
        tr!(
            self.lang,
            "member-gone",
            member = member,
            level_name = level_name
        )
    }

    /// The words of a delivery that failed: what it was, for people.
    fn delivery_failed(
        &self,
        what: &str,
        ticket: Option<crate::domain::TicketNumber>,
        error: &str,
    ) -> String {
        let l = self.lang;
        let what = tr!(l, "delivery-what", kind = what);
        match ticket {
            Some(n) => tr!(
                l,
                "delivery-failed-ticket",
                what = what,
                number = n,
                error = error
            ),
            None => tr!(l, "delivery-failed", what = what, error = error),
        }
    }

    /// A re-page, the admins' page or a notice to the admins as it reads in Discord: the
    /// one mention it pings, then plain words (no console heads, no channel ids). `None` for
    /// the other kinds.
    pub fn discord_notice(&self, m: &Outgoing) -> Option<String> {
        let l = self.lang;
        let admin_notice = |role: &crate::domain::RoleId, body: String| {
            tr!(l, "admin-notice", role = role, body = body)
        };
        Some(match m {
            Outgoing::Repage {
                role,
                level,
                card,
                count,
                limit,
                waited_secs,
                ..
            } => tr!(
                l,
                "repage-text",
                role = role,
                number = card.number,
                level_name = self.level_name(*level),
                waited = crate::domain::figures::human_duration(*waited_secs),
                count = count,
                limit = limit
            ),
            Outgoing::AdminPage {
                role,
                card,
                repages,
                ..
            } => tr!(
                l,
                "admin-page-text",
                role = role,
                number = card.number,
                level_name = self.level_name(card.level),
                repages = repages
            ),
            Outgoing::DeliveryFailed {
                role,
                what,
                ticket,
                error,
                ..
            } => admin_notice(role, self.delivery_failed(what, *ticket, error)),
            Outgoing::RoleRefused {
                admins,
                level,
                role,
                ..
            } => admin_notice(admins, tr!(l, "role-refused", level = level, role = role)),
            Outgoing::MemberGone {
                admins,
                level,
                member,
                ..
            } => admin_notice(admins, self.member_gone(*level, *member)),
            // Pages and thread posts have Discord renderings of their own; the console's
            // words (with their heads and channel ids) never go to Discord.
            _ => return None,
        })
    }

    /// `(on call: <@member>)`, after a page's or re-page's first line.
    pub fn on_call_note(&self, member: UserId) -> String {
        tr!(self.lang, "page-on-call", user = member)
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
}
