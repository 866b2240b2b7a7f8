//! `onsite demo`: a whole on-site visit with no network, on a fresh store in a temp dir, told
//! step by step. Uses only the core's public actions, exactly as an app would.

use chrono::Duration;
use onsite_core::Store;
use onsite_core::report::{Signature, money};
use onsite_core::seed::{self, SeedPlan};
use onsite_core::visit::findings::NewDiagnosis;
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection, TimeKind};
use onsite_core::work_orders::status::{Role, Status};

use crate::{CliError, render};

/// Runs the demo; `keep` stores it there instead of a temp dir.
pub fn run(keep: Option<&std::path::Path>, zone: chrono::FixedOffset) -> Result<(), CliError> {
    let temp =
        tempfile::TempDir::new().map_err(|e| CliError::Input(format!("no temp dir: {e}")))?;
    let path = keep.map_or_else(|| temp.path().join("demo.db"), ToOwned::to_owned);
    let store = Store::open(&path)?;
    let offset = zone.local_minus_utc() / 60;
    let today = (store.now() + Duration::minutes(offset.into())).date_naive();
    seed::seed(
        &store,
        &SeedPlan {
            work_orders: 12,
            jobs_per_day: 6,
            earlier_visits: 2,
            today,
            assignee: "eng-1".into(),
            seed: 3,
        },
    )?;
    println!(
        "Onsite demo: an engineer's day with no network. Store: {}\n",
        path.display()
    );
    let jobs = store.todays_jobs(offset)?;
    println!("Today's jobs:\n{}\n", render::jobs(&jobs, zone));
    let job = jobs
        .first()
        .ok_or_else(|| CliError::Input("the seed made no jobs for today".into()))?;
    let id = job.id;
    let detail = store.job_detail(id)?;
    println!("{}\n", render::detail(&detail, zone));

    step("Accept the job, drive there (25 min), arrive");
    for to in [Status::Accepted, Status::EnRoute] {
        store.set_status(id, to, Role::Engineer, None)?;
    }
    store.add_time_entry(
        id,
        TimeKind::Travel,
        store.now() - Duration::minutes(25),
        store.now(),
    )?;
    store.set_status(id, Status::OnSite, Role::Engineer, None)?;

    let asset = detail.asset.as_ref();
    let code = job.error_code.clone();
    step("Diagnose, measure, fit the part (chargeable), quote the labour");
    store.add_diagnosis(
        id,
        NewDiagnosis {
            symptom: job.symptom.clone(),
            cause: detail
                .history
                .first()
                .and_then(|v| v.diagnoses.first())
                .map_or_else(
                    || "Worn component found on inspection".to_owned(),
                    |d| format!("Recurring: {}", d.cause),
                ),
            error_codes: code.into_iter().collect(),
        },
    )?;
    store.add_measurement(id, "Supply voltage".into(), 231.0, "V".into())?;
    let part = detail.history.first().and_then(|v| v.parts.first());
    store.add_part_line(
        id,
        NewPartLine {
            direction: PartDirection::Installed,
            part_number: part.map_or_else(|| "GEN-001".into(), |p| p.part_number.clone()),
            description: part.map_or_else(|| "Replacement part".into(), |p| p.description.clone()),
            quantity: 1,
            serial_in: Some("SN-DEMO-0001".into()),
            serial_out: None,
            billing: Billing::Chargeable,
            unit_price_cents: part.map_or(4900, |p| p.unit_price_cents),
        },
    )?;
    store.add_quote_line(id, "Labour, first hour".into(), 1, 8900)?;

    step("Try to complete too early: the core lists everything missing");
    if let Err(err) = store.set_status(id, Status::Completed, Role::Engineer, None) {
        println!("  refused: {err}");
    }

    let customer = detail.customer.name.clone();
    step(&format!(
        "{customer} approves the charges; checklist, function test, signature"
    ));
    store.decide_quote(id, true, customer.clone())?;
    for line in store
        .visit_record(id)?
        .checklist
        .iter()
        .filter(|l| l.item.required)
    {
        store.record_checklist_result(id, line.item.key, "pass".parse()?, None)?;
    }
    store.record_function_test(
        id,
        true,
        format!(
            "Full programme run on the {}",
            asset.map_or("appliance", |a| a.category.as_str())
        ),
    )?;
    store.sign_off(id, customer, vec![seed::demo_signature()])?;
    store.set_status(id, Status::Completed, Role::Engineer, None)?;

    let view = store.service_report(id)?;
    println!("\n{}\n", render::report(&view));
    let total = money(view.report.total_cents);
    let signed = matches!(view.signature, Signature::Signed { .. });
    println!(
        "Completed offline: total {total}, signed {signed}; {} changes are queued for sync.",
        store.pending_sync_count()?
    );
    Ok(())
}

fn step(text: &str) {
    println!("> {text}");
}
