//! The backlog summary and the key figures, as text.

use chrono::{DateTime, Utc};

use super::{split_message, Text, MESSAGE_LIMIT};
use crate::domain::figures::{human_duration, percent, KeyFigures, LevelFigures, Spread};
use crate::domain::summary::{OpenCount, TicketLine};
use crate::domain::Level;
use crate::service::SummaryReport;
use crate::tr;

impl Text<'_> {
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
        lines.extend(r.open.iter().map(|c| format!("  {}", self.open_line(c))));
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
            lines.extend(r.breaches.iter().map(|(number, title, target)| {
                let line = tr!(
                    l,
                    "summary-breach",
                    number = number,
                    title = title,
                    target = target
                );
                format!("  {line}")
            }));
        }
        lines.push(String::new());
        lines.push(tr!(l, "summary-figures", days = r.figures.window_days));
        lines.push(self.key_figures(&r.figures));
        lines.join("\n")
    }

    /// Open tickets of one level and priority, with the change since the last summary.
    fn open_line(&self, c: &OpenCount) -> String {
        let change = match c.change {
            Some(0) => " (=)".to_owned(),
            Some(d) => format!(" ({d:+})"),
            None => String::new(),
        };
        tr!(
            self.lang,
            "summary-open-line",
            level = c.level,
            level_name = self.level_name(c.level),
            priority = self.priority(c.priority),
            count = c.count,
            change = change
        )
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
        let mut lines: Vec<String> = (f.levels.iter())
            .map(|(level, lf)| format!("  {}", self.level_figures(*level, lf)))
            .collect();
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
            lines.push(format!(
                "  {}",
                tr!(
                    l,
                    "fig-sla",
                    level = a.level,
                    priority = self.priority(a.priority),
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

    /// One level's line of the key figures.
    fn level_figures(&self, level: Level, lf: &LevelFigures) -> String {
        tr!(
            self.lang,
            "fig-level",
            level = level,
            level_name = self.level_name(level),
            reached = lf.reached,
            resolved = percent(lf.resolution_rate()),
            escalated = percent(lf.escalation_rate()),
            response = self.spread(&lf.response),
            backlog = lf.backlog,
            age = self.spread(&lf.backlog_age)
        )
    }

    /// The summary as messages within Discord's content limit.
    pub fn summary_messages(&self, r: &SummaryReport) -> Vec<String> {
        split_message(&self.summary(r), MESSAGE_LIMIT)
    }
}
