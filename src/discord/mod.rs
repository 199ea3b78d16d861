//! The Discord front end on serenity: the slash-command definitions (built from the same
//! `command::SPECS` the parser reads), interactions read into invocations, replies, buttons,
//! modals, channel messages, the delivery worker and the bot itself (`bot::run`). No logic
//! about tickets lives here: it parses, calls the service, renders.

pub mod bot;
pub mod buttons;
pub mod commands;
pub mod delivery;
pub mod interaction;
pub mod messages;
pub mod modals;
pub mod respond;
