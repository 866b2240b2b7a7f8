//! The core's input rules, stated in the OpenAPI document so that a request the document calls
//! valid is one the server accepts: text lengths and "not blank" (`validate::Check::text`),
//! dates and times inside the store's window, and the edit bodies built from
//! `edits::FIELDS`. The limits come from the core's own constants; the rules the JSON Schema
//! cannot say (an end after its start, a reason when cancelling) are in the endpoints'
//! descriptions. A unit test checks that every rule here reaches the document.

use std::borrow::Cow;

use onsite_core::Entity;
use onsite_core::edits;
use onsite_core::sync::wire::MAX_PUSH_BATCH;
use onsite_core::validate::{
    CODE_MAX, IN_WINDOW_PATTERN, IN_WINDOW_TIME_PATTERN, NAME_MAX, NOT_BLANK_PATTERN, TEXT_MAX,
};
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema};
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::{Modify, PartialSchema, ToSchema};

/// What the core checks of one field.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Required text: not blank, at most this many characters.
    Text(usize),
    /// Optional text: at most this many characters.
    OptText(usize),
    /// A date inside the store's window.
    InWindow,
    /// An RFC 3339 time inside the store's window (which holds in UTC).
    TimeInWindow,
    /// A list of at most this many items.
    MaxItems(usize),
}

use Rule::{InWindow, MaxItems, OptText, Text, TimeInWindow};

/// (schema, property, rule): one line per field the core checks (`create_customer`,
/// `create_site`, `create_contract`, `create_asset`, `work_orders::create`, `assign`,
/// `transition`, `Db::create_user`).
const RULES: &[(&str, &str, Rule)] = &[
    ("NewUser", "name", Text(NAME_MAX)),
    ("NewCustomer", "name", Text(NAME_MAX)),
    ("NewCustomer", "phone", OptText(CODE_MAX)),
    ("NewCustomer", "email", OptText(NAME_MAX)),
    ("NewSite", "address", Text(NAME_MAX)),
    ("NewSite", "access_notes", OptText(TEXT_MAX)),
    ("NewSite", "contact_name", OptText(NAME_MAX)),
    ("NewSite", "contact_phone", OptText(CODE_MAX)),
    ("NewContract", "plan", Text(NAME_MAX)),
    ("NewContract", "starts_on", InWindow),
    ("NewContract", "ends_on", InWindow),
    ("NewAsset", "category", Text(NAME_MAX)),
    ("NewAsset", "brand", Text(NAME_MAX)),
    ("NewAsset", "model", Text(NAME_MAX)),
    ("NewAsset", "serial", Text(CODE_MAX)),
    ("NewAsset", "firmware", OptText(CODE_MAX)),
    ("NewAsset", "purchased_on", InWindow),
    ("NewAsset", "installed_on", InWindow),
    ("NewAsset", "warranty_ends_on", InWindow),
    ("NewWorkOrder", "number", Text(CODE_MAX)),
    ("NewWorkOrder", "assignee", OptText(NAME_MAX)),
    ("ReportedFault", "symptom", Text(TEXT_MAX)),
    ("ReportedFault", "error_code", OptText(CODE_MAX)),
    ("ReportedFault", "fault_since", OptText(NAME_MAX)),
    ("ReportedFault", "fault_trigger", OptText(TEXT_MAX)),
    ("Window", "window_start", TimeInWindow),
    ("Window", "window_end", TimeInWindow),
    ("Assign", "engineer", Text(NAME_MAX)),
    ("StatusBody", "reason", OptText(TEXT_MAX)),
    ("PushRequest", "mutations", MaxItems(MAX_PUSH_BATCH)),
];

/// (schema, property): a property that refers to a schema the core reads refusing unknown keys
/// in this place only (`NewWorkOrder` reads its fault and window strictly; `WorkOrder` flattens
/// the same schemas, so they stay open there). The property gets a closed copy.
const CLOSED: &[(&str, &str)] = &[("NewWorkOrder", "fault"), ("NewWorkOrder", "window")];

/// Writes [`RULES`] and [`CLOSED`] into the document's schemas.
pub(super) struct Limits;

impl Modify for Limits {
    fn modify(&self, openapi: &mut OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, property, rule) in RULES {
            let Some(property) = property_of(&mut components.schemas, schema, property) else {
                // A rule for a field the document lacks: the unit test below names it.
                continue;
            };
            let object = match (property, rule) {
                (Schema::Array(list), MaxItems(max)) => {
                    list.max_items = Some(*max);
                    continue;
                }
                (Schema::Object(object), _) => object,
                // A rule of the wrong kind for its field: the unit test below names it.
                _ => continue,
            };
            match rule {
                Text(max) => {
                    object.min_length = Some(1);
                    object.max_length = Some(*max);
                    object.pattern = Some(NOT_BLANK_PATTERN.to_owned());
                }
                OptText(max) => object.max_length = Some(*max),
                InWindow => object.pattern = Some(IN_WINDOW_PATTERN.to_owned()),
                TimeInWindow => object.pattern = Some(IN_WINDOW_TIME_PATTERN.to_owned()),
                MaxItems(_) => {}
            }
        }
        for (schema, property) in CLOSED {
            close(&mut components.schemas, schema, property);
        }
    }
}

/// Replaces the reference `schema.property` by a copy of its schema that refuses other keys.
fn close(
    schemas: &mut std::collections::BTreeMap<String, RefOr<Schema>>,
    schema: &str,
    property: &str,
) {
    let Some(RefOr::T(Schema::Object(parent))) = schemas.get(schema) else {
        return;
    };
    let Some(RefOr::Ref(reference)) = parent.properties.get(property) else {
        return;
    };
    let name = reference
        .ref_location
        .trim_start_matches("#/components/schemas/");
    let Some(RefOr::T(Schema::Object(target))) = schemas.get(name) else {
        return;
    };
    let mut closed = target.clone();
    closed.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
    if let Some(RefOr::T(Schema::Object(parent))) = schemas.get_mut(schema) {
        parent
            .properties
            .insert((*property).to_owned(), RefOr::T(Schema::Object(closed)));
    }
}

/// The schema of `schema.property` written in place (not a reference), if the document has one.
fn property_of<'a>(
    schemas: &'a mut std::collections::BTreeMap<String, RefOr<Schema>>,
    schema: &str,
    property: &str,
) -> Option<&'a mut Schema> {
    let RefOr::T(Schema::Object(parent)) = schemas.get_mut(schema)? else {
        return None;
    };
    match parent.properties.get_mut(property)? {
        RefOr::T(inline) => Some(inline),
        RefOr::Ref(_) => None,
    }
}

/// The body of an edit of `entity`: at least one of its editable fields, nothing else.
fn edit_schema(entity: Entity) -> RefOr<Schema> {
    let mut body = ObjectBuilder::new()
        .min_properties(Some(1))
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for field in edits::fields_of(entity) {
        body = body.property(field.name, field.value_schema());
    }
    body.description(Some(
        "The fields to change (`null` clears an optional one). The appointment window moves \
         as a whole: `window_start` and `window_end` together, the end after the start, at \
         most 24 hours apart.",
    ))
    .into()
}

/// The edit bodies, one schema per kind of row, each from [`edits::FIELDS`].
macro_rules! edit_bodies {
    ($($name:ident => $entity:expr,)+) => {$(
        #[doc = concat!("The body of `PATCH` on a ", stringify!($entity), " (schema only).")]
        pub(super) struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                edit_schema($entity)
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )+};
}

edit_bodies! {
    CustomerEdit => Entity::Customer,
    SiteEdit => Entity::Site,
    AssetEdit => Entity::Asset,
    WorkOrderEdit => Entity::WorkOrder,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_reaches_the_document() {
        let mut doc = super::super::openapi::document();
        let schemas = &mut doc.components.as_mut().expect("components").schemas;
        for (schema, property, _) in RULES {
            let applied = match property_of(schemas, schema, property) {
                Some(Schema::Object(o)) => o.max_length.is_some() || o.pattern.is_some(),
                Some(Schema::Array(a)) => a.max_items.is_some(),
                _ => false,
            };
            assert!(
                applied,
                "{schema}.{property}: not in the document as its rule expects"
            );
        }
        for (schema, property) in CLOSED {
            let closed = matches!(
                property_of(schemas, schema, property),
                Some(Schema::Object(o)) if o.additional_properties.is_some()
            );
            assert!(closed, "{schema}.{property} is not closed");
        }
        for name in ["CustomerEdit", "SiteEdit", "AssetEdit", "WorkOrderEdit"] {
            assert!(schemas.contains_key(name), "{name}");
        }
    }
}
