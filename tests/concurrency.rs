//! Many writers on one database file: 64 concurrent writers, two of the connections' pools
//! as two processes would have them, 2,000 operations, no errors, counts that add up.

mod common;

use std::sync::Arc;

use common::*;
use tierdesk::command;
use tierdesk::service::{Context, Reply, Service};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_writers_two_thousand_operations() {
    each_backend(|| async {
        let app = spawn_app().await;
        let url = app.service.config.database_url.clone();
        // A second service on the same file, as the console next to the bot would be.
        let other = Service::connect(config(&url)).await.unwrap();
        let services = Arc::new([app.service.clone(), other]);
        let guild = app.service.config.discord.guild_id;
        let now = app.now;

        const WRITERS: usize = 64;
        const OPERATIONS: usize = 2000;
        let mut handles = Vec::new();
        for w in 0..WRITERS {
            let services = services.clone();
            let ops = OPERATIONS / WRITERS + usize::from(w < OPERATIONS % WRITERS);
            let agent = services[0].actor(tierdesk::domain::UserId(10_000 + w as u64), &[L1_ROLE]);
            handles.push(tokio::spawn(async move {
                let service = &services[w % 2];
                let ctx = Context {
                    guild,
                    actor: agent,
                    now,
                };
                let mut errors = Vec::new();
                let mut number = 0;
                for i in 0..ops {
                    let line = match i % 4 {
                        0 => format!("/ticket open title:\"writer {w} op {i}\""),
                        1 => format!("/ticket ack ticket:{number}"),
                        2 => format!("/ticket note ticket:{number} text:\"checked\""),
                        _ => format!("/ticket close ticket:{number} resolution:done"),
                    };
                    let cmd = command::parse(command::parse_line(&line).unwrap()).unwrap();
                    match service.execute(&ctx, cmd).await {
                        Ok(o) => {
                            if let Reply::Opened { ticket: t, .. } = o.reply {
                                number = t.number.0;
                            }
                        }
                        Err(e) => errors.push(format!("{line}: {e:?}")),
                    }
                }
                (ops, errors)
            }));
        }
        let (mut opens, mut acks, mut notes, mut closes) = (0i64, 0i64, 0i64, 0i64);
        for h in handles {
            let (ops, errors) = h.await.unwrap();
            assert!(errors.is_empty(), "{errors:?}");
            for i in 0..ops {
                match i % 4 {
                    0 => opens += 1,
                    1 => acks += 1,
                    2 => notes += 1,
                    _ => closes += 1,
                }
            }
        }
        assert_eq!(opens + acks + notes + closes, OPERATIONS as i64);
        let (tickets, events, _) = app.counts().await;
        assert_eq!(tickets, opens);
        // open → opened + paged; ack, note and close → one event each.
        assert_eq!(events, 2 * opens + acks + notes + closes);
        let db = &app.db;
        let closed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE status = 'closed'")
                .fetch_one(db)
                .await
                .unwrap();
        assert_eq!(closed, closes);
        let numbers: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT number) FROM tickets")
            .fetch_one(db)
            .await
            .unwrap();
        assert_eq!(numbers, opens, "ticket numbers are unique");
    })
    .await;
}
