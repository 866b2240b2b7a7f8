//! Text for people: tables and short summaries of what the core returns. Times are shown in
//! the engineer's zone; money as plain amounts.

use chrono::{DateTime, FixedOffset, Utc};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use onsite_core::assets::Coverage;
use onsite_core::conflicts::Conflict;
use onsite_core::report::{ReportView, Signature, money};
use onsite_core::sync::client::SyncReport;
use onsite_core::visit::VisitRecord;
use onsite_core::visit::charges::Approval;
use onsite_core::visit::checklist::ChecklistLine;
use onsite_core::visit::completion::MissingItem;
use onsite_core::work_orders::queries::{JobDetail, JobSummary};

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    t
}

fn hm(t: DateTime<Utc>, zone: FixedOffset) -> String {
    t.with_timezone(&zone).format("%H:%M").to_string()
}

fn day_hm(t: DateTime<Utc>, zone: FixedOffset) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// The day's job list.
pub fn jobs(jobs: &[JobSummary], zone: FixedOffset) -> String {
    if jobs.is_empty() {
        return "No jobs for that day.".into();
    }
    let mut t = table(&[
        "window",
        "job",
        "status",
        "priority",
        "customer",
        "address",
        "appliance",
        "fault",
    ]);
    for j in jobs {
        let fault = match &j.error_code {
            Some(code) => format!("{code}: {}", j.symptom),
            None => j.symptom.clone(),
        };
        t.add_row(vec![
            format!("{}-{}", hm(j.window_start, zone), hm(j.window_end, zone)),
            j.number.clone(),
            j.status.to_string(),
            j.priority.to_string(),
            j.customer_name.clone(),
            j.address.clone(),
            j.asset.clone().unwrap_or_default(),
            fault,
        ]);
    }
    t.to_string()
}

fn coverage(c: &Coverage) -> String {
    match c {
        Coverage::Warranty { ends_on } => format!("manufacturer's warranty until {ends_on}"),
        Coverage::Contract { plan, ends_on, .. } => format!("contract \"{plan}\" until {ends_on}"),
        Coverage::Chargeable => "not covered: chargeable, needs the customer's approval".into(),
    }
}

/// The job screen.
pub fn detail(d: &JobDetail, zone: FixedOffset) -> String {
    let w = &d.work_order;
    let mut out = format!(
        "{} · {} · {} · {}\nAppointment {} - {}\n\nCustomer  {}{}\nSite      {}\n",
        w.number,
        w.kind,
        w.priority,
        w.status,
        day_hm(w.window.start, zone),
        hm(w.window.end, zone),
        d.customer.name,
        d.customer
            .phone
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default(),
        d.site.address,
    );
    if !d.site.access_notes.is_empty() {
        out += &format!("Access    {}\n", d.site.access_notes);
    }
    if let Some(a) = &d.asset {
        out += &format!(
            "Asset     {} {} {} · serial {}",
            a.brand, a.model, a.category, a.serial
        );
        if let Some(fw) = &a.firmware {
            out += &format!(" · firmware {fw}");
        }
        out.push('\n');
    }
    out += &format!("Coverage  {}\n", coverage(&d.coverage));
    out += &format!(
        "Fault     {}{}\n",
        w.fault
            .error_code
            .as_deref()
            .map(|c| format!("[{c}] "))
            .unwrap_or_default(),
        w.fault.symptom
    );
    for (label, value) in [("Since", &w.fault.since), ("Trigger", &w.fault.trigger)] {
        if let Some(v) = value {
            out += &format!("{label:<9} {v}\n");
        }
    }
    if !d.next_statuses.is_empty() {
        let next: Vec<String> = d.next_statuses.iter().map(ToString::to_string).collect();
        out += &format!("Next      {}\n", next.join(", "));
    }
    if d.history.is_empty() {
        out += "\nNo earlier visits to this asset.";
        return out;
    }
    let mut t = table(&["earlier visit", "job", "found", "parts"]);
    for v in &d.history {
        let found: Vec<String> = v.diagnoses.iter().map(|x| x.cause.clone()).collect();
        let parts: Vec<String> = v
            .parts
            .iter()
            .map(|p| format!("{} {} {}", p.direction, p.part_number, p.description))
            .collect();
        t.add_row(vec![
            day_hm(v.date, zone),
            format!("{} ({})", v.number, v.status),
            found.join("; "),
            parts.join("; "),
        ]);
    }
    out + "\n" + &t.to_string()
}

/// The checklist with results.
pub fn checklist(lines: &[ChecklistLine]) -> String {
    let mut t = table(&["item", "check", "required", "result"]);
    for l in lines {
        t.add_row(vec![
            l.item.key.to_owned(),
            l.item.label.to_owned(),
            if l.item.required { "yes" } else { "" }.to_owned(),
            l.result
                .as_ref()
                .map(|r| r.result.to_string())
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    t.to_string()
}

/// Everything recorded for the visit.
pub fn visit(v: &VisitRecord, zone: FixedOffset) -> String {
    let mut out = format!("{} · {}\n", v.work_order.number, v.work_order.status);
    for d in &v.diagnoses {
        out += &format!(
            "Diagnosis  {} -> {} [{}]\n",
            d.symptom,
            d.cause,
            d.error_codes.join(", ")
        );
    }
    for m in &v.measurements {
        out += &format!("Measured   {} = {} {}\n", m.name, m.value, m.unit);
    }
    for p in &v.parts {
        out += &format!(
            "Part       {} {} x {} {} ({})\n",
            p.direction, p.quantity, p.part_number, p.description, p.billing
        );
    }
    for t in &v.time_entries {
        out += &format!(
            "Time       {} {} min from {}\n",
            t.kind,
            t.minutes(),
            hm(t.started_at, zone)
        );
    }
    for n in &v.notes {
        out += &format!("Note       {} {}\n", hm(n.recorded_at, zone), n.body);
    }
    out += &format!(
        "Charges    {} ({})\n",
        money(v.charges.total_cents),
        approval(&v.charges.approval)
    );
    out += &match &v.function_test {
        Some(t) => format!(
            "Test       {} {}\n",
            if t.passed { "passed" } else { "FAILED" },
            t.notes
        ),
        None => "Test       not recorded\n".into(),
    };
    out += &match &v.sign_off {
        Some(s) => format!(
            "Signed     by {} at {}",
            s.signer_name,
            day_hm(s.signed_at, zone)
        ),
        None => "Signed     no".into(),
    };
    out + "\n\n" + &checklist(&v.checklist)
}

fn approval(a: &Approval) -> String {
    match a {
        Approval::NotNeeded => "nothing chargeable".into(),
        Approval::Pending => "awaiting the customer's approval".into(),
        Approval::Approved { by } => format!("approved by {by}"),
        Approval::Declined { by } => format!("declined by {by}"),
        Approval::Outdated {
            approved_total_cents,
        } => {
            format!(
                "changed since {} was approved",
                money(*approved_total_cents)
            )
        }
    }
}

/// The completion blockers.
pub fn missing(items: &[MissingItem]) -> String {
    if items.is_empty() {
        return "Nothing missing: the job can be completed.".into();
    }
    let lines: Vec<String> = items.iter().map(|m| format!("- {m}")).collect();
    format!("Before completing:\n{}", lines.join("\n"))
}

/// The report summary.
pub fn report(v: &ReportView) -> String {
    let r = &v.report;
    let state = match &v.signature {
        Signature::Unsigned => "not signed yet".to_owned(),
        Signature::Signed {
            signer_name,
            signed_at,
        } => format!("signed by {signer_name} at {signed_at}"),
        Signature::ChangedAfterSigning {
            signer_name,
            signed_at,
            ..
        } => {
            format!("CHANGED AFTER SIGNING (signed by {signer_name} at {signed_at})")
        }
    };
    let mut out = format!(
        "Service report {} · {} · {}\n{} · {}\n",
        r.number, r.kind, r.visit_date, r.customer, r.address
    );
    if let Some(a) = &r.asset {
        out += &format!("{} {} · serial {}\n", a.brand, a.model, a.serial);
    }
    out += &format!("Coverage: {}\n", coverage(&r.coverage));
    for f in &r.findings {
        out += &format!("Found: {} ({})\n", f.cause, f.error_codes.join(", "));
    }
    for p in &r.parts {
        out += &format!(
            "Part {}: {} x {} {}\n",
            p.direction, p.quantity, p.part_number, p.description
        );
    }
    out += &format!("Total: {}\n", money(r.total_cents));
    if let Some(t) = &r.function_test {
        out += &format!(
            "Function test: {}\n",
            if t.passed { "passed" } else { "FAILED" }
        );
    }
    out + &format!("SHA-256: {}\nSignature: {state}", v.sha256)
}

/// The conflict log.
pub fn conflicts(log: &[Conflict], zone: FixedOffset) -> String {
    if log.is_empty() {
        return "No conflicts.".into();
    }
    let mut t = table(&[
        "when", "what", "field", "yours", "server's", "kept", "why", "id",
    ]);
    for c in log {
        t.add_row(vec![
            day_hm(c.occurred_at, zone),
            c.entity.clone(),
            c.field.clone().unwrap_or_default(),
            short(c.local_value.as_deref().unwrap_or_default()),
            short(c.remote_value.as_deref().unwrap_or_default()),
            c.kept.to_string(),
            c.reason.clone(),
            c.id.to_string(),
        ]);
    }
    t.to_string()
}

/// At most 48 characters of a stored value, for a table cell.
fn short(text: &str) -> String {
    if text.chars().count() <= 48 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(47).collect::<String>())
    }
}

/// What a sync round did, and the rows from the server held aside (with their jobs) if any.
/// And loudly, a recovery from a server restored from a backup.
pub fn sync_report(r: &SyncReport) -> String {
    let mut text = format!(
        "Sent {} changes ({} applied, {} already there, {} refused: see `onsite conflicts`); received {} rows; {} still waiting.",
        r.pushed, r.push.applied, r.push.duplicates, r.push.rejected, r.pulled, r.pending
    );
    if r.snapshot_rows > 0 {
        text.push_str(&format!(
            "\nFirst sync: {} of those rows came in one snapshot of this engineer's jobs.",
            r.snapshot_rows
        ));
    }
    if r.quarantined > 0 {
        let jobs: Vec<String> = r.quarantined_jobs.iter().map(ToString::to_string).collect();
        text.push_str(&format!(
            "\n{} rows from the server could not be stored and are held aside (tried again at every sync; see `onsite conflicts`){}.",
            r.quarantined,
            if jobs.is_empty() {
                String::new()
            } else {
                format!("; jobs affected: {}", jobs.join(", "))
            }
        ));
    }
    if let Some(rec) = &r.recovery {
        text.push_str(&format!(
            "\nThe server was restored from a backup: {} changes it had lost were sent again.",
            rec.resent
        ));
        if rec.unrecoverable > 0 {
            text.push_str(&format!(
                "\nWARNING: {} changes acknowledged long ago are gone from the server and could not be sent again; tell the office.",
                rec.unrecoverable
            ));
        }
    }
    text
}

#[cfg(test)]
mod sync_report_tests {
    use super::sync_report;
    use onsite_core::sync::client::SyncReport;

    #[test]
    fn held_rows_are_mentioned_only_when_there_are_any() {
        let clean = SyncReport::default();
        assert!(!sync_report(&clean).contains("held aside"));
        let job = uuid::Uuid::now_v7();
        let held = SyncReport {
            quarantined: 2,
            quarantined_jobs: vec![job],
            ..SyncReport::default()
        };
        let text = sync_report(&held);
        assert!(text.contains("2 rows from the server"), "{text}");
        assert!(text.contains(&job.to_string()), "{text}");
    }
}
