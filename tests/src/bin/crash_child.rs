//! Child process of the crash test: performs numbered actions on a store for ever and prints
//! `N TABLE ROW_ID` after each action has returned. The parent kills it with SIGKILL.

use std::io::Write;
use std::process::ExitCode;

use onsite_core::Store;
use uuid::Uuid;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, job, first] = args.as_slice() else {
        eprintln!("usage: crash_child STORE JOB_ID FIRST_ACTION");
        return ExitCode::from(2);
    };
    let (Ok(job), Ok(first)) = (Uuid::parse_str(job), first.parse::<u64>()) else {
        eprintln!("crash_child: bad JOB_ID or FIRST_ACTION");
        return ExitCode::from(2);
    };
    let store = match Store::open(path) {
        Ok(store) => store,
        Err(err) => {
            eprintln!("crash_child: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    for n in first.. {
        match onsite_tests::numbered_action(&store, job, n) {
            Ok((table, id)) => {
                if writeln!(out, "{n} {table} {id}")
                    .and_then(|()| out.flush())
                    .is_err()
                {
                    return ExitCode::FAILURE;
                }
            }
            Err(err) => {
                eprintln!("crash_child: action {n}: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
