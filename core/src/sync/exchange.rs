//! One HTTP exchange with the sync server, read without the store so it can run on the sync
//! runtime's worker thread: the answering server's identity and the decoded body or refusal
//! ([`exchange`]), the pull pages fetched ahead of the device applying them ([`PageFeed`]), and
//! a first sync's snapshot received to a file ([`download_snapshot`]).
//! Built with the `sync-client` feature.

use reqwest::StatusCode;

use super::snapshot::{Download, SHA256_HEADER, SnapshotFile};
use super::wire::{ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse, SERVER_ID_HEADER};
use crate::error::Error;

/// One request and its answer, read without the store (so it can run ahead on the worker
/// thread): the answering server's identity, if it sent one, and the decoded body or refusal.
pub(super) struct Exchanged<T> {
    /// The answering server database's identity, if it sent one.
    pub(super) server: Option<uuid::Uuid>,
    /// The decoded 200 body, or why there is none.
    pub(super) outcome: std::result::Result<T, Refused>,
}

/// Sends `req` and reads its answer: a 200's JSON body, or the status and error body.
pub(super) async fn exchange<T: serde::de::DeserializeOwned>(
    req: reqwest::RequestBuilder,
) -> Exchanged<T> {
    exchange_with(req, |resp| async move {
        resp.json()
            .await
            .map_err(|e| Error::Protocol(e.to_string()))
    })
    .await
}

/// Sends a snapshot request and receives its answer into `download` as it arrives,
/// decompressed and checked against the hash the server announced. Made before the request,
/// the download's file goes whatever the answer (it also replaces what an interrupted one left).
pub(super) async fn download_snapshot(
    req: reqwest::RequestBuilder,
    mut download: Download,
) -> Exchanged<SnapshotFile> {
    exchange_with(req, |mut resp| async move {
        let announced = resp
            .headers()
            .get(SHA256_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| Error::Protocol("a snapshot came without its hash".into()))?;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Error::Network(e.to_string()))?
        {
            download.write(&chunk)?;
        }
        download.finish(&announced)
    })
    .await
}

/// Sends `req`; a 200 is read by `read`, any other answer is its status and error body.
async fn exchange_with<T, F, Fut>(req: reqwest::RequestBuilder, read: F) -> Exchanged<T>
where
    F: FnOnce(reqwest::Response) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let resp = match req.send().await {
        Ok(resp) => resp,
        Err(e) => {
            return Exchanged {
                server: None,
                outcome: Err(Refused::Failed(Error::Network(e.to_string()))),
            };
        }
    };
    let server = resp
        .headers()
        .get(SERVER_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| uuid::Uuid::parse_str(v).ok());
    let status = resp.status();
    let outcome = if status == StatusCode::OK {
        read(resp).await.map_err(Refused::Failed)
    } else {
        Err(Refused::Answer {
            status,
            body: resp.json().await.ok(),
        })
    };
    Exchanged { server, outcome }
}

/// The request with the token and the protocol version.
pub(super) fn authorized(req: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
    req.bearer_auth(token)
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
}

/// Pull pages fetched ahead, in order, by a task on the worker thread; dropped, it stops.
pub(super) struct PageFeed {
    pages: tokio::sync::mpsc::Receiver<Exchanged<PullResponse>>,
    task: tokio::task::JoinHandle<()>,
}

impl PageFeed {
    /// Starts asking `url` (the pull endpoint) for pages from `cursor` on, on `runtime`.
    pub(super) fn start(
        runtime: &tokio::runtime::Handle,
        http: reqwest::Client,
        url: String,
        token: String,
        cursor: i64,
    ) -> PageFeed {
        // One page waiting beside the one being applied, one more being fetched: a phone holds
        // at most three pages at once.
        let (send, pages) = tokio::sync::mpsc::channel(1);
        let task = runtime.spawn(async move {
            let mut cursor = cursor;
            loop {
                let request = http.get(format!("{url}?cursor={cursor}"));
                let exchanged: Exchanged<PullResponse> =
                    exchange(authorized(request, &token)).await;
                // After a refusal, a failure or the last page, the round decides; nothing more
                // is asked.
                let next = match &exchanged.outcome {
                    Ok(page) if page.more => Some(page.cursor),
                    _ => None,
                };
                if send.send(exchanged).await.is_err() {
                    return;
                }
                match next {
                    Some(after) => cursor = after,
                    None => return,
                }
            }
        });
        PageFeed { pages, task }
    }

    /// The next page's exchange.
    pub(super) async fn next(&mut self) -> Exchanged<PullResponse> {
        self.pages.recv().await.unwrap_or_else(|| Exchanged {
            server: None,
            outcome: Err(Refused::Failed(Error::Network(
                "the pull stopped before its last page".into(),
            ))),
        })
    }
}

impl Drop for PageFeed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A request that did not get a 200.
pub(super) enum Refused {
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

/// The error a refusal becomes: the status and the server's code and message.
fn server_error(status: StatusCode, body: Option<ErrorBody>) -> Error {
    Error::Server {
        status: status.as_u16(),
        message: body.map_or_else(
            || status.to_string(),
            |b| format!("{}: {}", b.error, b.message),
        ),
    }
}
