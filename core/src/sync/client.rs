//! The sync client: one full push + pull round over HTTP, on a tokio runtime the core owns (the
//! shells call it from a background thread; they never see async Rust). Built with the
//! `sync-client` feature.
//!
//! A round is a `sync_round` tracing span (the device's client id) with an event per push batch
//! and pull page and one for the round's result: counts, cursors and error codes only, never a
//! row's content or an error's text (which can quote what a person typed).

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;

use super::apply::{self, PushSummary};
use super::exchange::{Exchanged, PageFeed, Refused, authorized, download_snapshot, exchange};
use super::recovery::{self, Recovery};
use super::snapshot;
use super::wire::{ErrorBody, MAX_PUSH_BATCH, PullResponse, PushRequest, PushResponse};
use crate::error::{Error, Result};
use crate::store::{LATEST_VERSION, Store};

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    /// Outbox entries sent.
    pub pushed: u64,
    /// What the server did with them.
    pub push: PushSummary,
    /// Rows received from the server.
    pub pulled: u64,
    /// The new pull cursor.
    pub cursor: i64,
    /// Time spent applying pulled pages on the device (transactions included), microseconds.
    pub apply_us: u64,
    /// Changes still waiting (0 after a clean round).
    pub pending: u64,
    /// Set when this round recovered from a server restored from a backup: what it sent
    /// again and what it could not.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub recovery: Option<Recovery>,
    /// Pulled rows this device could not apply, held in quarantine and tried again at every
    /// pull (0 when every row applied).
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub quarantined: u64,
    /// The jobs those rows belong to (where a row names one), so a screen can mark them.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub quarantined_jobs: Vec<uuid::Uuid>,
    /// Of `pulled`, the rows a first sync installed from the server's snapshot (0 when it
    /// pulled page by page).
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub snapshot_rows: u64,
}

/// How long a snapshot download may take in all (a 10,000-job scope is tens of megabytes on a
/// weak network); a stalled one still fails after the client's own timeout without a byte.
const SNAPSHOT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// A push body as gzip-compressed JSON: outbox payloads are repetitive text, and a phone's
/// uplink is the slow direction. (Responses are compressed by the server and inflated by
/// reqwest on its own.)
fn gzip_json(value: &impl Serialize) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    serde_json::to_writer(&mut encoder, value)?;
    encoder
        .finish()
        .map_err(|e| Error::Protocol(format!("cannot compress the push: {e}")))
}

/// How far a running round has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncProgress {
    /// Changes sent so far.
    pub pushed: u64,
    /// Changes waiting when the round began.
    pub to_push: u64,
    /// Rows received so far.
    pub pulled: u64,
}

/// A client for one server and one device token.
#[derive(Debug)]
pub struct SyncClient {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    base_url: String,
    token: String,
    /// Whether a first sync asks for the server's snapshot before pulling page by page.
    snapshots: bool,
}

impl SyncClient {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`) with `token`.
    pub fn new(base_url: &str, token: &str) -> Result<SyncClient> {
        SyncClient::with_timeout(base_url, token, std::time::Duration::from_secs(30))
    }

    /// [`SyncClient::new`] with another limit on each request (the fault harness gives up on
    /// a stalled connection in seconds, not the 30 a phone waits).
    pub fn with_timeout(
        base_url: &str,
        token: &str,
        timeout: std::time::Duration,
    ) -> Result<SyncClient> {
        // One worker beside the calling thread: a pull page prefetched runs there (its HTTP,
        // gunzip and JSON decode) while the calling thread applies the page before it.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("onsite-sync")
            .enable_all()
            .build()
            .map_err(|e| Error::Network(format!("cannot start the sync runtime: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            // Per read, so that a long download (a snapshot) still fails fast when it stalls.
            .read_timeout(timeout)
            .build()
            .map_err(|e| Error::Network(e.to_string()))?;
        Ok(SyncClient {
            runtime,
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            snapshots: true,
        })
    }

    /// The same client, with a first sync pulled page by page instead of installed from a
    /// snapshot (tests of the paged pull; a server known to lack snapshots).
    pub fn paged_only(mut self) -> SyncClient {
        self.snapshots = false;
        self
    }

    /// One full round: push the whole outbox, then pull every page. Each step is committed as
    /// it completes, so an interrupted round loses nothing and resumes where it stopped.
    pub fn sync_now(&self, store: &Store) -> Result<SyncReport> {
        self.sync_now_reporting(store, &|_| {})
    }

    /// [`sync_now`](Self::sync_now), telling `progress` after every push batch and pull page
    /// (for a progress bar on a first sync of thousands of rows).
    pub fn sync_now_reporting(
        &self,
        store: &Store,
        progress: &dyn Fn(SyncProgress),
    ) -> Result<SyncReport> {
        let span = tracing::info_span!("sync_round", client = %store.client_id());
        // Entered around a `block_on` of this thread's own runtime: the round runs here, inside.
        let _round = span.enter();
        let result = self.runtime.block_on(self.round(store, progress));
        match &result {
            Ok(r) => tracing::info!(
                pushed = r.pushed,
                applied = r.push.applied,
                duplicates = r.push.duplicates,
                rejected = r.push.rejected,
                pulled = r.pulled,
                cursor = r.cursor,
                pending = r.pending,
                quarantined = r.quarantined,
                "sync round done"
            ),
            // Offline is a phone's everyday state; anything else deserves a look.
            Err(err @ Error::Network(_)) => {
                tracing::info!(error = %err.code(), "sync round failed");
            }
            Err(err) => {
                let status = match err {
                    Error::Server { status, .. } => Some(*status),
                    _ => None,
                };
                tracing::warn!(error = %err.code(), status, "sync round failed");
            }
        }
        result
    }

    async fn round(&self, store: &Store, progress: &dyn Fn(SyncProgress)) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let to_push = store.pending_sync_count()?;
        let tell = |r: &SyncReport| {
            progress(SyncProgress {
                pushed: r.pushed,
                to_push,
                pulled: r.pulled,
            });
        };
        // At most one recovery per round: a server whose identity changes again meanwhile is
        // an error to report, not a reason to loop.
        loop {
            if store.read(recovery::due)? {
                if report.recovery.is_some() {
                    return Err(Error::Protocol(
                        "the server's identity changed again while recovering from it".into(),
                    ));
                }
                report.recovery = Some(self.recover(store).await?);
            }
            if self.push_all(store, &mut report, &tell).await? == Step::ServerChanged {
                continue;
            }
            if self.pull_all(store, &mut report, &tell).await? == Step::ServerChanged {
                continue;
            }
            break;
        }
        store.import(|tx, ctx| apply::record_success(tx, ctx.now()))?;
        report.pending = store.pending_sync_count()?;
        (report.quarantined, report.quarantined_jobs) = store.read(super::quarantine::summary)?;
        Ok(report)
    }

    /// Pushes the whole outbox, batch by batch.
    async fn push_all(
        &self,
        store: &Store,
        report: &mut SyncReport,
        tell: &dyn Fn(&SyncReport),
    ) -> Result<Step> {
        let batch = u32::try_from(MAX_PUSH_BATCH).unwrap_or(u32::MAX);
        let (mut restamped, mut resent) = (false, false);
        loop {
            let sent = store.read(|c| apply::pending_mutations(c, batch))?;
            if sent.is_empty() {
                return Ok(Step::Done);
            }
            let req = PushRequest {
                client_id: store.client_id(),
                mutations: sent,
            };
            let resp = match self.push(store, &req).await? {
                Pushed::Answered(resp) => resp,
                Pushed::ClockAhead { server_time_ms } if !restamped => {
                    // Stamp the waiting changes again from the server's time and resend.
                    tracing::info!(
                        server_time_ms,
                        "the server finds this clock ahead: stamping again"
                    );
                    store.import(|tx, ctx| apply::restamp_pending(tx, ctx, server_time_ms))?;
                    restamped = true;
                    continue;
                }
                Pushed::ClockAhead { .. } => {
                    return Err(Error::Protocol(
                        "the server still finds this device's clock ahead after correcting it"
                            .into(),
                    ));
                }
                Pushed::Gap { expected } if !resent => {
                    // The server lacks changes it once acknowledged (restored from a backup
                    // by copying its file back): send them again from where it is.
                    tracing::warn!(
                        expected,
                        "the server expects an earlier change: sending again"
                    );
                    // Its change log went back with it: pull again from the start too.
                    let done = store.import(|tx, ctx| {
                        recovery::start(tx)?;
                        recovery::resend_after(tx, ctx.now(), expected - 1)
                    })?;
                    report.recovery = Some(done);
                    resent = true;
                    continue;
                }
                Pushed::Gap { expected } => {
                    return Err(Error::Protocol(format!(
                        "the server still expects change {expected} after sending again from it"
                    )));
                }
            };
            let Answered {
                value: resp,
                new_server,
            } = resp;
            // The answer stands even from a new server database: it did apply them.
            let summary =
                store.import(|tx, ctx| apply::apply_push(tx, ctx.now(), &req.mutations, &resp))?;
            tracing::debug!(
                mutations = req.mutations.len(),
                applied = summary.applied,
                duplicates = summary.duplicates,
                rejected = summary.rejected,
                last_applied_seq = resp.last_applied_seq,
                "push batch"
            );
            report.pushed += req.mutations.len() as u64;
            report.push.applied += summary.applied;
            report.push.duplicates += summary.duplicates;
            report.push.rejected += summary.rejected;
            tell(report);
            if new_server {
                return Ok(Step::ServerChanged);
            }
        }
    }

    /// Pulls every page after the cursor; a store that never synced first asks for the
    /// server's snapshot of its scope ([`snapshot`]) and pulls on from its cursor, or, if that
    /// fails in any way, pulls every page from 0 in the same round. The pages are fetched
    /// ahead ([`PageFeed`]): while this thread applies page N, the worker thread decodes page
    /// N+1 and the server builds N+2, so the server, the decoding and the device apply share
    /// both cores. Pages still
    /// apply one at a time, in order, each with its cursor in one transaction; the feed is
    /// used only while each applied page leaves the cursor the next was asked from (else it
    /// starts again from the stored cursor), and it stops when the round does, for any reason.
    async fn pull_all(
        &self,
        store: &Store,
        report: &mut SyncReport,
        tell: &dyn Fn(&SyncReport),
    ) -> Result<Step> {
        let mut cursor = store.read(apply::cursor)?;
        if cursor == 0 && self.snapshots && store.read(snapshot::is_fresh)? {
            match self.install_snapshot(store, report, tell).await {
                Ok(Step::ServerChanged) => return Ok(Step::ServerChanged),
                Ok(Step::Done) => cursor = store.read(apply::cursor)?,
                // Whatever went wrong, the store is as it was: the pages bring the same rows.
                Err(err) => {
                    tracing::info!(error = %err.code(), "no snapshot: pulling page by page")
                }
            }
        }
        let mut feed = self.feed_from(cursor);
        loop {
            let page: Answered<PullResponse> = self.settle(store, feed.next().await)?;
            if page.new_server {
                return Ok(Step::ServerChanged);
            }
            let page = page.value;
            if page.cursor < cursor {
                // The change log ends below where this device has been: the server's file
                // was put back from a backup under its old identity.
                tracing::warn!(
                    cursor,
                    server_cursor = page.cursor,
                    "the server's change log went back: pulling again from the start"
                );
                store.import(|tx, _| recovery::start(tx))?;
                return Ok(Step::ServerChanged);
            }
            let started = std::time::Instant::now();
            let applied = store.import_pulled(|tx, ctx| apply::apply_pull(tx, ctx, &page))?;
            tracing::debug!(
                rows = page.changes.len(),
                applied,
                cursor = page.cursor,
                more = page.more,
                "pull page"
            );
            report.pulled += applied as u64;
            report.apply_us += u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            report.cursor = page.cursor;
            tell(report);
            if !page.more {
                return Ok(Step::Done);
            }
            cursor = store.read(apply::cursor)?;
            if cursor != page.cursor {
                // Not where the page said it would leave the cursor: ask again from there.
                feed = self.feed_from(cursor);
            }
        }
    }

    /// Downloads the server's snapshot of this device's scope and installs it (a fresh store).
    async fn install_snapshot(
        &self,
        store: &Store,
        report: &mut SyncReport,
        tell: &dyn Fn(&SyncReport),
    ) -> Result<Step> {
        let request = self
            .http
            .get(self.url(&format!("/v1/sync/snapshot?schema={LATEST_VERSION}")))
            .timeout(SNAPSHOT_TIMEOUT);
        let mut path = store.path().as_os_str().to_owned();
        path.push(".snapshot");
        let download = snapshot::Download::create(path.into())?;
        let downloaded = download_snapshot(authorized(request, &self.token), download).await;
        let answered = self.settle(store, downloaded)?;
        if answered.new_server {
            return Ok(Step::ServerChanged);
        }
        let started = std::time::Instant::now();
        let installed = snapshot::install(store, &answered.value)?;
        tracing::debug!(
            rows = installed.rows,
            cursor = installed.cursor,
            "snapshot installed"
        );
        report.pulled += installed.rows;
        report.snapshot_rows += installed.rows;
        report.apply_us += u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        report.cursor = installed.cursor;
        tell(report);
        Ok(Step::Done)
    }

    /// Starts fetching pull pages from `cursor` on, in order, on the runtime's worker thread.
    fn feed_from(&self, cursor: i64) -> PageFeed {
        PageFeed::start(
            self.runtime.handle(),
            self.http.clone(),
            format!("{}/v1/sync/pull", self.base_url),
            self.token.clone(),
            cursor,
        )
    }

    /// Asks the server (a push of nothing) for the last change of this device it holds, and
    /// makes the outbox go on from there.
    async fn recover(&self, store: &Store) -> Result<Recovery> {
        let probe = PushRequest {
            client_id: store.client_id(),
            mutations: Vec::new(),
        };
        let server_last = match self.push(store, &probe).await? {
            Pushed::Answered(resp) => resp.value.last_applied_seq,
            // Neither can answer a push of nothing; a server that does is not one to recover
            // against.
            Pushed::ClockAhead { .. } | Pushed::Gap { .. } => {
                return Err(Error::Protocol(
                    "the server refused an empty push while recovering".into(),
                ));
            }
        };
        store.import(|tx, ctx| recovery::resend_after(tx, ctx.now(), server_last))
    }

    /// Sends one push; `clock_ahead` and `gap` refusals are answers the round handles, not
    /// errors.
    async fn push(&self, store: &Store, req: &PushRequest) -> Result<Pushed> {
        let post = self
            .http
            .post(self.url("/v1/sync/push"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "gzip")
            .body(gzip_json(req)?);
        match self.send(store, post).await {
            Ok(answer) => Ok(Pushed::Answered(answer)),
            Err(Refused::Answer {
                body:
                    Some(ErrorBody {
                        error,
                        server_time_ms: Some(server_time_ms),
                        ..
                    }),
                ..
            }) if error == "clock_ahead" => Ok(Pushed::ClockAhead { server_time_ms }),
            Err(Refused::Answer {
                body:
                    Some(ErrorBody {
                        error,
                        expected_seq: Some(expected),
                        ..
                    }),
                ..
            }) if error == "gap" => Ok(Pushed::Gap { expected }),
            Err(refused) => Err(refused.into()),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends a request with the token and the protocol version, and notes which server
    /// database answered ([`recovery::note_server`]); a non-200 answer comes back as
    /// [`Refused`] with the server's error body.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        store: &Store,
        req: reqwest::RequestBuilder,
    ) -> std::result::Result<Answered<T>, Refused> {
        self.settle(store, exchange(authorized(req, &self.token)).await)
    }

    /// Notes which server database answered an exchange ([`recovery::note_server`]), whatever
    /// its status, and hands back its outcome.
    fn settle<T>(
        &self,
        store: &Store,
        exchanged: Exchanged<T>,
    ) -> std::result::Result<Answered<T>, Refused> {
        let Exchanged { server, outcome } = exchanged;
        let new_server = match server {
            Some(id) => {
                // Read first: the same server answering, the everyday case, needs no write.
                let known = store
                    .read(recovery::known_server)
                    .map_err(Refused::Failed)?;
                if known.as_deref() == Some(id.to_string().as_str()) {
                    false
                } else {
                    store
                        .import(|tx, _| recovery::note_server(tx, id))
                        .map_err(Refused::Failed)?
                }
            }
            None => false,
        };
        outcome.map(|value| Answered { value, new_server })
    }
}

/// A 200 answer, and whether it came from another server database than the last one.
struct Answered<T> {
    value: T,
    new_server: bool,
}

/// How a push or pull phase ended.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// It went through.
    Done,
    /// A new server database answered: the round starts over with a recovery.
    ServerChanged,
}

/// What a push came back with.
enum Pushed {
    /// The server's answer.
    Answered(Answered<PushResponse>),
    /// Refused: this device's clock runs ahead of the server's.
    ClockAhead { server_time_ms: i64 },
    /// Refused: the server expects an earlier seq than the first one sent.
    Gap { expected: i64 },
}
