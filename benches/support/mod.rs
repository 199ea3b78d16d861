//! What the release benchmarks share: the bot's peak memory and percentiles of a sample.
#![allow(dead_code)]

use std::time::Duration;

/// The peak resident memory of process `pid`, in MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Milliseconds at the p50 and p99 of `d` (nearest rank).
pub fn spread(mut d: Vec<Duration>) -> (f64, f64) {
    d.sort();
    let pct = |p: f64| d[((p / 100.0 * d.len() as f64).ceil() as usize).max(1) - 1];
    (pct(50.0).as_secs_f64() * 1e3, pct(99.0).as_secs_f64() * 1e3)
}
