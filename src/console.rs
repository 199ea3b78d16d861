//! `tierdesk console`: the slash commands typed in a terminal or piped on standard input,
//! run through the same parser and service as the bot, answered as Discord would show them.

use std::io::Write;

use chrono::{DateTime, Utc};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tracing::Instrument as _;

use crate::command;
use crate::domain::rules::Actor;
use crate::render::Text;
use crate::service::{Context, Service};
use crate::tr;

/// What `help` shows: how to type a command, and every command from the parser's table.
fn help() -> String {
    format!(
        "Type slash commands as in Discord, options as name:value, e.g.\n  \
         /ticket open title:\"VPN down\" priority:high\n  \
         /ticket escalate ticket:1 reason:\"needs network team\" attempts:\"rebooted the router\"\n\
         Commands: {}. `help` shows this, `quit` leaves.",
        command::overview()
    )
}

/// Runs console lines from `input` until it ends, writing answers to `out`. `clock` gives
/// the time of each command. Returns how many commands were refused.
pub async fn run<R, W>(
    service: &Service,
    actor: Actor,
    mut input: R,
    out: &mut W,
    interactive: bool,
    clock: impl Fn() -> DateTime<Utc>,
) -> anyhow::Result<usize>
where
    R: AsyncBufRead + Unpin,
    W: Write,
{
    let guild = service.config.discord.guild_id;
    let lang = service.config.discord.language;
    let render = Text::new(&service.config, lang);
    let mut refused = 0;
    let mut line = String::new();
    if interactive {
        writeln!(out, "{}", help())?;
    }
    loop {
        if interactive {
            write!(out, "tierdesk> ")?;
            out.flush()?;
        }
        line.clear();
        if input.read_line(&mut line).await? == 0 {
            break;
        }
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if matches!(text, "quit" | "exit") {
            break;
        }
        if text == "help" {
            writeln!(out, "{}", help())?;
            continue;
        }
        if !interactive {
            writeln!(out, "> {text}")?;
        }
        let ctx = Context {
            guild,
            actor: actor.clone(),
            now: clock(),
        };
        if !answer(service, &render, &ctx, text, out).await? {
            refused += 1;
        }
    }
    Ok(refused)
}

/// Runs one line as `ctx` says and writes the reply and the messages it caused, or the
/// refusal; whether it was accepted.
async fn answer<W: Write>(
    service: &Service,
    render: &Text<'_>,
    ctx: &Context,
    text: &str,
    out: &mut W,
) -> anyhow::Result<bool> {
    let lang = render.lang;
    let result = match command::parse_line(text).and_then(command::parse) {
        Ok(cmd) => {
            let span = tracing::info_span!("command", command = cmd.name(), ticket = ?cmd.ticket());
            // The span follows the future; entering it across the await would let work that
            // sqlx finishes on its own tasks see a span that already closed.
            service.execute(ctx, cmd).instrument(span).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(outcome) => {
            let who = if outcome.reply.ephemeral() {
                format!("{} ", tr!(lang, "only-you"))
            } else {
                String::new()
            };
            let reply = render.for_terminal(&render.reply(&outcome.reply));
            writeln!(out, "{who}{reply}")?;
            for message in &outcome.effects {
                for l in render.for_terminal(&render.outgoing(message)).lines() {
                    writeln!(out, "  {l}")?;
                }
            }
            Ok(true)
        }
        Err(e) => {
            if let crate::domain::error::Error::Internal(cause) = &e {
                tracing::error!(error = ?cause, "command failed");
            }
            writeln!(out, "{} ✗ {}", tr!(lang, "only-you"), e.message(lang))?;
            Ok(false)
        }
    }
}
