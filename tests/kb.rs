//! The knowledge base as people use it: level 3 writes and edits, anyone searches and reads,
//! `/ticket open` suggests articles, `/ticket close kb:` links one.

mod common;

use chrono::Duration;
use common::*;
use tierdesk::domain::ArticleNumber;
use tierdesk::service::Reply;

async fn corpus(app: &TestApp) {
    let l3 = app.agent(3);
    for line in [
        r#"/kb write title:"VPN disconnects every hour" body:"Renew the client certificate; the VPN gateway drops expired ones." tags:vpn,network"#,
        r#"/kb write title:"Printer jams on tray 2" body:"Clean the rollers of tray 2 and use 80 g paper." tags:printer"#,
        r#"/kb write title:"Error de conexión a la VPN" body:"Si la conexión falla, reinicia el cliente VPN y revisa el certificado." tags:vpn,es"#,
        r#"/kb write title:"Slow laptop" body:"Check disk usage; a full disk or a VPN client update can slow it down." tags:laptop"#,
    ] {
        app.ok(&l3, line).await;
    }
}

fn hits(reply: &Reply) -> Vec<i64> {
    match reply {
        Reply::KbResults { hits, .. } => hits.iter().map(|h| h.number.0).collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn search_ranks_titles_first_and_ignores_accents() {
    each_backend(|| async {
        let app = spawn_app().await;
        corpus(&app).await;
        let anyone = app.requester();
        // "vpn" is in two titles and a third body: title matches come first.
        let vpn = hits(&app.ok(&anyone, "/kb search query:vpn").await.reply);
        assert_eq!(vpn.len(), 3, "{vpn:?}");
        assert_eq!(
            *vpn.last().unwrap(),
            4,
            "a match in the body only ranks last: {vpn:?}"
        );
        // Every word must match when some article has them all.
        assert_eq!(
            hits(
                &app.ok(&anyone, "/kb search query:\"printer tray\"")
                    .await
                    .reply
            ),
            [2]
        );
        // Accents and case do not matter, in either direction.
        assert_eq!(
            hits(&app.ok(&anyone, "/kb search query:conexion").await.reply),
            [3]
        );
        assert_eq!(
            hits(&app.ok(&anyone, "/kb search query:CONEXIÓN").await.reply),
            [3]
        );
        // Prefixes match: people type half words.
        assert_eq!(
            hits(&app.ok(&anyone, "/kb search query:certif").await.reply).len(),
            2
        );
        // When no article has every word, any word will do.
        assert_eq!(
            hits(
                &app.ok(&anyone, "/kb search query:\"printer toaster\"")
                    .await
                    .reply
            ),
            [2]
        );
        let none = app.ok(&anyone, "/kb search query:kubernetes").await.reply;
        assert!(hits(&none).is_empty());
        let text =
            tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En).reply(&none);
        assert!(text.contains("No article matches"), "{text}");
        // FTS syntax typed by a user is just words.
        assert!(app
            .run(&anyone, "/kb search query:\"vpn OR NEAR(\"")
            .await
            .is_ok());
    })
    .await;
}

#[tokio::test]
async fn write_edit_keep_history_and_show() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        let (l3, admin) = (app.agent(3), app.admin());
        let Reply::KbWritten(a) = app
            .ok(&l3, r#"/kb write title:"Reset MFA" body:"Ask the user for ID, then reset." tags:"MFA, Accounts, mfa""#)
            .await
            .reply
        else {
            panic!()
        };
        assert_eq!(a.number, ArticleNumber(1));
        assert_eq!(a.tags, ["mfa", "accounts"]);
        app.advance(Duration::hours(2));
        app.ok(
            &admin,
            "/kb edit article:KB-1 body:\"Verify ID by video call, then reset MFA.\"",
        )
        .await;
        assert!(app
            .refused(&admin, "/kb edit article:KB-1")
            .await
            .contains("Nothing to change"));
        assert!(app
            .refused(&admin, "/kb edit article:KB-9 title:x")
            .await
            .contains("no article KB-9"));

        let Reply::KbArticle { article, revisions } = app
            .ok(&app.requester(), "/kb show article:kb-1")
            .await
            .reply
        else {
            panic!()
        };
        assert_eq!(article.body, "Verify ID by video call, then reset MFA.");
        assert_eq!(article.updated_at, t0() + Duration::hours(2));
        assert_eq!(revisions.len(), 2);
        assert_eq!(
            (revisions[0].editor, revisions[1].editor),
            (l3.user, admin.user)
        );
        assert_eq!(
            revisions[0].body, "Ask the user for ID, then reset.",
            "the old text is kept"
        );
        // The old text is no longer found, the new one is.
        assert!(hits(&app.ok(&l3, "/kb search query:video").await.reply) == [1]);
        assert!(hits(&app.ok(&l3, "/kb search query:\"ask user\"").await.reply).is_empty());
    })
    .await;
}

#[tokio::test]
async fn only_level_three_and_admins_write() {
    each_backend(|| async {
        let app = spawn_app().await;
        for actor in [app.requester(), app.agent(1), app.agent(2), app.agent(4)] {
            let msg = app.refused(&actor, "/kb write title:x body:y").await;
            assert!(msg.contains("Only level 3 agents and admins"), "{msg}");
        }
        app.ok(&app.admin(), "/kb write title:x body:y").await;
        assert!(app
            .refused(&app.agent(2), "/kb edit article:1 title:z")
            .await
            .contains("Only level 3"));
        assert!(app
            .refused(&app.agent(3), "/kb write body:y")
            .await
            .contains("`title` is missing"));
        assert!(app
            .refused(&app.requester(), "/kb show article:abc")
            .await
            .contains("not an article reference"));
        assert!(app
            .refused(&app.requester(), "/kb show article:7")
            .await
            .contains("no article KB-7"));
    })
    .await;
}

#[tokio::test]
async fn an_article_from_a_closed_ticket_is_prefilled() {
    each_backend(|| async {
        let app = spawn_app().await;
        let (req, l1, l3) = (app.requester(), app.agent(1), app.agent(3));
        app.ok(&req, r#"/ticket open title:"Outlook keeps asking for password" details:"since the update" priority:high"#).await;
        let early = app.refused(&l3, "/kb write from_ticket:1").await;
        assert!(early.contains("is not closed"), "{early}");
        app.ok(&l1, r#"/ticket close ticket:1 resolution:"cleared cached credentials" root_cause:"stale token after update" fix_type:configuration"#).await;
        let Reply::KbWritten(a) = app
            .ok(&l3, "/kb write from_ticket:1 tags:outlook")
            .await
            .reply
        else {
            panic!()
        };
        assert_eq!(a.title, "Outlook keeps asking for password");
        assert_eq!(a.source_ticket, Some(tierdesk::domain::TicketNumber(1)));
        for part in [
            "since the update",
            "Resolution: cleared cached credentials",
            "Root cause: stale token",
            "Fix type: configuration",
        ] {
            assert!(a.body.contains(part), "missing {part} in {}", a.body);
        }
    })
    .await;
}

#[tokio::test]
async fn open_suggests_articles_and_close_records_the_link() {
    each_backend(|| async {
        let mut app = spawn_app().await;
        corpus(&app).await;
        let (req, l1) = (app.requester(), app.agent(1));
        let opened = app
            .ok(
                &req,
                r#"/ticket open title:"La VPN no conecta" details:"error de conexión desde casa""#,
            )
            .await;
        let Reply::Opened {
            ticket,
            suggestions,
            ..
        } = &opened.reply
        else {
            panic!()
        };
        assert!(!suggestions.is_empty() && suggestions.len() <= 3);
        assert_eq!(
            suggestions[0].number,
            ArticleNumber(3),
            "the Spanish article matches best"
        );
        assert_eq!(ticket.number.0, 1, "the ticket opens all the same");
        let text = tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En)
            .reply(&opened.reply);
        assert!(text.contains("KB-3 Error de conexión a la VPN"), "{text}");

        let quiet = app.ok(&req, "/ticket open title:\"Coffee machine\"").await;
        assert!(
            matches!(&quiet.reply, Reply::Opened { suggestions, .. } if suggestions.is_empty())
        );

        app.advance(Duration::hours(1));
        app.ok(
            &l1,
            "/ticket close ticket:1 resolution:\"restarted the client\" kb:KB-3",
        )
        .await;
        app.ok(&l1, "/ticket close ticket:2 resolution:descaled kb:KB-2")
            .await;
        let f = app
            .service
            .key_figures(app.now - Duration::days(7), app.now)
            .await
            .unwrap();
        assert_eq!(f.knowledge.solved_with_article, 2);
        assert_eq!(
            f.knowledge.suggested_at_open, 1,
            "only KB-3 had been suggested"
        );
    })
    .await;
}

#[tokio::test]
async fn titles_complete_as_typed() {
    each_backend(|| async {
        let app = spawn_app().await;
        corpus(&app).await;
        let titles =
            |v: Vec<(ArticleNumber, String)>| v.into_iter().map(|(n, _)| n.0).collect::<Vec<_>>();
        let complete = |typed: &'static str| {
            let service = app.service.clone();
            async move { titles(service.complete_articles(typed).await.unwrap()) }
        };
        assert_eq!(complete("vpn").await, [1, 3]);
        assert_eq!(complete("").await.len(), 4);
        assert!(complete("100%").await.is_empty());
        // Discord shows at most 25 choices.
        for i in 0..30 {
            app.ok(
                &app.agent(3),
                &format!("/kb write title:\"Runbook {i}\" body:\"steps\""),
            )
            .await;
        }
        assert_eq!(complete("").await.len(), 25);
    })
    .await;
}

#[tokio::test]
async fn characters_unaccent_expands_into_punctuation_break_neither_search_nor_open() {
    each_backend(|| async {
        let app = spawn_app().await;
        corpus(&app).await;
        let anyone = app.requester();
        // The word splitter keeps ⑴⑵ (digits to it); PostgreSQL's unaccent makes it `(1)(2)`.
        let opened = app
            .ok(
                &anyone,
                r#"/ticket open title:"Printer floor 2: steps ⑴⑵ fail""#,
            )
            .await;
        assert!(
            matches!(opened.reply, Reply::Opened { .. }),
            "{:?}",
            opened.reply
        );
        let found = hits(
            &app.ok(&anyone, r#"/kb search query:"⑴⑵ printer ½ ℃""#)
                .await
                .reply,
        );
        assert_eq!(found, [2], "the printer article, and no syntax error");
    })
    .await;
}
