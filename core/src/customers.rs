//! Customers and their sites: who the engineer visits and where (address, how to get in,
//! whom to call).

use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Entity, Error, Result};
use crate::store::ActionCtx;
use crate::store::columns::{self, ColumnSet, column_set};
use crate::validate::{CODE_MAX, Check, NAME_MAX, TEXT_MAX};

/// A customer (a household or a business).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// Device- or server-made UUIDv7.
    pub id: Uuid,
    /// Name as the customer gave it.
    pub name: String,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

/// A place where assets stand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    /// UUIDv7.
    pub id: Uuid,
    /// The customer the site belongs to.
    pub customer_id: Uuid,
    /// Postal address, one line.
    pub address: String,
    /// How to get in: key safe, gate code, dog, parking.
    pub access_notes: String,
    /// Who to ask for on site, if not the customer.
    pub contact_name: Option<String>,
    /// Their phone number.
    pub contact_phone: Option<String>,
}

/// What a new customer needs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    /// Name.
    pub name: String,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

/// What a new site needs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    /// Postal address, one line.
    pub address: String,
    /// How to get in.
    pub access_notes: String,
    /// On-site contact.
    pub contact_name: Option<String>,
    /// On-site contact's phone.
    pub contact_phone: Option<String>,
}

/// Creates a customer.
pub fn create_customer(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    new: NewCustomer,
) -> Result<Customer> {
    Check::new()
        .text("name", &new.name, NAME_MAX)
        .opt_text("phone", new.phone.as_deref(), CODE_MAX)
        .opt_text("email", new.email.as_deref(), NAME_MAX)
        .finish()?;
    let customer = Customer {
        id: ctx.new_id(),
        name: new.name.trim().to_owned(),
        phone: new.phone,
        email: new.email,
    };
    tx.prepare_cached("INSERT INTO customers (id, name, phone, email) VALUES (?1, ?2, ?3, ?4)")?
        .execute((
            customer.id.to_string(),
            &customer.name,
            &customer.phone,
            &customer.email,
        ))?;
    ctx.log_insert(tx, Entity::Customer, customer.id, &customer)?;
    Ok(customer)
}

/// Creates a site of an existing customer.
pub fn create_site(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    customer_id: Uuid,
    new: NewSite,
) -> Result<Site> {
    Check::new()
        .text("address", &new.address, NAME_MAX)
        .opt_text("access_notes", Some(&new.access_notes), TEXT_MAX)
        .opt_text("contact_name", new.contact_name.as_deref(), NAME_MAX)
        .opt_text("contact_phone", new.contact_phone.as_deref(), CODE_MAX)
        .finish()?;
    get_customer(tx, customer_id)?;
    let site = Site {
        id: ctx.new_id(),
        customer_id,
        address: new.address.trim().to_owned(),
        access_notes: new.access_notes,
        contact_name: new.contact_name,
        contact_phone: new.contact_phone,
    };
    tx.prepare_cached(
        "INSERT INTO sites (id, customer_id, address, access_notes, contact_name, contact_phone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        site.id.to_string(),
        site.customer_id.to_string(),
        &site.address,
        &site.access_notes,
        &site.contact_name,
        &site.contact_phone,
    ))?;
    ctx.log_insert(tx, Entity::Site, site.id, &site)?;
    Ok(site)
}

column_set! {
    /// The columns of a [`Customer`].
    struct CustomerColumns { id, name, phone, email }
}

column_set! {
    /// The columns of a [`Site`].
    struct SiteColumns { id, customer_id, address, access_notes, contact_name, contact_phone }
}

/// The customer with this id.
pub fn get_customer(conn: &Connection, id: Uuid) -> Result<Customer> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, phone, email FROM customers WHERE id = ?1")?;
    let c = CustomerColumns::of(&stmt)?;
    stmt.query_row([id.to_string()], |r| {
        Ok(Customer {
            id: columns::uuid(r, c.id)?,
            name: r.get(c.name)?,
            phone: r.get(c.phone)?,
            email: r.get(c.email)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::not_found(Entity::Customer, id))
}

/// The site with this id.
pub fn get_site(conn: &Connection, id: Uuid) -> Result<Site> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, customer_id, address, access_notes, contact_name, contact_phone
         FROM sites WHERE id = ?1",
    )?;
    let c = SiteColumns::of(&stmt)?;
    stmt.query_row([id.to_string()], |r| site_from_row(r, &c))
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Site, id))
}

fn site_from_row(r: &Row<'_>, c: &SiteColumns) -> rusqlite::Result<Site> {
    Ok(Site {
        id: columns::uuid(r, c.id)?,
        customer_id: columns::uuid(r, c.customer_id)?,
        address: r.get(c.address)?,
        access_notes: r.get(c.access_notes)?,
        contact_name: r.get(c.contact_name)?,
        contact_phone: r.get(c.contact_phone)?,
    })
}
