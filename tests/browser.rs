//! The dashboard in a real browser (SPEC §13): headless Chromium, driven over WebDriver by
//! chromedriver (Debian's `chromium` and `chromium-driver`), opens the dashboard of a seeded
//! database, gives the key in the form, and reads the queue tables as a person would see
//! them; no JavaScript of ours runs. With `TIERDESK_WRITE_SCREENSHOTS=1` it also writes the
//! README's pictures to `docs/`.
//!
//! Skipped, with a notice, where chromedriver is not installed; `TIERDESK_TEST_BROWSER=1`
//! (set by `.ci/run`) makes a missing browser a failure instead.
mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use chrono::Duration as Span;
use common::*;
use serde_json::{json, Value};

const KEY: &str = "browser-key-4711";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The W3C name of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether the browser is here; panics when CI asked for it and it is not.
fn browser_available() -> bool {
    let here =
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    let required = std::env::var("TIERDESK_TEST_BROWSER").is_ok_and(|v| v == "1");
    assert!(here || !required, "TIERDESK_TEST_BROWSER=1 but {CHROMEDRIVER} or {CHROMIUM} is missing: apt-get install chromium chromium-driver");
    if !here {
        eprintln!("NOTICE: browser test skipped: {CHROMEDRIVER} not installed (apt-get install chromium chromium-driver)");
    }
    here
}

/// A chromedriver process, killed when dropped.
struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `body` as JSON (none when null) and reads the JSON answer.
async fn send_json(req: reqwest::RequestBuilder, body: &Value) -> Value {
    let req = if body.is_null() {
        req
    } else {
        req.header("content-type", "application/json")
            .body(body.to_string())
    };
    let text = req.send().await.unwrap().text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// One browser session over WebDriver.
struct Browser {
    client: reqwest::Client,
    session: String,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

async fn start_browser() -> Browser {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        let ready = client.get(format!("{}/status", driver.base)).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    // The flags the machine's notes ask for: no sandbox as root, and no background traffic
    // to hosts this closed network refuses.
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--window-size=1100,760".to_owned(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let caps = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    } } });
    let answer = send_json(client.post(format!("{}/session", driver.base)), &caps).await;
    let session = answer["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {answer}"))
        .to_owned();
    Browser {
        client,
        session: format!("{}/session/{session}", driver.base),
        _driver: driver,
        _profile: profile,
    }
}

impl Browser {
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let req = self
            .client
            .request(method, format!("{}{path}", self.session));
        let answer = send_json(req, &body).await;
        assert!(
            answer["value"]["error"].is_null(),
            "WebDriver {path}: {answer}"
        );
        answer["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    async fn url(&self) -> String {
        let v = self.call(reqwest::Method::GET, "/url", Value::Null).await;
        v.as_str()
            .unwrap_or_else(|| panic!("no url: {v}"))
            .to_owned()
    }

    async fn find_all(&self, css: &str) -> Vec<String> {
        let found = self
            .call(
                reqwest::Method::POST,
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        (found.as_array().unwrap().iter())
            .map(|e| {
                e[ELEMENT]
                    .as_str()
                    .unwrap_or_else(|| panic!("{found}"))
                    .to_owned()
            })
            .collect()
    }

    async fn find(&self, css: &str) -> String {
        let all = self.find_all(css).await;
        all.into_iter().next().unwrap_or_else(|| panic!("no {css}"))
    }

    async fn text(&self, element: &str) -> String {
        let path = format!("/element/{element}/text");
        let v = self.call(reqwest::Method::GET, &path, Value::Null).await;
        v.as_str().unwrap().to_owned()
    }

    async fn type_into(&self, element: &str, text: &str) {
        let path = format!("/element/{element}/value");
        self.call(reqwest::Method::POST, &path, json!({ "text": text }))
            .await;
    }

    async fn click(&self, element: &str) {
        let path = format!("/element/{element}/click");
        self.call(reqwest::Method::POST, &path, json!({})).await;
    }

    async fn screenshot(&self) -> Vec<u8> {
        let v = self
            .call(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    }

    async fn quit(&self) {
        let _ = self.client.delete(&self.session).send().await;
    }
}

/// A help desk's week: a ticket a day, two escalated, one acknowledged at each of two levels,
/// one closed.
async fn seeded() -> TestApp {
    let config =
        format!("{EXAMPLE}\n[http]\nlisten = \"127.0.0.1:0\"\ndashboard_token = \"{KEY}\"\n");
    let mut app = spawn_app_with(&config).await;
    let (req, l1, l2) = (app.requester(), app.agent(1), app.agent(2));
    let opened = [
        ("VPN drops every 10 minutes", "high"),
        ("Printer on floor 3 jams", "low"),
        ("Storage array degraded on db-2", "critical"),
        ("New starter needs a laptop", "normal"),
        ("Outlook asks for the password again", "normal"),
        ("Payroll export fails", "high"),
    ];
    // The dashboard reads the wall clock: the week ends now.
    app.now = chrono::Utc::now() - Span::days(6);
    for (title, priority) in opened {
        app.ok(
            &req,
            &format!("/ticket open title:\"{title}\" priority:{priority}"),
        )
        .await;
        app.advance(Span::hours(23));
    }
    app.ok(&l1, "/ticket ack ticket:1").await;
    app.ok(&l1, r#"/ticket escalate ticket:3 reason:"controller fault" attempts:"rescanned the bus, failed over" impact:"billing is down""#)
        .await;
    app.ok(&l1, r#"/ticket escalate ticket:6 reason:"export job crashes" attempts:"reran it twice" impact:"payday on Friday""#)
        .await;
    app.ok(&l2, "/ticket ack ticket:3").await;
    app.ok(&l1, "/ticket close ticket:2 resolution:\"cleared the jam\"")
        .await;
    app
}

#[tokio::test]
async fn chromium_reads_the_queues_after_giving_the_key() {
    if !browser_available() {
        return;
    }
    let app = seeded().await;
    let (base, _stop) = serve_http(&app).await;
    let browser = start_browser().await;

    browser.go(&format!("{base}/")).await;
    assert!(
        browser.url().await.starts_with(&format!("{base}/login")),
        "the key is asked first"
    );
    let key = browser.find("input[name=token]").await;
    browser.type_into(&key, KEY).await;
    let open = browser.find("button[type=submit]").await;
    browser.click(&open).await;
    // The form's answer is a redirect: wait for the browser to have followed it.
    let mut at = browser.url().await;
    for _ in 0..100 {
        if at == format!("{base}/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        at = browser.url().await;
    }
    assert_eq!(at, format!("{base}/"), "back where it started");
    for _ in 0..100 {
        if !browser.find_all("#level-3").await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut rows = Vec::new();
    for row in browser.find_all("table.queue tbody tr").await {
        rows.push(browser.text(&row).await);
    }
    assert_eq!(rows.len(), 5, "five open tickets: {rows:#?}");
    assert!(
        rows[0].starts_with("#1 VPN drops every 10 minutes high acknowledged"),
        "{rows:#?}"
    );
    assert!(rows
        .iter()
        .any(|r| r.starts_with("#3 Storage array degraded on db-2 critical")));
    assert!(!rows.iter().any(|r| r.contains("Printer")), "closed");
    let level2 = browser.find("#level-2 h2").await;
    assert_eq!(
        browser.text(&level2).await,
        "Level 2 · Technical support (2 open)"
    );

    let picture = browser.screenshot().await;
    let reader = png::Decoder::new(std::io::Cursor::new(&picture))
        .read_info()
        .unwrap();
    assert!(reader.info().width >= 1000);
    if std::env::var("TIERDESK_WRITE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join("dashboard.png"), &picture).unwrap();
        let history = app.service.history(app.now).await.unwrap();
        let text = tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En);
        std::fs::write(
            docs.join("summary-chart.png"),
            text.chart_png(&history).unwrap(),
        )
        .unwrap();
    }
    browser.quit().await;
}
