//! The one catalogue of user-facing text, in English and Spanish (Fluent files under
//! `locales/`, compiled in). Replies follow the member's Discord locale; channel messages
//! follow the `language` config key.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{langid, LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        // Discord and terminals show the text as is: no Unicode isolation marks around
        // arguments.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en-US");
static ES: LanguageIdentifier = langid!("es-ES");

/// A language of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    /// The language for a Discord locale (`es-ES`, `es-419`, `en-US`…): Spanish for every
    /// Spanish locale, English otherwise.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("es") {
            Lang::Es
        } else {
            Lang::En
        }
    }

    /// Reads the `language` config key: `en` or `es`.
    pub fn parse(value: &str) -> Option<Lang> {
        match value.trim().to_ascii_lowercase().as_str() {
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            "es" | "es-es" | "es-419" => Some(Lang::Es),
            _ => None,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }

    /// The Discord locale codes this language is registered under for command
    /// descriptions.
    pub fn discord_locales(self) -> &'static [&'static str] {
        match self {
            Lang::En => &["en-US", "en-GB"],
            Lang::Es => &["es-ES", "es-419"],
        }
    }
}

/// The text of message `id` in `lang`, with named arguments. An id missing from the
/// catalogue comes back as the id itself, which the catalogue tests catch.
pub fn tr(lang: Lang, id: &str, args: &[(&str, &dyn Display)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| {
            (
                Cow::Owned((*k).to_owned()),
                FluentValue::from(v.to_string()),
            )
        })
        .collect();
    LOCALES
        .try_lookup_complete(lang.id(), id, (!args.is_empty()).then_some(&args))
        .unwrap_or_else(|| id.to_owned())
}

/// `tr!(lang, "id", name = value, …)`: a catalogue message with its arguments.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:expr $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::tr($lang, $id, &[$((stringify!($name), &$value as &dyn std::fmt::Display)),*])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of a language's files: its id and the variables it uses.
    fn messages(dir: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut messages = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let mut current: Option<String> = None;
            for line in text.lines() {
                match line.split_once(" =") {
                    Some((id, _)) if !id.starts_with([' ', '#']) && !id.is_empty() => {
                        current = Some(id.to_owned());
                        messages.insert(id.to_owned(), Vec::new());
                    }
                    _ => {}
                }
                if let Some(id) = &current {
                    for part in line.split('$').skip(1) {
                        let var: String = part
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        messages.get_mut(id).unwrap().push(var);
                    }
                }
            }
        }
        messages
    }

    #[test]
    fn both_languages_have_every_message() {
        let en = messages(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en-US"));
        let es = messages(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/es-ES"));
        assert!(en.len() > 100, "{}", en.len());
        let (en_ids, es_ids): (Vec<_>, Vec<_>) = (en.keys().collect(), es.keys().collect());
        assert_eq!(en_ids, es_ids, "both languages have the same messages");
        for (lang, all) in [(Lang::En, &en), (Lang::Es, &es)] {
            for (id, vars) in all {
                let args: Vec<(&str, &dyn Display)> = vars
                    .iter()
                    .map(|v| (v.as_str(), &"x" as &dyn Display))
                    .collect();
                assert_ne!(tr(lang, id, &args), *id, "{id} does not format in {lang:?}");
                // The same variables in both languages, so no argument is forgotten.
                let mut mine = vars.clone();
                let mut other = if lang == Lang::En {
                    es[id].clone()
                } else {
                    en[id].clone()
                };
                mine.sort();
                mine.dedup();
                other.sort();
                other.dedup();
                assert_eq!(mine, other, "{id}: variables differ between languages");
            }
        }
    }

    #[test]
    fn arguments_and_locales() {
        assert_eq!(
            tr!(Lang::En, "err-not-closed", ticket = 7),
            "Ticket #7 is not closed, so there is nothing to reopen."
        );
        assert_eq!(
            tr!(Lang::Es, "err-not-closed", ticket = 7),
            "El ticket #7 no está cerrado, así que no hay nada que reabrir."
        );
        assert_eq!(Lang::from_locale("es-419"), Lang::Es);
        assert_eq!(Lang::from_locale("pt-BR"), Lang::En);
        assert_eq!(Lang::parse("ES"), Some(Lang::Es));
        assert_eq!(Lang::parse("fr"), None);
        // Big ids stay exact: arguments are passed as text, never as floating-point numbers.
        assert_eq!(
            tr!(
                Lang::En,
                "ev-paged",
                level = 1,
                role = 1100000000000000111u64
            ),
            "paged level 1 (<@&1100000000000000111>)"
        );
    }
}
