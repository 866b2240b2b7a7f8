//! The background sync loop: a thread that runs a sync round on a timer, backs off
//! exponentially (with jitter, so a fleet of phones coming out of a tunnel does not knock on
//! the server all at once) while offline or failing, and retries on its own timer: it never
//! waits for the next local write. Its status can be read at any time or observed.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::client::{SyncClient, SyncProgress, SyncReport};
use crate::error::Error;
use crate::store::Store;

/// What the loop is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Waiting for the next round; the last one succeeded (or none ran yet).
    Idle,
    /// A round is running.
    Syncing,
    /// The server cannot be reached; retrying with back-off.
    Offline {
        /// What the network said.
        reason: String,
    },
    /// The server or the store refused; retrying with back-off. (`Failed`, not `Error`: the
    /// name would shadow Kotlin's `Error` inside the generated class.)
    #[serde(rename = "error")]
    Failed {
        /// What went wrong.
        reason: String,
    },
}

/// Everything the app shows about sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    /// The loop's state.
    pub state: SyncState,
    /// When a round last succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// Changes waiting for the server.
    pub pending: u64,
    /// What the last successful round did.
    pub last_report: Option<SyncReport>,
    /// Rounds failed in a row.
    pub failures: u32,
    /// Milliseconds until the next round.
    pub next_round_in_ms: u64,
    /// While a round runs: how far it has come. (Defaulted for the apps, so their code that
    /// builds a status, e.g. in tests, needs no change when a field like this one is added.)
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub progress: Option<SyncProgress>,
}

/// Told about every status change, on the loop's thread (keep it quick).
pub trait SyncObserver: Send + Sync {
    /// The new status.
    fn on_status(&self, status: &SyncStatus);
}

/// Timing of the loop.
#[derive(Debug, Clone)]
pub struct LoopConfig {
    /// Between successful rounds.
    pub interval: Duration,
    /// The first retry delay after a failure; doubled per failure.
    pub min_backoff: Duration,
    /// The longest retry delay.
    pub max_backoff: Duration,
    /// Seed of the jitter.
    pub seed: u64,
}

impl Default for LoopConfig {
    fn default() -> Self {
        LoopConfig {
            interval: Duration::from_secs(60),
            min_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            seed: 0,
        }
    }
}

/// The delay before retry number `failures` (1-based): min × 2^(failures-1), capped, times a
/// jitter factor in [0.5, 1.0].
pub fn backoff(config: &LoopConfig, failures: u32, rng: &mut impl Rng) -> Duration {
    let doubled = config
        .min_backoff
        .saturating_mul(1u32 << failures.saturating_sub(1).min(20));
    doubled
        .min(config.max_backoff)
        .mul_f64(rng.random_range(0.5..=1.0))
}

#[derive(Default)]
struct Control {
    stop: bool,
    wake: bool,
}

struct Shared {
    control: Mutex<Control>,
    signal: Condvar,
    status: Mutex<SyncStatus>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running background sync loop. Dropping it stops the loop and waits for its thread.
pub struct SyncLoop {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl SyncLoop {
    /// Starts the loop: a first round right away, then on the timer.
    pub fn start(
        store: Arc<Store>,
        client: SyncClient,
        config: LoopConfig,
        observer: Option<Arc<dyn SyncObserver>>,
    ) -> SyncLoop {
        let shared = Arc::new(Shared {
            control: Mutex::new(Control::default()),
            signal: Condvar::new(),
            status: Mutex::new(SyncStatus {
                state: SyncState::Idle,
                last_success: None,
                pending: store.pending_sync_count().unwrap_or(0),
                last_report: None,
                failures: 0,
                next_round_in_ms: 0,
                progress: None,
            }),
        });
        let inner = shared.clone();
        let thread =
            std::thread::spawn(move || run(&inner, &store, &client, &config, observer.as_deref()));
        SyncLoop {
            shared,
            thread: Some(thread),
        }
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        lock(&self.shared.status).clone()
    }

    /// Runs a round now instead of at the next timer (e.g. when the network comes back).
    pub fn sync_soon(&self) {
        lock(&self.shared.control).wake = true;
        self.shared.signal.notify_all();
    }

    /// Stops the loop; a round in progress finishes first.
    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        lock(&self.shared.control).stop = true;
        self.shared.signal.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SyncLoop {
    fn drop(&mut self) {
        self.shut();
    }
}

fn publish(
    shared: &Shared,
    observer: Option<&dyn SyncObserver>,
    change: impl FnOnce(&mut SyncStatus),
) {
    let snapshot = {
        let mut status = lock(&shared.status);
        change(&mut status);
        status.clone()
    };
    if let Some(observer) = observer {
        observer.on_status(&snapshot);
    }
}

fn run(
    shared: &Shared,
    store: &Store,
    client: &SyncClient,
    config: &LoopConfig,
    observer: Option<&dyn SyncObserver>,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    loop {
        publish(shared, observer, |s| {
            s.state = SyncState::Syncing;
            s.progress = Some(SyncProgress::default());
        });
        let result = client.sync_now_reporting(store, &|p| {
            publish(shared, observer, |s| s.progress = Some(p));
        });
        let pending = store.pending_sync_count().unwrap_or(0);
        let wait = match result {
            Ok(report) => {
                publish(shared, observer, |s| {
                    s.state = SyncState::Idle;
                    s.progress = None;
                    s.last_success = Some(store.now());
                    s.last_report = Some(report);
                    s.failures = 0;
                    s.pending = pending;
                    s.next_round_in_ms =
                        u64::try_from(config.interval.as_millis()).unwrap_or(u64::MAX);
                });
                config.interval
            }
            Err(err) => {
                let failures = lock(&shared.status).failures.saturating_add(1);
                let wait = backoff(config, failures, &mut rng);
                let state = match err {
                    Error::Network(reason) => SyncState::Offline { reason },
                    other => SyncState::Failed {
                        reason: other.to_string(),
                    },
                };
                publish(shared, observer, |s| {
                    s.state = state;
                    s.progress = None;
                    s.failures = failures;
                    s.pending = pending;
                    s.next_round_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
                });
                wait
            }
        };
        let control = lock(&shared.control);
        let (mut control, _) = shared
            .signal
            .wait_timeout_while(control, wait, |c| !c.stop && !c.wake)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if control.stop {
            return;
        }
        control.wake = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_between_half_and_full() {
        let config = LoopConfig {
            min_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            ..LoopConfig::default()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (failures, full) in [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (40, 60)] {
            let d = backoff(&config, failures, &mut rng);
            let full = Duration::from_secs(full);
            assert!(d <= full && d >= full / 2, "failure {failures}: {d:?}");
        }
    }
}
