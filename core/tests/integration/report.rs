//! The canonical service report: same visit, same bytes; a pinned shape (ids masked).

use onsite_core::visit::findings::NewDiagnosis;
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection};

use crate::fixture::Fixture;

/// Replaces every quoted UUID in canonical JSON by `<id>`, keeping the byte order.
fn mask_ids(json: &str) -> String {
    json.split('"')
        .map(|part| {
            if uuid::Uuid::parse_str(part).is_ok() {
                "<id>"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("\"")
}

fn visit() -> Fixture {
    let f = Fixture::new();
    f.arrive();
    f.store
        .add_diagnosis(
            f.job.id,
            NewDiagnosis {
                symptom: "Water in drum".into(),
                cause: "Pump blocked".into(),
                error_codes: vec!["E18".into()],
            },
        )
        .expect("diagnosis");
    f.store
        .add_measurement(f.job.id, "Coil".into(), 178.5, "Ω".into())
        .expect("measurement");
    f.store
        .add_part_line(
            f.job.id,
            NewPartLine {
                direction: PartDirection::Installed,
                part_number: "00145787".into(),
                description: "Drain pump".into(),
                quantity: 1,
                serial_in: Some("N1".into()),
                serial_out: None,
                billing: Billing::Chargeable,
                unit_price_cents: 6490,
            },
        )
        .expect("part");
    f.store
        .decide_quote(f.job.id, true, "Anna Keller".into())
        .expect("approve");
    f.store
        .record_function_test(f.job.id, true, "Drains".into())
        .expect("test");
    f
}

#[test]
fn the_same_visit_gives_the_same_bytes_after_reopening() {
    let f = visit();
    let first = f.store.service_report(f.job.id).expect("report");
    let again = f.store.service_report(f.job.id).expect("report");
    let reopened = f
        .reopen()
        .service_report(f.job.id)
        .expect("report after reopen");
    let bytes =
        |v: &onsite_core::report::ReportView| v.report.canonical_json().expect("serializes");
    assert_eq!(bytes(&first), bytes(&again));
    assert_eq!(bytes(&first), bytes(&reopened));
    assert_eq!(first.sha256, reopened.sha256);
    assert_eq!(first.sha256.len(), 64);
}

#[test]
fn the_canonical_report_shape_is_pinned() {
    let f = visit();
    let view = f.store.service_report(f.job.id).expect("report");
    let canonical = view.report.canonical_json().expect("json");
    serde_json::from_str::<serde_json::Value>(&canonical).expect("valid json");
    let expected = r#"{"format":1,"work_order_id":"<id>","number":"WO-1","kind":"repair","visit_date":"2026-11-23","customer":"Anna Keller","address":"Lindenstraße 12, 10115 Berlin","asset":{"category":"washing machine","brand":"Bosch","model":"WAX32M40","serial":"BO12345678","firmware":null},"coverage":{"kind":"chargeable"},"reported_symptom":"Stops mid-cycle with water in the drum","reported_error_code":"E18","findings":[{"symptom":"Water in drum","cause":"Pump blocked","error_codes":["E18"]}],"measurements":[{"name":"Coil","value":178.5,"unit":"Ω"}],"checklist":[{"item":"isolate","result":null,"note":null},{"item":"error_memory","result":null,"note":null},{"item":"old_parts_offered","result":null,"note":null},{"item":"leak_check","result":null,"note":null},{"item":"clean_up","result":null,"note":null}],"parts":[{"direction":"installed","part_number":"00145787","description":"Drain pump","quantity":1,"serial_in":"N1","serial_out":null,"billing":"chargeable"}],"charges":[{"source":"part","line_id":"<id>","description":"00145787 Drain pump","quantity":1,"unit_price_cents":6490,"total_cents":6490}],"total_cents":6490,"charges_approved_by":"Anna Keller","times":[],"function_test":{"passed":true,"notes":"Drains","tested_at":"2026-11-23T09:30:00.000Z"},"notes":[]}"#;
    assert_eq!(mask_ids(&canonical), expected);
}
