//! Every enum the OpenAPI document lists is exactly what serde puts on the wire: a generated
//! client sends the document's values, and the server accepts only serde's. Each schema with
//! an `enum` anywhere in it must be registered here with its Rust type, so a new enum fails
//! this test until it is checked too; each listed value must deserialize through the real type
//! and serialize back unchanged, and the document's set must equal serde's whole set.

use std::collections::BTreeSet;

use onsite_core::sync::wire::PROTOCOL_VERSION;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The document as the server serves it.
fn document() -> Value {
    serde_json::to_value(onsite_server::http::openapi::document()).expect("the document is JSON")
}

/// Every value of every `enum` list under `schema`, without following `$ref`s (each referenced
/// schema is checked under its own name).
fn enum_values(schema: &Value, out: &mut Vec<Value>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("enum", Value::Array(values)) => out.extend(values.iter().cloned()),
                    _ => enum_values(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| enum_values(v, out)),
        _ => {}
    }
}

/// The names serde accepts for `T`, read from its own "unknown variant" refusal of a value no
/// enum has (`tag` is the field of an internally tagged enum, `None` for a plain one).
fn serde_names<T: DeserializeOwned>(tag: Option<&str>) -> BTreeSet<String> {
    let probe = "\u{1}no such variant";
    let input = match tag {
        Some(tag) => json!({ tag: probe }),
        None => json!(probe),
    };
    let err = serde_json::from_value::<T>(input)
        .err()
        .expect("no enum accepts the probe")
        .to_string();
    let list = err
        .split_once("expected one of ")
        .or_else(|| err.split_once("expected "))
        .unwrap_or_else(|| panic!("not an unknown-variant refusal: {err}"))
        .1;
    list.replace(" or ", ", ")
        .split(", ")
        .map(|name| name.trim_matches(|c| c == '`' || c == ' ').to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

/// Checks a plain (string) enum: every listed value round-trips through `T`, and the document
/// lists exactly serde's names.
fn plain<T: DeserializeOwned + Serialize>(name: &str, values: &[Value]) {
    for value in values {
        let parsed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| {
            panic!("{name}: the document lists {value}, serde refuses it: {e}")
        });
        assert_eq!(
            &serde_json::to_value(parsed).expect("serializes"),
            value,
            "{name}: {value} does not serialize back to itself"
        );
    }
    let listed: BTreeSet<String> = values
        .iter()
        .map(|v| v.as_str().expect("string enum").to_owned())
        .collect();
    assert_eq!(listed, serde_names::<T>(None), "{name}: document vs serde");
}

/// Checks an internally tagged enum: the tag values listed are exactly serde's variant names
/// (its other fields are checked as schemas of their own).
fn tagged<T: DeserializeOwned>(name: &str, tag: &str, values: &[Value]) {
    let listed: BTreeSet<String> = values
        .iter()
        .map(|v| v.as_str().expect("string tag").to_owned())
        .collect();
    assert_eq!(
        listed,
        serde_names::<T>(Some(tag)),
        "{name}: document vs serde"
    );
}

/// Checks the enum values listed under one schema (its name, the values).
type EnumCheck = fn(&str, &[Value]);

#[test]
fn every_enum_in_the_document_is_what_serde_accepts() {
    use onsite_core::{assets, conflicts, report, store, visit, work_orders};
    let checks: &[(&str, EnumCheck)] = &[
        ("AssetKind", plain::<assets::AssetKind>),
        ("Billing", plain::<visit::work::Billing>),
        ("ChargeSource", plain::<visit::charges::ChargeSource>),
        ("ChecklistOutcome", plain::<visit::checklist::Outcome>),
        ("Entity", plain::<onsite_core::Entity>),
        ("Kept", plain::<conflicts::Kept>),
        ("Op", plain::<store::Op>),
        ("PartDirection", plain::<visit::work::PartDirection>),
        ("Priority", plain::<work_orders::Priority>),
        ("Role", plain::<work_orders::status::Role>),
        ("Status", plain::<work_orders::status::Status>),
        ("TimeKind", plain::<visit::work::TimeKind>),
        ("UserRole", plain::<onsite_server::db::UserRole>),
        ("WorkOrderKind", plain::<work_orders::WorkOrderKind>),
        ("Coverage", |n, v| tagged::<assets::Coverage>(n, "kind", v)),
        ("Signature", |n, v| {
            tagged::<report::Signature>(n, "state", v)
        }),
        ("Outcome", |n, v| {
            tagged::<onsite_core::sync::wire::Outcome>(n, "outcome", v)
        }),
    ];
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut checked = BTreeSet::new();
    for (name, schema) in schemas {
        let mut values = Vec::new();
        enum_values(schema, &mut values);
        if values.is_empty() {
            continue;
        }
        let check = checks
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| {
                panic!("{name} lists enum values {values:?}: register its type here")
            })
            .1;
        check(name, &values);
        checked.insert(name.as_str());
    }
    let registered: BTreeSet<&str> = checks.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        checked, registered,
        "a registered enum is no longer in the document (renamed or shadowed by another of the same name?)"
    );

    // Outside the schemas, the only enum is the protocol header's one accepted value.
    let mut values = Vec::new();
    enum_values(&doc["paths"], &mut values);
    assert!(!values.is_empty(), "the protocol header lists its value");
    assert!(
        values.iter().all(|v| v == &json!(PROTOCOL_VERSION)),
        "{values:?}"
    );
}

#[test]
fn the_wire_names_are_the_documented_ones() {
    // The values the issue found listed as Rust names, as the server accepts them.
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["WorkOrderKind"]["enum"]
            .as_array()
            .expect("enum")
            .contains(&json!("repair"))
    );
    assert!(
        schemas["AssetKind"]["enum"]
            .as_array()
            .expect("enum")
            .contains(&json!("smart_lock"))
    );
}
