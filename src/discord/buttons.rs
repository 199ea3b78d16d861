//! Button custom ids: the action and the ticket, nothing else, so a button keeps working
//! after a restart with no state in memory (`td:ack:42`, `td:assign:42`, `td:rate:42:5`).

use crate::command::Command;
use crate::domain::TicketNumber;

/// What a button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonAction {
    Ack(TicketNumber),
    Assign(TicketNumber),
    Rate(TicketNumber, u8),
}

impl ButtonAction {
    /// The custom id Discord stores on the button (at most 100 characters).
    pub fn custom_id(self) -> String {
        match self {
            ButtonAction::Ack(t) => format!("td:ack:{t}"),
            ButtonAction::Assign(t) => format!("td:assign:{t}"),
            ButtonAction::Rate(t, score) => format!("td:rate:{t}:{score}"),
        }
    }

    /// Reads a custom id back; anything else (another bot's, a forged one) is `None`.
    pub fn parse(custom_id: &str) -> Option<ButtonAction> {
        let mut parts = custom_id.split(':');
        if parts.next()? != "td" {
            return None;
        }
        let action = parts.next()?;
        let ticket = TicketNumber::parse(parts.next()?).ok()?;
        let score = parts.next();
        let parsed = match (action, score) {
            ("ack", None) => ButtonAction::Ack(ticket),
            ("assign", None) => ButtonAction::Assign(ticket),
            ("rate", Some(s)) => match s.parse::<u8>() {
                Ok(score @ 1..=5) => ButtonAction::Rate(ticket, score),
                _ => return None,
            },
            _ => return None,
        };
        parts.next().is_none().then_some(parsed)
    }

    /// The command the press stands for, run as the member who pressed.
    pub fn command(self) -> Command {
        match self {
            ButtonAction::Ack(ticket) => Command::Ack { ticket },
            ButtonAction::Assign(ticket) => Command::Assign { ticket, user: None },
            ButtonAction::Rate(ticket, score) => Command::Rate { ticket, score },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip() {
        for action in [
            ButtonAction::Ack(TicketNumber(42)),
            ButtonAction::Assign(TicketNumber(7)),
            ButtonAction::Rate(TicketNumber(9_999_999), 5),
        ] {
            let id = action.custom_id();
            assert!(id.len() <= 100);
            assert_eq!(ButtonAction::parse(&id), Some(action));
        }
    }

    #[test]
    fn foreign_or_forged_ids_are_ignored() {
        for id in [
            "",
            "td",
            "td:ack",
            "td:ack:x",
            "td:ack:0",
            "td:ack:1:2",
            "td:rate:1",
            "td:rate:1:6",
            "td:close:1",
            "other:ack:1",
        ] {
            assert_eq!(ButtonAction::parse(id), None, "{id}");
        }
    }
}
