//! Reading Discord interactions into what the service understands: the member as an
//! `Actor`, their language, and the command as an `Invocation` for `command::parse`.

use serenity::all::{
    CommandDataOption, CommandDataOptionValue, CommandInteraction, ComponentInteraction, Member,
    ModalInteraction, User,
};

use crate::command::{Invocation, RawValue};
use crate::domain::{RoleId, UserId};
use crate::i18n::Lang;

fn who(user: &User, member: Option<&Member>) -> (UserId, Vec<RoleId>) {
    let roles = member
        .map(|m| m.roles.iter().map(|r| RoleId(r.get())).collect())
        .unwrap_or_default();
    (UserId(user.id.get()), roles)
}

/// Who typed the command: their id and roles (empty outside a guild).
pub fn member(cmd: &CommandInteraction) -> (UserId, Vec<RoleId>) {
    who(&cmd.user, cmd.member.as_deref())
}

/// Who pressed the button.
pub fn component_member(press: &ComponentInteraction) -> (UserId, Vec<RoleId>) {
    who(&press.user, press.member.as_ref())
}

/// Who submitted the modal.
pub fn modal_member(submit: &ModalInteraction) -> (UserId, Vec<RoleId>) {
    who(&submit.user, submit.member.as_ref())
}

/// The language replies to this member are written in.
pub fn language(cmd: &CommandInteraction) -> Lang {
    Lang::from_locale(&cmd.locale)
}

/// The command path and its options, subcommands flattened: `/ticket open title:…` becomes
/// `["ticket", "open"]` with `title`.
pub fn invocation(cmd: &CommandInteraction) -> Invocation {
    let mut path = vec![cmd.data.name.clone()];
    let mut options = Vec::new();
    flatten(&cmd.data.options, &mut path, &mut options);
    Invocation { path, options }
}

fn flatten(
    given: &[CommandDataOption],
    path: &mut Vec<String>,
    options: &mut Vec<(String, RawValue)>,
) {
    for o in given {
        let value = match &o.value {
            CommandDataOptionValue::SubCommand(inner)
            | CommandDataOptionValue::SubCommandGroup(inner) => {
                path.push(o.name.clone());
                flatten(inner, path, options);
                continue;
            }
            CommandDataOptionValue::String(s) => RawValue::Text(s.clone()),
            CommandDataOptionValue::Integer(i) => RawValue::Integer(*i),
            CommandDataOptionValue::Number(n) => RawValue::Text(n.to_string()),
            CommandDataOptionValue::Boolean(b) => RawValue::Bool(*b),
            CommandDataOptionValue::User(u) => RawValue::User(u.get()),
            CommandDataOptionValue::Autocomplete { value, .. } => RawValue::Text(value.clone()),
            CommandDataOptionValue::Role(r) => RawValue::Text(r.get().to_string()),
            CommandDataOptionValue::Channel(c) => RawValue::Text(c.get().to_string()),
            // Types tierdesk never registers; the parser refuses the option by name.
            _ => RawValue::Text(String::new()),
        };
        options.push((o.name.clone(), value));
    }
}
