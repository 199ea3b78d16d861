//! Answering an interaction within Discord's three seconds: the work runs, and when it is not
//! done after `DEFER_AFTER` the interaction is deferred ("tierdesk is thinking…") and the
//! answer replaces the deferral once the work is done. A private answer after a public
//! deferral goes as a private follow-up, the deferral deleted. The first answer goes back the
//! way the interaction came: through the REST callback for a gateway interaction, as the
//! response body for an HTTP one (`Out`); everything after it through REST.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use serenity::all::{
    CommandInteraction, ComponentInteraction, CreateInteractionResponse,
    CreateInteractionResponseFollowup, EditInteractionResponse, Http, ModalInteraction,
};

use super::respond::{self, Answer};

/// How long the work may take before the interaction is deferred (Discord allows 3 s, and
/// the answer still has to travel).
pub const DEFER_AFTER: Duration = Duration::from_millis(1500);

/// Where an interaction's answers go.
pub struct Out {
    pub http: Arc<Http>,
    /// For an HTTP interaction, the first answer, as the response body; taken once.
    first: Mutex<Option<oneshot::Sender<CreateInteractionResponse>>>,
}

impl Out {
    /// Every answer through Discord's REST API (gateway interactions).
    pub fn rest(http: Arc<Http>) -> Out {
        Out {
            http,
            first: Mutex::new(None),
        }
    }

    /// The first answer to the receiver (to be sent as the HTTP response body), the rest
    /// through REST.
    pub fn body(http: Arc<Http>) -> (Out, oneshot::Receiver<CreateInteractionResponse>) {
        let (tx, rx) = oneshot::channel();
        let out = Out {
            http,
            first: Mutex::new(Some(tx)),
        };
        (out, rx)
    }

    fn take_first(&self) -> Option<oneshot::Sender<CreateInteractionResponse>> {
        self.first.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// The interaction being answered.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    Command(&'a CommandInteraction),
    Component(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
}

impl Target<'_> {
    /// Discord's id of the interaction: the same id arriving twice is the same interaction.
    pub fn id(self) -> u64 {
        match self {
            Target::Command(c) => c.id.get(),
            Target::Component(c) => c.id.get(),
            Target::Modal(m) => m.id.get(),
        }
    }

    /// The guild the interaction came from, if any.
    pub fn guild(self) -> Option<u64> {
        match self {
            Target::Command(c) => c.guild_id,
            Target::Component(c) => c.guild_id,
            Target::Modal(m) => m.guild_id,
        }
        .map(|g| g.get())
    }

    /// The interaction's first answer: as the HTTP response body when there is one waiting
    /// for it, else through the REST callback.
    pub async fn respond(self, out: &Out, r: CreateInteractionResponse) -> serenity::Result<()> {
        if let Some(body) = out.take_first() {
            return body.send(r).map_err(|_| {
                serenity::Error::Other("the HTTP request of the interaction is gone")
            });
        }
        let http = &*out.http;
        match self {
            Target::Command(c) => c.create_response(http, r).await,
            Target::Component(c) => c.create_response(http, r).await,
            Target::Modal(m) => m.create_response(http, r).await,
        }
    }

    async fn edit(self, http: &Http, e: EditInteractionResponse) -> serenity::Result<()> {
        match self {
            Target::Command(c) => c.edit_response(http, e).await.map(drop),
            Target::Component(c) => c.edit_response(http, e).await.map(drop),
            Target::Modal(m) => m.edit_response(http, e).await.map(drop),
        }
    }

    async fn delete(self, http: &Http) -> serenity::Result<()> {
        match self {
            Target::Command(c) => c.delete_response(http).await,
            Target::Component(c) => c.delete_response(http).await,
            Target::Modal(m) => m.delete_response(http).await,
        }
    }

    async fn followup(
        self,
        http: &Http,
        f: CreateInteractionResponseFollowup,
    ) -> serenity::Result<()> {
        match self {
            Target::Command(c) => c.create_followup(http, f).await.map(drop),
            Target::Component(c) => c.create_followup(http, f).await.map(drop),
            Target::Modal(m) => m.create_followup(http, f).await.map(drop),
        }
    }
}

/// Runs `work` and answers with what it returns, deferring first if it takes longer than
/// `DEFER_AFTER`. `private` says whether a deferral is shown to the member alone. Work that
/// returns `None` answers nothing (another replica took the interaction: it answers, or
/// replaces this replica's deferral with its answer).
pub async fn in_time(
    out: &Out,
    target: Target<'_>,
    private: bool,
    work: impl Future<Output = Option<Answer>>,
) -> serenity::Result<()> {
    tokio::pin!(work);
    let answer = match tokio::time::timeout(DEFER_AFTER, &mut work).await {
        Ok(Some(answer)) => return target.respond(out, answer.response()).await,
        Ok(None) => return Ok(()),
        Err(_slow) => {
            tracing::info!("slow answer: deferring");
            // Another replica may have deferred it first (40060): this one answers all the
            // same if the interaction turns out to be its own.
            if let Err(e) = target.respond(out, respond::defer(private)).await {
                tracing::info!(error = ?e, "deferring failed");
            }
            match work.await {
                Some(answer) => answer,
                None => return Ok(()),
            }
        }
    };
    let http = &*out.http;
    if answer.ephemeral == private {
        target.edit(http, answer.edit()).await
    } else {
        target.delete(http).await?;
        target.followup(http, answer.followup()).await
    }
}
