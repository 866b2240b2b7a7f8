//! Sync: sign in, run a round now, or start the background loop and observe its status.
//!
//! The loop runs on the core's own thread and runtime. Observers are told about every status
//! change on that thread (keep `on_status` quick; post to the UI thread). [`BackgroundSync::observe`]
//! returns an [`ObserverHandle`]: observing stops when the handle is dropped (in Kotlin:
//! `close()` it or use `use {}`; in Swift: release it) or when `stop_observing` is called.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use onsite_core::Store;
use onsite_core::sync::background::{
    LoopConfig, SyncLoop, SyncObserver as CoreSyncObserver, SyncStatus,
};
use onsite_core::sync::client::{SyncClient, SyncReport};

use crate::error::ApiError;
use crate::store::OnsiteStore;

/// Told about every status change of a [`BackgroundSync`], on the sync thread.
#[uniffi::export(callback_interface)]
pub trait SyncObserver: Send + Sync {
    /// The new status. Keep it quick and do not throw.
    fn on_status(&self, status: SyncStatus);
}

/// Timing of the background loop. (Not the core's `LoopConfig`: an input in plain
/// milliseconds with defaults, so an app may leave fields out and cannot pass a negative
/// `Duration`.)
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncLoopConfig {
    /// Between successful rounds, milliseconds.
    #[uniffi(default = 60000)]
    pub interval_ms: u64,
    /// The first retry delay after a failure, milliseconds; doubled per failure.
    #[uniffi(default = 2000)]
    pub min_backoff_ms: u64,
    /// The longest retry delay, milliseconds.
    #[uniffi(default = 300000)]
    pub max_backoff_ms: u64,
    /// Seed of the retry jitter.
    #[uniffi(default = 0)]
    pub seed: u64,
}

impl From<SyncLoopConfig> for LoopConfig {
    fn from(c: SyncLoopConfig) -> Self {
        LoopConfig {
            interval: Duration::from_millis(c.interval_ms),
            min_backoff: Duration::from_millis(c.min_backoff_ms),
            max_backoff: Duration::from_millis(c.max_backoff_ms),
            seed: c.seed,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn client(store: &Store) -> Result<SyncClient, ApiError> {
    let session = store.session()?.ok_or_else(|| ApiError::NotSignedIn {
        detail: "not signed in: call login(server_url, token) first".into(),
    })?;
    Ok(SyncClient::new(&session.server_url, &session.token)?)
}

#[uniffi::export]
impl OnsiteStore {
    /// Remembers the server and the device token the back office issued (an http(s) URL and a
    /// token without spaces, else `Invalid`). Nothing is sent yet.
    pub fn login(&self, server_url: String, token: String) -> Result<(), ApiError> {
        Ok(self.store.sign_in(&server_url, &token)?)
    }

    /// Forgets the token. Changes waiting for the server stay and go up after the next login.
    pub fn logout(&self) -> Result<(), ApiError> {
        Ok(self.store.sign_out()?)
    }

    /// One full round now, blocking until it ends: push every waiting change, then pull every
    /// page. An interrupted round loses nothing and resumes next time.
    pub fn sync_now(&self) -> Result<SyncReport, ApiError> {
        Ok(client(&self.store)?.sync_now(&self.store)?)
    }

    /// Starts the background loop: a round right away, then on the timer, backing off while
    /// offline. It runs until `stop` is called or the returned object is released.
    pub fn start_background_sync(
        &self,
        config: SyncLoopConfig,
    ) -> Result<Arc<BackgroundSync>, ApiError> {
        let client = client(&self.store)?;
        let fanout = Arc::new(Fanout::default());
        let observer: Arc<dyn CoreSyncObserver> = fanout.clone();
        let running = SyncLoop::start(self.store.clone(), client, config.into(), Some(observer));
        Ok(Arc::new(BackgroundSync {
            fanout,
            running: Mutex::new(Running::Yes(running)),
        }))
    }
}

/// Forwards the loop's status to every registered observer.
#[derive(Default)]
struct Fanout {
    observers: Mutex<BTreeMap<u64, Arc<dyn SyncObserver>>>,
    next_id: Mutex<u64>,
}

impl Fanout {
    fn add(&self, observer: Arc<dyn SyncObserver>) -> u64 {
        let id = {
            let mut next = lock(&self.next_id);
            *next += 1;
            *next
        };
        lock(&self.observers).insert(id, observer);
        id
    }

    fn remove(&self, id: u64) {
        lock(&self.observers).remove(&id);
    }

    fn tell(observer: &dyn SyncObserver, status: SyncStatus) {
        // A foreign observer that throws must not take the sync thread down with it.
        let _ = catch_unwind(AssertUnwindSafe(|| observer.on_status(status)));
    }
}

impl CoreSyncObserver for Fanout {
    fn on_status(&self, status: &SyncStatus) {
        let observers: Vec<_> = lock(&self.observers).values().cloned().collect();
        for observer in observers {
            Fanout::tell(observer.as_ref(), status.clone());
        }
    }
}

enum Running {
    Yes(SyncLoop),
    Stopped(SyncStatus),
}

/// A running background sync loop. Releasing it stops the loop.
#[derive(uniffi::Object)]
pub struct BackgroundSync {
    fanout: Arc<Fanout>,
    running: Mutex<Running>,
}

impl std::fmt::Debug for BackgroundSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundSync").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl BackgroundSync {
    /// The current status (the last one, once stopped).
    pub fn status(&self) -> SyncStatus {
        match &*lock(&self.running) {
            Running::Yes(running) => running.status(),
            Running::Stopped(last) => last.clone(),
        }
    }

    /// Whether the loop is still running.
    pub fn is_running(&self) -> bool {
        matches!(&*lock(&self.running), Running::Yes(_))
    }

    /// Runs a round now instead of at the next timer (e.g. the network came back).
    pub fn sync_soon(&self) {
        if let Running::Yes(running) = &*lock(&self.running) {
            running.sync_soon();
        }
    }

    /// Stops the loop and waits for it; a round in progress finishes first.
    pub fn stop(&self) {
        let taken = {
            let mut running = lock(&self.running);
            let last = match &*running {
                Running::Yes(r) => r.status(),
                Running::Stopped(_) => return,
            };
            std::mem::replace(&mut *running, Running::Stopped(last))
        };
        // Outside the lock: the loop's last status callback may call `status()`.
        if let Running::Yes(r) = taken {
            r.stop();
        }
    }

    /// Registers `observer` and tells it the current status right away. It is told about every
    /// change until the returned handle is dropped or `stop_observing` is called.
    pub fn observe(&self, observer: Box<dyn SyncObserver>) -> Arc<ObserverHandle> {
        let observer: Arc<dyn SyncObserver> = Arc::from(observer);
        let id = self.fanout.add(observer.clone());
        Fanout::tell(observer.as_ref(), self.status());
        Arc::new(ObserverHandle {
            fanout: Arc::downgrade(&self.fanout),
            id,
        })
    }
}

/// Keeps an observer registered; dropping it (or `stop_observing`) unregisters it.
#[derive(uniffi::Object)]
pub struct ObserverHandle {
    fanout: Weak<Fanout>,
    id: u64,
}

impl std::fmt::Debug for ObserverHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObserverHandle")
            .field("id", &self.id)
            .finish()
    }
}

#[uniffi::export]
impl ObserverHandle {
    /// Stops observing now (dropping the handle does the same).
    pub fn stop_observing(&self) {
        if let Some(fanout) = self.fanout.upgrade() {
            fanout.remove(self.id);
        }
    }
}

impl Drop for ObserverHandle {
    fn drop(&mut self) {
        self.stop_observing();
    }
}
