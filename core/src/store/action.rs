//! The bookkeeping every write shares: one hybrid-logical-clock stamp per change, the stamp of
//! each field it wrote, and (for the engineer's own actions) an outbox entry numbered
//! contiguously per client. All of it goes into the caller's transaction, so a change and its
//! outbox entry are committed together or not at all.

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::clock::{Hlc, format_time};
use crate::error::{Entity, Error, Result};
use crate::validate::Check;

/// The name of a row's insert stamp: it stamps every field of the row that has no stamp of its
/// own. It is stored in the row itself (its `row_stamp` column), not in `field_clocks`: visit
/// records are never edited, so most rows only ever have this one, and a first sync writes no
/// stamp row per row.
pub const ROW_STAMP: &str = "*";

/// The stamp of one field: its own if it was changed since the row was written, else the row's.
pub fn field_stamp(
    conn: &Connection,
    entity: Entity,
    row_id: Uuid,
    field: &str,
) -> Result<Option<Hlc>> {
    let own: Option<String> = conn
        .prepare_cached(
            "SELECT hlc FROM field_clocks WHERE entity = ?1 AND row_id = ?2 AND field = ?3",
        )?
        .query_row((entity.as_str(), row_id.to_string(), field), |r| {
            r.get("hlc")
        })
        .optional()?;
    match own {
        Some(text) => parse_stamp("field_clocks.hlc", text).map(Some),
        None => row_stamp(conn, entity, row_id),
    }
}

/// The row's own stamp (its `row_stamp` column), if the row exists and has one.
pub fn row_stamp(conn: &Connection, entity: Entity, row_id: Uuid) -> Result<Option<Hlc>> {
    let stamp: Option<Option<String>> = conn
        .prepare_cached(&format!(
            "SELECT row_stamp FROM {} WHERE id = ?1",
            entity.table()
        ))?
        .query_row([row_id.to_string()], |r| r.get("row_stamp"))
        .optional()?;
    stamp
        .flatten()
        .map(|text| parse_stamp("row_stamp", text))
        .transpose()
}

fn parse_stamp(column: &'static str, text: String) -> Result<Hlc> {
    text.parse().map_err(|_| Error::Corrupt {
        column,
        value: text,
    })
}

/// Every stamp of one row: field → stamp, the row stamp under [`ROW_STAMP`].
pub fn row_stamps(
    conn: &Connection,
    entity: Entity,
    row_id: Uuid,
) -> Result<std::collections::BTreeMap<String, Hlc>> {
    let mut stamps = field_stamps(conn, entity, row_id)?;
    if let Some(stamp) = row_stamp(conn, entity, row_id)? {
        stamps.insert(ROW_STAMP.to_owned(), stamp);
    }
    Ok(stamps)
}

/// The stamps of the row's fields changed since it was written (its `field_clocks`).
pub fn field_stamps(
    conn: &Connection,
    entity: Entity,
    row_id: Uuid,
) -> Result<std::collections::BTreeMap<String, Hlc>> {
    let mut stmt = conn
        .prepare_cached("SELECT field, hlc FROM field_clocks WHERE entity = ?1 AND row_id = ?2")?;
    let rows = stmt.query_map((entity.as_str(), row_id.to_string()), |r| {
        Ok((r.get::<_, String>("field")?, r.get::<_, String>("hlc")?))
    })?;
    let mut stamps = std::collections::BTreeMap::new();
    for row in rows {
        let (field, hlc) = row?;
        stamps.insert(field, parse_stamp("field_clocks.hlc", hlc)?);
    }
    Ok(stamps)
}

/// What a change does to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A new row; the payload is the whole row.
    Insert,
    /// Some fields of an existing row; the payload holds just those fields.
    Update,
    /// A work-order status change; the payload says from, to, role and reason.
    Transition,
}

impl Op {
    /// The stable name used in storage (and in logs).
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Insert => "insert",
            Op::Update => "update",
            Op::Transition => "transition",
        }
    }
}

/// The context of one write transaction: the time, the clock, the next outbox seq.
#[derive(Debug)]
pub struct ActionCtx {
    client_id: Uuid,
    now: DateTime<Utc>,
    wall_ms: i64,
    hlc_wall_ms: i64,
    hlc_counter: u32,
    next_seq: i64,
    to_outbox: bool,
    replay: Option<Replay>,
}

/// A device's action being carried out again elsewhere (the server applying a push): the rows
/// get the device's ids, time and stamp, so both sides hold the same rows.
#[derive(Debug)]
struct Replay {
    ids: std::collections::VecDeque<Uuid>,
    at: DateTime<Utc>,
    hlc: Hlc,
}

impl ActionCtx {
    pub(super) fn load(tx: &Transaction<'_>, now: DateTime<Utc>, to_outbox: bool) -> Result<Self> {
        let (client_id, next_seq, hlc_wall_ms, hlc_counter, offset_ms): (
            String,
            i64,
            i64,
            u32,
            i64,
        ) = tx.query_row(
            "SELECT client_id, next_outbox_seq, hlc_wall_ms, hlc_counter, clock_offset_ms
                 FROM device",
            [],
            |r| {
                Ok((
                    r.get("client_id")?,
                    r.get("next_outbox_seq")?,
                    r.get("hlc_wall_ms")?,
                    r.get("hlc_counter")?,
                    r.get("clock_offset_ms")?,
                ))
            },
        )?;
        // Stored times have millisecond precision; an action returns what a reload would show.
        let now = now.trunc_subsecs(3);
        // A clock set far off would stamp rows that cannot be read back (RFC 3339 has no year
        // 10000): an engineer's action needs a clock inside the store's window; writing what the
        // server sent only needs one whose times read back, so a phone reset to 1970 still syncs
        // (and learns the server's time).
        if to_outbox {
            Check::new().time("clock", now).finish()?;
        } else if !(1..=9999).contains(&now.year()) {
            return Err(Error::inconsistent(
                "clock",
                format!("the device clock says {now}, which cannot be stored"),
            ));
        }
        Ok(ActionCtx {
            client_id: super::columns::parse_uuid("device.client_id", client_id)?,
            now,
            wall_ms: now.timestamp_millis() + offset_ms,
            hlc_wall_ms,
            hlc_counter,
            next_seq,
            to_outbox,
            replay: None,
        })
    }

    pub(super) fn save(&self, tx: &Transaction<'_>) -> Result<()> {
        tx.prepare_cached(
            "UPDATE device SET next_outbox_seq = ?1, hlc_wall_ms = ?2, hlc_counter = ?3",
        )?
        .execute((self.next_seq, self.hlc_wall_ms, self.hlc_counter))?;
        Ok(())
    }

    /// The wall time of this action (device clock, uncorrected: it is what the engineer saw).
    /// While replaying, the time the device recorded.
    pub fn now(&self) -> DateTime<Utc> {
        self.replay.as_ref().map_or(self.now, |r| r.at)
    }

    /// A new row id: a UUIDv7, made here on the device, so a retry can never duplicate a row.
    /// While replaying, the ids the device made, in the order it made them.
    pub fn new_id(&mut self) -> Uuid {
        self.replay
            .as_mut()
            .and_then(|r| r.ids.pop_front())
            .unwrap_or_else(Uuid::now_v7)
    }

    /// Starts replaying a device's action: the next rows get `ids`, time `at` and stamp `hlc`.
    /// The local clock moves past `hlc`, so later local stamps order after it (HLC receive).
    /// A time outside the store's window (a device clock set to year 10000) is refused: the
    /// rows would be written with a time that cannot be read back.
    pub fn begin_replay(&mut self, ids: Vec<Uuid>, at: DateTime<Utc>, hlc: Hlc) -> Result<()> {
        Check::new().time("time", at).finish()?;
        self.receive(hlc);
        self.replay = Some(Replay {
            ids: ids.into(),
            at: at.trunc_subsecs(3),
            hlc,
        });
        Ok(())
    }

    /// HLC receive: the local clock moves past a stamp seen from elsewhere, so that an edit
    /// made after seeing a value is stamped after it and wins over it.
    pub fn receive(&mut self, hlc: Hlc) {
        if (hlc.wall_ms, hlc.counter) > (self.hlc_wall_ms, self.hlc_counter) {
            self.hlc_wall_ms = hlc.wall_ms;
            self.hlc_counter = hlc.counter;
        }
    }

    /// Sets this store's clock to the server's time, backwards if need be: the only time the
    /// clock may go back, when the server found it running ahead (see
    /// [`restamp_pending`](crate::sync::apply::restamp_pending)). Later stamps start there.
    pub fn reset_clock(&mut self, server_time_ms: i64) {
        self.wall_ms = server_time_ms;
        self.hlc_wall_ms = server_time_ms;
        self.hlc_counter = 0;
    }

    /// A fresh stamp from this store's clock (for giving waiting changes new stamps).
    pub fn next_stamp(&mut self) -> Hlc {
        self.tick()
    }

    /// The id of the store this context writes to (the node of its stamps).
    pub fn client_id(&self) -> Uuid {
        self.client_id
    }

    /// Ends a replay: later rows are this store's own again.
    pub fn end_replay(&mut self) {
        self.replay = None;
    }

    fn tick(&mut self) -> Hlc {
        if let Some(replay) = &self.replay {
            return replay.hlc;
        }
        let hlc = Hlc::tick(
            self.hlc_wall_ms,
            self.hlc_counter,
            self.wall_ms,
            self.client_id,
        );
        self.hlc_wall_ms = hlc.wall_ms;
        self.hlc_counter = hlc.counter;
        hlc
    }

    /// Logs a new row. Its fields are stamped once, with the row stamp [`ROW_STAMP`]; a field
    /// gets a stamp of its own only when a later change sets it.
    pub fn log_insert(
        &mut self,
        tx: &Transaction<'_>,
        entity: Entity,
        row_id: Uuid,
        row: &impl Serialize,
    ) -> Result<Hlc> {
        let mut fields = to_object(row)?;
        fields.remove("id");
        self.log(
            tx,
            entity,
            row_id,
            Op::Insert,
            &[ROW_STAMP.to_owned()],
            Value::Object(fields),
        )
    }

    /// Gives `row_id` the row stamp `hlc` of a change logged for another row: a row written as
    /// part of that change (a status change's history row), with no outbox entry of its own.
    pub fn stamp_row(
        &self,
        tx: &Transaction<'_>,
        entity: Entity,
        row_id: Uuid,
        hlc: Hlc,
    ) -> Result<()> {
        self.stamp_field(tx, entity, row_id, ROW_STAMP, hlc)
    }

    /// Sets the stamp of one field (an edit that won its last-writer-wins comparison), or with
    /// [`ROW_STAMP`] the row's own stamp (the row must be written already).
    pub fn stamp_field(
        &self,
        tx: &Transaction<'_>,
        entity: Entity,
        row_id: Uuid,
        field: &str,
        hlc: Hlc,
    ) -> Result<()> {
        if field == ROW_STAMP {
            let stamped = tx
                .prepare_cached(&format!(
                    "UPDATE {} SET row_stamp = ?2 WHERE id = ?1",
                    entity.table()
                ))?
                .execute((row_id.to_string(), hlc.to_string()))?;
            if stamped == 0 {
                return Err(Error::inconsistent(
                    entity.table(),
                    "a row stamp for a row that is not stored",
                ));
            }
            return Ok(());
        }
        tx.prepare_cached(
            "INSERT INTO field_clocks (entity, row_id, field, hlc) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc",
        )?
        .execute((entity.as_str(), row_id.to_string(), field, hlc.to_string()))?;
        Ok(())
    }

    /// Logs a change to some fields of a row: those fields are stamped.
    pub fn log_update(
        &mut self,
        tx: &Transaction<'_>,
        entity: Entity,
        row_id: Uuid,
        fields: Map<String, Value>,
    ) -> Result<Hlc> {
        let stamped: Vec<String> = fields.keys().cloned().collect();
        self.log(
            tx,
            entity,
            row_id,
            Op::Update,
            &stamped,
            Value::Object(fields),
        )
    }

    /// Logs a change with an explicit list of the fields it set (e.g. a status transition
    /// stamps `status` while its payload also carries from, role and reason).
    pub fn log(
        &mut self,
        tx: &Transaction<'_>,
        entity: Entity,
        row_id: Uuid,
        op: Op,
        stamped: &[String],
        payload: Value,
    ) -> Result<Hlc> {
        let stamp = self.tick();
        for field in stamped {
            self.stamp_field(tx, entity, row_id, field, stamp)?;
        }
        let hlc = stamp.to_string();
        let row_id = row_id.to_string();
        if self.to_outbox {
            tx.prepare_cached(
                "INSERT INTO outbox (seq, mutation_id, entity, row_id, op, payload, hlc, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute((
                self.next_seq,
                Uuid::now_v7().to_string(),
                entity.as_str(),
                &row_id,
                op.as_str(),
                payload.to_string(),
                &hlc,
                format_time(self.now),
            ))?;
            self.next_seq += 1;
        }
        Ok(stamp)
    }
}

fn to_object(row: &impl Serialize) -> Result<Map<String, Value>> {
    match serde_json::to_value(row)? {
        Value::Object(map) => Ok(map),
        other => {
            let mut map = Map::new();
            map.insert("value".to_owned(), other);
            Ok(map)
        }
    }
}
