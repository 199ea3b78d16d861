//! The permission matrix of SPEC §1 and §3: every command, as the requester, an agent of
//! each level and an admin, on a ticket owned by level 1 and by level 3.

mod common;

use common::*;
use tierdesk::domain::rules::Actor;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Requester,
    Stranger,
    L1,
    L2,
    L3,
    Admin,
}

impl Who {
    const ALL: [Who; 6] = [
        Who::Requester,
        Who::Stranger,
        Who::L1,
        Who::L2,
        Who::L3,
        Who::Admin,
    ];

    fn actor(self, app: &TestApp) -> Actor {
        match self {
            Who::Requester => app.requester(),
            Who::Stranger => app.member(9999, &[]),
            Who::L1 => app.agent(1),
            Who::L2 => app.agent(2),
            Who::L3 => app.agent(3),
            Who::Admin => app.admin(),
        }
    }

    /// The level the member acts as, if any.
    fn level(self) -> Option<u8> {
        match self {
            Who::Requester | Who::Stranger => None,
            Who::L1 => Some(1),
            Who::L2 => Some(2),
            Who::L3 => Some(3),
            Who::Admin => Some(4),
        }
    }

    fn is_agent(self) -> bool {
        self.level().is_some()
    }
}

/// A fresh app with ticket #1 owned by `level` (and closed when `closed`).
async fn app_with_ticket(level: u8, closed: bool) -> TestApp {
    let app = spawn_app().await;
    app.ok(&app.requester(), "/ticket open title:\"Matrix\" details:d")
        .await;
    let admin = app.admin();
    if level >= 2 {
        app.ok(
            &admin,
            "/ticket escalate ticket:1 reason:r attempts:a impact:i",
        )
        .await;
    }
    if level >= 3 {
        app.ok(
            &admin,
            "/ticket escalate ticket:1 reason:r attempts:a impact:i error:e",
        )
        .await;
    }
    if closed {
        app.ok(&admin, "/ticket close ticket:1 resolution:done")
            .await;
    }
    app
}

#[tokio::test]
async fn every_command_for_every_member() {
    each_backend(|| async {
        // (command, allowed for whom, given the owning level of ticket #1)
        type Rule = fn(Who, u8) -> bool;
        let act: Rule = |w, lvl| w.level().is_some_and(|l| l >= lvl);
        let cases: Vec<(&str, bool, Rule)> = vec![
            ("/ticket ack ticket:1", false, act),
            ("/ticket assign ticket:1", false, act),
            ("/ticket priority ticket:1 priority:low", false, act),
            ("/ticket close ticket:1 resolution:fixed", false, act),
            ("/ticket return ticket:1 reason:missing_info note:n", false, |w, lvl| {
                lvl > 1 && w.level().is_some_and(|l| l >= lvl)
            }),
            ("/ticket escalate ticket:1 reason:r attempts:a impact:i error:e vendor:\"Acme Storage\" vendor_reason:warranty", false, |w, lvl| {
                // To the vendor only level 3 (and admins); below, any agent at or above the owner.
                if lvl == 3 {
                    matches!(w, Who::L3 | Who::Admin)
                } else {
                    w.level().is_some_and(|l| l >= lvl)
                }
            }),
            ("/ticket note ticket:1 text:hello internal:false", false, |w, _| {
                w == Who::Requester || w.is_agent()
            }),
            ("/ticket show ticket:1", false, |w, _| w == Who::Requester || w.is_agent()),
            ("/ticket reopen ticket:1 reason:again", true, |w, _| w == Who::Requester || w.is_agent()),
            ("/ticket rate ticket:1 score:5", true, |w, _| w == Who::Requester),
            ("/queue", false, |w, _| w.is_agent()),
            ("/stats", false, |w, _| w.is_agent()),
            ("/summary", false, |w, _| w == Who::Admin),
            ("/kb write title:t body:b", false, |w, _| matches!(w, Who::L3 | Who::Admin)),
            ("/kb search query:matrix", false, |_, _| true),
            ("/ticket open title:x level:2", false, |w, _| w.level().is_some_and(|l| l >= 2)),
        ];
        let mut wrong = Vec::new();
        for level in [1u8, 3] {
            for (line, closed, allowed) in &cases {
                for who in Who::ALL {
                    let app = app_with_ticket(level, *closed).await;
                    let result = app.run(&who.actor(&app), line).await;
                    let expected = allowed(who, level);
                    if result.is_ok() != expected {
                        wrong.push(format!(
                            "level {level} · {who:?} · {line}: expected {}, got {:?}",
                            if expected { "allowed" } else { "refused" },
                            result.map(|_| "allowed").map_err(|e| e.user_message())
                        ));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    })
    .await;
}
