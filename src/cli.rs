//! The command line of SPEC §8, parsed by clap, and what each subcommand does.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono::Utc;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::console;
use crate::domain::{RoleId, UserId};
use crate::export::{self, Format};
use crate::render::Text;
use crate::service::{build_report, Service};

/// tierdesk: tiered IT support in Discord.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// The configuration file (see bot.toml.example).
    #[arg(long, global = true, default_value = "bot.toml")]
    pub config: PathBuf,
    /// What to do (default: run the bot).
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Migrate the database, register the slash commands, connect to Discord and serve.
    Run,
    /// Validate the config and say what is wrong, without connecting.
    CheckConfig,
    /// Apply database migrations and exit.
    Migrate,
    /// Type the slash commands in a terminal, or pipe them on standard input.
    Console {
        /// Act as this Discord user id (default: a console admin).
        #[arg(long = "as", value_name = "USER_ID")]
        as_user: Option<u64>,
        /// Hold these role ids, comma-separated (default: the admin role; `--roles ""` for
        /// none, as a member who is not staff).
        #[arg(long, value_name = "ROLE_ID,ROLE_ID")]
        roles: Option<String>,
    },
    /// Print today's backlog summary.
    Summary {
        /// Print it to standard output (it is not posted, nor remembered).
        #[arg(long, required = true)]
        print: bool,
    },
    /// Export tickets with their closure details and the key figures.
    Export {
        #[arg(long, value_enum)]
        format: Format,
    },
    /// Write a consistent copy of the database to PATH, while the bot runs.
    Backup { path: PathBuf },
    /// Print the URL that adds the bot to a server with the permissions this config needs.
    Invite,
    /// Ask Discord (read-only) whether the bot can do its job with this config.
    Doctor,
}

/// How long `doctor` waits for each answer from Discord.
const DOCTOR_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// The user id the console acts as when `--as` is not given.
pub const CONSOLE_USER: UserId = UserId(1);

/// `check-config`: the file reads, and what it holds.
fn check_config(path: &std::path::Path, config: &Config) {
    let levels: Vec<String> = config.tiers.keys().map(|l| l.to_string()).collect();
    println!(
        "{}: OK — levels {}, {} vendor(s), database {}",
        path.display(),
        levels.join(", "),
        config.vendors.len(),
        crate::domain::secrets::redact_url(&config.database_url)
    );
    if config.discord.token.is_empty() {
        println!("note: discord.token is empty; set DISCORD_TOKEN before `tierdesk run`");
    }
}

/// `console`: slash commands typed in the terminal, as `as_user` with `roles` (an admin by
/// default).
async fn run_console(
    config: Config,
    as_user: Option<u64>,
    roles: Option<String>,
) -> anyhow::Result<()> {
    let roles = match roles {
        None => vec![config.discord.admin_role_id],
        Some(list) => parse_roles(&list)?,
    };
    let service = Service::connect(config).await?;
    let actor = service.actor(as_user.map_or(CONSOLE_USER, UserId), &roles);
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let interactive = std::io::stdin().is_terminal();
    let mut out = std::io::stdout().lock();
    console::run(&service, actor, stdin, &mut out, interactive, Utc::now).await?;
    service.disconnect().await;
    Ok(())
}

/// Reads `--roles 1,2,3`; an empty list means no roles.
fn parse_roles(list: &str) -> anyhow::Result<Vec<RoleId>> {
    list.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.parse::<u64>()
                .map(RoleId)
                .map_err(|_| anyhow::anyhow!("--roles: `{r}` is not a role id (a number)"))
        })
        .collect()
}

/// Runs the command line; returns the process exit code.
pub async fn main(cli: Cli) -> anyhow::Result<i32> {
    let command = cli.command.unwrap_or(CliCommand::Run);
    let quiet = matches!(
        command,
        CliCommand::Console { .. }
            | CliCommand::Summary { .. }
            | CliCommand::Export { .. }
            | CliCommand::Invite
            | CliCommand::Doctor
    );
    crate::logs::init(if quiet { "warn" } else { "info,serenity=warn" });
    let config = Config::load(&cli.config)?;
    match command {
        CliCommand::Run => {
            crate::process::run(config).await?;
            Ok(0)
        }
        CliCommand::CheckConfig => {
            check_config(&cli.config, &config);
            Ok(0)
        }
        CliCommand::Migrate => {
            let url = crate::domain::secrets::redact_url(&config.database_url);
            Service::connect(config).await?.disconnect().await;
            println!("database {url} is up to date");
            Ok(0)
        }
        CliCommand::Console { as_user, roles } => {
            run_console(config, as_user, roles).await?;
            Ok(0)
        }
        CliCommand::Summary { .. } => {
            let service = Service::connect(config).await?;
            let report =
                build_report(&service, service.config.discord.guild_id, Utc::now()).await?;
            let text = Text::new(&service.config, service.config.discord.language);
            println!("{}", text.summary(&report));
            Ok(0)
        }
        CliCommand::Export { format } => {
            let service = Service::connect(config).await?;
            let mut out = std::io::stdout().lock();
            export::export(&service, format, Utc::now(), &mut out).await?;
            Ok(0)
        }
        CliCommand::Invite => {
            print!("{}", crate::discord::invite::report(&config));
            Ok(0)
        }
        CliCommand::Doctor => {
            let token = config.require_token()?.expose().to_owned();
            let http = crate::discord::http_client(&token, &config.discord, DOCTOR_TIMEOUT)?;
            let checks = crate::discord::doctor::checks(&http, &config).await;
            print!("{}", crate::discord::doctor::report(&checks));
            Ok(if checks.iter().all(|c| c.ok) { 0 } else { 1 })
        }
        CliCommand::Backup { path } => {
            let service = Service::connect(config).await?;
            service
                .backup(&path)
                .await
                .with_context(|| format!("backup to {}", path.display()))?;
            println!("backup written to {}", path.display());
            Ok(0)
        }
    }
}
