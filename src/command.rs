//! The typed commands of SPEC §3 and the one parser that builds them, from a console line or
//! (through the same `Invocation`) from a Discord interaction.
//!
//! `SPECS` describes every command and option once; the parser checks an invocation against
//! it (unknown, repeated or missing options) before reading the values into a `Command`.

use std::collections::BTreeMap;

use crate::domain::error::UserError;
use crate::domain::kb::parse_tags;
use crate::domain::rules::EscalationRequest;
use crate::domain::{
    ArticleNumber, FixType, Level, LongText, Priority, ReturnReason, ShortText, Status,
    TicketNumber, TicketTitle, UserId, VendorReason, WaitingOn,
};

/// What kind of value an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Ticket,
    Text { max: usize },
    Choice(&'static [&'static str]),
    Bool,
    User,
    Level,
    Integer { min: i64, max: i64 },
    Article,
}

/// One option of a command.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    pub name: &'static str,
    /// Catalogue id of the description (`opt-title`).
    pub description: &'static str,
    pub kind: OptionKind,
    pub required: bool,
}

/// One command: its path (`["ticket", "open"]`) and options.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub path: &'static [&'static str],
    /// Catalogue id of the description (`cmd-ticket-open`).
    pub description: &'static str,
    pub options: &'static [OptionSpec],
}

const fn opt(
    name: &'static str,
    description: &'static str,
    kind: OptionKind,
    required: bool,
) -> OptionSpec {
    OptionSpec {
        name,
        description,
        kind,
        required,
    }
}

const TICKET: OptionSpec = opt("ticket", "opt-ticket", OptionKind::Ticket, true);
const LONG: OptionKind = OptionKind::Text { max: LongText::MAX };
const SHORT: OptionKind = OptionKind::Text {
    max: ShortText::MAX,
};
// The choice lists come from the domain's enums: one list each.
const PRIORITIES: &[&str] = Priority::WORDS;
const STATUSES: &[&str] = Status::OPEN_WORDS;
const RETURN_REASONS: &[&str] = ReturnReason::WORDS;
const VENDOR_REASONS: &[&str] = VendorReason::WORDS;
const FIX_TYPES: &[&str] = FixType::WORDS;
const WAITING_ON: &[&str] = WaitingOn::WORDS;

/// Every command of SPEC §3.
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        path: &["ticket", "open"],
        description: "cmd-ticket-open",
        options: &[
            opt(
                "title",
                "opt-title",
                OptionKind::Text {
                    max: TicketTitle::MAX,
                },
                true,
            ),
            opt("details", "opt-details", LONG, false),
            opt(
                "priority",
                "opt-priority",
                OptionKind::Choice(PRIORITIES),
                false,
            ),
            opt("level", "opt-level-open", OptionKind::Level, false),
        ],
    },
    CommandSpec {
        path: &["ticket", "note"],
        description: "cmd-ticket-note",
        options: &[
            TICKET,
            opt("text", "opt-text", LONG, true),
            opt("internal", "opt-internal", OptionKind::Bool, false),
        ],
    },
    CommandSpec {
        path: &["ticket", "ack"],
        description: "cmd-ticket-ack",
        options: &[TICKET],
    },
    CommandSpec {
        path: &["ticket", "assign"],
        description: "cmd-ticket-assign",
        options: &[TICKET, opt("user", "opt-user", OptionKind::User, false)],
    },
    CommandSpec {
        path: &["ticket", "escalate"],
        description: "cmd-ticket-escalate",
        options: &[
            TICKET,
            opt("reason", "opt-reason-escalate", SHORT, false),
            opt("attempts", "opt-attempts", LONG, false),
            opt("impact", "opt-impact", SHORT, false),
            opt("error", "opt-error", LONG, false),
            opt("steps", "opt-steps", LONG, false),
            opt("vendor", "opt-vendor", SHORT, false),
            opt(
                "vendor_reason",
                "opt-vendor-reason",
                OptionKind::Choice(VENDOR_REASONS),
                false,
            ),
            opt("vendor_ref", "opt-vendor-ref", SHORT, false),
        ],
    },
    CommandSpec {
        path: &["ticket", "return"],
        description: "cmd-ticket-return",
        options: &[
            TICKET,
            opt(
                "reason",
                "opt-reason-return",
                OptionKind::Choice(RETURN_REASONS),
                true,
            ),
            opt("note", "opt-note", LONG, true),
            opt("level", "opt-level-return", OptionKind::Level, false),
        ],
    },
    CommandSpec {
        path: &["ticket", "priority"],
        description: "cmd-ticket-priority",
        options: &[
            TICKET,
            opt(
                "priority",
                "opt-priority-new",
                OptionKind::Choice(PRIORITIES),
                true,
            ),
        ],
    },
    CommandSpec {
        path: &["ticket", "close"],
        description: "cmd-ticket-close",
        options: &[
            TICKET,
            opt("resolution", "opt-resolution", LONG, true),
            opt("root_cause", "opt-root-cause", LONG, false),
            opt(
                "fix_type",
                "opt-fix-type",
                OptionKind::Choice(FIX_TYPES),
                false,
            ),
            opt("kb", "opt-kb", OptionKind::Article, false),
        ],
    },
    CommandSpec {
        path: &["ticket", "reopen"],
        description: "cmd-ticket-reopen",
        options: &[TICKET, opt("reason", "opt-reason-reopen", LONG, true)],
    },
    CommandSpec {
        path: &["ticket", "show"],
        description: "cmd-ticket-show",
        options: &[TICKET],
    },
    CommandSpec {
        path: &["ticket", "wait"],
        description: "cmd-ticket-wait",
        options: &[
            TICKET,
            opt("on", "opt-waiting-on", OptionKind::Choice(WAITING_ON), true),
            opt("note", "opt-waiting-note", LONG, false),
        ],
    },
    CommandSpec {
        path: &["queue"],
        description: "cmd-queue",
        options: &[
            opt("level", "opt-level-queue", OptionKind::Level, false),
            opt("status", "opt-status", OptionKind::Choice(STATUSES), false),
        ],
    },
    CommandSpec {
        path: &["summary"],
        description: "cmd-summary",
        options: &[],
    },
    CommandSpec {
        path: &["stats"],
        description: "cmd-stats",
        options: &[
            opt(
                "days",
                "opt-days",
                OptionKind::Integer { min: 1, max: 90 },
                false,
            ),
            opt("level", "opt-level-stats", OptionKind::Level, false),
        ],
    },
    CommandSpec {
        path: &["kb", "write"],
        description: "cmd-kb-write",
        options: &[
            opt("title", "opt-kb-title", SHORT, false),
            opt("body", "opt-body", LONG, false),
            opt("tags", "opt-tags", SHORT, false),
            opt("from_ticket", "opt-from-ticket", OptionKind::Ticket, false),
        ],
    },
    CommandSpec {
        path: &["kb", "edit"],
        description: "cmd-kb-edit",
        options: &[
            opt("article", "opt-article", OptionKind::Article, true),
            opt("title", "opt-kb-title-new", SHORT, false),
            opt("body", "opt-body-new", LONG, false),
            opt("tags", "opt-tags-new", SHORT, false),
        ],
    },
    CommandSpec {
        path: &["kb", "search"],
        description: "cmd-kb-search",
        options: &[opt("query", "opt-query", SHORT, true)],
    },
    CommandSpec {
        path: &["kb", "show"],
        description: "cmd-kb-show",
        options: &[opt("article", "opt-article", OptionKind::Article, true)],
    },
    CommandSpec {
        path: &["oncall", "who"],
        description: "cmd-oncall-who",
        options: &[opt("level", "opt-level-oncall", OptionKind::Level, false)],
    },
    CommandSpec {
        path: &["oncall", "override"],
        description: "cmd-oncall-override",
        options: &[
            opt("level", "opt-level-override", OptionKind::Level, true),
            opt("user", "opt-user-oncall", OptionKind::User, true),
            opt("until", "opt-until", SHORT, true),
        ],
    },
];

/// Commands that Discord users reach through buttons rather than the slash menu; the
/// console types them like the others.
pub const BUTTON_SPECS: &[CommandSpec] = &[CommandSpec {
    path: &["ticket", "rate"],
    description: "cmd-ticket-rate",
    options: &[
        TICKET,
        opt(
            "score",
            "opt-score",
            OptionKind::Integer { min: 1, max: 5 },
            true,
        ),
    ],
}];

/// A value as it arrived: console lines give text, Discord gives typed values.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RawValue {
    Text(String),
    Integer(i64),
    Bool(bool),
    User(u64),
}

/// A command as typed, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub path: Vec<String>,
    pub options: Vec<(String, RawValue)>,
}

/// A validated command, ready for the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Open {
        title: TicketTitle,
        details: Option<LongText>,
        priority: Priority,
        level: Level,
    },
    Note {
        ticket: TicketNumber,
        text: LongText,
        internal: Option<bool>,
    },
    Ack {
        ticket: TicketNumber,
    },
    Wait {
        ticket: TicketNumber,
        on: WaitingOn,
        note: Option<LongText>,
    },
    Assign {
        ticket: TicketNumber,
        user: Option<UserId>,
    },
    Escalate {
        ticket: TicketNumber,
        request: EscalationRequest,
    },
    Return {
        ticket: TicketNumber,
        reason: ReturnReason,
        note: LongText,
        level: Option<Level>,
    },
    Priority {
        ticket: TicketNumber,
        priority: Priority,
    },
    Close {
        ticket: TicketNumber,
        resolution: LongText,
        root_cause: Option<LongText>,
        fix_type: Option<FixType>,
        kb: Option<ArticleNumber>,
    },
    Reopen {
        ticket: TicketNumber,
        reason: LongText,
    },
    Show {
        ticket: TicketNumber,
    },
    Queue {
        level: Option<Level>,
        status: Option<Status>,
    },
    Summary,
    Stats {
        days: i64,
        level: Option<Level>,
    },
    Rate {
        ticket: TicketNumber,
        score: u8,
    },
    KbWrite {
        title: Option<ShortText>,
        body: Option<LongText>,
        tags: Vec<String>,
        from_ticket: Option<TicketNumber>,
    },
    KbEdit {
        article: ArticleNumber,
        title: Option<ShortText>,
        body: Option<LongText>,
        tags: Option<Vec<String>>,
    },
    KbSearch {
        query: ShortText,
    },
    KbShow {
        article: ArticleNumber,
    },
    OnCallWho {
        level: Option<Level>,
    },
    OnCallOverride {
        level: Level,
        user: UserId,
        until: String,
    },
}

impl Command {
    /// The command's name as users type it, for logs and spans.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Open { .. } => "ticket open",
            Command::Note { .. } => "ticket note",
            Command::Ack { .. } => "ticket ack",
            Command::Wait { .. } => "ticket wait",
            Command::Assign { .. } => "ticket assign",
            Command::Escalate { .. } => "ticket escalate",
            Command::Return { .. } => "ticket return",
            Command::Priority { .. } => "ticket priority",
            Command::Close { .. } => "ticket close",
            Command::Reopen { .. } => "ticket reopen",
            Command::Show { .. } => "ticket show",
            Command::Queue { .. } => "queue",
            Command::Summary => "summary",
            Command::Stats { .. } => "stats",
            Command::Rate { .. } => "ticket rate",
            Command::KbWrite { .. } => "kb write",
            Command::KbEdit { .. } => "kb edit",
            Command::KbSearch { .. } => "kb search",
            Command::KbShow { .. } => "kb show",
            Command::OnCallWho { .. } => "oncall who",
            Command::OnCallOverride { .. } => "oncall override",
        }
    }

    /// The ticket the command is about, if any.
    pub fn ticket(&self) -> Option<TicketNumber> {
        match self {
            Command::Note { ticket, .. }
            | Command::Ack { ticket }
            | Command::Wait { ticket, .. }
            | Command::Assign { ticket, .. }
            | Command::Escalate { ticket, .. }
            | Command::Return { ticket, .. }
            | Command::Priority { ticket, .. }
            | Command::Close { ticket, .. }
            | Command::Reopen { ticket, .. }
            | Command::Show { ticket }
            | Command::Rate { ticket, .. } => Some(*ticket),
            _ => None,
        }
    }
}

/// The options of one invocation, checked against its spec, read by name.
struct Options {
    values: BTreeMap<&'static str, RawValue>,
}

impl Options {
    fn check(spec: &CommandSpec, given: Vec<(String, RawValue)>) -> Result<Options, UserError> {
        let mut values = BTreeMap::new();
        for (name, value) in given {
            let Some(o) = spec.options.iter().find(|o| o.name == name) else {
                return Err(UserError::UnknownOption {
                    command: format!("/{}", spec.path.join(" ")),
                    option: name,
                    allowed: if spec.options.is_empty() {
                        "none".into()
                    } else {
                        spec.options
                            .iter()
                            .map(|o| o.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                });
            };
            if values.insert(o.name, value).is_some() {
                return Err(UserError::DuplicateOption { option: name });
            }
        }
        for o in spec.options {
            if o.required && !values.contains_key(o.name) {
                return Err(UserError::Missing {
                    field: o.name,
                    hint: o.description,
                });
            }
        }
        Ok(Options { values })
    }

    fn text(&self, name: &'static str) -> Option<String> {
        self.values.get(name).map(|v| match v {
            RawValue::Text(s) => s.clone(),
            RawValue::Integer(i) => i.to_string(),
            RawValue::Bool(b) => b.to_string(),
            RawValue::User(u) => u.to_string(),
        })
    }

    fn required_text(&self, name: &'static str) -> String {
        // `check` made sure required options are present.
        self.text(name).unwrap_or_default()
    }

    fn ticket(&self) -> Result<TicketNumber, UserError> {
        match self.values.get("ticket") {
            Some(RawValue::Integer(n)) if *n > 0 => Ok(TicketNumber(*n)),
            _ => TicketNumber::parse(&self.required_text("ticket")),
        }
    }

    fn long(&self, name: &'static str) -> Result<Option<LongText>, UserError> {
        self.text(name)
            .map(|v| LongText::parse(name, &v))
            .transpose()
    }

    fn short(&self, name: &'static str) -> Result<Option<ShortText>, UserError> {
        self.text(name)
            .map(|v| ShortText::parse(name, &v))
            .transpose()
    }

    fn article(&self, name: &'static str) -> Result<Option<ArticleNumber>, UserError> {
        self.text(name)
            .map(|v| ArticleNumber::parse(&v))
            .transpose()
    }

    fn level(&self) -> Result<Option<Level>, UserError> {
        self.text("level").map(|v| Level::parse(&v)).transpose()
    }

    fn bool(&self, name: &'static str) -> Result<Option<bool>, UserError> {
        match self.values.get(name) {
            None => Ok(None),
            Some(RawValue::Bool(b)) => Ok(Some(*b)),
            Some(other) => {
                let text = match other {
                    RawValue::Text(s) => s.to_ascii_lowercase(),
                    _ => String::new(),
                };
                match text.as_str() {
                    "true" | "yes" | "1" => Ok(Some(true)),
                    "false" | "no" | "0" => Ok(Some(false)),
                    _ => Err(UserError::BadValue {
                        field: name,
                        value: text,
                        hint: "hint-bool",
                    }),
                }
            }
        }
    }

    /// An integer option, within the bounds its spec gives.
    fn integer(&self, spec: &CommandSpec, name: &'static str) -> Result<Option<i64>, UserError> {
        let (min, max) = spec
            .options
            .iter()
            .find_map(|o| match (o.name == name, o.kind) {
                (true, OptionKind::Integer { min, max }) => Some((min, max)),
                _ => None,
            })
            .unwrap_or((i64::MIN, i64::MAX));
        let value = match self.values.get(name) {
            None => return Ok(None),
            Some(RawValue::Integer(n)) => Some(*n),
            Some(_) => self.text(name).and_then(|t| t.trim().parse::<i64>().ok()),
        };
        match value {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(UserError::OutOfRange {
                field: name,
                value: self.text(name).unwrap_or_default(),
                min,
                max,
            }),
        }
    }

    fn user(&self, name: &'static str) -> Result<Option<UserId>, UserError> {
        if let Some(RawValue::User(u)) = self.values.get(name) {
            return Ok(Some(UserId(*u)));
        }
        let Some(text) = self.text(name) else {
            return Ok(None);
        };
        // Accept a raw id or a mention as Discord writes it: <@123> or <@!123>.
        let digits = text
            .trim()
            .trim_start_matches("<@")
            .trim_start_matches('!')
            .trim_end_matches('>');
        match digits.parse::<u64>() {
            Ok(id) if id > 0 => Ok(Some(UserId(id))),
            _ => Err(UserError::BadValue {
                field: name,
                value: text,
                hint: "hint-user",
            }),
        }
    }
}

/// Reads an invocation into a typed command, or says what was wrong with it.
pub fn parse(invocation: Invocation) -> Result<Command, UserError> {
    let path: Vec<&str> = invocation.path.iter().map(String::as_str).collect();
    let spec = SPECS
        .iter()
        .chain(BUTTON_SPECS)
        .find(|s| s.path == path.as_slice())
        .ok_or_else(|| UserError::UnknownCommand(format!("/{}", path.join(" "))))?;
    let o = Options::check(spec, invocation.options)?;
    let command = match path.as_slice() {
        ["ticket", sub] => ticket_command(sub, &o, spec)?,
        ["kb", sub] => kb_command(sub, &o)?,
        ["queue"] => Command::Queue {
            level: o.level()?,
            status: o.text("status").map(|s| Status::parse(&s)).transpose()?,
        },
        ["stats"] => Command::Stats {
            days: o.integer(spec, "days")?.unwrap_or(7),
            level: o.level()?,
        },
        ["oncall", "who"] => Command::OnCallWho { level: o.level()? },
        ["oncall", "override"] => Command::OnCallOverride {
            // Both are required options: `Options::check` refused their absence already.
            level: o.level()?.ok_or(UserError::Missing {
                field: "level",
                hint: "opt-level-override",
            })?,
            user: o.user("user")?.ok_or(UserError::Missing {
                field: "user",
                hint: "opt-user-oncall",
            })?,
            until: o.required_text("until"),
        },
        ["summary"] => Command::Summary,
        _ => return Err(UserError::UnknownCommand(format!("/{}", path.join(" ")))),
    };
    Ok(command)
}

/// `/ticket …`: what each subcommand carries.
fn ticket_command(sub: &str, o: &Options, spec: &CommandSpec) -> Result<Command, UserError> {
    Ok(match sub {
        "open" => Command::Open {
            title: TicketTitle::parse("title", &o.required_text("title"))?,
            details: o.long("details")?,
            priority: o
                .text("priority")
                .map(|p| Priority::parse(&p))
                .transpose()?
                .unwrap_or(Priority::Normal),
            level: o.level()?.unwrap_or(Level::SERVICE_DESK),
        },
        "note" => Command::Note {
            ticket: o.ticket()?,
            text: LongText::parse("text", &o.required_text("text"))?,
            internal: o.bool("internal")?,
        },
        "ack" => Command::Ack {
            ticket: o.ticket()?,
        },
        "assign" => Command::Assign {
            ticket: o.ticket()?,
            user: o.user("user")?,
        },
        "escalate" => escalation(o)?,
        "return" => Command::Return {
            ticket: o.ticket()?,
            reason: ReturnReason::parse(&o.required_text("reason"))?,
            note: LongText::parse("note", &o.required_text("note"))?,
            level: o.level()?,
        },
        "priority" => Command::Priority {
            ticket: o.ticket()?,
            priority: Priority::parse(&o.required_text("priority"))?,
        },
        "close" => Command::Close {
            ticket: o.ticket()?,
            resolution: LongText::parse("resolution", &o.required_text("resolution"))?,
            root_cause: o.long("root_cause")?,
            fix_type: o.text("fix_type").map(|f| FixType::parse(&f)).transpose()?,
            kb: o.article("kb")?,
        },
        "reopen" => Command::Reopen {
            ticket: o.ticket()?,
            reason: LongText::parse("reason", &o.required_text("reason"))?,
        },
        "show" => Command::Show {
            ticket: o.ticket()?,
        },
        "rate" => Command::Rate {
            ticket: o.ticket()?,
            score: o.integer(spec, "score")?.unwrap_or_default() as u8,
        },
        "wait" => Command::Wait {
            ticket: o.ticket()?,
            on: WaitingOn::parse(&o.required_text("on"))?,
            note: o.long("note")?,
        },
        _ => return Err(UserError::UnknownCommand(format!("/ticket {sub}"))),
    })
}

/// `/ticket escalate`: the escalation request, with the fields the next level may ask for.
fn escalation(o: &Options) -> Result<Command, UserError> {
    let mut fields = BTreeMap::new();
    let extra = [
        ("impact", o.short("impact")?.map(|t| t.to_string())),
        ("error", o.long("error")?.map(|t| t.to_string())),
        ("steps", o.long("steps")?.map(|t| t.to_string())),
    ];
    for (name, value) in extra {
        if let Some(value) = value {
            fields.insert(name.to_owned(), value);
        }
    }
    Ok(Command::Escalate {
        ticket: o.ticket()?,
        request: EscalationRequest {
            reason: o.short("reason")?.map(|t| t.to_string()),
            attempts: o.long("attempts")?.map(|t| t.to_string()),
            vendor: o.short("vendor")?.map(|t| t.to_string()),
            vendor_reason: o
                .text("vendor_reason")
                .map(|v| VendorReason::parse(&v))
                .transpose()?,
            vendor_ref: o.short("vendor_ref")?.map(|t| t.to_string()),
            fields,
        },
    })
}

/// `/kb …`: what each subcommand carries.
fn kb_command(sub: &str, o: &Options) -> Result<Command, UserError> {
    Ok(match sub {
        "write" => Command::KbWrite {
            title: o.short("title")?,
            body: o.long("body")?,
            tags: o.text("tags").map(|t| parse_tags(&t)).unwrap_or_default(),
            from_ticket: o
                .text("from_ticket")
                .map(|t| TicketNumber::parse(&t))
                .transpose()?,
        },
        "edit" => Command::KbEdit {
            article: ArticleNumber::parse(&o.required_text("article"))?,
            title: o.short("title")?,
            body: o.long("body")?,
            tags: o.text("tags").map(|t| parse_tags(&t)),
        },
        "search" => Command::KbSearch {
            query: ShortText::parse("query", &o.required_text("query"))?,
        },
        "show" => Command::KbShow {
            article: ArticleNumber::parse(&o.required_text("article"))?,
        },
        _ => return Err(UserError::UnknownCommand(format!("/kb {sub}"))),
    })
}

/// Every command as one line, from the same table the parser reads:
/// `/ticket open|note|…, /queue, …`.
pub fn overview() -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for spec in SPECS.iter().chain(BUTTON_SPECS) {
        let (head, sub) = match spec.path {
            [head, sub] => (*head, Some(*sub)),
            [head] => (*head, None),
            _ => continue,
        };
        match groups.iter_mut().find(|(h, _)| *h == head) {
            Some((_, subs)) => subs.extend(sub),
            None => groups.push((head, sub.into_iter().collect())),
        }
    }
    groups
        .iter()
        .map(|(head, subs)| match subs.is_empty() {
            true => format!("/{head}"),
            false => format!("/{head} {}", subs.join("|")),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a console line such as `/ticket open title:"VPN down" priority:high`: words for
/// the command, then `name:value` options, with shell-style quotes around values.
pub fn parse_line(line: &str) -> Result<Invocation, UserError> {
    let words = shlex::split(line.trim())
        .ok_or_else(|| UserError::Syntax("a quote is not closed".to_owned()))?;
    let mut path = Vec::new();
    let mut options = Vec::new();
    for (i, word) in words.into_iter().enumerate() {
        match word.split_once(':') {
            Some((name, value)) if !name.is_empty() => {
                options.push((name.to_ascii_lowercase(), RawValue::Text(value.to_owned())));
            }
            _ if options.is_empty() => {
                let word = if i == 0 {
                    word.trim_start_matches('/').to_owned()
                } else {
                    word
                };
                path.push(word.to_ascii_lowercase());
            }
            _ => {
                return Err(UserError::Syntax(format!(
                    "`{word}` is not an option (name:value)"
                )))
            }
        }
    }
    if path.is_empty() {
        return Err(UserError::Syntax("no command given".to_owned()));
    }
    Ok(Invocation { path, options })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Result<Command, UserError> {
        parse(parse_line(s)?)
    }

    #[test]
    fn reads_quoted_options() {
        let cmd =
            line(r#"/ticket open title:"VPN down" priority:high details:"since 9:00, all users""#)
                .unwrap();
        let Command::Open {
            title,
            details,
            priority,
            level,
        } = cmd
        else {
            panic!("{cmd:?}")
        };
        assert_eq!(title.as_str(), "VPN down");
        assert_eq!(details.unwrap().as_str(), "since 9:00, all users");
        assert_eq!(priority, Priority::High);
        assert_eq!(level, Level::SERVICE_DESK);
    }

    #[test]
    fn escalation_options_become_a_request() {
        let cmd = line(r#"/ticket escalate ticket:#42 reason:"disk full" attempts:"cleared tmp, rebooted" impact:"all of sales""#)
            .unwrap();
        let Command::Escalate { ticket, request } = cmd else {
            panic!()
        };
        assert_eq!(ticket, TicketNumber(42));
        assert_eq!(request.reason.as_deref(), Some("disk full"));
        assert_eq!(request.fields["impact"], "all of sales");
    }

    #[test]
    fn refuses_what_is_wrong_and_says_why() {
        let unknown = line("/ticket open title:x colour:red").unwrap_err();
        assert!(matches!(unknown, UserError::UnknownOption { .. }));
        assert!(unknown
            .to_string()
            .contains("title, details, priority, level"));
        assert!(matches!(
            line("/ticket open priority:high").unwrap_err(),
            UserError::Missing { field: "title", .. }
        ));
        assert!(matches!(
            line("/ticket ack ticket:abc").unwrap_err(),
            UserError::BadTicketNumber(_)
        ));
        assert!(matches!(
            line("/ticket ack ticket:1 ticket:2").unwrap_err(),
            UserError::DuplicateOption { .. }
        ));
        assert!(matches!(
            line("/ticket frobnicate").unwrap_err(),
            UserError::UnknownCommand(_)
        ));
        assert!(matches!(
            line("/ticket open title:\"unclosed").unwrap_err(),
            UserError::Syntax(_)
        ));
        assert!(matches!(
            line(&format!("/ticket open title:{}", "x".repeat(101))).unwrap_err(),
            UserError::TooLong { .. }
        ));
        assert!(matches!(
            line("/ticket note ticket:1 text:hi internal:maybe").unwrap_err(),
            UserError::BadValue { .. }
        ));
    }

    #[test]
    fn user_option_takes_a_mention_or_an_id() {
        let Command::Assign { user, .. } = line("/ticket assign ticket:3 user:<@!555>").unwrap()
        else {
            panic!()
        };
        assert_eq!(user, Some(UserId(555)));
        assert!(line("/ticket assign ticket:3 user:bob").is_err());
    }

    #[test]
    fn the_overview_lists_every_command_from_the_table() {
        let o = overview();
        assert!(o.starts_with("/ticket open|note|ack|"), "{o}");
        for part in [
            "|show|wait|rate",
            "/queue",
            "/summary",
            "/stats",
            "/kb write|edit|search|show",
            "/oncall who|override",
        ] {
            assert!(o.contains(part), "{part} in {o}");
        }
    }

    #[test]
    fn every_spec_fits_discord_limits() {
        for spec in SPECS {
            assert!(spec.description.len() <= 100);
            assert!(spec.options.len() <= 25);
            for o in spec.options {
                assert!(o.name.len() <= 32 && o.name == o.name.to_lowercase());
                assert!(o.description.len() <= 100, "{}", o.description);
            }
        }
    }
}
