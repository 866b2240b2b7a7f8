//! The background sync loop against the real server: while the server is down the loop reports
//! offline and backs off; when it comes back the loop gets through on its own timer (no new
//! local write, no manual nudge) and reports idle with nothing pending.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use onsite_core::Store;
use onsite_core::sync::background::{LoopConfig, SyncLoop, SyncObserver, SyncState, SyncStatus};
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_tests::scenario::{dispatch, world};
use tempfile::TempDir;

struct Forward(Mutex<Sender<SyncStatus>>);

impl SyncObserver for Forward {
    fn on_status(&self, status: &SyncStatus) {
        let _ = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(status.clone());
    }
}

#[test]
fn the_loop_backs_off_while_offline_and_recovers_by_itself() {
    let mut w = world();
    let job = dispatch(&w.dispatcher, "WO-L1", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let store = Arc::new(Store::open(dir.path().join("a.db")).expect("store"));
    SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&store)
        .expect("first sync");
    store
        .set_status(job, Status::Accepted, Role::Engineer, None)
        .expect("accept offline");
    w.server.kill_in_place();

    let (tx, statuses) = channel();
    let config = LoopConfig {
        interval: Duration::from_secs(3600),
        min_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(300),
        seed: 3,
    };
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    let sync = SyncLoop::start(
        store.clone(),
        client,
        config,
        Some(Arc::new(Forward(Mutex::new(tx)))),
    );
    let next = || {
        statuses
            .recv_timeout(Duration::from_secs(20))
            .expect("a status within 20 s")
    };

    let mut offline = Vec::new();
    while offline.len() < 3 {
        let s = next();
        if let SyncState::Offline { .. } = s.state {
            assert_eq!(s.pending, 1, "the change waits");
            offline.push((s.failures, s.next_round_in_ms));
        }
    }
    assert_eq!(offline.iter().map(|o| o.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(
        offline[2].1 >= 40 && offline[2].1 <= 80,
        "third retry waits 80 ms with jitter: {offline:?}"
    );

    w.server.start_again();
    let recovered = loop {
        let s = next();
        if s.state == SyncState::Idle {
            break s;
        }
    };
    assert_eq!((recovered.pending, recovered.failures), (0, 0));
    assert!(recovered.last_success.is_some());
    assert_eq!(recovered.last_report.map(|r| r.push.applied), Some(1));
    assert_eq!(sync.status().state, SyncState::Idle);
    sync.stop();
}
