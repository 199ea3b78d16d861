//! The Discord front end on serenity. So far: the slash-command definitions registered in
//! the guild, built from the same `command::SPECS` the parser reads.

pub mod commands;
