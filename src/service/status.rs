//! What the front ends share about the running process: whether the Discord gateway is
//! connected and which start-up checks failed (the Discord side writes it, `/health` reads
//! it), and the clock the workers read. Kept below the front ends so none imports another.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// Where the workers (scheduler, delivery) read the time; tests give their own.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Whether the gateway is connected, and which of the doctor's checks failed at start.
#[derive(Default)]
pub struct DiscordStatus {
    ready: AtomicBool,
    failed_checks: Mutex<Vec<String>>,
}

impl DiscordStatus {
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    pub fn set_failed_checks(&self, lines: Vec<String>) {
        *self.failed_checks.lock().unwrap_or_else(|p| p.into_inner()) = lines;
    }

    pub fn failed_checks(&self) -> Vec<String> {
        self.failed_checks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
