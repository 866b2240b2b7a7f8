//! The core's error type: rich and typed, so every caller (CLI, server, FFI) can say exactly
//! what went wrong. The FFI crate maps it to its small public `ApiError` in one place.

use std::fmt;
use std::path::PathBuf;

use crate::visit::completion::MissingItem;
use crate::work_orders::status::{Role, Status};

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file exists but is not a SQLite database. It is left exactly as it was.
    #[error("{} is not an Onsite store (not a SQLite database); the file was left untouched", path.display())]
    NotADatabase {
        /// The file that was opened.
        path: PathBuf,
    },
    /// The file is a SQLite database whose pages are damaged. It is left exactly as it was.
    #[error("{} is damaged (not a readable SQLite database any more); the file was left untouched", path.display())]
    Damaged {
        /// The file that was opened.
        path: PathBuf,
    },
    /// The file is a SQLite database, but not an Onsite store. It is left exactly as it was.
    #[error("{} is a SQLite database but not an Onsite store; the file was left untouched", path.display())]
    NotAnOnsiteStore {
        /// The file that was opened.
        path: PathBuf,
    },
    /// The store was written by a newer version of the app.
    #[error("the store has schema version {found}, newer than this app supports ({supported})")]
    SchemaTooNew {
        /// The version found in the file.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// No row of that kind with that id (or number).
    #[error("{entity} {id} not found")]
    NotFound {
        /// What was looked up.
        entity: Entity,
        /// The id or number that was asked for.
        id: String,
    },
    /// The state machine does not allow this status change for this role.
    #[error("status change {from} -> {to} is not allowed for the {role} role")]
    IllegalTransition {
        /// The work order's current status.
        from: Status,
        /// The status asked for.
        to: Status,
        /// Who asked.
        role: Role,
    },
    /// Completion refused; lists every rule that does not hold yet.
    #[error("the job cannot be completed yet: {}", list(missing))]
    CompletionRefused {
        /// Every missing item, in a stable order.
        missing: Vec<MissingItem>,
    },
    /// This role may not do this at all (whatever the status).
    #[error("{action} is not allowed for the {role} role")]
    NotPermitted {
        /// What was attempted.
        action: &'static str,
        /// Who asked.
        role: Role,
    },
    /// The job's status does not accept this kind of record.
    #[error("the job is {status}: {action} is not possible now")]
    NotOpenForRecords {
        /// The work order's current status.
        status: Status,
        /// What was attempted.
        action: &'static str,
    },
    /// Input that breaks a rule; lists every problem found, not just the first.
    #[error("invalid input: {}", list(problems))]
    Invalid {
        /// Each field and what is wrong with it.
        problems: Vec<FieldProblem>,
    },
    /// A value could not be compressed for the store (`store::packed`; out of memory).
    #[error("a value could not be packed for the store: {0}")]
    Packing(String),
    /// The store holds a value this build cannot read (a bug or a foreign writer).
    #[error("the store holds an unreadable value in {column}: {value:?}")]
    Corrupt {
        /// Table and column.
        column: &'static str,
        /// The raw value.
        value: String,
    },
    /// A stored row of a job that this build cannot read back (a value it never writes: a bug,
    /// an older build, a foreign writer). Names where, never the value; the store's other jobs
    /// still read.
    #[error("job {work_order_id}: a stored value in {table}.{column} cannot be read")]
    Unreadable {
        /// The table (or group of tables) read.
        table: &'static str,
        /// The column whose value does not read.
        column: String,
        /// The job the row belongs to.
        work_order_id: uuid::Uuid,
    },
    /// The server could not be reached (offline, timeout, refused connection).
    #[error("cannot reach the server: {0}")]
    Network(String),
    /// The server answered with an error.
    #[error("the server refused the request ({status}): {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's error code and message.
        message: String,
    },
    /// The other side broke the sync protocol.
    #[error("sync protocol error: {0}")]
    Protocol(String),
    /// A snapshot was refused or could not be read (`sync::snapshot`); the store is unchanged.
    #[error(transparent)]
    Snapshot(#[from] crate::sync::snapshot::SnapshotError),
    /// SQLite failed.
    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// JSON (de)serialization of a stored value failed.
    #[error("serialization error: {0}")]
    Json(#[from] serde_json::Error),
}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The kinds of stored things, as named in errors, field clocks and the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// A customer.
    Customer,
    /// A customer's site (an address).
    Site,
    /// A preventive-maintenance contract.
    Contract,
    /// An appliance or smart lock.
    Asset,
    /// A work order (one visit).
    WorkOrder,
    /// A status change of a work order.
    StatusChange,
    /// A diagnosis entry.
    Diagnosis,
    /// A measurement.
    Measurement,
    /// A checklist result.
    ChecklistResult,
    /// A note.
    Note,
    /// A time entry.
    TimeEntry,
    /// A part line.
    PartLine,
    /// A quote line.
    QuoteLine,
    /// The customer's decision on the quote.
    QuoteDecision,
    /// A function-test result.
    FunctionTest,
    /// The customer's sign-off.
    SignOff,
    /// A conflict-log entry.
    Conflict,
}

impl Entity {
    /// The visit records: the kinds of row that belong to one work order (`work_order_id`),
    /// in the order they may be written (none points at another).
    pub const VISIT_RECORDS: &'static [Entity] = &[
        Entity::StatusChange,
        Entity::Diagnosis,
        Entity::Measurement,
        Entity::ChecklistResult,
        Entity::Note,
        Entity::TimeEntry,
        Entity::PartLine,
        Entity::QuoteLine,
        Entity::QuoteDecision,
        Entity::FunctionTest,
        Entity::SignOff,
    ];

    /// The kinds of row a work order points at, parents first.
    pub const JOB_PARENTS: &'static [Entity] = &[
        Entity::Customer,
        Entity::Site,
        Entity::Contract,
        Entity::Asset,
    ];

    /// Every kind of row that syncs (and so has a row stamp): the parents, the work order, its
    /// records.
    pub fn synced() -> impl Iterator<Item = Entity> {
        Entity::JOB_PARENTS
            .iter()
            .chain([Entity::WorkOrder].iter())
            .chain(Entity::VISIT_RECORDS)
            .copied()
    }

    /// The stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Customer => "customer",
            Entity::Site => "site",
            Entity::Contract => "contract",
            Entity::Asset => "asset",
            Entity::WorkOrder => "work_order",
            Entity::StatusChange => "status_change",
            Entity::Diagnosis => "diagnosis",
            Entity::Measurement => "measurement",
            Entity::ChecklistResult => "checklist_result",
            Entity::Note => "note",
            Entity::TimeEntry => "time_entry",
            Entity::PartLine => "part_line",
            Entity::QuoteLine => "quote_line",
            Entity::QuoteDecision => "quote_decision",
            Entity::FunctionTest => "function_test",
            Entity::SignOff => "sign_off",
            Entity::Conflict => "conflict",
        }
    }
}

impl Entity {
    /// The store table holding rows of this kind.
    pub fn table(self) -> &'static str {
        match self {
            Entity::Customer => "customers",
            Entity::Site => "sites",
            Entity::Contract => "contracts",
            Entity::Asset => "assets",
            Entity::WorkOrder => "work_orders",
            Entity::StatusChange => "status_changes",
            Entity::Diagnosis => "diagnoses",
            Entity::Measurement => "measurements",
            Entity::ChecklistResult => "checklist_results",
            Entity::Note => "notes",
            Entity::TimeEntry => "time_entries",
            Entity::PartLine => "part_lines",
            Entity::QuoteLine => "quote_lines",
            Entity::QuoteDecision => "quote_decisions",
            Entity::FunctionTest => "function_tests",
            Entity::SignOff => "signoffs",
            Entity::Conflict => "conflicts",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str().replace('_', " "))
    }
}

/// One thing wrong with one input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldProblem {
    /// The field, as the caller named it (e.g. `quantity`).
    pub field: String,
    /// What is wrong.
    pub problem: Problem,
}

/// What can be wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// Required text is empty or only white space.
    Empty,
    /// Text longer than its limit.
    TooLong {
        /// The limit, in characters.
        max: usize,
        /// The length given.
        len: usize,
    },
    /// A count that must be at least one.
    NotPositive,
    /// An amount that must not be negative.
    Negative,
    /// A number above its limit.
    TooLarge {
        /// The largest value accepted.
        max: i64,
    },
    /// A list longer than its limit.
    TooMany {
        /// The most items accepted.
        max: usize,
        /// The number given.
        len: usize,
    },
    /// A number that is not finite (NaN or infinite).
    NotFinite,
    /// An end that is not after its start.
    EndBeforeStart,
    /// A time or date outside the window the store accepts (a typo such as year 10000 or
    /// 0001; see [`validate::EARLIEST`](crate::validate::EARLIEST)).
    OutOfRange {
        /// The first day accepted.
        earliest: String,
        /// The first day no longer accepted.
        latest: String,
    },
    /// A list that needs at least one element.
    NoItems,
    /// A value that contradicts another one (e.g. a site of another customer).
    Inconsistent {
        /// What does not fit.
        detail: String,
    },
    /// A value that must be unique and is already taken.
    AlreadyUsed {
        /// The value given.
        value: String,
    },
    /// A value outside the allowed set.
    NotOneOf {
        /// The value given.
        value: String,
        /// The values accepted.
        allowed: Vec<String>,
    },
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match &self.problem {
            Problem::Empty => write!(f, "{field} must not be empty"),
            Problem::TooLong { max, len } => {
                write!(f, "{field} is {len} characters, the limit is {max}")
            }
            Problem::NotPositive => write!(f, "{field} must be at least 1"),
            Problem::Negative => write!(f, "{field} must not be negative"),
            Problem::TooLarge { max } => write!(f, "{field} must be at most {max}"),
            Problem::TooMany { max, len } => {
                write!(f, "{field} has {len} items, the limit is {max}")
            }
            Problem::NotFinite => write!(f, "{field} must be a finite number"),
            Problem::EndBeforeStart => write!(f, "{field}: the end must be after the start"),
            Problem::OutOfRange { earliest, latest } => {
                write!(
                    f,
                    "{field} must be on or after {earliest} and before {latest}"
                )
            }
            Problem::NoItems => write!(f, "{field} must have at least one item"),
            Problem::Inconsistent { detail } => write!(f, "{field}: {detail}"),
            Problem::AlreadyUsed { value } => write!(f, "{field}: {value:?} is already used"),
            Problem::NotOneOf { value, allowed } => {
                write!(f, "{field}: {value:?} is not one of {}", allowed.join(", "))
            }
        }
    }
}

impl Error {
    /// Shorthand for an [`Error::Invalid`] with one problem.
    pub fn invalid(field: &str, problem: Problem) -> Self {
        Error::Invalid {
            problems: vec![FieldProblem {
                field: field.to_owned(),
                problem,
            }],
        }
    }

    /// Shorthand for an [`Error::Invalid`] whose one problem is an inconsistency.
    pub fn inconsistent(field: &str, detail: impl Into<String>) -> Self {
        Error::invalid(
            field,
            Problem::Inconsistent {
                detail: detail.into(),
            },
        )
    }

    /// A stable snake_case name of the variant, for logs and metrics. It never carries a value:
    /// the `Display` text can quote what a person typed (an `Invalid` problem's value, a server
    /// message), so a log line names the error by this and the ids it concerns.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotADatabase { .. } => "not_a_database",
            Error::Damaged { .. } => "damaged",
            Error::NotAnOnsiteStore { .. } => "not_an_onsite_store",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::NotFound { .. } => "not_found",
            Error::IllegalTransition { .. } => "illegal_transition",
            Error::CompletionRefused { .. } => "completion_refused",
            Error::NotPermitted { .. } => "not_permitted",
            Error::NotOpenForRecords { .. } => "not_open_for_records",
            Error::Invalid { .. } => "invalid",
            Error::Corrupt { .. } => "corrupt",
            Error::Packing(_) => "packing",
            Error::Unreadable { .. } => "unreadable",
            Error::Network(_) => "network",
            Error::Server { .. } => "server",
            Error::Protocol(_) => "protocol",
            Error::Snapshot(_) => "snapshot",
            Error::Sqlite(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
            {
                "constraint"
            }
            Error::Sqlite(_) => "sqlite",
            Error::Json(_) => "json",
        }
    }

    /// Shorthand for a [`Error::NotFound`].
    pub fn not_found(entity: Entity, id: impl fmt::Display) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}
