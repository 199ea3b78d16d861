//! The Discord front end on serenity. So far: the slash-command definitions registered in
//! the guild (built from the same `command::SPECS` the parser reads), reading command
//! interactions into invocations, the replies to them, button ids, and pages as messages.

pub mod buttons;
pub mod commands;
pub mod delivery;
pub mod interaction;
pub mod messages;
pub mod modals;
pub mod respond;
