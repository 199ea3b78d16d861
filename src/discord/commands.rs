//! The slash commands as Discord registers them: `/ticket …` and `/kb …` with subcommands,
//! `/queue`, `/stats`, `/summary`; descriptions from the catalogue in English with Spanish
//! localizations; choices, limits and autocomplete from `command::SPECS`.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

use super::modals::modal_fills;
use crate::command::{CommandSpec, OptionKind, OptionSpec, SPECS};
use crate::i18n::Lang;
use crate::tr;

/// Options whose values are suggested as the member types.
const AUTOCOMPLETED: &[&str] = &["ticket", "from_ticket", "vendor", "kb", "article"];

fn localized<T>(mut builder: T, id: &str, set: impl Fn(T, &str, String) -> T) -> T {
    for locale in Lang::Es.discord_locales() {
        builder = set(builder, locale, tr!(Lang::Es, id));
    }
    builder
}

fn option(path: &[&str], spec: &OptionSpec) -> CreateCommandOption {
    let kind = match spec.kind {
        OptionKind::Ticket | OptionKind::Level | OptionKind::Integer { .. } => {
            CommandOptionType::Integer
        }
        OptionKind::Text { .. } | OptionKind::Choice(_) | OptionKind::Article => {
            CommandOptionType::String
        }
        OptionKind::Bool => CommandOptionType::Boolean,
        OptionKind::User => CommandOptionType::User,
    };
    // A text a modal can fill is optional in the slash command: left out, the form opens.
    let required = spec.required && !modal_fills(path, spec.name);
    let mut o = CreateCommandOption::new(kind, spec.name, tr!(Lang::En, spec.description))
        .required(required);
    o = localized(o, spec.description, |o, locale, text| {
        o.description_localized(locale, text)
    });
    o = match spec.kind {
        OptionKind::Text { max } => o.max_length(max.min(6000) as u16),
        OptionKind::Choice(words) => words.iter().fold(o, |o, w| o.add_string_choice(*w, *w)),
        OptionKind::Level => o.min_int_value(0).max_int_value(4),
        OptionKind::Integer { min, max } => o.min_int_value(min as u64).max_int_value(max as u64),
        OptionKind::Ticket => o.min_int_value(1),
        _ => o,
    };
    if AUTOCOMPLETED.contains(&spec.name) {
        o = o.set_autocomplete(true);
    }
    o
}

fn subcommand(spec: &CommandSpec) -> CreateCommandOption {
    let name = spec.path.last().copied().unwrap_or_default();
    let sub = CreateCommandOption::new(
        CommandOptionType::SubCommand,
        name,
        tr!(Lang::En, spec.description),
    );
    let sub = localized(sub, spec.description, |o, locale, text| {
        o.description_localized(locale, text)
    });
    spec.options
        .iter()
        .fold(sub, |sub, o| sub.add_sub_option(option(spec.path, o)))
}

/// Every command tierdesk registers in its guild (a bulk overwrite at start).
pub fn registration() -> Vec<CreateCommand> {
    let mut commands = Vec::new();
    for group in ["ticket", "kb", "oncall"] {
        let id = format!("cmd-{group}");
        let mut c = CreateCommand::new(group).description(tr!(Lang::En, &id));
        c = localized(c, &id, |c, locale, text| {
            c.description_localized(locale, text)
        });
        for spec in SPECS
            .iter()
            .filter(|s| s.path.len() == 2 && s.path[0] == group)
        {
            c = c.add_option(subcommand(spec));
        }
        commands.push(c);
    }
    for spec in SPECS.iter().filter(|s| s.path.len() == 1) {
        let mut c = CreateCommand::new(spec.path[0]).description(tr!(Lang::En, spec.description));
        c = localized(c, spec.description, |c, locale, text| {
            c.description_localized(locale, text)
        });
        for o in spec.options {
            c = c.add_option(option(spec.path, o));
        }
        commands.push(c);
    }
    commands
}
