//! The fault harness's end checks, run once every device has synced until quiet: nothing lost,
//! nothing applied twice, every device holding exactly the server's rows for its scope, and
//! every overwritten value in a conflict log. Each finding is a sentence naming the rows.

use std::collections::{BTreeMap, HashMap};

use onsite_core::Entity;
use onsite_core::clock::Hlc;
use rusqlite::Connection;
use serde_json::Value;

/// A visit record (or status change) a device reported as stored.
#[derive(Debug, Clone)]
pub struct ReportedAdd {
    /// Which device.
    pub device: usize,
    /// Its table.
    pub table: String,
    /// Its id.
    pub row_id: String,
    /// The unique text it carries.
    pub tag: String,
}

/// A plain-field edit a device reported as stored.
#[derive(Debug, Clone)]
pub struct ReportedEdit {
    /// Which device.
    pub device: usize,
    /// The entity name.
    pub entity: String,
    /// The row.
    pub row_id: String,
    /// The column.
    pub field: String,
    /// The value, unique in the run.
    pub tag: String,
}

/// One device at check time.
pub struct DeviceView<'a> {
    /// Its engineer.
    pub engineer: &'a str,
    /// A connection to its store file.
    pub conn: &'a Connection,
}

/// What the checks found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Reported actions neither on the server nor in a conflict log, or edits whose value
    /// vanished without a log entry.
    pub lost: Vec<String>,
    /// Tags stored more than once, or a mutation applied under two seqs.
    pub duplicated: Vec<String>,
    /// Rows a device holds differently from the server (missing, extra, other values).
    pub divergent: Vec<String>,
    /// Reported actions the server refused and that are in a conflict log.
    pub refused: u64,
}

/// Every domain table a device holds, parents first.
const TABLES: &[&str] = &[
    "customers",
    "sites",
    "contracts",
    "assets",
    "work_orders",
    "status_changes",
    "diagnoses",
    "measurements",
    "checklist_results",
    "notes",
    "time_entries",
    "part_lines",
    "quote_lines",
    "quote_decisions",
    "function_tests",
    "signoffs",
];

/// The column of each record table that carries the device's unique tag.
const TAGGED: &[(&str, &str)] = &[
    ("notes", "body"),
    ("measurements", "name"),
    ("part_lines", "part_number"),
    ("diagnoses", "symptom"),
    ("status_changes", "reason"),
    ("checklist_results", "note"),
    ("function_tests", "notes"),
    ("quote_decisions", "signer_name"),
    ("signoffs", "signer_name"),
];

fn entity(name: &str) -> Option<(Entity, &'static str)> {
    Some(match name {
        "customer" => (Entity::Customer, "customers"),
        "site" => (Entity::Site, "sites"),
        "asset" => (Entity::Asset, "assets"),
        "work_order" => (Entity::WorkOrder, "work_orders"),
        _ => return None,
    })
}

fn strings(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    conn.prepare(sql)
        .and_then(|mut s| s.query_map(params, |r| r.get(0))?.collect())
        .unwrap_or_else(|e| panic!("query {sql}: {e}"))
}

/// Every row of `table` whose `key` column is in `ids` (or every row if `None`), by id, each
/// rendered as the list of its column values.
fn rows(
    conn: &Connection,
    table: &str,
    key: &str,
    ids: Option<&[String]>,
) -> BTreeMap<String, String> {
    let (sql, arg) = match ids {
        Some(ids) => (
            format!("SELECT * FROM {table} WHERE {key} IN (SELECT value FROM json_each(?1))"),
            Value::from(ids.to_vec()).to_string(),
        ),
        None => (
            format!("SELECT * FROM {table} WHERE ?1 = ?1"),
            String::new(),
        ),
    };
    let mut stmt = conn.prepare(&sql).expect("table query");
    let width = stmt.column_count();
    stmt.query_map([arg], |r| {
        let id: String = r.get("id")?;
        let values = (0..width)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i)
                    .map(|v| format!("{v:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((id, values.join(" | ")))
    })
    .and_then(|rows| rows.collect())
    .expect("table rows")
}

/// All conflict-log text (row ids and both values) of the server and every device.
fn conflict_texts(server: &Connection, devices: &[DeviceView]) -> Vec<String> {
    let sql = "SELECT row_id || ' ' || coalesce(local_value, '') || ' ' || coalesce(remote_value, '') FROM conflicts";
    let mut texts = strings(server, sql, []);
    for d in devices {
        texts.extend(strings(d.conn, sql, []));
    }
    texts
}

/// Runs every check. `office_stamps` are the stamps the office's own edits got, per
/// (entity, row, field), as read back from the server right after each edit.
pub fn run(
    server: &Connection,
    devices: &[DeviceView],
    adds: &[ReportedAdd],
    edits: &[ReportedEdit],
    office_stamps: &HashMap<FieldKey, Vec<Hlc>>,
) -> Findings {
    let mut f = Findings::default();
    let logs = conflict_texts(server, devices);
    let in_log = |s: &str| logs.iter().any(|t| t.contains(s));
    let server_node: String = strings(server, "SELECT client_id FROM device", [])
        .pop()
        .expect("the server's device row");

    for a in adds {
        assert!(
            TAGGED.iter().any(|(t, _)| *t == a.table),
            "known table {}",
            a.table
        );
        let on_server = !strings(
            server,
            &format!("SELECT id FROM {} WHERE id = ?1", a.table),
            [&a.row_id],
        )
        .is_empty();
        if on_server {
            continue;
        }
        if in_log(&a.row_id) {
            f.refused += 1;
        } else {
            f.lost.push(format!(
                "device {} {} {} ({}) is neither on the server nor in a conflict log",
                a.device, a.table, a.row_id, a.tag
            ));
        }
    }

    // Every edit any device made (reported or not: a device killed between the commit and its
    // line made it too), with its stamp and base, by (entity, row, field).
    let writes = all_writes(devices);
    // Every reported device edit with its final stamp and base, from the device's outbox.
    let mut stamped = Vec::new();
    for e in edits {
        let conn = devices[e.device].conn;
        let found = conn
            .prepare("SELECT hlc, payload FROM outbox WHERE entity = ?1 AND row_id = ?2 AND op = 'update'")
            .and_then(|mut s| {
                s.query_map([&e.entity, &e.row_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("outbox query")
            .into_iter()
            .find_map(|(hlc, payload)| {
                let p: Value = serde_json::from_str(&payload).ok()?;
                (p["fields"][&e.field].as_str() == Some(e.tag.as_str())).then(|| {
                    let base = p["base"][&e.field].as_str().and_then(|b| b.parse::<Hlc>().ok());
                    (hlc.parse::<Hlc>().expect("outbox stamp"), base)
                })
            });
        match found {
            Some((hlc, base)) => stamped.push((e, hlc, base)),
            None => f.lost.push(format!(
                "device {} edit of {} {} {} to {} is not in its outbox",
                e.device, e.entity, e.row_id, e.field, e.tag
            )),
        }
    }
    for (e, hlc, _) in &stamped {
        if in_log(&e.tag) {
            continue;
        }
        let (ent, table) = entity(&e.entity).expect("an editable entity");
        let final_value: Vec<Option<String>> = server
            .prepare(&format!("SELECT {} FROM {table} WHERE id = ?1", e.field))
            .and_then(|mut s| s.query_map([&e.row_id], |r| r.get(0))?.collect())
            .expect("final value");
        let row_id = e.row_id.parse().expect("row uuid");
        let final_stamp =
            onsite_core::store::field_stamp(server, ent, row_id, &e.field).expect("stamp");
        if final_value.first().cloned().flatten().as_deref() == Some(e.tag.as_str()) {
            if final_stamp != Some(*hlc) {
                f.divergent.push(format!(
                    "{} {} {}: the server holds {} with stamp {final_stamp:?}, not the edit's {hlc}",
                    e.entity, e.row_id, e.field, e.tag
                ));
            }
            continue;
        }
        // Overwritten without a log entry: only fair if whoever overwrote it had seen it (a
        // device edit based on exactly this stamp, or an office edit stamped after it).
        let key = (e.entity.clone(), e.row_id.clone(), e.field.clone());
        let others = writes.get(&key).map_or(&[][..], Vec::as_slice);
        let seen_by_device = others.iter().any(|(_, base)| *base == Some(*hlc));
        let office_after = office_stamps
            .get(&key)
            .is_some_and(|s| s.iter().any(|s| s > hlc))
            || final_stamp.is_some_and(|s| s > *hlc && s.node.to_string() == server_node)
            || others.iter().any(|(_, base)| {
                base.is_some_and(|b| b > *hlc && b.node.to_string() == server_node)
            });
        if final_stamp.is_some_and(|s| s > *hlc) && (seen_by_device || office_after) {
            continue;
        }
        f.lost.push(format!(
            "device {} edit of {} {} {} to {} (stamp {hlc}) was overwritten (server stamp {final_stamp:?}) and is in no conflict log",
            e.device, e.entity, e.row_id, e.field, e.tag
        ));
    }

    duplicates(server, "server", &mut f);
    for (i, d) in devices.iter().enumerate() {
        duplicates(d.conn, &format!("device {i}"), &mut f);
        scope(server, d, i, &mut f);
    }
    for m in strings(
        server,
        "SELECT mutation_id FROM applied GROUP BY mutation_id HAVING count(*) > 1",
        [],
    ) {
        f.duplicated
            .push(format!("mutation {m} applied under two seqs"));
    }
    f
}

type FieldKey = (String, String, String);

/// Every edit in every device's outbox: (entity, row, field) -> (stamp, base) of each.
fn all_writes(devices: &[DeviceView]) -> HashMap<FieldKey, Vec<(Hlc, Option<Hlc>)>> {
    let mut writes: HashMap<FieldKey, Vec<(Hlc, Option<Hlc>)>> = HashMap::new();
    for d in devices {
        let entries: Vec<(String, String, String, String)> = d
            .conn
            .prepare("SELECT entity, row_id, hlc, payload FROM outbox WHERE op = 'update'")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect()
            })
            .expect("outbox query");
        for (entity, row, hlc, payload) in entries {
            let p: Value = serde_json::from_str(&payload).expect("an edit payload");
            let hlc: Hlc = hlc.parse().expect("outbox stamp");
            for field in p["fields"].as_object().into_iter().flat_map(|m| m.keys()) {
                let base = p["base"][field].as_str().and_then(|b| b.parse().ok());
                writes
                    .entry((entity.clone(), row.clone(), field.clone()))
                    .or_default()
                    .push((hlc, base));
            }
        }
    }
    writes
}

fn duplicates(conn: &Connection, who: &str, f: &mut Findings) {
    for (table, column) in TAGGED {
        for tag in strings(
            conn,
            &format!(
                "SELECT {column} FROM {table} WHERE {column} LIKE 'd%g%n%' GROUP BY {column} HAVING count(*) > 1"
            ),
            [],
        ) {
            f.duplicated
                .push(format!("{who}: {tag} stored twice in {table}"));
        }
    }
}

/// The device holds exactly the server's rows for its engineer's scope: their jobs and the
/// finished visits to the same appliances, every record of them, and the customers, sites,
/// assets and contracts they point at.
fn scope(server: &Connection, d: &DeviceView, index: usize, f: &mut Findings) {
    // Their own jobs, and (conflict rule 8) other visits to the same appliance once over.
    let jobs = strings(
        server,
        "SELECT id FROM work_orders WHERE assignee = ?1
         UNION SELECT x.id FROM work_orders x
         WHERE x.status IN ('completed', 'cancelled', 'incomplete')
           AND EXISTS (SELECT 1 FROM work_orders w WHERE w.assignee = ?1
                       AND w.site_id = x.site_id AND w.asset_id IS x.asset_id)",
        [d.engineer],
    );
    let parents = |column: &str, table: &str| {
        strings(
            server,
            &format!(
                "SELECT DISTINCT {column} FROM {table} WHERE id IN (SELECT value FROM json_each(?1)) AND {column} IS NOT NULL"
            ),
            [Value::from(jobs.clone()).to_string()],
        )
    };
    let assets = parents("asset_id", "work_orders");
    let contracts = strings(
        server,
        "SELECT DISTINCT contract_id FROM assets WHERE id IN (SELECT value FROM json_each(?1)) AND contract_id IS NOT NULL",
        [Value::from(assets.clone()).to_string()],
    );
    for table in TABLES {
        let expected = match *table {
            "customers" => rows(
                server,
                table,
                "id",
                Some(&parents("customer_id", "work_orders")),
            ),
            "sites" => rows(
                server,
                table,
                "id",
                Some(&parents("site_id", "work_orders")),
            ),
            "assets" => rows(server, table, "id", Some(&assets)),
            "contracts" => rows(server, table, "id", Some(&contracts)),
            "work_orders" => rows(server, table, "id", Some(&jobs)),
            _ => rows(server, table, "work_order_id", Some(&jobs)),
        };
        let held = rows(d.conn, table, "id", None);
        for (id, row) in &expected {
            match held.get(id) {
                None => f
                    .divergent
                    .push(format!("device {index} lacks {table} {id}")),
                Some(mine) if mine != row => f.divergent.push(format!(
                    "device {index} {table} {id}: holds [{mine}], server [{row}]"
                )),
                Some(_) => {}
            }
        }
        for id in held.keys().filter(|id| !expected.contains_key(*id)) {
            f.divergent.push(format!(
                "device {index} holds {table} {id} outside its scope"
            ));
        }
    }
}
