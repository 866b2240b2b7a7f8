//! The fault harness's back office: seeded edits, reassignments, cancels and new jobs through
//! the server's HTTP API, racing the engineers. It talks to the server directly (not through
//! the fault proxy), and a server that is down (killed) just fails the call.

use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use onsite_core::sync::wire::{PROTOCOL_HEADER, PROTOCOL_VERSION};

/// A job the office made.
#[derive(Debug, Clone)]
pub struct OfficeJob {
    /// Work order id.
    pub id: String,
    /// Its customer.
    pub customer: String,
    /// Its site.
    pub site: String,
    /// Its asset.
    pub asset: String,
}

/// How an office call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 200.
    Done,
    /// Another status: the rules refused it (a cancelled job cannot be reassigned, ...).
    Refused,
    /// No answer: the server was down or died during the call, so it may or may not be done.
    Unknown,
}

/// The back office.
pub struct Office {
    http: reqwest::blocking::Client,
    url: String,
    token: String,
    engineers: Vec<String>,
    /// Every job it made.
    pub jobs: Vec<OfficeJob>,
    /// Customers with their one site and one maintenance contract each, which new jobs share.
    places: Vec<(String, String, String)>,
    /// Calls made, by outcome: done, refused, unknown.
    pub calls: [u64; 3],
    next: u64,
}

impl Office {
    /// An office for the server at `url` with a dispatcher's `token`, dispatching to `engineers`.
    pub fn new(url: &str, token: &str, engineers: Vec<String>) -> Office {
        Office {
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client builds"),
            url: url.to_owned(),
            token: token.to_owned(),
            engineers,
            jobs: Vec::new(),
            places: Vec::new(),
            calls: [0; 3],
            next: 0,
        }
    }

    /// Sends one call; returns how it ended and the JSON answer (Null if none).
    pub fn call(&mut self, method: &str, path: &str, body: &Value) -> (Answer, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let sent = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .json(body)
            .send();
        let (answer, value) = match sent {
            Err(_) => (Answer::Unknown, Value::Null),
            Ok(resp) => {
                let ok = resp.status().as_u16() == 200;
                match resp.text() {
                    Err(_) => (Answer::Unknown, Value::Null),
                    Ok(text) => (
                        if ok { Answer::Done } else { Answer::Refused },
                        serde_json::from_str(&text).unwrap_or(Value::Null),
                    ),
                }
            }
        };
        self.calls[answer as usize] += 1;
        (answer, value)
    }

    /// Makes `count` customers with a site and a contract each (the server must be up).
    pub fn places(&mut self, count: usize) {
        for i in 0..count {
            let (_, customer) = self.call(
                "POST",
                "/v1/customers",
                &json!({ "name": format!("Customer {i}"), "phone": "+49 30 1731715" }),
            );
            let customer = id(&customer);
            let (_, site) = self.call(
                "POST",
                &format!("/v1/customers/{customer}/sites"),
                &json!({ "address": format!("Rosenstraße {i}, 04109 Leipzig"), "access_notes": "Ring twice" }),
            );
            let (_, contract) = self.call(
                "POST",
                &format!("/v1/customers/{customer}/contracts"),
                &json!({ "plan": "Care", "starts_on": "2024-01-01", "ends_on": "2030-12-31",
                         "visits_per_year": 1, "covers_parts": true, "covers_labour": false }),
            );
            self.places.push((customer, id(&site), id(&contract)));
        }
    }

    /// A new job with its own appliance (under the customer's contract half the time) at a
    /// random place, for `engineer`. `None` if the server did not answer every step.
    pub fn dispatch(&mut self, rng: &mut ChaCha8Rng, engineer: &str) -> Option<OfficeJob> {
        let (customer, site, contract) =
            self.places[rng.random_range(0..self.places.len())].clone();
        self.next += 1;
        let contract = (rng.random_range(0..2) == 0).then_some(contract);
        let (answer, asset) = self.call(
            "POST",
            &format!("/v1/sites/{site}/assets"),
            &json!({ "kind": "appliance", "category": "washing machine", "brand": "Miele",
                     "model": "WWD320", "serial": format!("MI{}", self.next),
                     "warranty_ends_on": "2024-01-01", "contract_id": contract }),
        );
        if answer != Answer::Done {
            return None;
        }
        let place = OfficeJob {
            id: String::new(),
            customer,
            site,
            asset: id(&asset),
        };
        self.job_on(&place, engineer, None)
    }

    /// A new job for `engineer` on the appliance of `place` (another visit to it, or with
    /// `follows`, a follow-up of that visit).
    fn job_on(
        &mut self,
        place: &OfficeJob,
        engineer: &str,
        follows: Option<&str>,
    ) -> Option<OfficeJob> {
        self.next += 1;
        let start = Utc::now() - chrono::Duration::minutes(30);
        let (answer, wo) = self.call(
            "POST",
            "/v1/work-orders",
            &json!({ "number": format!("WO-H{}", self.next), "kind": "repair", "priority": "high",
                     "customer_id": place.customer, "site_id": place.site, "asset_id": place.asset,
                     "fault": { "symptom": "Does not drain", "error_code": "F11" },
                     "window": { "window_start": start, "window_end": start + chrono::Duration::hours(2) },
                     "assignee": engineer, "follow_up_of": follows }),
        );
        (answer == Answer::Done).then(|| {
            let job = OfficeJob {
                id: id(&wo),
                ..place.clone()
            };
            self.jobs.push(job.clone());
            job
        })
    }

    /// One random office action: a plain-field edit (most often), a reassignment, a cancel, a
    /// reschedule or a new job. Returns the field it changed, if it edited one and the server
    /// said done: (entity name, row id, field).
    pub fn random_action(
        &mut self,
        rng: &mut ChaCha8Rng,
    ) -> Option<(&'static str, String, &'static str)> {
        if self.jobs.is_empty() {
            return None;
        }
        let job = self.jobs[rng.random_range(0..self.jobs.len())].clone();
        self.next += 1;
        let value = format!("o{}", self.next);
        let engineer = self.engineers[rng.random_range(0..self.engineers.len())].clone();
        let (method, path, body) = match rng.random_range(0..100u32) {
            0..12 => (
                "PATCH",
                format!("/v1/sites/{}", job.site),
                json!({ "access_notes": value }),
            ),
            12..20 => (
                "PATCH",
                format!("/v1/sites/{}", job.site),
                json!({ "contact_phone": value }),
            ),
            20..30 => (
                "PATCH",
                format!("/v1/assets/{}", job.asset),
                json!({ "serial": value }),
            ),
            30..36 => (
                "PATCH",
                format!("/v1/assets/{}", job.asset),
                json!({ "firmware": value }),
            ),
            36..46 => (
                "PATCH",
                format!("/v1/work-orders/{}", job.id),
                json!({ "error_code": value }),
            ),
            46..54 => (
                "PATCH",
                format!("/v1/customers/{}", job.customer),
                json!({ "phone": value }),
            ),
            54..70 => (
                "POST",
                format!("/v1/work-orders/{}/assign", job.id),
                json!({ "engineer": engineer }),
            ),
            70..78 => (
                "POST",
                format!("/v1/work-orders/{}/status", job.id),
                json!({ "to": "cancelled", "reason": value }),
            ),
            78..82 => {
                let start = Utc::now() + chrono::Duration::hours(rng.random_range(1..48));
                (
                    "PATCH",
                    format!("/v1/work-orders/{}", job.id),
                    json!({ "window_start": start, "window_end": start + chrono::Duration::hours(2) }),
                )
            }
            // Another visit to the same appliance: the old one becomes the new engineer's
            // history once it is over.
            82..87 => {
                self.job_on(&job, &engineer, None);
                return None;
            }
            // A follow-up (refused unless the visit it follows is over).
            87..91 => {
                self.job_on(&job, &engineer, Some(&job.id));
                return None;
            }
            // The back office books the next visit of an unfinished job: it is open again.
            91..94 => (
                "POST",
                format!("/v1/work-orders/{}/status", job.id),
                json!({ "to": "assigned" }),
            ),
            _ => {
                self.dispatch(rng, &engineer);
                return None;
            }
        };
        let (answer, _) = self.call(method, &path, &body);
        let edited = body
            .as_object()
            .and_then(|fields| fields.keys().next().cloned())?;
        let field = FIELDS.iter().find(|f| f.1 == edited)?;
        let row = match field.0 {
            "site" => job.site,
            "asset" => job.asset,
            "customer" => job.customer,
            _ => job.id,
        };
        (method == "PATCH" && answer == Answer::Done).then_some((field.0, row, field.1))
    }
}

/// The plain fields the office edits, by entity name: the same the engineers edit.
const FIELDS: &[(&str, &str)] = &[
    ("site", "access_notes"),
    ("site", "contact_phone"),
    ("asset", "serial"),
    ("asset", "firmware"),
    ("work_order", "error_code"),
    ("customer", "phone"),
];

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}
