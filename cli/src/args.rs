//! The command line: `onsite --db PATH [--json] <command>`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Onsite: an engineer's field-service client in the terminal. Works with no network.
#[derive(Debug, Parser)]
#[command(name = "onsite", version, about)]
pub struct Cli {
    /// The engineer's store file (created if missing).
    #[arg(long, env = "ONSITE_DB", default_value = "onsite.db", global = true)]
    pub db: PathBuf,
    /// Print JSON for scripts instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Minutes east of UTC for "today" and printed times (default: this machine's zone).
    #[arg(long, global = true, allow_hyphen_values = true)]
    pub utc_offset: Option<i32>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Pass or fail.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PassFail {
    /// It works.
    Pass,
    /// It does not.
    Fail,
}

/// The commands. `JOB` is a work-order number (WO-000001) or id.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// A whole on-site visit with no network, on a fresh temporary store, told step by step.
    Demo {
        /// Keep the demo store at this path instead of a temp dir.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Fill the store with realistic demo data: customers, appliances and locks, today's jobs,
    /// earlier visits. Prints today's jobs.
    Seed {
        /// Open jobs to create.
        #[arg(long, default_value_t = 24)]
        jobs: usize,
        /// Jobs per day, from today on.
        #[arg(long, default_value_t = 6)]
        per_day: usize,
        /// Completed earlier visits per appliance.
        #[arg(long, default_value_t = 2)]
        history: usize,
        /// The engineer the jobs are assigned to.
        #[arg(long, default_value = "eng-1")]
        engineer: String,
        /// Random seed (same seed, same data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The day's jobs, in appointment order.
    Jobs {
        /// The day (YYYY-MM-DD); today if not given.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// A job's detail: customer, site, appliance, warranty, fault, earlier visits.
    Show {
        /// The job.
        job: String,
    },
    /// Move a job to another status (accepted, en_route, on_site, awaiting_parts,
    /// awaiting_approval, completed, incomplete, ...).
    Status {
        /// The job.
        job: String,
        /// The new status.
        to: String,
        /// Why (required for incomplete).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record a diagnosis.
    Diagnose {
        /// The job.
        job: String,
        /// What you observed.
        #[arg(long)]
        symptom: String,
        /// What causes it.
        #[arg(long)]
        cause: String,
        /// An error code read from the appliance (repeatable).
        #[arg(long = "code")]
        codes: Vec<String>,
    },
    /// Record a measurement.
    Measure {
        /// The job.
        job: String,
        /// What was measured.
        name: String,
        /// The value.
        #[arg(allow_hyphen_values = true)]
        value: f64,
        /// Its unit.
        unit: String,
    },
    /// Show the job's checklist.
    Checklist {
        /// The job.
        job: String,
    },
    /// Record a checklist result (pass, fail or n/a).
    Check {
        /// The job.
        job: String,
        /// The item key (see `checklist`).
        item: String,
        /// pass, fail or n/a.
        result: String,
        /// A remark.
        #[arg(long)]
        note: Option<String>,
    },
    /// Append a note.
    Note {
        /// The job.
        job: String,
        /// The text.
        text: String,
    },
    /// Record time spent (travel or on_site), ending now or between --start and --end.
    Time {
        /// The job.
        job: String,
        /// travel or on_site.
        kind: String,
        /// Minutes, ending now.
        #[arg(long, conflicts_with_all = ["start", "end"])]
        minutes: Option<i64>,
        /// Start (RFC 3339).
        #[arg(long, requires = "end")]
        start: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// End (RFC 3339).
        #[arg(long, requires = "start")]
        end: Option<chrono::DateTime<chrono::FixedOffset>>,
    },
    /// Record a part installed (or --removed).
    Part {
        /// The job.
        job: String,
        /// Manufacturer part number.
        part_number: String,
        /// What the part is.
        description: String,
        /// How many.
        #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
        qty: i64,
        /// The part came out rather than went in.
        #[arg(long)]
        removed: bool,
        /// Serial of the part that went in.
        #[arg(long)]
        serial_in: Option<String>,
        /// Serial of the part that came out.
        #[arg(long)]
        serial_out: Option<String>,
        /// The customer pays (needs their approval); otherwise warranty.
        #[arg(long)]
        chargeable: bool,
        /// Unit price, e.g. 64.90.
        #[arg(long, default_value = "0", allow_hyphen_values = true)]
        price: String,
    },
    /// Add a quote line (labour, call-out).
    Quote {
        /// The job.
        job: String,
        /// What is charged.
        description: String,
        /// Unit price, e.g. 89.00.
        #[arg(long, allow_hyphen_values = true)]
        price: String,
        /// How many.
        #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
        qty: i64,
    },
    /// The customer approves the current charges.
    Approve {
        /// The job.
        job: String,
        /// The customer's name.
        name: String,
    },
    /// The customer declines the current charges.
    Decline {
        /// The job.
        job: String,
        /// The customer's name.
        name: String,
    },
    /// Record the function test.
    Test {
        /// The job.
        job: String,
        /// pass or fail.
        #[arg(value_enum)]
        result: PassFail,
        /// What was tested.
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Capture the customer's signature on the report as it stands.
    Sign {
        /// The job.
        job: String,
        /// The signer's name.
        name: String,
        /// A JSON file of strokes: [{"points":[{"x":1,"y":2,"t_ms":0}, ...]}, ...].
        #[arg(long, required_unless_present = "demo_signature")]
        strokes: Option<PathBuf>,
        /// Use a built-in pen stroke (for trying things out).
        #[arg(long)]
        demo_signature: bool,
    },
    /// Everything recorded for the visit.
    Visit {
        /// The job.
        job: String,
    },
    /// What still stands between the job and its completion.
    Missing {
        /// The job.
        job: String,
    },
    /// The service report, its SHA-256 and whether it still matches the signature.
    Report {
        /// The job.
        job: String,
        /// Print the canonical report bytes instead of a summary.
        #[arg(long)]
        canonical: bool,
    },
    /// How many changes wait for the server.
    Pending,
    /// Remember the sync server and this engineer's device token.
    Login {
        /// The server, e.g. http://127.0.0.1:8080.
        server: String,
        /// The device token the back office issued.
        token: String,
    },
    /// One sync round now: send every waiting change, receive the server's.
    Sync,
    /// The conflict log.
    Conflicts {
        /// Include entries already marked seen.
        #[arg(long)]
        all: bool,
    },
    /// Mark a conflict-log entry as seen.
    Seen {
        /// The entry's id.
        id: uuid::Uuid,
    },
}
