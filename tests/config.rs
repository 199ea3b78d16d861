//! `bot.toml` validation: every problem refused with a message naming the key.

mod common;

use common::EXAMPLE;
use tierdesk::config::Config;

fn parse(text: &str) -> Result<Config, String> {
    Config::parse(text, &|_| None)
}

fn refused(text: &str) -> String {
    parse(text).expect_err("the config should be refused")
}

#[test]
fn the_example_config_is_valid() {
    let c = parse(EXAMPLE).unwrap();
    assert_eq!(c.tiers.len(), 4);
    assert_eq!(c.vendors.len(), 2);
    assert_eq!(c.summary.timezone, chrono_tz::Europe::Madrid);
    let l1 = &c.tiers[&tierdesk::domain::Level::SERVICE_DESK];
    assert_eq!(
        l1.ack_within(tierdesk::domain::Priority::High).as_secs(),
        15 * 60
    );
    // page_role_id defaults to role_id when left out (level 4 in the example).
    let l4 = &c.tiers[&tierdesk::domain::Level::VENDOR];
    assert_eq!(l4.page_role_id, l4.role_id);
}

#[test]
fn unknown_keys_are_named() {
    let err = refused(&EXAMPLE.replace("repage_limit = 3", "repage_limit = 3\nrepage_limt = 4"));
    assert!(err.contains("repage_limt"), "{err}");
    let err = refused(&format!("{EXAMPLE}\n[extra]\nx = 1\n"));
    assert!(err.contains("extra"), "{err}");
}

#[test]
fn missing_and_duplicate_levels() {
    let err = refused(&EXAMPLE.replace("level = 2\n", "level = 1\n"));
    assert!(err.contains("tier[1].level = 1 appears twice"), "{err}");
    assert!(err.contains("level 2 is missing"), "{err}");
    let err = refused(&EXAMPLE.replace("level = 3\n", "level = 0\n"));
    assert!(err.contains("tier[2].level = 0"), "{err}");
}

#[test]
fn zero_ids_bad_durations_and_time_zones() {
    let text = EXAMPLE
        .replace("guild_id = 1100000000000000002", "guild_id = 0")
        .replace(
            "queue_channel_id = 1100000000000000122",
            "queue_channel_id = 0",
        )
        .replace("normal = \"1h\"", "normal = \"soon\"")
        .replace("Europe/Madrid", "Europe/Atlantis")
        .replace("\"09:00\"", "\"9am\"")
        .replace(
            "required_on_arrival = [\"impact\"]",
            "required_on_arrival = [\"colour\"]",
        );
    let err = refused(&text);
    for key in [
        "discord.guild_id is 0",
        "tier[1].queue_channel_id is 0",
        "tier[0].ack_within.normal = \"soon\"",
        "summary.timezone = \"Europe/Atlantis\"",
        "summary.time = \"9am\"",
        "tier[1].required_on_arrival: \"colour\"",
    ] {
        assert!(err.contains(key), "missing `{key}` in:\n{err}");
    }
    assert!(err.starts_with("6 problem(s)"), "{err}");
}

#[test]
fn level_four_cannot_escalate() {
    let text = EXAMPLE.replace(
        "# Level 4 can only re-page: there is no level above it.\non_ack_timeout = \"repage\"",
        "on_ack_timeout = \"escalate\"",
    );
    assert!(refused(&text).contains("tier[3].on_ack_timeout = \"escalate\""));
}

#[test]
fn environment_overrides_and_the_token_stays_secret() {
    let c = Config::parse(EXAMPLE, &|k| match k {
        "DISCORD_TOKEN" => Some("super-secret-token".into()),
        "DATABASE_URL" => Some("sqlite://elsewhere.db".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(c.discord.token.expose(), "super-secret-token");
    assert_eq!(c.database_url, "sqlite://elsewhere.db");
    let debug = format!("{c:?}");
    assert!(!debug.contains("super-secret-token"), "{debug}");
    assert!(debug.contains("[redacted]"));
    assert!(parse(EXAMPLE).unwrap().require_token().is_err());
}

#[test]
fn durations_are_bounded_so_none_can_overflow_the_clock() {
    let err = refused(&EXAMPLE.replace("critical = \"5m\"", "critical = \"300000y\""));
    assert!(
        err.contains("ack_within") && err.contains("longer than a year"),
        "{err}"
    );
    let err = refused(&EXAMPLE.replace("repage_every = \"10m\"", "repage_every = \"2years\""));
    assert!(err.contains("repage_every"), "{err}");
    assert!(parse(&EXAMPLE.replace("critical = \"5m\"", "critical = \"30d\"")).is_ok());
}

const ROTATION: &str = r#"
[[rotation]]
level = 1
members = [1100000000000000501, 1100000000000000502]
shift = "1w"
start = "2026-11-30 09:00"
timezone = "Europe/Madrid"
"#;

#[test]
fn a_rotation_is_read_and_every_mistake_in_it_named() {
    let c = parse(&format!("{EXAMPLE}\n{ROTATION}")).unwrap();
    let r = c.rotation(tierdesk::domain::Level::SERVICE_DESK).unwrap();
    assert_eq!(r.members.len(), 2);
    assert_eq!(r.shift.as_secs(), 7 * 24 * 3600);

    let cases = [
        (
            "level = 1",
            "level = 5",
            "rotation[0].level = 5 has no [[tier]]",
        ),
        (
            "level = 1",
            "level = 4",
            "rotation[0].level = 4: the tier's page_role_id equals its role_id",
        ),
        (
            "members = [1100000000000000501, 1100000000000000502]",
            "members = []",
            "rotation[0].members is empty",
        ),
        (
            "members = [1100000000000000501, 1100000000000000502]",
            "members = [1100000000000000501, 1100000000000000501]",
            "rotation[0].members[1] = 1100000000000000501 appears twice",
        ),
        (
            "shift = \"1w\"",
            "shift = \"30s\"",
            "rotation[0].shift = \"30s\" is shorter than a minute",
        ),
        (
            "start = \"2026-11-30 09:00\"",
            "start = \"monday\"",
            "rotation[0].start = \"monday\"",
        ),
        (
            "timezone = \"Europe/Madrid\"",
            "timezone = \"Mars/Olympus\"",
            "rotation[0].timezone",
        ),
    ];
    for (from, to, expected) in cases {
        let err = refused(&format!("{EXAMPLE}\n{}", ROTATION.replace(from, to)));
        assert!(err.contains(expected), "`{to}`: {err}");
    }
    let twice = refused(&format!("{EXAMPLE}\n{ROTATION}\n{ROTATION}"));
    assert!(
        twice.contains("rotation[1].level = 1 appears twice"),
        "{twice}"
    );
}

const ALERTS: &str = r#"
[http]
listen = "127.0.0.1:8080"

[[alert_source]]
name = "prometheus"
kind = "alertmanager"
token = "t"
level = 2
priority = { critical = "critical", warning = "high" }
close_on_resolve = true
"#;

#[test]
fn alert_sources_and_the_listener_are_checked_naming_the_key() {
    let c = parse(&format!("{EXAMPLE}\n{ALERTS}")).unwrap();
    let source = c.alert_source("prometheus").unwrap();
    assert_eq!(
        source.priority_of(Some("Warning")),
        tierdesk::domain::Priority::High
    );
    assert_eq!(
        source.priority_of(Some("info")),
        tierdesk::domain::Priority::Normal
    );
    assert_eq!(c.http.unwrap().listen.port(), 8080);

    let cases = [
        (
            "kind = \"alertmanager\"",
            "kind = \"nagios\"",
            "alert_source[0].kind = \"nagios\" is not a kind",
        ),
        (
            "token = \"t\"",
            "token = \"\"",
            "alert_source[0].token is missing: set it, or TIERDESK_ALERT_TOKEN_PROMETHEUS",
        ),
        (
            "listen = \"127.0.0.1:8080\"",
            "listen = \"localhost\"",
            "http.listen = \"localhost\" is not an address",
        ),
        (
            "level = 2",
            "level = 7",
            "alert_source[0].level = 7 has no [[tier]]",
        ),
        (
            "level = 2",
            "level = 4",
            "alert_source[0].level = 4 is the external vendors",
        ),
        (
            "warning = \"high\"",
            "warning = \"urgent\"",
            "alert_source[0].priority.warning = \"urgent\" is not a priority",
        ),
        (
            "name = \"prometheus\"",
            "name = \"a/b\"",
            "alert_source[0].name = \"a/b\"",
        ),
    ];
    for (from, to, expected) in cases {
        let err = refused(&format!("{EXAMPLE}\n{}", ALERTS.replace(from, to)));
        assert!(err.contains(expected), "`{to}`: {err}");
    }
    let source = ALERTS.split("[[alert_source]]").nth(1).unwrap();
    let twice = refused(&format!("{EXAMPLE}\n{ALERTS}\n[[alert_source]]{source}"));
    assert!(
        twice.contains("alert_source[1].name = \"prometheus\" appears twice"),
        "{twice}"
    );
    let no_http = refused(&format!("{EXAMPLE}\n[[alert_source]]{source}"));
    assert!(no_http.contains("add [http]"), "{no_http}");
    // The token may come from the environment.
    let from_env = Config::parse(
        &format!("{EXAMPLE}\n{}", ALERTS.replace("token = \"t\"", "")),
        &|k| (k == "TIERDESK_ALERT_TOKEN_PROMETHEUS").then(|| "from-env".to_owned()),
    )
    .unwrap();
    assert_eq!(from_env.alert_sources[0].token.expose(), "from-env");
    // A secret written with `echo` into a file ends in a newline: it is read trimmed, or
    // every alert would be refused 401.
    let with_newline = Config::parse(
        &format!("{EXAMPLE}\n{}", ALERTS.replace("token = \"t\"", "")),
        &|k| match k {
            "TIERDESK_ALERT_TOKEN_PROMETHEUS" => Some("from-env\n".to_owned()),
            "DISCORD_TOKEN" => Some(" bot-token\r\n".to_owned()),
            "TIERDESK_DASHBOARD_TOKEN" => Some("dash-key\n".to_owned()),
            _ => None,
        },
    )
    .unwrap();
    assert_eq!(with_newline.alert_sources[0].token.expose(), "from-env");
    assert_eq!(with_newline.discord.token.expose(), "bot-token");
    let dash = with_newline.http.unwrap().dashboard_token.unwrap();
    assert_eq!(dash.expose(), "dash-key");
}

const HOURS: &str = r#"
[hours]
timezone = "Europe/Madrid"
week = { mon = "08:00-18:00", tue = "08:00-13:00,15:00-18:00", fri = "08:00-24:00" }
holidays = ["2026-12-25"]

[sla]
clock = { critical = "always", normal = "hours" }
resolve_within = { critical = "4h", normal = "3d" }
warn_at = 0.75
remind_waiting_after = "2d"
close_waiting_after = "7d"
"#;

#[test]
fn service_hours_and_targets_are_read_and_every_mistake_named() {
    let c = parse(&format!("{EXAMPLE}\n{HOURS}")).unwrap();
    assert_eq!(
        c.sla.clock(tierdesk::domain::Priority::Normal),
        tierdesk::config::Clock::Hours
    );
    assert_eq!(
        c.sla.clock(tierdesk::domain::Priority::Low),
        tierdesk::config::Clock::Always,
        "default"
    );
    assert_eq!(c.calendar.week[1].len(), 2);
    assert_eq!(c.calendar.week[4][0].1, None, "24:00 ends the day");
    // Without [hours] and [sla] the desk is always open and nothing has a target.
    let plain = parse(EXAMPLE).unwrap();
    assert!(plain.sla.resolve_within.is_empty() && plain.sla.warn_at.is_none());

    let cases = [
        (
            "mon = \"08:00-18:00\"",
            "mon = \"18:00-08:00\"",
            "hours.week.mon = \"18:00-08:00\"",
        ),
        (
            "mon = \"08:00-18:00\"",
            "mun = \"08:00-18:00\"",
            "hours.week.mun is not a day",
        ),
        (
            "\"2026-12-25\"",
            "\"25/12/2026\"",
            "hours.holidays[0] = \"25/12/2026\" is not a date",
        ),
        (
            "warn_at = 0.75",
            "warn_at = 1.5",
            "sla.warn_at = 1.5 must lie between 0 and 1",
        ),
        (
            "close_waiting_after = \"7d\"",
            "close_waiting_after = \"1d\"",
            "sla.close_waiting_after must be longer",
        ),
        (
            "normal = \"hours\"",
            "normal = \"office\"",
            "sla.clock.normal = \"office\"",
        ),
        (
            "critical = \"4h\"",
            "urgent = \"4h\"",
            "sla.resolve_within.urgent: `urgent` is not a priority",
        ),
        (
            "timezone = \"Europe/Madrid\"",
            "timezone = \"Madrid\"",
            "hours.timezone = \"Madrid\"",
        ),
    ];
    for (from, to, expected) in cases {
        let err = refused(&format!("{EXAMPLE}\n{}", HOURS.replacen(from, to, 1)));
        assert!(err.contains(expected), "`{to}`: {err}");
    }
}

#[test]
fn http_interactions_need_a_valid_public_key_and_the_listener() {
    let http_mode = |key: &str| {
        EXAMPLE
            .replace("# interactions = \"gateway\"", "interactions = \"http\"")
            .replace("# public_key = \"64 hexadecimal digits\"", key)
            .replace(
                "# [http]\n# listen = \"127.0.0.1:8080\"",
                "[http]\nlisten = \"127.0.0.1:8080\"",
            )
    };
    let key = "public_key = \"d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737\"";
    let config = parse(&http_mode(key)).unwrap();
    assert!(matches!(
        config.discord.interactions,
        tierdesk::config::Interactions::Http { .. }
    ));
    let not_hex = refused(&http_mode("public_key = \"not a key\""));
    assert!(
        not_hex.contains("discord.public_key = \"not a key\" is not an Ed25519"),
        "{not_hex}"
    );
    let short = refused(&http_mode("public_key = \"d04ab232\""));
    assert!(short.contains("64 hexadecimal digits"), "{short}");
    let mode =
        refused(&EXAMPLE.replace("# interactions = \"gateway\"", "interactions = \"webhook\""));
    assert!(mode.contains("use \"gateway\" or \"http\""), "{mode}");
    assert_eq!(
        parse(EXAMPLE).unwrap().discord.interactions,
        tierdesk::config::Interactions::Gateway
    );
}
