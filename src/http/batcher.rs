//! Group commit for alerts: requests that arrive while a batch is being written wait for the
//! next one, and each batch is one transaction. A flood of a thousand alerts a second then
//! costs a few dozen commits, and Discord interactions, which share the one writer, keep
//! answering promptly.

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};

use crate::config::AlertSource;
use crate::domain::alert::Alert;
use crate::service::{AlertOutcome, Service};

/// The most requests one transaction takes.
const MAX_BATCH: usize = 128;

type Reply = oneshot::Sender<Result<Vec<AlertOutcome>, String>>;

struct Job {
    source: AlertSource,
    alerts: Vec<Alert>,
    reply: Reply,
}

/// Where the alert handler hands its requests.
#[derive(Clone)]
pub struct Batcher {
    jobs: mpsc::Sender<Job>,
}

impl Batcher {
    /// Starts the task that writes the batches; it ends when every handle is dropped.
    pub fn start(service: Service) -> Batcher {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_batches(service, rx));
        Batcher { jobs }
    }

    /// Stores one request's alerts; returns their outcomes once they are durable.
    pub async fn submit(
        &self,
        source: &AlertSource,
        alerts: Vec<Alert>,
    ) -> Result<Vec<AlertOutcome>, String> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            source: source.clone(),
            alerts,
            reply,
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| "the alert writer stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the alert writer stopped".to_owned())?
    }
}

async fn write_batches(service: Service, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        write_batch(&service, batch).await;
    }
}

/// Writes the batch in one transaction; if that fails, each request again on its own, so
/// one request the database refuses costs only that request its 503.
async fn write_batch(service: &Service, batch: Vec<Job>) {
    let requests: Vec<(&AlertSource, &[Alert])> = batch
        .iter()
        .map(|j| (&j.source, j.alerts.as_slice()))
        .collect();
    let written = service.receive_alert_requests(&requests, Utc::now()).await;
    match written {
        Ok(outcomes) => {
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                let _ = job.reply.send(Ok(outcome));
            }
        }
        Err(e) if batch.len() == 1 => {
            tracing::error!(error = ?e, "storing an alert request failed");
            for job in batch {
                let _ = job
                    .reply
                    .send(Err("the alerts could not be stored".to_owned()));
            }
        }
        Err(e) => {
            tracing::warn!(error = ?e, requests = batch.len(), "storing a batch of alerts failed; storing each request on its own");
            for job in batch {
                let one = [(&job.source, job.alerts.as_slice())];
                let written = service.receive_alert_requests(&one, Utc::now()).await;
                let answer = written
                    .map(|mut outcomes| outcomes.pop().unwrap_or_default())
                    .map_err(|e| {
                        tracing::error!(error = ?e, source = %job.source.name, "storing an alert request failed");
                        "the alerts could not be stored".to_owned()
                    });
                let _ = job.reply.send(answer);
            }
        }
    }
}
