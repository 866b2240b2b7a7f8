//! `onsite demo`: the whole product in one command, with nothing to install or leave running.
//! A sync server (embedded SQLite) starts in this process on a free loopback port; the back
//! office creates a dispatcher and two engineers and dispatches jobs over HTTP; one engineer
//! syncs, does a complete visit with no network, while the office cancels another of their
//! jobs and both correct the same serial number; the sync resolves both conflicts (the rules,
//! then the latest edit) and logs the losers; the office fetches the signed service report.

use chrono::{Duration, Utc};
use onsite_core::Store;
use onsite_core::report::money;
use onsite_core::seed;
use onsite_core::sync::client::SyncClient;
use onsite_core::visit::findings::NewDiagnosis;
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection, TimeKind};
use onsite_core::work_orders::status::{Role, Status};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{CliError, render};

mod people;
use people::{
    ACCESS_NOTES, ADMIN, CANCEL_REASON, CAUSE, DISPATCHER, ENGINEER_A, ENGINEER_B, ENGINEER_SERIAL,
    FAULT_SINCE, FUNCTION_TEST_NOTES, JOBS, Job, OFFICE_SERIAL, PART_SERIAL, PHONE,
};

/// The back office's HTTP calls.
struct Office {
    http: reqwest::blocking::Client,
    url: String,
    token: String,
}

impl Office {
    fn post(&self, path: &str, body: Value) -> Result<Value, CliError> {
        self.send(reqwest::Method::POST, path, body)
    }

    fn patch(&self, path: &str, body: Value) -> Result<Value, CliError> {
        self.send(reqwest::Method::PATCH, path, body)
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Result<Value, CliError> {
        let resp = self
            .http
            .request(method.clone(), format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .map_err(|e| CliError::Input(format!("the demo server did not answer: {e}")))?;
        let status = resp.status();
        let value: Value = resp
            .json()
            .map_err(|e| CliError::Input(format!("bad answer from the demo server: {e}")))?;
        if !status.is_success() {
            return Err(CliError::Input(format!(
                "{method} {path} failed ({status}): {value}"
            )));
        }
        Ok(value)
    }

    fn get(&self, path: &str) -> Result<Value, CliError> {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .map_err(|e| CliError::Input(format!("GET {path} failed: {e}")))
    }

    fn token_for(&self, name: &str, role: &str) -> Result<String, CliError> {
        let user = self.post("/v1/users", json!({ "name": name, "role": role }))?;
        let token = self.post(
            &format!(
                "/v1/users/{}/tokens",
                user["id"].as_str().unwrap_or_default()
            ),
            json!({}),
        )?;
        Ok(token["token"].as_str().unwrap_or_default().to_owned())
    }
}

fn id(value: &Value) -> Result<Uuid, CliError> {
    value["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| CliError::Input(format!("the demo server returned no id: {value}")))
}

fn dispatch(office: &Office, job: &Job, number: &str, engineer: &str) -> Result<Uuid, CliError> {
    let customer = office.post("/v1/customers", json!({ "name": job.name, "phone": PHONE }))?;
    let site = office.post(
        &format!("/v1/customers/{}/sites", id(&customer)?),
        json!({ "address": job.address, "access_notes": ACCESS_NOTES }),
    )?;
    let kind = if job.category == "door lock" {
        "smart_lock"
    } else {
        "appliance"
    };
    let asset = office.post(
        &format!("/v1/sites/{}/assets", id(&site)?),
        json!({ "kind": kind, "category": job.category, "brand": job.brand, "model": job.model,
                "serial": format!("{}-{number}", &job.brand[..2]), "warranty_ends_on": "2025-06-30" }),
    )?;
    let start = Utc::now() + Duration::hours(job.hour - 2);
    let wo = office.post(
        "/v1/work-orders",
        json!({ "number": number, "kind": "repair", "priority": "high",
                "customer_id": customer["id"], "site_id": site["id"], "asset_id": asset["id"],
                "fault": { "symptom": job.symptom, "error_code": job.code, "fault_since": FAULT_SINCE },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": engineer }),
    )?;
    id(&wo)
}

/// Runs the demo; `keep` keeps the engineer's store there instead of a temp dir.
pub fn run(keep: Option<&std::path::Path>, zone: chrono::FixedOffset) -> Result<(), CliError> {
    let temp =
        tempfile::TempDir::new().map_err(|e| CliError::Input(format!("no temp dir: {e}")))?;
    let server =
        onsite_server::Background::start(&temp.path().join("server")).map_err(CliError::Input)?;
    println!(
        "Onsite demo. Sync server (embedded SQLite) on {}\n",
        server.url
    );
    let admin = server
        .db
        .create_user(ADMIN, onsite_server::db::UserRole::Admin)
        .map_err(|e| CliError::Input(format!("{e:?}")))?;
    let admin_token = server
        .db
        .issue_token(admin.id)
        .map_err(|e| CliError::Input(format!("{e:?}")))?;
    let http = reqwest::blocking::Client::new();
    let admin = Office {
        http: http.clone(),
        url: server.url.clone(),
        token: admin_token,
    };
    let office = Office {
        http,
        url: server.url.clone(),
        token: admin.token_for(DISPATCHER, "dispatcher")?,
    };
    let eng_a = office.token_for(ENGINEER_A, "engineer")?;
    office.token_for(ENGINEER_B, "engineer")?;
    step("The back office dispatches three jobs: two to eng-a, one to eng-b");
    let visit_job = dispatch(&office, &JOBS[0], "WO-1001", ENGINEER_A)?;
    let called_off = dispatch(&office, &JOBS[1], "WO-1002", ENGINEER_A)?;
    dispatch(&office, &JOBS[2], "WO-1003", ENGINEER_B)?;

    let path = keep.map_or_else(|| temp.path().join("eng-a.db"), ToOwned::to_owned);
    let store = Store::open(&path)?;
    let client = SyncClient::new(&server.url, &eng_a)?;
    step("eng-a's phone syncs in the morning");
    let first = client.sync_now(&store)?;
    println!("  received {} rows", first.pulled);
    let offset = zone.local_minus_utc() / 60;
    println!("\n{}\n", render::jobs(&store.todays_jobs(offset)?, zone));

    step("In the basement, no signal: eng-a does the whole visit for WO-1001 offline");
    visit(&store, visit_job)?;
    step(
        "Meanwhile the office cancels WO-1002 (the customer called), and eng-a, still offline, accepts it",
    );
    office.post(
        &format!("/v1/work-orders/{called_off}/status"),
        json!({ "to": "cancelled", "reason": CANCEL_REASON }),
    )?;
    store.set_status(called_off, Status::Accepted, Role::Engineer, None)?;
    step(
        "eng-a corrects the washing machine's serial from the rating plate; later the office types the one on the customer's invoice",
    );
    let asset = store
        .job_detail(visit_job)?
        .asset
        .ok_or_else(|| CliError::Input("the demo job has no appliance".into()))?;
    let serial = |s: &str| [("serial".to_owned(), Some(s.to_owned()))].into();
    store.edit_fields(
        onsite_core::Entity::Asset,
        asset.id,
        serial(ENGINEER_SERIAL),
        Role::Engineer,
    )?;
    office.patch(
        &format!("/v1/assets/{}", asset.id),
        json!({ "serial": OFFICE_SERIAL }),
    )?;
    println!(
        "  {} changes wait on the phone",
        store.pending_sync_count()?
    );

    step("Back in signal: one sync round");
    let round = client.sync_now(&store)?;
    println!(
        "  sent {}: {} applied, {} refused; received {} rows; {} still waiting",
        round.pushed, round.push.applied, round.push.rejected, round.pulled, round.pending
    );
    println!(
        "\nThe conflicts, resolved by the rules and the latest edit, shown to the engineer:\n{}",
        render::conflicts(&store.conflicts(false)?, zone)
    );
    let cancelled = store.find_work_order("WO-1002")?;
    println!("WO-1002 on the phone is now: {}", cancelled.status);
    let office_log = office.get("/v1/conflicts")?;
    println!(
        "The office's conflict log holds {} entries (the same losers, seen from the server)\n",
        office_log.as_array().map_or(0, Vec::len)
    );

    step("The back office receives the signed service report");
    let report = office.get(&format!("/v1/work-orders/{visit_job}/report"))?;
    let view: onsite_core::report::ReportView = serde_json::from_value(report)
        .map_err(|e| CliError::Input(format!("unexpected report: {e}")))?;
    println!("{}", render::report(&view));
    let phone = store.service_report(visit_job)?;
    println!(
        "\nSame report on the phone and the server: {} (total {})",
        if phone.sha256 == view.sha256 {
            "yes"
        } else {
            "NO"
        },
        money(view.report.total_cents)
    );
    drop(admin);
    server.stop();
    Ok(())
}

/// A complete visit, as an engineer does it on the phone.
fn visit(store: &Store, job: Uuid) -> Result<(), CliError> {
    for to in [Status::Accepted, Status::EnRoute] {
        store.set_status(job, to, Role::Engineer, None)?;
    }
    store.add_time_entry(
        job,
        TimeKind::Travel,
        store.now() - Duration::minutes(25),
        store.now(),
    )?;
    store.set_status(job, Status::OnSite, Role::Engineer, None)?;
    let detail = store.job_detail(job)?;
    store.add_diagnosis(
        job,
        NewDiagnosis {
            symptom: detail.work_order.fault.symptom.clone(),
            cause: CAUSE.into(),
            error_codes: detail
                .work_order
                .fault
                .error_code
                .clone()
                .into_iter()
                .collect(),
        },
    )?;
    store.add_measurement(job, "Pump coil resistance".into(), 178.5, "Ω".into())?;
    store.add_part_line(
        job,
        NewPartLine {
            direction: PartDirection::Installed,
            part_number: "11034430".into(),
            description: "Drain pump".into(),
            quantity: 1,
            serial_in: Some(PART_SERIAL.into()),
            serial_out: None,
            billing: Billing::Chargeable,
            unit_price_cents: 8950,
        },
    )?;
    store.add_quote_line(job, "Labour, first hour".into(), 1, 8900)?;
    if let Err(err) = store.set_status(job, Status::Completed, Role::Engineer, None) {
        println!("  completing too early is refused: {err}");
    }
    let customer = detail.customer.name;
    store.decide_quote(job, true, customer.clone())?;
    for line in store
        .visit_record(job)?
        .checklist
        .iter()
        .filter(|l| l.item.required)
    {
        store.record_checklist_result(job, &line.item.key, "pass".parse()?, None)?;
    }
    store.record_function_test(job, true, FUNCTION_TEST_NOTES.into())?;
    store.sign_off(job, customer, vec![seed::demo_signature()])?;
    store.set_status(job, Status::Completed, Role::Engineer, None)?;
    println!("  completed and signed on the phone");
    Ok(())
}

fn step(text: &str) {
    println!("> {text}");
}
