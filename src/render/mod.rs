//! Text rendering of replies, channel messages and the summary, from the catalogue
//! (`crate::i18n`), in the language asked for. The console prints it; the Discord front end
//! puts it in messages and embeds. Mentions are written as Discord writes them: the console
//! never pings anyone, and every Discord message sets `allowed_mentions` explicitly.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::effects::TicketCard;
use crate::domain::{Level, Priority, Status, Ticket};
use crate::i18n::Lang;
use crate::tr;

pub mod chart;
mod outgoing;
mod replies;
mod summary;
mod terminal;
mod timeline;

/// Renders for one config in one language.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    pub config: &'a Config,
    pub lang: Lang,
}

/// A time as Discord shows it: in each reader's own time zone and language. The console
/// turns the markup into the desk's local time (`Text::for_terminal`).
fn when(t: DateTime<Utc>) -> String {
    format!("<t:{}:f>", t.timestamp())
}

impl<'a> Text<'a> {
    pub fn new(config: &'a Config, lang: Lang) -> Text<'a> {
        Text { config, lang }
    }

    pub fn level_name(&self, level: Level) -> String {
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
