//! `bot.toml`: the raw file as serde reads it, validated into `Config` with messages that name
//! the key at fault. `DISCORD_TOKEN` and `DATABASE_URL` override the file.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Deserialize;

mod fingerprint;
mod http;
mod rotation;
mod sla;

pub use fingerprint::Fingerprint;

pub use http::{AlertKind, AlertSource, Http};
pub use rotation::Rotation;
pub use sla::{Clock, Sla};

use crate::domain::rules::ARRIVAL_FIELDS;
use crate::domain::{ChannelId, GuildId, Level, Priority, RoleId};
use crate::i18n::Lang;

/// A secret that never shows in logs or `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The secret itself, for the one place that needs it (the Discord client).
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
    /// Whether `given` is this secret, compared in constant time; an empty secret matches
    /// nothing.
    pub fn matches(&self, given: &str) -> bool {
        use subtle::ConstantTimeEq;
        !self.is_empty() && bool::from(given.as_bytes().ct_eq(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_empty() {
            "[empty]"
        } else {
            "[redacted]"
        })
    }
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub discord: Discord,
    /// sqlx connection URL: `sqlite://tierdesk.db` (created if missing).
    pub database_url: String,
    pub summary: Summary,
    /// Levels 1 to 3, and 4 when a vendor-liaison tier is configured.
    pub tiers: BTreeMap<Level, Tier>,
    pub vendors: Vec<Vendor>,
    /// On-call rotations, at most one per level.
    pub rotations: Vec<Rotation>,
    /// The HTTP listener, when `[http]` is given.
    pub http: Option<Http>,
    /// Monitoring tools that may post alerts.
    pub alert_sources: Vec<AlertSource>,
    /// The desk's service hours (always open without `[hours]`).
    pub calendar: crate::domain::calendar::Calendar,
    /// Clocks, targets and the waiting rules (none without `[sla]`).
    pub sla: Sla,
    /// Digests of the file's keys, compared between replicas.
    pub fingerprint: Fingerprint,
}

#[derive(Debug, Clone)]
pub struct Discord {
    pub token: Secret,
    pub application_id: u64,
    pub guild_id: GuildId,
    pub admin_role_id: RoleId,
    /// Base address every Discord HTTP call goes to instead of discord.com.
    pub proxy_url: Option<String>,
    /// Language of channel messages (pages, threads, summaries); replies follow each
    /// member's Discord locale.
    pub language: Lang,
    /// Where interactions arrive: the gateway, or `POST /interactions` on the HTTP listener.
    pub interactions: Interactions,
}

/// Where interactions arrive (SPEC §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interactions {
    /// Over the gateway connection (the default).
    Gateway,
    /// As HTTP requests from Discord, signed with the application's key (`public_key`).
    Http { public_key: [u8; 32] },
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub channel_id: ChannelId,
    pub time: NaiveTime,
    pub timezone: Tz,
}

/// What happens when a level does not acknowledge in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnAckTimeout {
    Escalate,
    Repage,
}

#[derive(Debug, Clone)]
pub struct Tier {
    pub level: Level,
    pub name: String,
    pub role_id: RoleId,
    pub page_role_id: RoleId,
    pub queue_channel_id: ChannelId,
    pub ack_within: BTreeMap<Priority, Duration>,
    pub repage_every: Duration,
    pub repage_limit: u32,
    pub on_ack_timeout: OnAckTimeout,
    pub required_on_arrival: Vec<String>,
}

impl Tier {
    pub fn ack_within(&self, p: Priority) -> Duration {
        self.ack_within[&p]
    }
}

#[derive(Debug, Clone)]
pub struct Vendor {
    pub name: String,
    pub contact: String,
}

impl Config {
    /// Reads and validates `path`, with environment overrides.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        Config::parse(&text, &|k| std::env::var(k).ok())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Parses and validates a config text; `env` answers environment variables.
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_problem(text, &e))?;
        let mut config = raw.validate(env)?;
        config.fingerprint = Fingerprint::of(text);
        Ok(config)
    }

    /// The alert source called `name`.
    pub fn alert_source(&self, name: &str) -> Option<&AlertSource> {
        self.alert_sources.iter().find(|s| s.name == name)
    }

    /// The rotation of `level`, if it has one.
    pub fn rotation(&self, level: Level) -> Option<&Rotation> {
        self.rotations.iter().find(|r| r.level == level)
    }

    /// The tier owning `level`, if configured.
    pub fn tier(&self, level: Level) -> Option<&Tier> {
        self.tiers.get(&level)
    }

    pub fn vendor_names(&self) -> Vec<String> {
        self.vendors.iter().map(|v| v.name.clone()).collect()
    }

    /// `run` needs a token; the console and the other commands do not.
    pub fn require_token(&self) -> anyhow::Result<&Secret> {
        if self.discord.token.is_empty() {
            anyhow::bail!("discord.token is empty: set it in bot.toml or in DISCORD_TOKEN");
        }
        Ok(&self.discord.token)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    discord: RawDiscord,
    database: RawDatabase,
    summary: RawSummary,
    #[serde(default)]
    tier: Vec<RawTier>,
    #[serde(default)]
    vendor: Vec<RawVendor>,
    #[serde(default)]
    rotation: Vec<rotation::RawRotation>,
    #[serde(default)]
    http: Option<http::RawHttp>,
    #[serde(default)]
    alert_source: Vec<http::RawAlertSource>,
    #[serde(default)]
    hours: Option<sla::RawHours>,
    #[serde(default)]
    sla: Option<sla::RawSla>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscord {
    #[serde(default)]
    token: String,
    application_id: u64,
    guild_id: u64,
    admin_role_id: u64,
    proxy_url: Option<String>,
    #[serde(default)]
    language: Option<String>,
    interactions: Option<String>,
    public_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSummary {
    channel_id: u64,
    time: String,
    timezone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    level: u8,
    name: Option<String>,
    role_id: u64,
    page_role_id: Option<u64>,
    queue_channel_id: u64,
    ack_within: RawAckWithin,
    repage_every: String,
    repage_limit: u32,
    on_ack_timeout: String,
    #[serde(default)]
    required_on_arrival: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAckWithin {
    critical: String,
    high: String,
    normal: String,
    low: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendor {
    name: String,
    #[serde(default)]
    contact: String,
}

/// The longest duration a key may hold: deadlines beyond a year are a typo (and would
/// overflow the clock's arithmetic).
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// A TOML syntax or shape error, located by line and column, without echoing the file: the
/// offending line may hold the token under a misspelt key, so quoted values are hidden too.
fn toml_problem(text: &str, e: &toml::de::Error) -> String {
    let message = hide_quoted(e.message());
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// `text` with whatever stands between double quotes replaced by `…`.
fn hide_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// Keeps the first of each `id`, naming every later one with `twice`.
fn unique<T>(
    keyed: Vec<(String, T)>,
    id: impl Fn(&T) -> String,
    twice: impl Fn(&str, &T) -> String,
    p: &mut Problems,
) -> Vec<T> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (key, item) in keyed {
        if seen.insert(id(&item)) {
            out.push(item);
        } else {
            p.0.push(twice(&key, &item));
        }
    }
    out
}

/// Collects every problem, so one run of `check-config` shows them all.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn id(&mut self, key: &str, v: u64) -> u64 {
        if v == 0 {
            self.0.push(format!(
                "{key} is 0: set it to the Discord id (Developer Mode → right click → Copy ID)"
            ));
        }
        v
    }

    fn duration(&mut self, key: &str, v: &str) -> Duration {
        match humantime::parse_duration(v.trim()) {
            Ok(d) if d > MAX_DURATION => {
                self.0.push(format!(
                    "{key} = \"{v}\" is longer than a year: write a duration such as \"4h\" or \"3d\""
                ));
                Duration::from_secs(60)
            }
            Ok(d) if !d.is_zero() => d,
            _ => {
                self.0.push(format!(
                    "{key} = \"{v}\" is not a duration: write it like \"90s\", \"15m\" or \"4h\""
                ));
                Duration::from_secs(60)
            }
        }
    }
}

impl RawConfig {
    fn validate(self, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
        // Secrets often come from files or `echo` with a trailing newline: a token with one
        // would never match, so every value from the environment is read trimmed.
        let env = &|key: &str| env(key).map(|v| v.trim().to_owned());
        let mut p = Problems::default();
        let database_url = env("DATABASE_URL")
            .filter(|u| !u.trim().is_empty())
            .unwrap_or(self.database.url);
        if database_url.trim().is_empty() {
            p.0.push("database.url is empty: use e.g. \"sqlite://tierdesk.db\"".into());
        }
        let http_interactions = self.discord.interactions.as_deref().map(str::trim) == Some("http");
        let discord = self.discord.validate(env, &mut p);
        let summary = self.summary.validate(&mut p);
        let tiers = validate_tiers(self.tier, &mut p);
        let vendors = validate_vendors(self.vendor, &mut p);
        let rotations = unique(
            (self.rotation.into_iter().enumerate())
                .filter_map(|(i, raw)| {
                    let key = format!("rotation[{i}]");
                    raw.validate(&key, &tiers, &mut p).map(|r| (key, r))
                })
                .collect(),
            |r| r.level.to_string(),
            |key, r| {
                format!(
                    "{key}.level = {} appears twice: keep one [[rotation]] per level",
                    r.level
                )
            },
            &mut p,
        );
        let http = self.http.and_then(|h| h.validate(env, &mut p));
        if http_interactions && http.is_none() {
            p.0.push(
                "discord.interactions = \"http\": interactions arrive on the HTTP listener; \
                 add [http] listen = \"127.0.0.1:8080\""
                    .into(),
            );
        }
        let alert_sources = validate_alert_sources(self.alert_source, &tiers, env, &mut p);
        if !alert_sources.is_empty() && http.is_none() {
            p.0.push(
                "alert_source: alerts arrive over HTTP; add [http] listen = \"127.0.0.1:8080\""
                    .into(),
            );
        }
        let calendar = match self.hours {
            Some(h) => h.validate(&mut p),
            None => crate::domain::calendar::Calendar::always(),
        };
        let sla = self.sla.map(|s| s.validate(&mut p)).unwrap_or_default();
        if !p.0.is_empty() {
            return Err(format!(
                "{} problem(s) in the config:\n  - {}",
                p.0.len(),
                p.0.join("\n  - ")
            ));
        }
        Ok(Config {
            calendar,
            sla,
            fingerprint: Fingerprint::default(),
            discord,
            database_url,
            summary,
            tiers,
            vendors,
            rotations,
            http,
            alert_sources,
        })
    }
}

impl RawDiscord {
    fn validate(self, env: &dyn Fn(&str) -> Option<String>, p: &mut Problems) -> Discord {
        let token = env("DISCORD_TOKEN")
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| self.token.trim().to_owned());
        // In the order of the file, so the problems are listed as the operator reads it.
        let application_id = p.id("discord.application_id", self.application_id);
        let guild_id = GuildId(p.id("discord.guild_id", self.guild_id));
        let admin_role_id = RoleId(p.id("discord.admin_role_id", self.admin_role_id));
        let language = match &self.language {
            None => Lang::En,
            Some(value) => Lang::parse(value).unwrap_or_else(|| {
                p.0.push(format!(
                    "discord.language = \"{value}\": use \"en\" (English) or \"es\" (Spanish)"
                ));
                Lang::En
            }),
        };
        let proxy_url = (self.proxy_url)
            .map(|u| u.trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty());
        if let Some(url) = &proxy_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                p.0.push(format!(
                    "discord.proxy_url = \"{url}\" must start with http:// or https://"
                ));
            }
        }
        let interactions = interactions_mode(self.interactions, self.public_key, p);
        Discord {
            token: Secret::new(token),
            application_id,
            guild_id,
            admin_role_id,
            proxy_url,
            language,
            interactions,
        }
    }
}

/// `discord.interactions` and, for `"http"`, the application's public key it needs.
fn interactions_mode(mode: Option<String>, key: Option<String>, p: &mut Problems) -> Interactions {
    match mode.as_deref().map(str::trim) {
        None | Some("gateway") => Interactions::Gateway,
        Some("http") => match key.as_deref().map(str::trim) {
            None | Some("") => {
                p.0.push(
                    "discord.public_key is missing: interactions = \"http\" needs the \
                     application's public key (Developer Portal → General Information)"
                        .into(),
                );
                Interactions::Gateway
            }
            Some(hex_key) => match public_key(hex_key) {
                Some(public_key) => Interactions::Http { public_key },
                None => {
                    p.0.push(format!(
                        "discord.public_key = \"{hex_key}\" is not an Ed25519 public key: \
                         copy the 64 hexadecimal digits from the Developer Portal"
                    ));
                    Interactions::Gateway
                }
            },
        },
        Some(other) => {
            p.0.push(format!(
                "discord.interactions = \"{other}\": use \"gateway\" or \"http\""
            ));
            Interactions::Gateway
        }
    }
}

/// The 32 bytes of a hex-encoded Ed25519 public key that is a valid curve point.
fn public_key(hex_key: &str) -> Option<[u8; 32]> {
    let bytes: [u8; 32] = hex::decode(hex_key).ok()?.try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()?;
    Some(bytes)
}

impl RawSummary {
    fn validate(self, p: &mut Problems) -> Summary {
        let time = NaiveTime::parse_from_str(self.time.trim(), "%H:%M").unwrap_or_else(|_| {
            p.0.push(format!(
                "summary.time = \"{}\" is not a time of day: write it as \"HH:MM\", e.g. \"09:00\"",
                self.time
            ));
            NaiveTime::MIN
        });
        let timezone = self.timezone.trim().parse::<Tz>().unwrap_or_else(|_| {
            p.0.push(format!(
                "summary.timezone = \"{}\" is not a time zone: use an IANA name such as \"Europe/Madrid\"",
                self.timezone
            ));
            Tz::UTC
        });
        Summary {
            channel_id: ChannelId(p.id("summary.channel_id", self.channel_id)),
            time,
            timezone,
        }
    }
}

/// One tier per level from 1 to 4; levels 1 to 3 must be there.
fn validate_tiers(raw: Vec<RawTier>, p: &mut Problems) -> BTreeMap<Level, Tier> {
    let mut tiers = BTreeMap::new();
    for (i, raw) in raw.into_iter().enumerate() {
        let key = format!("tier[{i}]");
        let Some(level) = Level::new(raw.level).filter(|l| *l != Level::SELF_SERVICE) else {
            p.0.push(format!(
                "{key}.level = {} is not a tier: tiers are levels 1 to 4 (level 0 is self-service and has none)",
                raw.level
            ));
            continue;
        };
        if tiers.contains_key(&level) {
            p.0.push(format!(
                "{key}.level = {level} appears twice: keep one [[tier]] per level"
            ));
            continue;
        }
        let tier = raw.validate(&key, level, p);
        tiers.insert(level, tier);
    }
    for level in [Level::SERVICE_DESK, Level::TECHNICAL, Level::EXPERTS] {
        if !tiers.contains_key(&level) {
            p.0.push(format!(
                "tier: level {level} is missing: add a [[tier]] with level = {level}"
            ));
        }
    }
    tiers
}

/// Vendors with a name each, no two alike (case aside).
fn validate_vendors(raw: Vec<RawVendor>, p: &mut Problems) -> Vec<Vendor> {
    let mut vendors: Vec<Vendor> = Vec::new();
    for (i, v) in raw.into_iter().enumerate() {
        let name = v.name.trim().to_owned();
        if name.is_empty() {
            p.0.push(format!("vendor[{i}].name is empty"));
        } else if vendors.iter().any(|o| o.name.eq_ignore_ascii_case(&name)) {
            p.0.push(format!("vendor[{i}].name = \"{name}\" appears twice"));
        } else {
            vendors.push(Vendor {
                name,
                contact: v.contact,
            });
        }
    }
    vendors
}

/// The alert sources, each with its own name.
fn validate_alert_sources(
    raw: Vec<http::RawAlertSource>,
    tiers: &BTreeMap<Level, Tier>,
    env: &dyn Fn(&str) -> Option<String>,
    p: &mut Problems,
) -> Vec<AlertSource> {
    let keyed = (raw.into_iter().enumerate())
        .filter_map(|(i, raw)| {
            let key = format!("alert_source[{i}]");
            raw.validate(&key, tiers, env, p).map(|s| (key, s))
        })
        .collect();
    unique(
        keyed,
        |s| s.name.clone(),
        |key, s| {
            format!(
                "{key}.name = \"{}\" appears twice: each source needs its own name",
                s.name
            )
        },
        p,
    )
}

impl RawTier {
    fn validate(self, key: &str, level: Level, p: &mut Problems) -> Tier {
        let role_id = RoleId(p.id(&format!("{key}.role_id"), self.role_id));
        let page_role_id = match self.page_role_id {
            None | Some(0) => role_id,
            Some(id) => RoleId(id),
        };
        let a = &self.ack_within;
        let ack_within = [
            (Priority::Critical, &a.critical, "critical"),
            (Priority::High, &a.high, "high"),
            (Priority::Normal, &a.normal, "normal"),
            (Priority::Low, &a.low, "low"),
        ]
        .into_iter()
        .map(|(prio, v, name)| (prio, p.duration(&format!("{key}.ack_within.{name}"), v)))
        .collect();
        let on_ack_timeout = match self.on_ack_timeout.trim() {
            "escalate" if level == Level::VENDOR => {
                p.0.push(format!(
                    "{key}.on_ack_timeout = \"escalate\": level 4 has nowhere to escalate to; use \"repage\""
                ));
                OnAckTimeout::Repage
            }
            "escalate" => OnAckTimeout::Escalate,
            "repage" => OnAckTimeout::Repage,
            other => {
                p.0.push(format!(
                    "{key}.on_ack_timeout = \"{other}\": use \"escalate\" or \"repage\""
                ));
                OnAckTimeout::Repage
            }
        };
        for field in &self.required_on_arrival {
            if !ARRIVAL_FIELDS.contains(&field.as_str()) {
                let known = ARRIVAL_FIELDS;
                p.0.push(format!(
                    "{key}.required_on_arrival: \"{field}\" is not a field escalations carry; use any of {known:?}"
                ));
            }
        }
        Tier {
            level,
            name: self
                .name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| level.default_name().to_owned()),
            role_id,
            page_role_id,
            queue_channel_id: ChannelId(
                p.id(&format!("{key}.queue_channel_id"), self.queue_channel_id),
            ),
            ack_within,
            repage_every: p.duration(&format!("{key}.repage_every"), &self.repage_every),
            repage_limit: self.repage_limit,
            on_ack_timeout,
            required_on_arrival: self.required_on_arrival,
        }
    }
}
