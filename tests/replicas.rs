//! Several replicas on one database (SPEC §14), at the service: each interaction is taken
//! once, one replica delivers under a lease another takes over, configs that differ are named
//! key by key (and shown by `/health`); and the start-up refusals: a server that cannot be
//! reached, a database migrated by a newer tierdesk, a backup asked of PostgreSQL.

mod common;

use chrono::Duration;
use common::*;
use tierdesk::config::Config;
use tierdesk::service::Service;

/// Another replica on the database of `app`, running `config_text`.
async fn replica(app: &TestApp, config_text: &str) -> Service {
    let url = app.service.config.database_url.clone();
    let config = Config::parse(config_text, &move |k| {
        (k == "DATABASE_URL").then(|| url.clone())
    })
    .expect("valid test config");
    Service::connect(config).await.unwrap()
}

#[tokio::test]
async fn each_interaction_is_taken_by_one_replica() {
    each_backend(|| async {
        let app = spawn_app().await;
        let other = replica(&app, EXAMPLE).await;
        assert_ne!(app.service.replica_name(), other.replica_name());
        let id = 1_250_000_000_000_000_042;
        if app.backend == Backend::Sqlite {
            // One bot per SQLite file: nothing to share, nothing written.
            assert!(other.take_interaction(id, app.now).await.unwrap());
            assert!(app.service.take_interaction(id, app.now).await.unwrap());
            return;
        }
        assert!(other.take_interaction(id, app.now).await.unwrap());
        assert!(!app.service.take_interaction(id, app.now).await.unwrap());
        assert!(!other.take_interaction(id, app.now).await.unwrap());
        assert!(app.service.take_interaction(id + 1, app.now).await.unwrap());
        // A day later the record is pruned with the outbox: Discord never sends it again.
        let rows = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM interactions")
                .fetch_one(&app.db)
                .await
                .unwrap()
        };
        assert_eq!(rows().await, 2);
        app.service
            .prune_outbox(app.now + Duration::days(2))
            .await
            .unwrap();
        assert_eq!(rows().await, 0);
    })
    .await;
}

#[tokio::test]
async fn one_replica_delivers_and_another_takes_over_when_its_lease_lapses() {
    each_backend(|| async {
        let app = spawn_app().await;
        let (a, b) = (&app.service, replica(&app, EXAMPLE).await);
        let t = app.now;
        assert!(a.hold_delivery(t).await.unwrap());
        assert!(!b.hold_delivery(t).await.unwrap(), "a holds it");
        // a renews every two seconds: b never gets it while a lives.
        for s in [2, 4, 6, 8] {
            assert!(a.hold_delivery(t + Duration::seconds(s)).await.unwrap());
            assert!(!b.hold_delivery(t + Duration::seconds(s + 1)).await.unwrap());
        }
        let (holder, _) = b.delivery_holder().await.unwrap().unwrap();
        assert_eq!(holder, a.replica_name());
        // a is killed after its renewal at 8 s: b takes over once the lease ran out (13 s).
        assert!(!b.hold_delivery(t + Duration::seconds(13)).await.unwrap());
        assert!(b.hold_delivery(t + Duration::seconds(14)).await.unwrap());
        assert!(!a.hold_delivery(t + Duration::seconds(15)).await.unwrap());
        // A replica stopping lets the lease go: the other takes it at once.
        b.release_delivery().await.unwrap();
        assert!(a.hold_delivery(t + Duration::seconds(16)).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn replicas_with_different_configs_name_the_keys_and_health_shows_them() {
    each_backend(|| async {
        const EXAMPLE: &str = concat!(
            include_str!("../bot.toml.example"),
            "\n[http]\nlisten = \"127.0.0.1:0\"\ndashboard_token = \"health-key-0123\"\n"
        );
        let app = spawn_app_with(EXAMPLE).await;
        let same = replica(&app, EXAMPLE).await;
        let changed_text = EXAMPLE.replacen("timezone = ", "# a comment\ntimezone    = ", 1);
        assert_eq!(
            Config::parse(&changed_text, &|_| None).map(|c| c.fingerprint.digest),
            Config::parse(EXAMPLE, &|_| None).map(|c| c.fingerprint.digest),
            "comments and layout are not a difference"
        );
        let t = app.now;
        assert_eq!(
            app.service.check_config(t, true).await.unwrap(),
            Some(vec![])
        );
        assert_eq!(same.check_config(t, true).await.unwrap(), Some(vec![]));

        let halfway =
            EXAMPLE.replacen("timezone = ", "timezone = \"America/New_York\"\n# was: ", 1);
        assert_ne!(halfway, EXAMPLE, "the example names a summary timezone");
        let newer = replica(&app, &halfway).await;
        let drift = newer.check_config(t, true).await.unwrap().unwrap();
        assert_eq!(drift.len(), 2, "{drift:?}");
        assert!(
            drift.iter().all(|d| d.keys == ["summary.timezone"]),
            "{drift:?}"
        );
        // The others see it at their next hourly check, not before.
        assert_eq!(
            app.service
                .check_config(t + Duration::minutes(5), false)
                .await
                .unwrap(),
            None
        );
        let seen = app
            .service
            .check_config(t + Duration::hours(1), false)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].replica, newer.replica_name());
        assert_eq!(seen[0].keys, ["summary.timezone"]);

        let (base, _stop) = serve_http(&app).await;
        let health = |key: Option<&'static str>| {
            let mut req = reqwest::Client::new().get(format!("{base}/health"));
            if let Some(key) = key {
                req = req.bearer_auth(key);
            }
            async move {
                let text = req.send().await.unwrap().text().await.unwrap();
                serde_json::from_str::<serde_json::Value>(&text).unwrap()
            }
        };
        // Anyone sees the status; only the key holder which host and process run, what
        // failed at start and which keys differ.
        for key in [None, Some("wrong-key")] {
            let public = health(key).await;
            assert_eq!(public["database"], "ok");
            assert!(public.get("replicas").is_none(), "{public}");
            assert!(public.get("failed_checks").is_none(), "{public}");
        }
        let body = health(Some("health-key-0123")).await;
        let differs = &body["replicas"]["config_differs"];
        assert_eq!(differs[0]["replica"], newer.replica_name(), "{body}");
        assert_eq!(differs[0]["differing_keys"][0], "summary.timezone");
        assert_eq!(body["replicas"]["this"], app.service.replica_name());
    })
    .await;
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_tierdesk_is_refused() {
    each_backend(|| async {
        let app = spawn_app().await;
        let future = match app.backend {
            Backend::Sqlite => {
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                 execution_time) VALUES (29991231000001, 'from the future', 1, X'00', 0)"
            }
            Backend::Postgres => {
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                 execution_time) VALUES (29991231000001, 'from the future', TRUE, '\\x00', 0)"
            }
        };
        sqlx::query(future).execute(&app.db).await.unwrap();
        let err = Service::connect((*app.service.config).clone())
            .await
            .err()
            .expect("a newer schema is refused");
        let message = format!("{err:#}");
        assert!(message.contains("newer tierdesk"), "{message}");
        assert!(message.contains("29991231000001"), "{message}");
    })
    .await;
}

#[tokio::test]
async fn backup_of_postgresql_points_to_pg_dump() {
    each_backend(|| async {
        let app = spawn_app().await;
        let target = app.dir.path().join("copy.db");
        match app.backend {
            Backend::Sqlite => app.service.backup(&target).await.unwrap(),
            Backend::Postgres => {
                let err = app.service.backup(&target).await.unwrap_err().to_string();
                assert!(err.contains("pg_dump"), "{err}");
                assert!(!target.exists());
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_postgresql_server_that_cannot_be_reached_is_named_with_the_cause() {
    // Port 1 on loopback: nothing listens there, on any machine.
    let url = "postgres://tierdesk:secret@127.0.0.1:1/desk";
    let config = Config::parse(EXAMPLE, &move |k| {
        (k == "DATABASE_URL").then(|| url.to_owned())
    })
    .unwrap();
    let err = Service::connect(config)
        .await
        .err()
        .expect("no server there");
    let message = format!("{err:#}");
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(message.contains("desk"), "{message}");
    assert!(message.to_lowercase().contains("refused"), "{message}");
    assert!(
        !message.contains("secret"),
        "the password stays out: {message}"
    );
}
