//! Opening a device store, and what the app shows about it: its identity, its session, the
//! changes waiting for sync. Also a demo seed for tests and previews (it only calls the core's
//! seed).

use std::sync::Arc;

use onsite_core::Store;
use onsite_core::outbox::OutboxEntry;
use onsite_core::seed::{self, SeedPlan};
use onsite_core::validate::parse_date;

use crate::error::ApiError;

/// An open device store: one SQLite file per signed-in engineer. Share one instance per file;
/// every method is safe to call from any thread.
#[derive(Debug, uniffi::Object)]
pub struct OnsiteStore {
    pub(crate) store: Arc<Store>,
}

/// The server this store syncs with. (Not the core's `Session`, which also holds the device
/// token: the app never reads the token back.)
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Session {
    /// The server's base URL.
    pub server_url: String,
}

/// How much demo data to seed. (Not the core's `SeedPlan`: an input, so its date is text the
/// core parses into `Invalid`, and its counts are `u32`, which UniFFI has and `usize` is not.)
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DemoSeed {
    /// Open jobs to create, each with its own customer, site and asset.
    pub work_orders: u32,
    /// Open jobs per day, starting on `today`.
    pub jobs_per_day: u32,
    /// Completed earlier visits per asset.
    pub earlier_visits: u32,
    /// The first day of appointments (`YYYY-MM-DD`).
    pub today: String,
    /// The engineer the jobs are assigned to.
    pub assignee: String,
    /// Random seed: same seed, same data.
    pub seed: u64,
}

fn usize_of(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[uniffi::export]
impl OnsiteStore {
    /// Opens the store at `path`, creating it if there is no file yet and upgrading an older
    /// one. A file that is not an Onsite store is refused (`Storage`) and left untouched.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<OnsiteStore>, ApiError> {
        Ok(Arc::new(OnsiteStore {
            store: Arc::new(Store::open(path)?),
        }))
    }

    /// The file this store lives in.
    pub fn path(&self) -> String {
        self.store.path().display().to_string()
    }

    /// This device store's client id (made when the file was created).
    pub fn client_id(&self) -> String {
        self.store.client_id().to_string()
    }

    /// The store's clock, in epoch milliseconds (the unit the time arguments take).
    pub fn now_ms(&self) -> i64 {
        self.store.now().timestamp_millis()
    }

    /// The server this store syncs with, if signed in (see `login`).
    pub fn session(&self) -> Result<Option<Session>, ApiError> {
        Ok(self.store.session()?.map(|s| Session {
            server_url: s.server_url,
        }))
    }

    /// How many changes wait for the server.
    pub fn pending_sync_count(&self) -> Result<u64, ApiError> {
        Ok(self.store.pending_sync_count()?)
    }

    /// The last recovery from a server restored from a backup, if there was one. Show it,
    /// and warn when `unrecoverable` is not 0: those changes are gone from the server.
    pub fn last_server_recovery(
        &self,
    ) -> Result<Option<onsite_core::sync::recovery::Recovery>, ApiError> {
        Ok(self.store.last_server_recovery()?)
    }

    /// The oldest `limit` changes waiting for the server.
    pub fn pending_changes(&self, limit: u32) -> Result<Vec<OutboxEntry>, ApiError> {
        Ok(self.store.pending_changes(limit)?)
    }

    /// Fills the store with the core's demo data (customers, appliances, locks, jobs from
    /// `today` on) as if the server had sent it; returns the open jobs' ids in appointment
    /// order. For tests and previews.
    pub fn seed_demo(&self, plan: DemoSeed) -> Result<Vec<String>, ApiError> {
        let plan = SeedPlan {
            work_orders: usize_of(plan.work_orders),
            jobs_per_day: usize_of(plan.jobs_per_day),
            earlier_visits: usize_of(plan.earlier_visits),
            today: parse_date("today", &plan.today)?,
            assignee: plan.assignee,
            seed: plan.seed,
        };
        let summary = seed::seed(&self.store, &plan)?;
        Ok(summary
            .work_order_ids
            .into_iter()
            .map(|id| id.to_string())
            .collect())
    }
}
