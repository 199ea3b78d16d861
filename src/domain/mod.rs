//! The ticket ladder in plain Rust: levels, tickets, the escalation rules, the timeline and
//! the key figures. No I/O, no Discord, no SQL; everything here is unit-tested beside it.

pub mod alert;
pub mod calendar;
mod choice;
pub mod effects;
pub mod error;
pub mod event;
pub mod figures;
pub mod history;
mod ids;
pub mod kb;
mod level;
pub mod oncall;
pub mod rules;
pub mod secrets;
pub mod summary;
pub mod text;
mod ticket;
pub mod transitions;

pub use choice::{FixType, Priority, ReturnReason, Status, VendorReason, WaitingOn};
pub use event::{Event, EventKind};
pub use ids::{ChannelId, GuildId, RoleId, UserId};
pub use kb::{Article, ArticleHit, ArticleNumber};
pub use level::Level;
pub use text::{LongText, ShortText, TicketTitle};
pub use ticket::{Closure, SlaState, Ticket, TicketNumber, VendorCase};
