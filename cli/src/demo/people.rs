//! The demo's people and their words: every value in it that is personal data (names,
//! addresses, phone numbers, account names) or text a person typed (notes, reasons, the fault as
//! the customer told it, serials read off a rating plate). Kept apart and plain (no `crate::`
//! paths) so that the test reading the whole demo's log includes this very file and checks that
//! none of it appears there.

/// A job the back office dispatches: its customer, site and appliance.
pub struct Job {
    /// The customer (who also signs).
    pub name: &'static str,
    /// The site's address.
    pub address: &'static str,
    /// The appliance's brand.
    pub brand: &'static str,
    /// The appliance's model.
    pub model: &'static str,
    /// What kind of appliance.
    pub category: &'static str,
    /// The fault as the customer described it.
    pub symptom: &'static str,
    /// The error code it shows.
    pub code: &'static str,
    /// The appointment, in hours from now (plus two).
    pub hour: i64,
}

/// The three jobs, in the order they are dispatched (WO-1001, WO-1002, WO-1003).
pub const JOBS: [Job; 3] = [
    Job {
        name: "Paul Klein",
        address: "Rosenstraße 45, 04109 Leipzig",
        brand: "Miele",
        model: "WWD320 WPS",
        category: "washing machine",
        symptom: "Does not drain",
        code: "F11",
        hour: 1,
    },
    Job {
        name: "Lea Becker",
        address: "Gartenweg 110, 10115 Berlin",
        brand: "Nuki",
        model: "Smart Lock 3.0 Pro",
        category: "door lock",
        symptom: "Lock does not turn fully, motor-blocked warning",
        code: "MOTOR_BLOCKED",
        hour: 4,
    },
    Job {
        name: "Oskar Schwarz",
        address: "Bergstraße 100, 80331 München",
        brand: "Bosch",
        model: "WAX32M40",
        category: "washing machine",
        symptom: "Stops mid-cycle with water left in the drum",
        code: "E18",
        hour: 2,
    },
];

/// The admin's account name.
pub const ADMIN: &str = "admin";
/// The dispatcher's account name.
pub const DISPATCHER: &str = "dispatch";
/// The engineer doing the visit.
pub const ENGINEER_A: &str = "eng-a";
/// The other engineer.
pub const ENGINEER_B: &str = "eng-b";
/// Every customer's phone number.
pub const PHONE: &str = "+49 30 5550100";
/// Every site's access notes.
pub const ACCESS_NOTES: &str = "Ring twice";
/// Since when the fault shows, as the customer said.
pub const FAULT_SINCE: &str = "since Monday";
/// Why the office cancels WO-1002.
pub const CANCEL_REASON: &str = "Customer called off";
/// The engineer's diagnosis.
pub const CAUSE: &str = "Drain pump impeller blocked by a coin, pump worn";
/// The engineer's notes on the function test.
pub const FUNCTION_TEST_NOTES: &str = "Full programme run, drains clean";
/// The serial the engineer reads off the rating plate.
pub const ENGINEER_SERIAL: &str = "MI31192375";
/// The serial the office types from the customer's invoice.
pub const OFFICE_SERIAL: &str = "MI-31192375-B";
/// The serial of the pump the engineer fits.
pub const PART_SERIAL: &str = "SN-DEMO-0001";

/// Every value above that is personal or typed by a person: what no log line may contain.
#[allow(dead_code)] // used by the test that includes this file, not by the demo
pub fn personal() -> Vec<&'static str> {
    let mut all = vec![
        ADMIN,
        DISPATCHER,
        ENGINEER_A,
        ENGINEER_B,
        PHONE,
        ACCESS_NOTES,
        FAULT_SINCE,
        CANCEL_REASON,
        CAUSE,
        FUNCTION_TEST_NOTES,
        ENGINEER_SERIAL,
        OFFICE_SERIAL,
        PART_SERIAL,
    ];
    for job in &JOBS {
        all.extend([job.name, job.address, job.symptom]);
    }
    all
}
