//! [`ServerError`]: every way the server's logic (accounts, push, pull, storage) refuses or
//! fails, typed and transport-free. Each has a stable [`code`](ServerError::code), the `error`
//! field of the wire's `ErrorBody`; `http::error` turns it into a status and body in one place.
//! Logs name an error by its code and [`kind`](ServerError::kind), never by its text: a core
//! error's message can quote what a person typed.

use std::path::PathBuf;

use onsite_core::Error;
use onsite_core::sync::wire::MAX_PUSH_BATCH;

/// Result with a [`ServerError`].
pub type ServerResult<T> = Result<T, ServerError>;

/// A refusal or failure of the server's logic.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The caller's account may not do this.
    #[error("{reason}")]
    Forbidden {
        /// Which rule refused it.
        reason: Forbidden,
    },
    /// A push skips seqs: the device must resend from `expected`.
    #[error("the next mutation must have seq {expected}")]
    Gap {
        /// The seq the server applies next.
        expected: i64,
    },
    /// A seq that was applied before as another mutation: the device store was copied or
    /// restored from a backup, and its new work must not be acknowledged as a retry.
    #[error(
        "seq {seq} was already used by another change: this device store was copied or restored; sign in again on a fresh store"
    )]
    SeqReused {
        /// The reused seq.
        seq: i64,
    },
    /// A push stamped by a clock more than five minutes ahead of the server's: nothing was
    /// applied; the device stamps its changes again from `server_time_ms` and resends.
    #[error(
        "the device clock is more than 5 minutes ahead of the server's: stamp the changes again from the server's time"
    )]
    ClockAhead {
        /// The server's clock, Unix milliseconds.
        server_time_ms: i64,
    },
    /// No such account or token (rows of the domain are the core's `NotFound`).
    #[error("no such {what}")]
    NotFound {
        /// What was looked up.
        what: Missing,
    },
    /// A request the server's own rules refuse (the domain's are the core's `Invalid`).
    #[error("{problem}")]
    Invalid {
        /// What is wrong with it.
        problem: Invalid,
    },
    /// An account of that name exists already.
    #[error("a user with that name exists")]
    NameTaken,
    /// A snapshot asked for a store schema this server does not build: the device pulls page
    /// by page instead.
    #[error("this server builds snapshots of store schema {built}, not {asked}: pull page by page")]
    SnapshotSchema {
        /// The schema version the device asked for.
        asked: i64,
        /// The one this server builds.
        built: u32,
    },
    /// This server answers no snapshots (`--no-snapshots`): the device pulls page by page.
    #[error("this server sends no snapshots: pull page by page")]
    SnapshotsOff,
    /// The core refused or failed (a rule, a missing row, its storage).
    #[error(transparent)]
    Core(#[from] Error),
    /// The server's own files failed.
    #[error("cannot create the data directory {}: {source}", path.display())]
    Storage {
        /// The directory.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
}

/// Why an account may not do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Forbidden {
    /// An engineer called a back-office endpoint.
    #[error("this needs a dispatcher or admin account")]
    BackOfficeOnly,
    /// A dispatcher tried to create a dispatcher or admin.
    #[error("only an admin creates dispatchers and admins")]
    AdminCreatesStaff,
    /// A dispatcher tried to issue a token for a dispatcher or admin.
    #[error("only an admin issues tokens for dispatchers and admins")]
    AdminIssuesStaffTokens,
    /// A push for a device store registered to another account.
    #[error("this device store belongs to another account")]
    ForeignDevice,
}

impl Forbidden {
    /// Its stable name in logs.
    pub fn code(self) -> &'static str {
        match self {
            Forbidden::BackOfficeOnly => "back_office_only",
            Forbidden::AdminCreatesStaff => "admin_creates_staff",
            Forbidden::AdminIssuesStaffTokens => "admin_issues_staff_tokens",
            Forbidden::ForeignDevice => "foreign_device",
        }
    }
}

/// What a [`ServerError::NotFound`] looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    /// An account.
    #[error("user")]
    User,
    /// A token that is not revoked.
    #[error("active token")]
    ActiveToken,
}

/// What is wrong with a request, by the server's own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// An account name that is empty or too long.
    #[error("name must be 1 to 200 characters")]
    NameLength,
    /// More mutations in one push than the protocol allows.
    #[error("at most {MAX_PUSH_BATCH} mutations a push")]
    TooManyMutations,
    /// A push whose seqs are not consecutive.
    #[error("mutation seqs in a push must be contiguous")]
    SeqsNotContiguous,
    /// A pull from a negative cursor.
    #[error("cursor must not be negative")]
    NegativeCursor,
    /// A backup to a file that already exists (it is never overwritten).
    #[error("the backup file already exists")]
    BackupExists,
    /// A backup path SQLite cannot take (not UTF-8).
    #[error("the backup path must be UTF-8")]
    BackupPath,
}

impl Invalid {
    /// Its stable name in logs.
    pub fn code(self) -> &'static str {
        match self {
            Invalid::NameLength => "name_length",
            Invalid::TooManyMutations => "too_many_mutations",
            Invalid::SeqsNotContiguous => "seqs_not_contiguous",
            Invalid::NegativeCursor => "negative_cursor",
            Invalid::BackupExists => "backup_exists",
            Invalid::BackupPath => "backup_path",
        }
    }
}

/// The wire code of a core error: the rules' refusals each have theirs; anything else is the
/// server failing (`internal`), whatever it was.
fn core_code(err: &Error) -> &'static str {
    match err {
        Error::NotFound { .. } => "not_found",
        Error::NotPermitted { .. } => "forbidden",
        Error::IllegalTransition { .. }
        | Error::CompletionRefused { .. }
        | Error::NotOpenForRecords { .. } => "refused",
        Error::Invalid { .. } | Error::Json(_) => "invalid",
        Error::NotADatabase { .. }
        | Error::Damaged { .. }
        | Error::NotAnOnsiteStore { .. }
        | Error::SchemaTooNew { .. }
        | Error::Corrupt { .. }
        | Error::Packing(_)
        | Error::Unreadable { .. }
        | Error::Network(_)
        | Error::Server { .. }
        | Error::Protocol(_)
        | Error::Snapshot(_)
        | Error::Sqlite(_) => "internal",
    }
}

impl ServerError {
    /// The stable code the wire carries (`ErrorBody::error`), e.g. `gap`, `forbidden`,
    /// `refused`, `internal`.
    pub fn code(&self) -> &'static str {
        match self {
            ServerError::Forbidden { .. } => "forbidden",
            ServerError::Gap { .. } => "gap",
            ServerError::SeqReused { .. } => "seq_reused",
            ServerError::ClockAhead { .. } => "clock_ahead",
            ServerError::NotFound { .. } => "not_found",
            ServerError::Invalid { .. } => "invalid",
            ServerError::NameTaken => "conflict",
            ServerError::SnapshotSchema { .. } => "snapshot_schema",
            ServerError::SnapshotsOff => "snapshots_off",
            ServerError::Core(err) => core_code(err),
            ServerError::Storage { .. } => "internal",
        }
    }

    /// The specific reason, for logs: the core error's variant (`illegal_transition`), the
    /// rule that forbade it (`foreign_device`); else the same as [`code`](Self::code).
    pub fn kind(&self) -> &'static str {
        match self {
            ServerError::Forbidden { reason } => reason.code(),
            ServerError::Invalid { problem } => problem.code(),
            ServerError::Core(err) => err.code(),
            ServerError::Storage { .. } => "storage",
            other => other.code(),
        }
    }

    /// Whether this is the server failing rather than refusing (answered 500, logged as an
    /// error).
    pub fn is_internal(&self) -> bool {
        self.code() == "internal"
    }

    /// What can be logged of an internal failure without personal data: SQLite's and the file
    /// system's messages name tables, columns and paths, never a row's values; a JSON or
    /// corrupt-value error could quote one, so only its kind is given.
    pub fn log_detail(&self) -> String {
        match self {
            // A row that does not convert quotes the stored value: name the column only.
            ServerError::Core(Error::Sqlite(rusqlite::Error::FromSqlConversionFailure(
                column,
                ..,
            ))) => format!("unreadable column {column}"),
            ServerError::Core(Error::Sqlite(e)) => e.to_string(),
            ServerError::Core(Error::Corrupt { column, .. }) => format!("unreadable {column}"),
            ServerError::Core(Error::SchemaTooNew { found, supported }) => {
                format!("schema {found}, this build reads up to {supported}")
            }
            ServerError::Storage { path, source } => format!("{}: {source}", path.display()),
            other => other.kind().to_owned(),
        }
    }
}

impl From<Forbidden> for ServerError {
    fn from(reason: Forbidden) -> Self {
        ServerError::Forbidden { reason }
    }
}

impl From<Invalid> for ServerError {
    fn from(problem: Invalid) -> Self {
        ServerError::Invalid { problem }
    }
}

impl From<Missing> for ServerError {
    fn from(what: Missing) -> Self {
        ServerError::NotFound { what }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onsite_core::Entity;
    use onsite_core::work_orders::status::{Role, Status};

    #[test]
    fn codes_are_the_wire_codes_and_kinds_name_the_rule() {
        let illegal = ServerError::Core(Error::IllegalTransition {
            from: Status::Cancelled,
            to: Status::Accepted,
            role: Role::Engineer,
        });
        assert_eq!(
            (illegal.code(), illegal.kind()),
            ("refused", "illegal_transition")
        );
        let foreign = ServerError::from(Forbidden::ForeignDevice);
        assert_eq!(
            (foreign.code(), foreign.kind()),
            ("forbidden", "foreign_device")
        );
        let missing = ServerError::Core(Error::not_found(Entity::WorkOrder, "x"));
        assert_eq!(missing.code(), "not_found");
        assert_eq!(ServerError::Gap { expected: 3 }.code(), "gap");
        assert!(ServerError::Core(Error::Protocol("x".into())).is_internal());
        assert!(!ServerError::NameTaken.is_internal());
    }

    #[test]
    fn a_logged_detail_never_quotes_a_value() {
        let invalid = ServerError::Core(Error::invalid(
            "serial",
            onsite_core::Problem::AlreadyUsed {
                value: "Paul Klein".into(),
            },
        ));
        assert!(
            invalid.to_string().contains("Paul Klein"),
            "the answer says it"
        );
        assert!(
            !invalid.log_detail().contains("Paul Klein"),
            "the log does not"
        );
        let corrupt = ServerError::Core(Error::Corrupt {
            column: "customers.name",
            value: "Paul Klein".into(),
        });
        assert!(!corrupt.log_detail().contains("Paul Klein"));
    }
}
