//! The sync client: one full push + pull round over HTTP, on a tokio runtime the core owns (the
//! shells call it from a background thread; they never see async Rust). Built with the
//! `sync-client` feature.
//!
//! A round is a `sync_round` tracing span (the device's client id) with an event per push batch
//! and pull page and one for the round's result: counts, cursors and error codes only, never a
//! row's content or an error's text (which can quote what a person typed).

use flate2::Compression;
use flate2::write::GzEncoder;
use reqwest::StatusCode;
use serde::Serialize;

use super::apply::{self, PushSummary};
use super::wire::{
    ErrorBody, MAX_PUSH_BATCH, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse, PushRequest,
    PushResponse,
};
use crate::error::{Error, Result};
use crate::store::Store;

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
    /// Pulled rows this device could not apply, held in quarantine and tried again at every
    /// pull (0 when every row applied).
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub quarantined: u64,
    /// The jobs those rows belong to (where a row names one), so a screen can mark them.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub quarantined_jobs: Vec<uuid::Uuid>,
}

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
}

impl SyncClient {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`) with `token`.
    pub fn new(base_url: &str, token: &str) -> Result<SyncClient> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Network(format!("cannot start the sync runtime: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Network(e.to_string()))?;
        Ok(SyncClient {
            runtime,
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        })
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
        let batch = u32::try_from(MAX_PUSH_BATCH).unwrap_or(u32::MAX);
        let mut restamped = false;
        loop {
            let sent = store.read(|c| apply::pending_mutations(c, batch))?;
            if sent.is_empty() {
                break;
            }
            let req = PushRequest {
                client_id: store.client_id(),
                mutations: sent,
            };
            let resp = match self.push(&req).await? {
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
            };
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
            tell(&report);
        }
        loop {
            let cursor = store.read(apply::cursor)?;
            let url = self.url(&format!("/v1/sync/pull?cursor={cursor}"));
            let page: PullResponse = self.send(self.http.get(url)).await?;
            let started = std::time::Instant::now();
            let applied = store.import(|tx, ctx| apply::apply_pull(tx, ctx, &page))?;
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
            tell(&report);
            if !page.more {
                break;
            }
        }
        store.import(|tx, ctx| apply::record_success(tx, ctx.now()))?;
        report.pending = store.pending_sync_count()?;
        (report.quarantined, report.quarantined_jobs) = store.read(super::quarantine::summary)?;
        Ok(report)
    }

    /// Sends one push; a `clock_ahead` refusal is an answer the round handles, not an error.
    async fn push(&self, req: &PushRequest) -> Result<Pushed> {
        let post = self
            .http
            .post(self.url("/v1/sync/push"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "gzip")
            .body(gzip_json(req)?);
        match self.send(post).await {
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
            Err(refused) => Err(refused.into()),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends a request with the token and the protocol version; a non-200 answer comes back as
    /// [`Refused`] with the server's error body.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> std::result::Result<T, Refused> {
        let resp = req
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .send()
            .await
            .map_err(|e| Refused::Failed(Error::Network(e.to_string())))?;
        let status = resp.status();
        if status == StatusCode::OK {
            return resp
                .json()
                .await
                .map_err(|e| Refused::Failed(Error::Protocol(e.to_string())));
        }
        Err(Refused::Answer {
            status,
            body: resp.json().await.ok(),
        })
    }
}

/// A request that did not get a 200.
enum Refused {
    /// The server answered with this status and (if it parsed) error body.
    Answer {
        status: StatusCode,
        body: Option<ErrorBody>,
    },
    /// No usable answer: the network, or a 200 that was not the expected JSON.
    Failed(Error),
}

impl From<Refused> for Error {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Answer { status, body } => server_error(status, body),
            Refused::Failed(err) => err,
        }
    }
}

/// What a push came back with.
enum Pushed {
    /// The server's answer.
    Answered(PushResponse),
    /// Refused: this device's clock runs ahead of the server's.
    ClockAhead { server_time_ms: i64 },
}

fn server_error(status: StatusCode, body: Option<ErrorBody>) -> Error {
    Error::Server {
        status: status.as_u16(),
        message: body.map_or_else(
            || status.to_string(),
            |b| format!("{}: {}", b.error, b.message),
        ),
    }
}
