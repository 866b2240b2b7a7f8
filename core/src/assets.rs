//! Assets (appliances and smart locks), preventive-maintenance contracts, and the warranty
//! coverage of a visit, derived from both at the visit date.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Entity, Error, Problem, Result};
use crate::store::ActionCtx;
use crate::store::columns::{self, ColumnSet, column_set, text_enum};
use crate::validate::{CODE_MAX, Check, NAME_MAX};

text_enum! {
    /// What kind of thing the asset is.
    pub enum AssetKind {
        /// A household appliance (washer, fridge, oven, boiler, ...).
        Appliance => "appliance",
        /// A smart lock.
        SmartLock => "smart_lock",
    }
}

/// An appliance or a smart lock at a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    /// UUIDv7.
    pub id: Uuid,
    /// Where it stands.
    pub site_id: Uuid,
    /// Appliance or smart lock.
    pub kind: AssetKind,
    /// Product category, e.g. "washing machine", "door lock".
    pub category: String,
    /// Brand.
    pub brand: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// Firmware version, for connected devices.
    pub firmware: Option<String>,
    /// Date of purchase.
    pub purchased_on: Option<NaiveDate>,
    /// Date of installation.
    pub installed_on: Option<NaiveDate>,
    /// Last day of the manufacturer's warranty.
    pub warranty_ends_on: Option<NaiveDate>,
    /// The maintenance contract that covers it, if any.
    pub contract_id: Option<Uuid>,
}

/// A preventive-maintenance contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    /// UUIDv7.
    pub id: Uuid,
    /// The customer who holds it.
    pub customer_id: Uuid,
    /// Plan name, e.g. "Care Plus annual".
    pub plan: String,
    /// First day covered.
    pub starts_on: NaiveDate,
    /// Last day covered.
    pub ends_on: NaiveDate,
    /// Scheduled inspections per year.
    pub visits_per_year: u32,
    /// Parts are free under the contract.
    pub covers_parts: bool,
    /// Labour is free under the contract.
    pub covers_labour: bool,
}

/// What pays for a visit, decided at the visit date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Coverage {
    /// The manufacturer's warranty is still running.
    Warranty {
        /// Its last day.
        ends_on: NaiveDate,
    },
    /// A maintenance contract covers the asset.
    Contract {
        /// The contract.
        contract_id: Uuid,
        /// Its plan name.
        plan: String,
        /// Its last day.
        ends_on: NaiveDate,
        /// Parts are free.
        covers_parts: bool,
        /// Labour is free.
        covers_labour: bool,
    },
    /// Nothing covers it: the customer pays, after approving a quote.
    Chargeable,
}

impl Coverage {
    /// Whether parts are free to the customer under this coverage.
    pub fn covers_parts(&self) -> bool {
        match self {
            Coverage::Warranty { .. } => true,
            Coverage::Contract { covers_parts, .. } => *covers_parts,
            Coverage::Chargeable => false,
        }
    }

    /// The coverage of a visit to `asset` on `visit_date`. A running manufacturer's warranty
    /// comes first; a contract counts only between its first and last day.
    pub fn at(
        asset: Option<&Asset>,
        contract: Option<&Contract>,
        visit_date: NaiveDate,
    ) -> Coverage {
        if let Some(ends_on) = asset.and_then(|a| a.warranty_ends_on)
            && visit_date <= ends_on
        {
            return Coverage::Warranty { ends_on };
        }
        match contract {
            Some(c) if c.starts_on <= visit_date && visit_date <= c.ends_on => Coverage::Contract {
                contract_id: c.id,
                plan: c.plan.clone(),
                ends_on: c.ends_on,
                covers_parts: c.covers_parts,
                covers_labour: c.covers_labour,
            },
            _ => Coverage::Chargeable,
        }
    }
}

/// What a new asset needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAsset {
    /// Appliance or smart lock.
    pub kind: AssetKind,
    /// Product category.
    pub category: String,
    /// Brand.
    pub brand: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// Firmware version.
    pub firmware: Option<String>,
    /// Date of purchase.
    pub purchased_on: Option<NaiveDate>,
    /// Date of installation.
    pub installed_on: Option<NaiveDate>,
    /// Last day of the manufacturer's warranty.
    pub warranty_ends_on: Option<NaiveDate>,
    /// Covering contract.
    pub contract_id: Option<Uuid>,
}

/// What a new contract needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    /// Plan name.
    pub plan: String,
    /// First day covered.
    pub starts_on: NaiveDate,
    /// Last day covered.
    pub ends_on: NaiveDate,
    /// Scheduled inspections per year.
    #[serde(deserialize_with = "crate::whole::integer")]
    pub visits_per_year: u32,
    /// Parts are free.
    pub covers_parts: bool,
    /// Labour is free.
    pub covers_labour: bool,
}

/// Creates a contract for an existing customer.
pub fn create_contract(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    customer_id: Uuid,
    new: NewContract,
) -> Result<Contract> {
    Check::new()
        .text("plan", &new.plan, NAME_MAX)
        .date("starts_on", new.starts_on)
        .date("ends_on", new.ends_on)
        .fail_if(
            new.ends_on < new.starts_on,
            "ends_on",
            Problem::EndBeforeStart,
        )
        .finish()?;
    crate::customers::get_customer(tx, customer_id)?;
    let contract = Contract {
        id: ctx.new_id(),
        customer_id,
        plan: new.plan,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        visits_per_year: new.visits_per_year,
        covers_parts: new.covers_parts,
        covers_labour: new.covers_labour,
    };
    tx.prepare_cached(
        "INSERT INTO contracts (id, customer_id, plan, starts_on, ends_on, visits_per_year,
                                covers_parts, covers_labour)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((
        contract.id.to_string(),
        contract.customer_id.to_string(),
        &contract.plan,
        contract.starts_on.to_string(),
        contract.ends_on.to_string(),
        contract.visits_per_year,
        contract.covers_parts,
        contract.covers_labour,
    ))?;
    ctx.log_insert(tx, Entity::Contract, contract.id, &contract)?;
    Ok(contract)
}

/// Creates an asset at an existing site.
pub fn create_asset(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    site_id: Uuid,
    new: NewAsset,
) -> Result<Asset> {
    Check::new()
        .text("category", &new.category, NAME_MAX)
        .text("brand", &new.brand, NAME_MAX)
        .text("model", &new.model, NAME_MAX)
        .text("serial", &new.serial, CODE_MAX)
        .opt_text("firmware", new.firmware.as_deref(), CODE_MAX)
        .opt_date("purchased_on", new.purchased_on)
        .opt_date("installed_on", new.installed_on)
        .opt_date("warranty_ends_on", new.warranty_ends_on)
        .finish()?;
    let site = crate::customers::get_site(tx, site_id)?;
    if let Some(contract_id) = new.contract_id {
        // Another customer's contract would make the asset's job unsyncable for the engineer
        // (their scope holds the site's customer, not the contract's) and bill the wrong plan.
        let contract = get_contract(tx, contract_id)?;
        Check::new()
            .fail_if(
                contract.customer_id != site.customer_id,
                "contract_id",
                Problem::Inconsistent {
                    detail: "the contract belongs to another customer than the site's".into(),
                },
            )
            .finish()?;
    }
    let asset = Asset {
        id: ctx.new_id(),
        site_id,
        kind: new.kind,
        category: new.category,
        brand: new.brand,
        model: new.model,
        serial: new.serial,
        firmware: new.firmware,
        purchased_on: new.purchased_on,
        installed_on: new.installed_on,
        warranty_ends_on: new.warranty_ends_on,
        contract_id: new.contract_id,
    };
    tx.prepare_cached(
        "INSERT INTO assets (id, site_id, kind, category, brand, model, serial, firmware,
                             purchased_on, installed_on, warranty_ends_on, contract_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(rusqlite::params![
        asset.id.to_string(),
        asset.site_id.to_string(),
        asset.kind,
        &asset.category,
        &asset.brand,
        &asset.model,
        &asset.serial,
        &asset.firmware,
        asset.purchased_on.map(|d| d.to_string()),
        asset.installed_on.map(|d| d.to_string()),
        asset.warranty_ends_on.map(|d| d.to_string()),
        asset.contract_id.map(|id| id.to_string()),
    ])?;
    ctx.log_insert(tx, Entity::Asset, asset.id, &asset)?;
    Ok(asset)
}

column_set! {
    /// The columns of an [`Asset`].
    struct AssetColumns {
        id, site_id, kind, category, brand, model, serial, firmware, purchased_on, installed_on,
        warranty_ends_on, contract_id,
    }
}

column_set! {
    /// The columns of a [`Contract`].
    struct ContractColumns {
        id, customer_id, plan, starts_on, ends_on, visits_per_year, covers_parts, covers_labour,
    }
}

/// The asset with this id.
pub fn get_asset(conn: &Connection, id: Uuid) -> Result<Asset> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, site_id, kind, category, brand, model, serial, firmware, purchased_on,
                installed_on, warranty_ends_on, contract_id
         FROM assets WHERE id = ?1",
    )?;
    let c = AssetColumns::of(&stmt)?;
    stmt.query_row([id.to_string()], |r| asset_from_row(r, &c))
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Asset, id))
}

fn asset_from_row(r: &Row<'_>, c: &AssetColumns) -> rusqlite::Result<Asset> {
    Ok(Asset {
        id: columns::uuid(r, c.id)?,
        site_id: columns::uuid(r, c.site_id)?,
        kind: r.get(c.kind)?,
        category: r.get(c.category)?,
        brand: r.get(c.brand)?,
        model: r.get(c.model)?,
        serial: r.get(c.serial)?,
        firmware: r.get(c.firmware)?,
        purchased_on: columns::opt_date(r, c.purchased_on)?,
        installed_on: columns::opt_date(r, c.installed_on)?,
        warranty_ends_on: columns::opt_date(r, c.warranty_ends_on)?,
        contract_id: columns::opt_uuid(r, c.contract_id)?,
    })
}

/// The contract with this id.
pub fn get_contract(conn: &Connection, id: Uuid) -> Result<Contract> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, customer_id, plan, starts_on, ends_on, visits_per_year, covers_parts,
                covers_labour
         FROM contracts WHERE id = ?1",
    )?;
    let c = ContractColumns::of(&stmt)?;
    stmt.query_row([id.to_string()], |r| {
        Ok(Contract {
            id: columns::uuid(r, c.id)?,
            customer_id: columns::uuid(r, c.customer_id)?,
            plan: r.get(c.plan)?,
            starts_on: columns::date(r, c.starts_on)?,
            ends_on: columns::date(r, c.ends_on)?,
            visits_per_year: r.get(c.visits_per_year)?,
            covers_parts: r.get(c.covers_parts)?,
            covers_labour: r.get(c.covers_labour)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::not_found(Entity::Contract, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test dates are valid")
    }

    fn asset(warranty_ends_on: Option<&str>) -> Asset {
        Asset {
            id: Uuid::now_v7(),
            site_id: Uuid::now_v7(),
            kind: AssetKind::Appliance,
            category: "washing machine".into(),
            brand: "Bosch".into(),
            model: "WAX32M40".into(),
            serial: "S1".into(),
            firmware: None,
            purchased_on: None,
            installed_on: None,
            warranty_ends_on: warranty_ends_on.map(date),
            contract_id: None,
        }
    }

    fn contract(from: &str, to: &str) -> Contract {
        Contract {
            id: Uuid::now_v7(),
            customer_id: Uuid::now_v7(),
            plan: "Care".into(),
            starts_on: date(from),
            ends_on: date(to),
            visits_per_year: 1,
            covers_parts: true,
            covers_labour: false,
        }
    }

    #[test]
    fn warranty_counts_through_its_last_day_then_the_contract_takes_over() {
        let a = asset(Some("2026-06-30"));
        let c = contract("2026-01-01", "2026-12-31");
        assert!(matches!(
            Coverage::at(Some(&a), Some(&c), date("2026-06-30")),
            Coverage::Warranty { .. }
        ));
        assert!(matches!(
            Coverage::at(Some(&a), Some(&c), date("2026-07-01")),
            Coverage::Contract { .. }
        ));
        assert_eq!(
            Coverage::at(Some(&a), Some(&c), date("2027-01-01")),
            Coverage::Chargeable
        );
        assert_eq!(
            Coverage::at(Some(&a), Some(&c), date("2025-12-31")),
            Coverage::Warranty {
                ends_on: date("2026-06-30")
            }
        );
        assert_eq!(
            Coverage::at(Some(&asset(None)), Some(&c), date("2025-12-31")),
            Coverage::Chargeable
        );
        assert_eq!(
            Coverage::at(None, None, date("2026-01-01")),
            Coverage::Chargeable
        );
    }
}
