//! Replies to interactions: the text of a reply or a refusal, ephemeral where it should be,
//! and `allowed_mentions` empty, so nothing a user typed can ping anyone.

use serenity::all::{
    CreateAllowedMentions, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, EditInteractionResponse,
};

use crate::config::Config;
use crate::domain::error::Error;
use crate::i18n::Lang;
use crate::render::{Text, MESSAGE_LIMIT};
use crate::service::Outcome;
use crate::tr;

/// Keeps whole lines of `text` within `limit` characters, saying how many were left out.
/// A very long line (a 4,000-character note in a timeline) is shortened rather than hiding
/// everything after it; the whole text stays in the ticket's thread.
pub fn fit(text: &str, limit: usize, lang: Lang) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let lines: Vec<String> = text
        .lines()
        .map(|l| super::messages::clip(l, limit / 4))
        .collect();
    let mut kept = String::new();
    for (i, line) in lines.iter().enumerate() {
        let more = tr!(lang, "reply-more-lines", count = lines.len() - i);
        if kept.chars().count() + line.chars().count() + more.chars().count() + 2 > limit {
            return format!("{kept}{more}");
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// An answer to an interaction, before it is known whether it goes out at once or after a
/// deferral (then as an edit of the deferred answer, or as a private follow-up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub text: String,
    pub ephemeral: bool,
}

impl Answer {
    /// The answer given at once.
    pub fn response(self) -> CreateInteractionResponse {
        message(self.text, self.ephemeral)
    }

    /// The answer replacing a deferred one ("tierdesk is thinking…").
    pub fn edit(self) -> EditInteractionResponse {
        EditInteractionResponse::new()
            .content(self.text)
            .allowed_mentions(CreateAllowedMentions::new())
    }

    /// The answer as a follow-up message.
    pub fn followup(self) -> CreateInteractionResponseFollowup {
        CreateInteractionResponseFollowup::new()
            .content(self.text)
            .ephemeral(self.ephemeral)
            .allowed_mentions(CreateAllowedMentions::new())
    }
}

fn message(text: String, ephemeral: bool) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(ephemeral)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
}

/// The answer to a command that ran.
pub fn success_answer(config: &Config, lang: Lang, outcome: &Outcome) -> Answer {
    let text = Text::new(config, lang).reply(&outcome.reply);
    Answer {
        text: fit(&text, MESSAGE_LIMIT, lang),
        ephemeral: outcome.reply.ephemeral(),
    }
}

/// The answer to a refused or failed command: only the member sees it.
pub fn refusal_answer(lang: Lang, error: &Error) -> Answer {
    Answer {
        text: fit(&error.message(lang), MESSAGE_LIMIT, lang),
        ephemeral: true,
    }
}

/// The response to a command that ran.
pub fn success(config: &Config, lang: Lang, outcome: &Outcome) -> CreateInteractionResponse {
    success_answer(config, lang, outcome).response()
}

/// The response to a refused or failed command: only the member sees it.
pub fn refusal(lang: Lang, error: &Error) -> CreateInteractionResponse {
    refusal_answer(lang, error).response()
}

/// A deferral: Discord shows "thinking…" until the answer replaces it.
pub fn defer(ephemeral: bool) -> CreateInteractionResponse {
    CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(ephemeral))
}

/// A short notice from the catalogue, for the member only.
pub fn notice(lang: Lang, id: &str) -> CreateInteractionResponse {
    notice_answer(lang, id).response()
}

/// The same notice as an answer.
pub fn notice_answer(lang: Lang, id: &str) -> Answer {
    Answer {
        text: tr!(lang, id),
        ephemeral: true,
    }
}

/// The same response, shown only to the member (button presses answer privately; the page
/// edit shows everyone the result).
pub fn ephemeral(response: CreateInteractionResponse) -> CreateInteractionResponse {
    match response {
        CreateInteractionResponse::Message(m) => {
            CreateInteractionResponse::Message(m.ephemeral(true))
        }
        other => other,
    }
}
