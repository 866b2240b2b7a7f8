//! The sync protocol's wire types. The server depends on these very types, so the two sides
//! cannot drift. Unknown fields are refused, not ignored: a client newer than the server says
//! so instead of losing data silently.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::Entity;
use crate::store::Op;

/// The protocol version this build speaks; a push or pull with another one is refused.
pub const PROTOCOL_VERSION: u32 = 1;

/// The header carrying [`PROTOCOL_VERSION`] on every sync request.
pub const PROTOCOL_HEADER: &str = "onsite-protocol";

/// The header on every server answer carrying the identity (a UUID) of the server's database.
/// Restoring the database from a backup gives it a new one, which tells devices to recover
/// (`sync::recovery`).
pub const SERVER_ID_HEADER: &str = "onsite-server-id";

/// Most mutations accepted in one push.
pub const MAX_PUSH_BATCH: usize = 500;

/// `POST /v1/sync/push`: a batch of the device's outbox, in seq order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The device store's client id.
    pub client_id: Uuid,
    /// Mutations with contiguous seqs, oldest first.
    pub mutations: Vec<Mutation>,
}

/// One outbox entry on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Per-client sequence number.
    #[serde(deserialize_with = "crate::whole::integer")]
    pub seq: i64,
    /// Unique id of the change.
    pub mutation_id: Uuid,
    /// What kind of row.
    pub entity: Entity,
    /// Which row.
    pub row_id: Uuid,
    /// Insert, update or transition.
    pub op: Op,
    /// The change.
    pub payload: Value,
    /// Its hybrid-logical-clock stamp (text form).
    pub hlc: String,
}

/// What the server did with one mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    /// Applied now.
    Applied {
        /// Its seq.
        seq: i64,
        /// Fields of an edit that lost to a newer value already on the server (last writer
        /// wins): the device logs its value as lost.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lost: Vec<LostField>,
    },
    /// Applied before (a retry); nothing changed now.
    Duplicate {
        /// Its seq.
        seq: i64,
        /// The fields that lost when it was applied, as the first answer said: that answer may
        /// have been lost on the way, and the device must still log its values as lost.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lost: Vec<LostField>,
    },
    /// Refused by the rules; the seq is used up so the queue moves on.
    Rejected {
        /// Its seq.
        seq: i64,
        /// Why, in words an engineer understands.
        reason: String,
    },
}

impl Outcome {
    /// The seq this outcome is for.
    pub fn seq(&self) -> i64 {
        match self {
            Outcome::Applied { seq, .. }
            | Outcome::Duplicate { seq, .. }
            | Outcome::Rejected { seq, .. } => *seq,
        }
    }
}

/// A field of a pushed edit that lost to a newer value on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LostField {
    /// The column.
    pub field: String,
    /// The value the server kept.
    pub kept_value: Option<String>,
}

/// The answer to a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// One outcome per mutation sent, in order.
    pub results: Vec<Outcome>,
    /// The highest seq of this client the server has applied.
    pub last_applied_seq: i64,
    /// The server's clock, for the device's HLC correction.
    pub server_time_ms: i64,
}

/// `GET /v1/sync/pull?cursor=N`: the rows in scope changed after server sequence N.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    /// Changed rows, in server-sequence order.
    pub changes: Vec<RowChange>,
    /// The cursor to ask from next time.
    pub cursor: i64,
    /// More changes wait after this page.
    pub more: bool,
    /// The server's clock.
    pub server_time_ms: i64,
}

/// A row as the server holds it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RowChange {
    /// Its place in the server's change log.
    pub server_seq: i64,
    /// What kind of row.
    pub entity: Entity,
    /// Column name to value: the whole row (for a removal, just its `id`).
    pub row: Map<String, Value>,
    /// The row's insert stamp on the server (HLC text): records are ordered by it, so every
    /// device lists them, and hashes reports over them, in the server's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<String>,
    /// The stamps of fields changed since the row was created (field → HLC text): each field
    /// merges by its own stamp (last writer wins).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub field_stamps: BTreeMap<String, String>,
    /// The row left the caller's scope (a job reassigned to someone else): remove it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// The JSON body of every error the server returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// A stable code: `unauthorized`, `forbidden`, `not_found`, `invalid`, `gap`, ...
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
    /// For `gap`: the seq the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<i64>,
    /// For `clock_ahead`: the server's clock, to stamp the waiting changes again from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time_ms: Option<i64>,
}
