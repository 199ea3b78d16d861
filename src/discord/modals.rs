//! Long texts through a modal: `/ticket open`, `/ticket escalate ticket:42` and
//! `/ticket close ticket:42` given without their texts answer with a form; its submission
//! becomes the same invocation as the slash command, with every option the command was given
//! (kept in a draft in the database while the form is open). Modals are built from action rows of
//! text inputs (serenity 0.12 drops the values of Discord's newer Label form).

use serenity::all::{
    ActionRowComponent, CreateActionRow, CreateInputText, CreateModal, InputTextStyle,
    ModalInteraction,
};

use crate::command::{Invocation, OptionKind, RawValue, SPECS};
use crate::i18n::Lang;
use crate::tr;

/// The commands that offer a modal, and the options it holds (at most five).
pub const MODAL_FIELDS: &[(&str, &[&str])] = &[
    ("open", &["title", "details"]),
    (
        "escalate",
        &["reason", "attempts", "impact", "error", "steps"],
    ),
    ("close", &["resolution", "root_cause"]),
];

/// Discord's limit on a text input's label.
const LABEL_MAX: usize = 45;

fn fields_of(inv: &Invocation) -> Option<(&'static str, &'static [&'static str])> {
    match inv.path.as_slice() {
        [group, sub] if group == "ticket" => {
            MODAL_FIELDS.iter().find(|(name, _)| name == sub).copied()
        }
        _ => None,
    }
}

/// Whether a modal can fill this option of this command (then Discord does not require it
/// in the slash command).
pub fn modal_fills(path: &[&str], option: &str) -> bool {
    matches!(path, ["ticket", sub] if MODAL_FIELDS
        .iter()
        .any(|(name, fields)| name == sub && fields.contains(&option)))
}

/// Whether the member left out every text the modal would ask for.
pub fn needs_modal(inv: &Invocation) -> bool {
    fields_of(inv).is_some_and(|(_, fields)| {
        !inv.options
            .iter()
            .any(|(name, _)| fields.contains(&name.as_str()))
    })
}

/// The options given with the command besides the ticket (`priority`, `level`, `fix_type`,
/// `kb`, the vendor's…): they do not fit in a custom id, so they are kept as a draft until
/// the form comes back.
pub fn kept_options(inv: &Invocation) -> Vec<(String, RawValue)> {
    inv.options
        .iter()
        .filter(|(name, _)| name != "ticket")
        .cloned()
        .collect()
}

/// The modal for an invocation that needs one; its custom id carries the command, the
/// ticket and the draft of the other options, when there are any
/// (`td:modal:escalate:42`, `td:modal:open:d7`).
pub fn modal(inv: &Invocation, lang: Lang, draft: Option<i64>) -> Option<CreateModal> {
    let (sub, fields) = fields_of(inv)?;
    let spec = SPECS.iter().find(|s| s.path == ["ticket", sub])?;
    let ticket = inv
        .options
        .iter()
        .find_map(|(name, v)| match (name.as_str(), v) {
            ("ticket", RawValue::Integer(n)) => Some(n.to_string()),
            ("ticket", RawValue::Text(t)) => Some(t.clone()),
            _ => None,
        });
    let mut custom_id = format!("td:modal:{sub}");
    if let Some(t) = &ticket {
        custom_id.push_str(&format!(":{t}"));
    }
    if let Some(d) = draft {
        custom_id.push_str(&format!(":d{d}"));
    }
    let rows = fields
        .iter()
        .filter_map(|field| spec.options.iter().find(|o| o.name == *field))
        .map(|o| {
            let max = match o.kind {
                OptionKind::Text { max } => max,
                _ => 100,
            };
            let style = if max > 200 {
                InputTextStyle::Paragraph
            } else {
                InputTextStyle::Short
            };
            let label: String = tr!(lang, o.description).chars().take(LABEL_MAX).collect();
            CreateActionRow::InputText(
                CreateInputText::new(style, label, o.name)
                    .max_length(max.min(4000) as u16)
                    // The escalation form asks for reason and attempts, which the ladder
                    // requires even though the slash command leaves them optional.
                    .required(o.required || matches!(o.name, "reason" | "attempts")),
            )
        })
        .collect();
    let title: String = tr!(lang, spec.description)
        .chars()
        .take(LABEL_MAX)
        .collect();
    Some(CreateModal::new(custom_id, title).components(rows))
}

/// A submitted modal: the invocation it stands for (texts and ticket), and the draft that
/// holds the command's other options, if it had any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub invocation: Invocation,
    pub draft: Option<i64>,
}

/// Reads a submitted modal, or `None` when it is not ours.
pub fn submitted(submit: &ModalInteraction) -> Option<Submitted> {
    let mut parts = submit.data.custom_id.split(':');
    if (parts.next()?, parts.next()?) != ("td", "modal") {
        return None;
    }
    let sub = parts.next()?;
    let (_, fields) = MODAL_FIELDS.iter().find(|(name, _)| *name == sub)?;
    let mut options = Vec::new();
    let mut draft = None;
    for part in parts {
        match part.strip_prefix('d').map(str::parse::<i64>) {
            Some(Ok(id)) => draft = Some(id),
            _ => options.push(("ticket".to_owned(), RawValue::Text(part.to_owned()))),
        }
    }
    for row in &submit.data.components {
        for component in &row.components {
            if let ActionRowComponent::InputText(input) = component {
                let value = input.value.clone().unwrap_or_default();
                // Empty optional inputs are options left out, and only our fields count.
                if !value.trim().is_empty() && fields.contains(&input.custom_id.as_str()) {
                    options.push((input.custom_id.clone(), RawValue::Text(value)));
                }
            }
        }
    }
    Some(Submitted {
        invocation: Invocation {
            path: vec!["ticket".to_owned(), sub.to_owned()],
            options,
        },
        draft,
    })
}
