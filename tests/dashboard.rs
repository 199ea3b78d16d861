//! The dashboard as a browser meets it (SPEC §13), served on loopback over a real database:
//! the key form and its cookie, the queues a page at a time, a ticket's public timeline, the
//! key figures and the chart; titles escaped, internal notes never shown.
mod common;

use common::*;
use tokio::sync::watch;

const KEY: &str = "open-sesame-0123";

fn config(token: Option<&str>) -> String {
    let mut text = format!("{EXAMPLE}\n[http]\nlisten = \"127.0.0.1:0\"\n");
    if let Some(t) = token {
        text.push_str(&format!("dashboard_token = \"{t}\"\n"));
    }
    text
}

/// The dashboard of `app`, served until dropped.
struct Dashboard {
    base: String,
    client: reqwest::Client,
    _stop: watch::Sender<bool>,
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

async fn serve(app: &TestApp) -> Dashboard {
    let (base, stop) = serve_http(app).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Dashboard {
        base,
        client,
        _stop: stop,
    }
}

impl Dashboard {
    async fn send(&self, req: reqwest::RequestBuilder) -> Page {
        let resp = req.send().await.unwrap();
        Page {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            body: resp.text().await.unwrap(),
        }
    }

    /// A page as a browser without the key sees it.
    async fn anonymous(&self, path: &str) -> Page {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    /// A page as a browser holding the key's cookie sees it.
    async fn get(&self, path: &str) -> Page {
        self.get_in(path, "en-US").await
    }

    async fn get_in(&self, path: &str, language: &str) -> Page {
        let req = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("theme=dark; tierdesk_dashboard={KEY}"))
            .header("accept-language", language);
        self.send(req).await
    }

    async fn login(&self, token: &str, next: &str) -> Page {
        let req = self
            .client
            .post(format!("{}/login", self.base))
            .form(&[("token", token), ("next", next)]);
        self.send(req).await
    }
}

/// How many rows the queue tables of a page have.
fn rows(body: &str) -> usize {
    body.matches("<tr><td><a href=\"/tickets/").count()
}

#[tokio::test]
async fn the_key_is_asked_once_and_kept_in_a_strict_cookie() {
    each_backend(|| async {
        let app = spawn_app_with(&config(Some(KEY))).await;
        let dash = serve(&app).await;

        let page = dash.anonymous("/tickets/1").await;
        assert_eq!(
            page.status, 303,
            "a browser without the key goes to the form"
        );
        assert_eq!(page.header("location"), "/login?next=%2Ftickets%2F1");
        let form = dash.anonymous("/login?next=/tickets/1").await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains(r#"<input type="password" name="token""#));
        assert!(form.body.contains(r#"name="next" value="/tickets/1""#));

        let wrong = dash.login("open-sesame", "/figures").await;
        assert_eq!(wrong.status, 401);
        assert!(wrong.body.contains("That key does not open the dashboard"));
        assert!(wrong.header("set-cookie").is_empty());

        let right = dash.login(KEY, "/figures").await;
        assert_eq!(right.status, 303);
        assert_eq!(right.header("location"), "/figures");
        let cookie = right.header("set-cookie");
        assert!(
            cookie.starts_with(&format!("tierdesk_dashboard={KEY};")),
            "{cookie}"
        );
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );

        assert_eq!(
            dash.get("/").await.status,
            200,
            "the cookie opens every page"
        );
        let elsewhere = dash.login(KEY, "//evil.example/").await;
        assert_eq!(
            elsewhere.header("location"),
            "/",
            "never sent to another site"
        );
        // Forms browsers turn into `//evil.example`, or that cannot go in a header.
        for next in [
            "/\t/evil.example",
            "/\\evil.example",
            "/\n/evil.example",
            "/ /x",
            "/é",
        ] {
            let elsewhere = dash.login(KEY, next).await;
            assert_eq!(elsewhere.status, 303, "{next:?} still logs in");
            assert_eq!(elsewhere.header("location"), "/", "{next:?}");
        }
        let encoded = dash
            .send(
                dash.client
                    .get(format!("{}/login?next=/%09/evil.example", dash.base)),
            )
            .await;
        assert!(
            encoded.body.contains(r#"name="next" value="/""#),
            "the form never carries the tab form on"
        );
        let forged = dash
            .send(
                dash.client
                    .get(format!("{}/", dash.base))
                    .header("cookie", "tierdesk_dashboard=open-sesame-0124"),
            )
            .await;
        assert_eq!(forged.status, 303, "a near miss is no key");
    })
    .await;
}

#[tokio::test]
async fn without_a_key_the_dashboard_is_off() {
    each_backend(|| async {
        let app = spawn_app_with(&config(None)).await;
        let dash = serve(&app).await;
        for path in ["/", "/login", "/figures", "/chart.svg", "/tickets/1"] {
            let page = dash.get(path).await;
            assert_eq!(page.status, 404, "{path}");
            assert!(
                page.body.contains("dashboard_token"),
                "{path}: {}",
                page.body
            );
        }
        assert_eq!(dash.login(KEY, "/").await.status, 404);
        let health = dash.get("/health").await;
        assert!(
            health.body.contains(r#""database":"ok""#),
            "the rest of the listener is on: {}",
            health.body
        );
    })
    .await;
}

#[tokio::test]
async fn the_queues_show_each_level_with_titles_escaped() {
    each_backend(|| async {
        let app = spawn_app_with(&config(Some(KEY))).await;
        let (req, l1) = (app.requester(), app.agent(1));
        app.ok(
            &req,
            r#"/ticket open title:"<script>alert(1)</script>" priority:high"#,
        )
        .await;
        app.ok(&req, r#"/ticket open title:"Disk array degraded""#)
            .await;
        app.ok(&req, r#"/ticket open title:"Printer jam""#).await;
        app.ok(&l1, r#"/ticket escalate ticket:2 reason:"storage fault" attempts:"rescanned the bus, rebooted db-2" impact:"billing is down""#)
            .await;
        app.ok(&l1, "/ticket close ticket:3 resolution:fixed").await;
        let dash = serve(&app).await;

        let page = dash.get("/").await;
        assert_eq!(page.status, 200);
        assert!(page.header("content-type").starts_with("text/html"));
        assert!(page
            .header("content-security-policy")
            .contains("default-src 'none'"));
        assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.body.contains("<script>"), "no user text runs");
        let level = |n: &str| {
            let start = page.body.find(&format!("id=\"level-{n}\"")).unwrap();
            let end = page.body[start..].find("</section>").unwrap();
            page.body[start..start + end].to_owned()
        };
        assert!(level("1").contains("Level 1 · Service desk (1 open)"));
        assert!(level("1").contains("&lt;script&gt;") && !level("1").contains("Disk array"));
        assert!(level("2").contains("Disk array degraded"));
        assert!(level("3").contains("No open tickets at this level."));
        assert!(
            !page.body.contains("Printer jam"),
            "closed tickets are not in a queue"
        );
        assert_eq!(rows(&page.body), 2);
        for column in [
            "Ticket", "Title", "Priority", "Status", "Age", "Deadline", "Assignee",
        ] {
            assert!(
                page.body.contains(&format!("<th>{column}</th>")),
                "{column}"
            );
        }
        assert!(page.body.contains("<td>high</td>"));

        let spanish = dash.get_in("/", "es-ES,es;q=0.9").await;
        assert!(spanish.body.contains("Tickets abiertos por nivel"));
        assert!(spanish.body.contains("<th>Prioridad</th>"));
    })
    .await;
}

#[tokio::test]
async fn a_ticket_page_shows_the_public_timeline_and_never_an_internal_note() {
    each_backend(|| async {
        let app = spawn_app_with(&config(Some(KEY))).await;
        let (req, l1) = (app.requester(), app.agent(1));
        app.ok(
            &req,
            r#"/ticket open title:"VPN down" details:"since 9 <b>sharp</b>""#,
        )
        .await;
        app.ok(
            &l1,
            r#"/ticket note ticket:1 text:"rebooted the gateway" internal:false"#,
        )
        .await;
        app.ok(
            &l1,
            r#"/ticket note ticket:1 text:"admin password is hunter2""#,
        )
        .await;
        let dash = serve(&app).await;

        let page = dash.get("/tickets/1").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("#1 VPN down"));
        assert!(page.body.contains("since 9 &lt;b&gt;sharp&lt;/b&gt;"));
        assert!(page.body.contains("rebooted the gateway"));
        assert!(
            !page.body.contains("hunter2"),
            "internal notes stay inside Discord"
        );
        assert!(page.body.contains(r#"<a href="/?level=1">"#));

        assert_eq!(dash.get("/tickets/99").await.status, 404);
        assert_eq!(dash.get("/tickets/abc").await.status, 404);
        let queue = dash.get("/").await;
        assert!(queue.body.contains(r#"<a href="/tickets/1">VPN down</a>"#));
    })
    .await;
}

#[tokio::test]
async fn a_long_queue_comes_a_page_at_a_time() {
    each_backend(|| async {
        let app = spawn_app_with(&config(Some(KEY))).await;
        let req = app.requester();
        for i in 0..120 {
            app.ok(&req, &format!("/ticket open title:\"Ticket {i:03}\""))
                .await;
        }
        let dash = serve(&app).await;

        let first = dash.get("/?level=1").await;
        assert_eq!(rows(&first.body), 50);
        assert!(first.body.contains("page 1 of 3"));
        assert!(first.body.contains(r#"href="/?level=1&amp;page=2""#));
        assert!(first.body.contains("Ticket 000") && !first.body.contains("Ticket 050"));
        let last = dash.get("/?level=1&page=3").await;
        assert_eq!(rows(&last.body), 20);
        assert!(last.body.contains("Ticket 119") && last.body.contains("page 3 of 3"));
        assert!(!last.body.contains("rel=\"next\""));
        assert_eq!(dash.get("/?level=9").await.status, 404);
        assert_eq!(
            dash.get("/?level=4").await.status,
            404,
            "level 4 owns no tickets"
        );
        assert_eq!(dash.get("/?level=1&page=abc").await.status, 400);
    })
    .await;
}

#[tokio::test]
async fn the_figures_page_carries_the_chart() {
    each_backend(|| async {
        let app = spawn_app_with(&config(Some(KEY))).await;
        app.ok(&app.requester(), r#"/ticket open title:"VPN down""#)
            .await;
        let dash = serve(&app).await;

        let page = dash.get("/figures").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(r#"<img class="chart" src="/chart.svg""#));
        assert!(page.body.contains("Last 7 days"));
        let chart = dash.get("/chart.svg").await;
        assert_eq!(chart.status, 200);
        assert_eq!(chart.header("content-type"), "image/svg+xml");
        assert!(chart.body.starts_with("<svg"));
        assert!(chart.body.contains("Level 1 · Service desk"));
        assert!(chart.body.contains("Median time to resolution per day"));
        let spanish = dash.get_in("/chart.svg", "es").await;
        assert!(spanish.body.contains("Tickets abiertos por nivel"));
        assert_eq!(dash.anonymous("/chart.svg").await.status, 303);
    })
    .await;
}

#[tokio::test]
async fn a_page_that_cannot_be_read_says_so_without_the_cause() {
    each_backend(|| async {
        let app = spawn_app_with(&config(Some(KEY))).await;
        app.ok(&app.requester(), r#"/ticket open title:"VPN down""#)
            .await;
        // A timeline entry this version cannot read (written by hand, as a broken tool might).
        sqlx::query(
            "INSERT INTO events (ticket_id, guild_id, at, kind, level, details) \
             SELECT id, guild_id, opened_at, 'mystery', 1, '{not json' FROM tickets",
        )
        .execute(&app.db)
        .await
        .unwrap();
        let dash = serve(&app).await;
        let page = dash.get("/tickets/1").await;
        assert_eq!(page.status, 500);
        assert!(
            page.body.contains("the cause is in the bot's log"),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("not json"),
            "the cause stays in the log"
        );
        assert_eq!(
            dash.get("/").await.status,
            200,
            "the queues do not read timelines"
        );
    })
    .await;
}
