//! What the engineer finds and notes: diagnosis entries, measurements, notes (append-only) and
//! the function test.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{When, by_stamp, open_job, rows};
use crate::clock::format_time;
use crate::error::{Entity, Result};
use crate::store::ActionCtx;
use crate::store::columns::{self, column_set};
use crate::validate::{CODE_MAX, CODES_MAX, Check, NAME_MAX, TEXT_MAX};

/// One diagnosis entry: a symptom observed and its cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Diagnosis {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// What the engineer observed.
    pub symptom: String,
    /// What causes it.
    pub cause: String,
    /// Error codes read from the appliance.
    pub error_codes: Vec<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A diagnosis to record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewDiagnosis {
    /// What the engineer observed.
    pub symptom: String,
    /// What causes it.
    pub cause: String,
    /// Error codes read from the appliance (may be empty).
    pub error_codes: Vec<String>,
}

/// A measured value: voltage, pressure, resistance, temperature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Measurement {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// What was measured ("heater resistance").
    pub name: String,
    /// The value.
    pub value: f64,
    /// Its unit ("Ω", "bar", "°C").
    pub unit: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A note. Notes are never edited or deleted: a correction is a new note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Note {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// The text.
    pub body: String,
    /// When it was written.
    pub recorded_at: DateTime<Utc>,
}

/// The function test after the work: does the appliance or lock work again?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FunctionTest {
    /// UUIDv7.
    pub id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// Whether everything worked.
    pub passed: bool,
    /// What was tested and what was seen.
    pub notes: String,
    /// When.
    pub tested_at: DateTime<Utc>,
}

/// Records a diagnosis entry.
pub fn add_diagnosis(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    new: NewDiagnosis,
) -> Result<Diagnosis> {
    let mut check = Check::new()
        .text("symptom", &new.symptom, TEXT_MAX)
        .text("cause", &new.cause, TEXT_MAX)
        .fail_if(
            new.error_codes.len() > CODES_MAX,
            "error_codes",
            crate::error::Problem::TooMany {
                max: CODES_MAX,
                len: new.error_codes.len(),
            },
        );
    for code in &new.error_codes {
        check = check.text("error_codes", code, CODE_MAX);
    }
    check.finish()?;
    open_job(tx, work_order_id, When::Working, "recording a diagnosis")?;
    let d = Diagnosis {
        id: ctx.new_id(),
        work_order_id,
        symptom: new.symptom,
        cause: new.cause,
        error_codes: new
            .error_codes
            .into_iter()
            .map(|c| c.trim().to_owned())
            .collect(),
        recorded_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO diagnoses (id, work_order_id, symptom, cause, error_codes, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        d.id.to_string(),
        work_order_id.to_string(),
        &d.symptom,
        &d.cause,
        serde_json::to_string(&d.error_codes)?,
        format_time(d.recorded_at),
    ))?;
    ctx.log_insert(tx, Entity::Diagnosis, d.id, &d)?;
    Ok(d)
}

/// Records a measurement.
pub fn add_measurement(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    name: String,
    value: f64,
    unit: String,
) -> Result<Measurement> {
    Check::new()
        .text("name", &name, NAME_MAX)
        .finite("value", value)
        .text("unit", &unit, CODE_MAX)
        .finish()?;
    open_job(tx, work_order_id, When::Working, "recording a measurement")?;
    let m = Measurement {
        id: ctx.new_id(),
        work_order_id,
        name,
        value,
        unit,
        recorded_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO measurements (id, work_order_id, name, value, unit, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        m.id.to_string(),
        work_order_id.to_string(),
        &m.name,
        m.value,
        &m.unit,
        format_time(m.recorded_at),
    ))?;
    ctx.log_insert(tx, Entity::Measurement, m.id, &m)?;
    Ok(m)
}

/// Appends a note.
pub fn add_note(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    body: String,
) -> Result<Note> {
    Check::new().text("body", &body, TEXT_MAX).finish()?;
    open_job(tx, work_order_id, When::BeforeFinal, "adding a note")?;
    let n = Note {
        id: ctx.new_id(),
        work_order_id,
        body,
        recorded_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO notes (id, work_order_id, body, recorded_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((
        n.id.to_string(),
        work_order_id.to_string(),
        &n.body,
        format_time(n.recorded_at),
    ))?;
    ctx.log_insert(tx, Entity::Note, n.id, &n)?;
    Ok(n)
}

/// Records the function test. A later test supersedes an earlier one.
pub fn record_function_test(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    work_order_id: Uuid,
    passed: bool,
    notes: String,
) -> Result<FunctionTest> {
    Check::new()
        .opt_text("notes", Some(&notes), TEXT_MAX)
        .finish()?;
    open_job(
        tx,
        work_order_id,
        When::Working,
        "recording the function test",
    )?;
    let t = FunctionTest {
        id: ctx.new_id(),
        work_order_id,
        passed,
        notes,
        tested_at: ctx.now(),
    };
    tx.prepare_cached(
        "INSERT INTO function_tests (id, work_order_id, passed, notes, tested_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((
        t.id.to_string(),
        work_order_id.to_string(),
        t.passed,
        &t.notes,
        format_time(t.tested_at),
    ))?;
    ctx.log_insert(tx, Entity::FunctionTest, t.id, &t)?;
    Ok(t)
}

/// Diagnosis entries of a work order, oldest first.
pub fn diagnoses(conn: &Connection, work_order_id: Uuid) -> Result<Vec<Diagnosis>> {
    diagnoses_of(conn, &[work_order_id])
}

column_set! {
    /// The columns of a [`Diagnosis`].
    struct DiagnosisColumns { id, work_order_id, symptom, cause, error_codes, recorded_at }
}

/// The same for several work orders at once (one query), in stamp order.
pub fn diagnoses_of(conn: &Connection, work_order_ids: &[Uuid]) -> Result<Vec<Diagnosis>> {
    rows(
        conn,
        &format!(
            "SELECT id, work_order_id, symptom, cause, error_codes, recorded_at
         FROM diagnoses WHERE work_order_id IN (SELECT value FROM json_each(?1)) ORDER BY {}",
            by_stamp("diagnoses")
        ),
        [serde_json::to_string(work_order_ids)?],
        |r, c: &DiagnosisColumns| {
            Ok(Diagnosis {
                id: columns::uuid(r, c.id)?,
                work_order_id: columns::uuid(r, c.work_order_id)?,
                symptom: r.get(c.symptom)?,
                cause: r.get(c.cause)?,
                error_codes: columns::json(r, c.error_codes)?,
                recorded_at: columns::time(r, c.recorded_at)?,
            })
        },
    )
}

column_set! {
    /// The columns of a [`Measurement`].
    struct MeasurementColumns { id, work_order_id, name, value, unit, recorded_at }
}

/// Measurements of a work order, oldest first.
pub fn measurements(conn: &Connection, work_order_id: Uuid) -> Result<Vec<Measurement>> {
    rows(
        conn,
        &format!(
            "SELECT id, work_order_id, name, value, unit, recorded_at
         FROM measurements WHERE work_order_id = ?1 ORDER BY {}",
            by_stamp("measurements")
        ),
        [work_order_id.to_string()],
        |r, c: &MeasurementColumns| {
            Ok(Measurement {
                id: columns::uuid(r, c.id)?,
                work_order_id: columns::uuid(r, c.work_order_id)?,
                name: r.get(c.name)?,
                value: r.get(c.value)?,
                unit: r.get(c.unit)?,
                recorded_at: columns::time(r, c.recorded_at)?,
            })
        },
    )
}

column_set! {
    /// The columns of a [`Note`].
    struct NoteColumns { id, work_order_id, body, recorded_at }
}

/// Notes of a work order, oldest first.
pub fn notes(conn: &Connection, work_order_id: Uuid) -> Result<Vec<Note>> {
    rows(
        conn,
        &format!(
            "SELECT id, work_order_id, body, recorded_at
         FROM notes WHERE work_order_id = ?1 ORDER BY {}",
            by_stamp("notes")
        ),
        [work_order_id.to_string()],
        |r, c: &NoteColumns| {
            Ok(Note {
                id: columns::uuid(r, c.id)?,
                work_order_id: columns::uuid(r, c.work_order_id)?,
                body: r.get(c.body)?,
                recorded_at: columns::time(r, c.recorded_at)?,
            })
        },
    )
}

/// The latest function test of a work order.
pub fn latest_function_test(
    conn: &Connection,
    work_order_id: Uuid,
) -> Result<Option<FunctionTest>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT id, work_order_id, passed, notes, tested_at FROM function_tests
             WHERE work_order_id = ?1 ORDER BY {} DESC LIMIT 1",
            by_stamp("function_tests")
        ))?
        .query_row([work_order_id.to_string()], |r| {
            Ok(FunctionTest {
                id: columns::uuid(r, "id")?,
                work_order_id: columns::uuid(r, "work_order_id")?,
                passed: r.get("passed")?,
                notes: r.get("notes")?,
                tested_at: columns::time(r, "tested_at")?,
            })
        })
        .optional()?)
}
