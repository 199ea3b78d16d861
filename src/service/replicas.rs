//! Several replicas on one database (SPEC §14): each interaction is taken by one replica, one
//! replica at a time delivers the outbox under a lease that another takes over when it lapses,
//! and each replica records the config it runs so that a half-done rolling change is seen.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use super::store::replicas;
use super::Service;

/// How long the delivery lease lasts without renewal. The holder renews it every 1.5 s, so
/// a replica killed with -9 is replaced within this plus one look of the others (6.5 s at
/// most), and a renewal may be three times late before the lease is lost.
pub const DELIVERY_LEASE: Duration = Duration::seconds(5);

/// How often each replica records its config and compares it with the others'.
pub const CONFIG_CHECK_EVERY: Duration = Duration::hours(1);

const DELIVERY: &str = "delivery";

/// This process's name among the replicas, and what it last found about the others.
#[derive(Clone)]
pub struct Replica {
    name: Arc<str>,
    drift: Arc<Mutex<ConfigCheck>>,
}

#[derive(Default)]
struct ConfigCheck {
    at: Option<DateTime<Utc>>,
    drift: Vec<ConfigDrift>,
}

/// Another replica of the same guild running a different config: who, and which keys differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDrift {
    pub replica: String,
    pub keys: Vec<String>,
}

impl Replica {
    /// A name no other process shares: host, process id and start time.
    pub fn new() -> Replica {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "host".into());
        let started = Utc::now().timestamp_micros();
        Replica {
            name: format!("{host}:{}:{started}", std::process::id()).into(),
            drift: Arc::default(),
        }
    }
}

impl Default for Replica {
    fn default() -> Self {
        Replica::new()
    }
}

impl Service {
    /// This replica's name (as the leases and the config records show it).
    pub fn replica_name(&self) -> &str {
        &self.replica.name
    }

    /// Takes interaction `id` for this replica: true the first time any replica offers it,
    /// false afterwards (every replica on the gateway receives every interaction). Only a
    /// database that replicas share records it: one bot runs per SQLite file, where the
    /// record would only make a busy database hold the answer back.
    pub async fn take_interaction(&self, id: u64, now: DateTime<Utc>) -> anyhow::Result<bool> {
        if !self.store.shared_by_replicas() {
            return Ok(true);
        }
        replicas::take_interaction(self.store.reader(), id, now).await
    }

    /// Takes or renews the delivery lease: true while this replica is the one delivering.
    pub async fn hold_delivery(&self, now: DateTime<Utc>) -> anyhow::Result<bool> {
        let mut tx = self.store.begin_write().await?;
        let held = replicas::hold_lease(
            &mut tx,
            DELIVERY,
            &self.replica.name,
            now,
            now + DELIVERY_LEASE,
        )
        .await?;
        tx.commit().await?;
        Ok(held)
    }

    /// Takes or renews the delivery lease at the database's time rather than this replica's:
    /// replicas whose clocks disagree by seconds would otherwise both hold it, or neither.
    pub async fn hold_delivery_now(&self) -> anyhow::Result<bool> {
        let now = self.store.database_now().await?;
        self.hold_delivery(now).await
    }

    /// The database's clock (the time leases are read against).
    pub async fn database_now(&self) -> anyhow::Result<DateTime<Utc>> {
        self.store.database_now().await
    }

    /// Lets the delivery lease go, so another replica (or this one restarted) delivers at once.
    pub async fn release_delivery(&self) -> anyhow::Result<()> {
        let mut tx = self.store.begin_write().await?;
        replicas::release_lease(&mut tx, DELIVERY, &self.replica.name).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The replica delivering now and until when its lease runs, if any.
    pub async fn delivery_holder(&self) -> anyhow::Result<Option<(String, DateTime<Utc>)>> {
        replicas::lease(self.store.reader(), DELIVERY).await
    }

    /// Records this replica's config and compares it with the replicas of the same guild
    /// seen in the last two hours; at most once an hour unless `force`. Returns the
    /// differences when a check ran, `None` when it was not due.
    pub async fn check_config(
        &self,
        now: DateTime<Utc>,
        force: bool,
    ) -> anyhow::Result<Option<Vec<ConfigDrift>>> {
        let last = self
            .replica
            .drift
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .at;
        if !force && last.is_some_and(|at| now - at < CONFIG_CHECK_EVERY) {
            return Ok(None);
        }
        let mine = &self.config.fingerprint;
        let keys = serde_json::to_string(&mine.keys)?;
        let guild = self.config.discord.guild_id;
        let mut tx = self.store.begin_write().await?;
        replicas::record_config(
            &mut tx,
            &self.replica.name,
            guild,
            (&mine.digest, &keys),
            now,
        )
        .await?;
        tx.commit().await?;
        let others = replicas::differing_configs(
            self.store.reader(),
            &self.replica.name,
            guild,
            &mine.digest,
            now - CONFIG_CHECK_EVERY * 2,
        )
        .await?;
        let mut drift = Vec::new();
        for (replica, keys) in others {
            let theirs = serde_json::from_str(&keys).unwrap_or_default();
            drift.push(ConfigDrift {
                replica,
                keys: mine.differing(&theirs),
            });
        }
        let mut check = self.replica.drift.lock().unwrap_or_else(|p| p.into_inner());
        *check = ConfigCheck {
            at: Some(now),
            drift: drift.clone(),
        };
        Ok(Some(drift))
    }

    /// What the last config check found (for `/health`).
    pub fn config_drift(&self) -> Vec<ConfigDrift> {
        let check = self.replica.drift.lock().unwrap_or_else(|p| p.into_inner());
        check.drift.clone()
    }
}
