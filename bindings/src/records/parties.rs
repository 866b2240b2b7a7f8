//! The parties of a job: customer, site, asset, contract, and what pays for the visit.

use onsite_core::assets::{Asset as CoreAsset, Contract as CoreContract, Coverage as CoreCoverage};
use onsite_core::customers::{Customer as CoreCustomer, Site as CoreSite};

use super::enums::AssetKind;
use super::{date, id, opt_id};

/// A customer.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Customer {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

impl From<CoreCustomer> for Customer {
    fn from(c: CoreCustomer) -> Self {
        Customer {
            id: id(c.id),
            name: c.name,
            phone: c.phone,
            email: c.email,
        }
    }
}

/// A site: where the visit is.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Site {
    /// Id.
    pub id: String,
    /// The customer's id.
    pub customer_id: String,
    /// Postal address, one line.
    pub address: String,
    /// How to get in.
    pub access_notes: String,
    /// Who to ask for on site.
    pub contact_name: Option<String>,
    /// Their phone number.
    pub contact_phone: Option<String>,
}

impl From<CoreSite> for Site {
    fn from(s: CoreSite) -> Self {
        Site {
            id: id(s.id),
            customer_id: id(s.customer_id),
            address: s.address,
            access_notes: s.access_notes,
            contact_name: s.contact_name,
            contact_phone: s.contact_phone,
        }
    }
}

/// An appliance or smart lock.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Asset {
    /// Id.
    pub id: String,
    /// The site's id.
    pub site_id: String,
    /// Appliance or smart lock.
    pub kind: AssetKind,
    /// E.g. "washing machine".
    pub category: String,
    /// Brand.
    pub brand: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// Firmware version.
    pub firmware: Option<String>,
    /// Purchase date (`YYYY-MM-DD`).
    pub purchased_on: Option<String>,
    /// Installation date (`YYYY-MM-DD`).
    pub installed_on: Option<String>,
    /// Last day of the manufacturer's warranty (`YYYY-MM-DD`).
    pub warranty_ends_on: Option<String>,
    /// The maintenance contract's id.
    pub contract_id: Option<String>,
}

impl From<CoreAsset> for Asset {
    fn from(a: CoreAsset) -> Self {
        Asset {
            id: id(a.id),
            site_id: id(a.site_id),
            kind: a.kind.into(),
            category: a.category,
            brand: a.brand,
            model: a.model,
            serial: a.serial,
            firmware: a.firmware,
            purchased_on: a.purchased_on.map(date),
            installed_on: a.installed_on.map(date),
            warranty_ends_on: a.warranty_ends_on.map(date),
            contract_id: opt_id(a.contract_id),
        }
    }
}

/// A preventive-maintenance contract.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Contract {
    /// Id.
    pub id: String,
    /// The customer's id.
    pub customer_id: String,
    /// Plan name.
    pub plan: String,
    /// First day covered (`YYYY-MM-DD`).
    pub starts_on: String,
    /// Last day covered (`YYYY-MM-DD`).
    pub ends_on: String,
    /// Scheduled inspections per year.
    pub visits_per_year: u32,
    /// Parts are free.
    pub covers_parts: bool,
    /// Labour is free.
    pub covers_labour: bool,
}

impl From<CoreContract> for Contract {
    fn from(c: CoreContract) -> Self {
        Contract {
            id: id(c.id),
            customer_id: id(c.customer_id),
            plan: c.plan,
            starts_on: date(c.starts_on),
            ends_on: date(c.ends_on),
            visits_per_year: c.visits_per_year,
            covers_parts: c.covers_parts,
            covers_labour: c.covers_labour,
        }
    }
}

/// What pays for the visit.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Coverage {
    /// The manufacturer's warranty is running.
    Warranty {
        /// Its last day (`YYYY-MM-DD`).
        ends_on: String,
    },
    /// A maintenance contract covers the asset.
    Contract {
        /// The contract's id.
        contract_id: String,
        /// Its plan name.
        plan: String,
        /// Its last day (`YYYY-MM-DD`).
        ends_on: String,
        /// Parts are free.
        covers_parts: bool,
        /// Labour is free.
        covers_labour: bool,
    },
    /// The customer pays, after approving the charges.
    Chargeable,
}

impl From<CoreCoverage> for Coverage {
    fn from(c: CoreCoverage) -> Self {
        match c {
            CoreCoverage::Warranty { ends_on } => Coverage::Warranty {
                ends_on: date(ends_on),
            },
            CoreCoverage::Contract {
                contract_id,
                plan,
                ends_on,
                covers_parts,
                covers_labour,
            } => Coverage::Contract {
                contract_id: id(contract_id),
                plan,
                ends_on: date(ends_on),
                covers_parts,
                covers_labour,
            },
            CoreCoverage::Chargeable => Coverage::Chargeable,
        }
    }
}
