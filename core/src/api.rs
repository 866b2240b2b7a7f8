//! The store's actions and queries, one method each: what the CLI, the FFI layer and tests
//! call. Each action is one transaction (rows + field clocks + outbox entry, committed with
//! `synchronous=FULL`); each query is one read on the reader connection. The rules live in the
//! domain modules; these methods only open the transaction.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::assets::{self, Asset, Contract, NewAsset, NewContract};
use crate::conflicts::{self, Conflict};
use crate::customers::{self, Customer, NewCustomer, NewSite, Site};
use crate::error::Result;
use crate::outbox::{self, OutboxEntry};
use crate::report::{self, ReportView};
use crate::store::Store;
use crate::visit::charges::{self, QuoteDecision, QuoteLine};
use crate::visit::checklist::{self, ChecklistResult, Outcome};
use crate::visit::completion::{self, MissingItem};
use crate::visit::findings::{self, Diagnosis, FunctionTest, Measurement, NewDiagnosis, Note};
use crate::visit::signoff::{self, SignOff, Stroke};
use crate::visit::work::{self, NewPartLine, PartLine, TimeEntry, TimeKind};
use crate::visit::{self, VisitRecord};
use crate::work_orders::queries::{self, JobDetail, JobSummary};
use crate::work_orders::status::{Role, Status};
use crate::work_orders::{self, NewWorkOrder, StatusChange, WorkOrder};

/// Back-office actions: the server makes these; seeds and tests use them on a device.
impl Store {
    /// Creates a customer.
    pub fn create_customer(&self, new: NewCustomer) -> Result<Customer> {
        self.act(|tx, ctx| customers::create_customer(tx, ctx, new))
    }

    /// Creates a site of a customer.
    pub fn create_site(&self, customer_id: Uuid, new: NewSite) -> Result<Site> {
        self.act(|tx, ctx| customers::create_site(tx, ctx, customer_id, new))
    }

    /// Creates a maintenance contract.
    pub fn create_contract(&self, customer_id: Uuid, new: NewContract) -> Result<Contract> {
        self.act(|tx, ctx| assets::create_contract(tx, ctx, customer_id, new))
    }

    /// Creates an asset at a site.
    pub fn create_asset(&self, site_id: Uuid, new: NewAsset) -> Result<Asset> {
        self.act(|tx, ctx| assets::create_asset(tx, ctx, site_id, new))
    }

    /// Assigns a job to an engineer (dispatcher only); a new job becomes `assigned`.
    pub fn assign(&self, work_order_id: Uuid, assignee: String, role: Role) -> Result<WorkOrder> {
        self.act(|tx, ctx| work_orders::assign(tx, ctx, work_order_id, assignee, role))
    }

    /// Changes plain fields of a customer, site, asset or work order (see
    /// [`edits::FIELDS`](crate::edits::FIELDS) for which, and who may). The engineer corrects a
    /// serial or the access notes on site; the back office reschedules or re-prioritises.
    pub fn edit_fields(
        &self,
        entity: crate::Entity,
        row_id: Uuid,
        changes: crate::edits::Changes,
        role: Role,
    ) -> Result<crate::edits::Edited> {
        self.act(|tx, ctx| crate::edits::edit(tx, ctx, entity, row_id, changes, role))
    }

    /// Creates a work order.
    pub fn create_work_order(&self, new: NewWorkOrder) -> Result<WorkOrder> {
        self.act(|tx, ctx| work_orders::create(tx, ctx, new))
    }
}

/// The engineer's actions during a visit.
impl Store {
    /// Moves a job to `to` as `role`; completion checks the completion rules.
    pub fn set_status(
        &self,
        work_order_id: Uuid,
        to: Status,
        role: Role,
        reason: Option<String>,
    ) -> Result<StatusChange> {
        self.act(|tx, ctx| work_orders::transition(tx, ctx, work_order_id, to, role, reason))
    }

    /// Records a diagnosis entry.
    pub fn add_diagnosis(&self, work_order_id: Uuid, new: NewDiagnosis) -> Result<Diagnosis> {
        self.act(|tx, ctx| findings::add_diagnosis(tx, ctx, work_order_id, new))
    }

    /// Records a measurement.
    pub fn add_measurement(
        &self,
        work_order_id: Uuid,
        name: String,
        value: f64,
        unit: String,
    ) -> Result<Measurement> {
        self.act(|tx, ctx| findings::add_measurement(tx, ctx, work_order_id, name, value, unit))
    }

    /// Records a checklist result.
    pub fn record_checklist_result(
        &self,
        work_order_id: Uuid,
        item_key: &str,
        result: Outcome,
        note: Option<String>,
    ) -> Result<ChecklistResult> {
        self.act(|tx, ctx| checklist::record_result(tx, ctx, work_order_id, item_key, result, note))
    }

    /// Appends a note.
    pub fn add_note(&self, work_order_id: Uuid, body: String) -> Result<Note> {
        self.act(|tx, ctx| findings::add_note(tx, ctx, work_order_id, body))
    }

    /// Records time spent.
    pub fn add_time_entry(
        &self,
        work_order_id: Uuid,
        kind: TimeKind,
        started_at: DateTime<Utc>,
        ended_at: DateTime<Utc>,
    ) -> Result<TimeEntry> {
        self.act(|tx, ctx| work::add_time_entry(tx, ctx, work_order_id, kind, started_at, ended_at))
    }

    /// Records a part installed or removed.
    pub fn add_part_line(&self, work_order_id: Uuid, new: NewPartLine) -> Result<PartLine> {
        self.act(|tx, ctx| work::add_part_line(tx, ctx, work_order_id, new))
    }

    /// Adds a quote line.
    pub fn add_quote_line(
        &self,
        work_order_id: Uuid,
        description: String,
        quantity: i64,
        unit_price_cents: i64,
    ) -> Result<QuoteLine> {
        self.act(|tx, ctx| {
            charges::add_quote_line(
                tx,
                ctx,
                work_order_id,
                description,
                quantity,
                unit_price_cents,
            )
        })
    }

    /// Records the customer's approval or refusal of the current charges.
    pub fn decide_quote(
        &self,
        work_order_id: Uuid,
        approved: bool,
        signer_name: String,
    ) -> Result<QuoteDecision> {
        self.act(|tx, ctx| charges::decide(tx, ctx, work_order_id, approved, signer_name))
    }

    /// Records the function test.
    pub fn record_function_test(
        &self,
        work_order_id: Uuid,
        passed: bool,
        notes: String,
    ) -> Result<FunctionTest> {
        self.act(|tx, ctx| findings::record_function_test(tx, ctx, work_order_id, passed, notes))
    }

    /// Captures the customer's signature on the report as it stands.
    pub fn sign_off(
        &self,
        work_order_id: Uuid,
        signer_name: String,
        strokes: Vec<Stroke>,
    ) -> Result<SignOff> {
        self.act(|tx, ctx| signoff::sign(tx, ctx, work_order_id, signer_name, strokes))
    }

    /// Marks a conflict-log entry as seen.
    pub fn mark_conflict_seen(&self, id: Uuid) -> Result<()> {
        self.act(|tx, ctx| conflicts::mark_seen(tx, id, ctx.now()))
    }
}

/// The engineer's screens, one call each.
impl Store {
    /// Jobs whose appointment touches `day` in the zone `utc_offset_minutes` east of UTC.
    pub fn day_list(&self, day: NaiveDate, utc_offset_minutes: i32) -> Result<queries::DayList> {
        self.read(|conn| queries::day_list(conn, day, utc_offset_minutes))
    }

    /// Today's [`day_list`](Self::day_list) by the store's clock.
    pub fn todays_list(&self, utc_offset_minutes: i32) -> Result<queries::DayList> {
        let local_now = self.now() + chrono::Duration::minutes(utc_offset_minutes.into());
        self.day_list(local_now.date_naive(), utc_offset_minutes)
    }

    /// The jobs of [`day_list`](Self::day_list) that read (a job whose row does not is left
    /// out and logged).
    pub fn jobs_for_day(&self, day: NaiveDate, utc_offset_minutes: i32) -> Result<Vec<JobSummary>> {
        self.read(|conn| queries::jobs_for_day(conn, day, utc_offset_minutes))
    }

    /// Today's jobs (by the store's clock) in the zone `utc_offset_minutes` east of UTC.
    pub fn todays_jobs(&self, utc_offset_minutes: i32) -> Result<Vec<JobSummary>> {
        let local_now = self.now() + chrono::Duration::minutes(utc_offset_minutes.into());
        self.jobs_for_day(local_now.date_naive(), utc_offset_minutes)
    }

    /// The work order with this id or number.
    pub fn find_work_order(&self, id_or_number: &str) -> Result<WorkOrder> {
        self.read(|conn| work_orders::find(conn, id_or_number))
    }

    /// The job screen: customer, site, asset, coverage, history.
    pub fn job_detail(&self, work_order_id: Uuid) -> Result<JobDetail> {
        self.read(|conn| queries::job_detail(conn, work_order_id))
    }

    /// Everything recorded for the visit.
    pub fn visit_record(&self, work_order_id: Uuid) -> Result<VisitRecord> {
        self.read(|conn| {
            visit::record(conn, work_order_id)
                .map_err(|e| crate::store::columns::in_job(e, "visit records", work_order_id))
        })
    }

    /// What still stands between the job and its completion.
    pub fn missing_for_completion(&self, work_order_id: Uuid) -> Result<Vec<MissingItem>> {
        self.read(|conn| completion::missing(conn, &work_orders::get(conn, work_order_id)?))
    }

    /// The service report, its hash and its signature state.
    pub fn service_report(&self, work_order_id: Uuid) -> Result<ReportView> {
        self.read(|conn| report::view(conn, work_order_id))
    }

    /// How many changes wait for the server.
    pub fn pending_sync_count(&self) -> Result<u64> {
        self.read(outbox::pending_count)
    }

    /// The last recovery from a server restored from a backup, if there was one: the app
    /// shows it, and must warn when changes could not be sent again.
    pub fn last_server_recovery(&self) -> Result<Option<crate::sync::recovery::Recovery>> {
        self.read(crate::sync::recovery::last)
    }

    /// The oldest `limit` changes waiting for the server.
    pub fn pending_changes(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        self.read(|conn| outbox::pending(conn, limit))
    }

    /// The conflict log, newest first.
    pub fn conflicts(&self, include_seen: bool) -> Result<Vec<Conflict>> {
        self.read(|conn| conflicts::list(conn, include_seen))
    }
}

/// The store's link to its sync server.
impl Store {
    /// Remembers the server and this device's token (the app's sign-in screen). On the phones
    /// the token belongs in the platform keystore as well; the store keeps it so that the
    /// background sync can run.
    pub fn sign_in(&self, server_url: &str, token: &str) -> Result<()> {
        self.import(|tx, _| crate::sync::apply::set_login(tx, server_url, token))
    }

    /// The server and token this store syncs with, if signed in.
    pub fn session(&self) -> Result<Option<crate::sync::apply::Session>> {
        self.read(crate::sync::apply::session)
    }

    /// Forgets the token. Changes waiting for the server stay and go up after the next sign-in.
    pub fn sign_out(&self) -> Result<()> {
        self.import(|tx, _| crate::sync::apply::clear_login(tx))
    }
}
