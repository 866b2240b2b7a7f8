//! Child process of the sync fault test: adds a note and runs a sync round, over and over,
//! printing `N` after note N is stored. The parent kills it with SIGKILL mid-way.

use std::io::Write;
use std::process::ExitCode;

use onsite_core::Store;
use onsite_core::sync::client::SyncClient;
use uuid::Uuid;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, url, token, job, first] = args.as_slice() else {
        eprintln!("usage: sync_child STORE URL TOKEN JOB_ID FIRST_NOTE");
        return ExitCode::from(2);
    };
    let (Ok(job), Ok(first)) = (Uuid::parse_str(job), first.parse::<u64>()) else {
        eprintln!("sync_child: bad JOB_ID or FIRST_NOTE");
        return ExitCode::from(2);
    };
    let run = || -> onsite_core::Result<()> {
        let store = Store::open(path)?;
        let client = SyncClient::new(url, token)?;
        let mut out = std::io::stdout().lock();
        for n in first.. {
            store.add_note(job, format!("note-{n}"))?;
            let _ = writeln!(out, "{n}").and_then(|()| out.flush());
            client.sync_now(&store)?;
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sync_child: {err}");
            ExitCode::FAILURE
        }
    }
}
