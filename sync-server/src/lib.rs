//! `onsite-server`: the Onsite sync server as a library, so that the `onsite-server` binary,
//! the CLI's demo and tests start the very same server.
//!
//! The logic ([`db`], [`sync`]) returns the server's typed [`error::ServerError`] and knows
//! nothing of HTTP; [`http`] turns it into answers. Everything is logged through `tracing`
//! ([`logging`] installs a subscriber for a binary).

pub mod db;
pub mod error;
pub mod http;
pub mod logging;
pub mod sync;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::ListenerExt;

/// Serves on `listen` until `stop` completes, then shuts down gracefully. Prints the bound
/// address first, on stdout for scripts and tests (`--listen 127.0.0.1:0` picks a free port),
/// and logs it.
pub async fn serve(
    db: Arc<db::Db>,
    listen: SocketAddr,
    max_body: usize,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    tracing::info!(%addr, "listening");
    serve_on(listener, db, max_body, stop).await
}

/// Serves on an already bound listener until `stop` completes.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    db: Arc<db::Db>,
    max_body: usize,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // No Nagle delay: an answer's last small segment would otherwise wait for the client's
    // (delayed) acknowledgement of the one before, on every pull page.
    let listener = listener.tap_io(|tcp| {
        if tcp.set_nodelay(true).is_err() {
            tracing::warn!("cannot turn Nagle's algorithm off for a connection");
        }
    });
    axum::serve(listener, http::router(db, max_body))
        .with_graceful_shutdown(stop)
        .await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// A server running on its own threads in this process (the demo, tests).
pub struct Background {
    /// Its base URL.
    pub url: String,
    /// The database, for bootstrap steps such as creating the first admin.
    pub db: Arc<db::Db>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Starts a server over `data_dir` on a free loopback port.
    pub fn start(data_dir: &std::path::Path) -> Result<Background, String> {
        let db = Arc::new(db::Db::open(data_dir).map_err(|e| e.to_string())?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .map_err(|e| e.to_string())?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = db.clone();
        let thread = std::thread::spawn(move || {
            let stop = async move {
                let _ = stopped.await;
            };
            if let Err(err) = runtime.block_on(serve_on(listener, served, 8 * 1024 * 1024, stop)) {
                tracing::error!(error = %err, "the server stopped with an error");
            }
        });
        Ok(Background {
            url,
            db,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Stops the server and waits until it has.
    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.shut();
    }
}
