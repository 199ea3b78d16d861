//! The real `tierdesk` binary as a new user runs it: a console session piped on stdin,
//! check-config, migrate, summary --print, export and backup.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const EXAMPLE: &str = include_str!("../bot.toml.example");

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bot.toml"), EXAMPLE).unwrap();
        Dir { dir }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn db(&self) -> PathBuf {
        self.path().join("tierdesk.db")
    }
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let url = format!("sqlite://{}", self.db().display());
        self.run_on(&url, args, stdin)
    }
    fn run_on(&self, database_url: &str, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tierdesk"))
            .args(args)
            .current_dir(self.path())
            .env("DATABASE_URL", database_url)
            .env_remove("DISCORD_TOKEN")
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_console_session_from_open_to_summary() {
    let dir = Dir::new();
    let session = r#"
# A ticket from the service desk up to technical support, then closed.
/ticket open title:"VPN down" priority:high details:"since 9:00"
/ticket escalate ticket:1 reason:"tunnel flaps"
/ticket escalate ticket:1 reason:"tunnel flaps" attempts:"restarted the client, new profile" impact:"remote staff"
/ticket ack ticket:1
/ticket close ticket:1 resolution:"renewed the gateway certificate" root_cause:"certificate expired"
/ticket shout ticket:1
/kb write title:"VPN certificate expired" body:"Renew the gateway certificate." tags:vpn
/kb search query:certificado
/kb search query:vpn
/summary
"#;
    let out = dir.run(&["console"], session);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    let expect = [
        "Ticket opened: #1 VPN down · high · level 1 (Service desk) · open",
        "[page → channel 1100000000000000121 · Service desk · pings <@&1100000000000000111>]",
        "✗ To escalate ticket #1 to level 2 you must also give: `attempts`",
        "Ticket #1 escalated to level 2 (Technical support), which has been paged.",
        "reason: tunnel flaps",
        "attempts: restarted the client, new profile",
        "Acknowledged: #1 VPN down · high · level 2",
        "Ticket #1 closed at level 2.",
        "✗ Unknown command `/ticket shout`",
        "Article KB-1 written: VPN certificate expired.",
        "No article matches “certificado”",
        "KB-1 VPN certificate expired — Renew the gateway certificate.",
        "[summary → channel 1100000000000000010]",
        "Last 24 hours: 1 opened · 1 escalated · 0 returned · 1 closed · 0 reopened",
        "time to resolution: median 0s",
    ];
    for e in expect {
        assert!(text.contains(e), "missing `{e}` in:\n{text}");
    }

    // Same database as the bot: a second session sees ticket #1, as a plain member.
    let out = dir.run(
        &["console", "--as", "5000", "--roles", ""],
        "/ticket show ticket:1\n/queue\n",
    );
    let text = stdout(&out);
    assert!(
        text.contains("Only the requester of ticket #1 or a support agent"),
        "{text}"
    );
    assert!(
        text.contains("Only support agents can list the queues"),
        "{text}"
    );
    let out = dir.run(
        &["console", "--roles", "1100000000000000102"],
        "/ticket show ticket:1\n",
    );
    assert!(stdout(&out).contains("closed it: renewed the gateway certificate"));

    let out = dir.run(&["summary", "--print"], "");
    assert!(out.status.success());
    assert!(stdout(&out).contains("Backlog summary for"));

    let out = dir.run(&["export", "--format", "csv"], "");
    let csv = stdout(&out);
    assert!(
        csv.starts_with("number,title,requester_id,priority,level,status"),
        "{csv}"
    );
    assert!(
        csv.contains("VPN down") && csv.contains("certificate expired"),
        "{csv}"
    );
    // A title a spreadsheet would run as a formula is exported as text.
    dir.run(
        &["console"],
        "/ticket open title:\"=HYPERLINK(\\\"http://evil.example\\\")\"\n",
    );
    let csv = stdout(&dir.run(&["export", "--format", "csv"], ""));
    assert!(csv.contains(",\"'=HYPERLINK("), "{csv}");
    let out = dir.run(&["export", "--format", "json"], "");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["tickets"][0]["closed_level"], 2);
    assert!(
        json["key_figures"]["levels"]["2"]["reached"].as_u64() == Some(1),
        "{json}"
    );

    let backup = dir.path().join("copy.db");
    let out = dir.run(&["backup", backup.to_str().unwrap()], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(backup.metadata().unwrap().len() > 0);
    let again = dir.run(&["backup", backup.to_str().unwrap()], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn check_config_names_what_is_wrong() {
    let dir = Dir::new();
    let out = dir.run(&["check-config"], "");
    assert!(out.status.success());
    assert!(stdout(&out).contains("OK — levels 1, 2, 3, 4, 2 vendor(s)"));
    std::fs::write(
        dir.path().join("bot.toml"),
        EXAMPLE.replace("admin_role_id = 1100000000000000003", "admin_role_id = 0"),
    )
    .unwrap();
    let out = dir.run(&["check-config"], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("discord.admin_role_id is 0"), "{err}");
    let out = dir.run(&["--config", "nope.toml", "check-config"], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the config file nope.toml"));
}

#[test]
fn migrate_creates_the_database() {
    let dir = Dir::new();
    let out = dir.run(&["migrate"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.db().exists());
    let again = dir.run(&["migrate"], "");
    assert!(again.status.success(), "migrating twice is harmless");
}

#[test]
fn channel_messages_and_console_replies_in_spanish() {
    let dir = Dir::new();
    std::fs::write(
        dir.path().join("bot.toml"),
        EXAMPLE.replace("language = \"en\"", "language = \"es\""),
    )
    .unwrap();
    let out = dir.run(
        &["console"],
        "/ticket open title:\"Impresora atascada\" priority:high\n/ticket escalate ticket:1 reason:x\n",
    );
    let text = stdout(&out);
    for e in [
        "Ticket abierto: #1 Impresora atascada · alta · nivel 1 (Service desk) · abierto",
        "[aviso → canal 1100000000000000121 · Service desk · menciona <@&1100000000000000111>]",
        "(solo tú puedes ver esto) ✗ Para escalar el ticket #1 al nivel 2 debes indicar también: `attempts`",
    ] {
        assert!(text.contains(e), "missing `{e}` in:\n{text}");
    }
    std::fs::write(
        dir.path().join("bot.toml"),
        EXAMPLE.replace("language = \"en\"", "language = \"fr\""),
    )
    .unwrap();
    let out = dir.run(&["check-config"], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("discord.language = \"fr\""));
}

#[test]
fn check_config_never_prints_a_token_from_a_bad_line() {
    let dir = Dir::new();
    let secret = "MTEwMDAw.secret-token-value.abc123";
    for bad in [
        format!("tokn = \"{secret}\""),
        format!("guild_id = \"{secret}\""),
        format!("token = \"{secret}"),
    ] {
        let text = EXAMPLE
            .replace("token = \"\"", &bad)
            .replace("guild_id = 1100000000000000002", &bad);
        std::fs::write(dir.path().join("bot.toml"), text).unwrap();
        let out = dir.run(&["check-config"], "");
        assert!(!out.status.success(), "{bad}");
        let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert!(
            !all.contains("secret-token-value"),
            "the token leaked:\n{all}"
        );
        assert!(all.contains("line "), "the error is located: {all}");
    }
}

#[test]
fn check_config_and_migrate_never_print_the_database_password() {
    let dir = Dir::new();
    let out = dir.run_on(
        "postgres://bot:s3cret-pw@127.0.0.1:5432/desk",
        &["check-config"],
        "",
    );
    let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("s3cret-pw"), "{text}");
    assert!(
        text.contains("postgres://bot:***@127.0.0.1:5432/desk"),
        "{text}"
    );
    // migrate connects, so it needs the server (trust auth ignores the password).
    let Ok(server) = std::env::var("TIERDESK_TEST_POSTGRES") else {
        eprintln!("TIERDESK_TEST_POSTGRES is not set: the migrate half of this test is skipped");
        return;
    };
    let with_password = server.replacen("://postgres@", "://postgres:s3cret-pw@", 1);
    assert!(with_password.contains("s3cret-pw"), "{server}");
    let out = dir.run_on(&with_password, &["migrate"], "");
    let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("is up to date"), "{text}");
    assert!(!text.contains("s3cret-pw"), "{text}");
}

#[test]
fn the_console_shows_times_in_the_desks_time_zone_not_discord_markup() {
    let dir = Dir::new();
    let rotation =
        "\n[[rotation]]\nlevel = 1\nmembers = [1100000000000000501, 1100000000000000502]\n\
        shift = \"1w\"\nstart = \"2026-11-30 09:00\"\ntimezone = \"Europe/Madrid\"\n";
    std::fs::write(dir.path().join("bot.toml"), format!("{EXAMPLE}{rotation}")).unwrap();
    let out = dir.run(
        &["console"],
        "/oncall who\n/ticket open title:\"Badge reader\"\n/ticket show ticket:1\n",
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        !text.contains("<t:"),
        "no Discord markup in a terminal: {text}"
    );
    assert!(!text.contains(" UTC"), "the desk's zone, not UTC: {text}");
    assert!(
        text.contains(" CET") || text.contains(" CEST"),
        "times in Europe/Madrid (summary.timezone): {text}"
    );
}
