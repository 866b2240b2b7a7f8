//! `onsite-server`: the Onsite sync server. With no subcommand it serves; `create-admin NAME`
//! creates an admin account and prints its token; `backup FILE` and `restore FILE` copy the
//! database out and put a copy back (under a new identity). Logs go to stderr, as text or JSON
//! (`--log-format`), filtered by `RUST_LOG` (default `info`).

use onsite_server::logging::{self, LogFormat};
use onsite_server::{db, serve};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

/// The Onsite sync server (embedded SQLite, no other service needed).
#[derive(Debug, Parser)]
#[command(name = "onsite-server", version, about)]
struct Args {
    /// The data directory (created if missing).
    #[arg(long, default_value = "./onsite-data")]
    data: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    max_body_bytes: usize,
    /// Change-log entries per pull page (tests use tiny pages; the default suits phones).
    #[arg(long, default_value_t = onsite_server::sync::PULL_PAGE as u32)]
    pull_page_size: u32,
    /// Answer no first-sync snapshots (each costs the server disk the size of its scope while
    /// it is sent); devices then pull their first sync page by page.
    #[arg(long)]
    no_snapshots: bool,
    /// How log lines (on stderr) are written; `RUST_LOG` filters them (default `info`).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// What to do instead of serving.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create an admin account and print its token.
    CreateAdmin {
        /// The admin's login name.
        name: String,
    },
    /// Write a consistent copy of the database to a new file (safe while a server runs).
    Backup {
        /// The file to write; must not exist.
        to: PathBuf,
    },
    /// Put a backup in place as the database of `--data`, under a new identity, so devices
    /// recover what it lacks. The database it replaces is kept beside it, renamed. Stop the
    /// server first.
    Restore {
        /// The backup file.
        from: PathBuf,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    logging::init(args.log_format, "info");
    if let Some(Command::Restore { from }) = &args.command {
        return match db::Db::restore(from, &args.data) {
            Ok(identity) => {
                println!("restored; the database's new identity is {identity}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                tracing::error!(code = %err.kind(), error = %err, "cannot restore");
                ExitCode::FAILURE
            }
        };
    }
    let db = match db::Db::open(&args.data) {
        Ok(db) => Arc::new(
            db.with_pull_page(args.pull_page_size)
                .with_snapshots(!args.no_snapshots),
        ),
        Err(err) => {
            // The message names the data file or directory, never a row's content.
            tracing::error!(code = %err.kind(), error = %err, "cannot open the database");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Backup { to }) = &args.command {
        return match db.backup(to) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                tracing::error!(code = %err.kind(), error = %err, "cannot back up");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::CreateAdmin { name }) = &args.command {
        return match db
            .create_user(name, db::UserRole::Admin)
            .and_then(|u| db.issue_token(u.id))
        {
            Ok(token) => {
                println!("{token}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                // The message never quotes the name (which is personal): it says what rule.
                tracing::error!(code = %err.kind(), error = %err, "cannot create the admin");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            tracing::error!(error = %err, "cannot start the runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(
        db,
        args.listen,
        args.max_body_bytes,
        onsite_server::shutdown_signal(),
    )) {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            tracing::error!(error = %err, "the server stopped with an error");
            ExitCode::FAILURE
        }
    }
}
