//! Child process of the pull crash test: runs sync rounds on a store, printing a line after
//! every pull page it applied (`pulled N`). The parent kills it with SIGKILL mid-way. Page by
//! page, unless the fourth argument is `snapshot`: then a first sync installs the server's
//! snapshot, and the kills land in its download or its install.

use std::io::Write;
use std::process::ExitCode;

use onsite_core::Store;
use onsite_core::sync::client::SyncClient;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (path, url, token, snapshot) = match args.as_slice() {
        [_, path, url, token] => (path, url, token, false),
        [_, path, url, token, mode] if mode == "snapshot" => (path, url, token, true),
        _ => {
            eprintln!("usage: pull_child STORE URL TOKEN [snapshot]");
            return ExitCode::from(2);
        }
    };
    let run = || -> onsite_core::Result<()> {
        let store = Store::open(path)?;
        let client = SyncClient::new(url, token)?;
        let client = if snapshot {
            client
        } else {
            client.paged_only()
        };
        let tell = |p: onsite_core::sync::client::SyncProgress| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "pulled {}", p.pulled).and_then(|()| out.flush());
        };
        loop {
            client.sync_now_reporting(&store, &tell)?;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "round").and_then(|()| out.flush());
        }
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pull_child: {err}");
            ExitCode::FAILURE
        }
    }
}
