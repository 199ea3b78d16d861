//! The Discord front end on serenity. So far: the slash-command definitions registered in
//! the guild (built from the same `command::SPECS` the parser reads), reading command
//! interactions into invocations, and the replies to them.

pub mod commands;
pub mod interaction;
pub mod respond;
