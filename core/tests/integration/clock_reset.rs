//! After the server answers `clock_ahead`, the phone's clock is set back to the server's and
//! its waiting changes are stamped again: never below a stamp the server already accepted from
//! it, so a change made later never loses to one made earlier.

use chrono::Duration;
use onsite_core::Entity;
use onsite_core::clock::{Hlc, format_time};
use onsite_core::edits::Changes;
use onsite_core::store::field_stamp;
use onsite_core::sync::apply::restamp_pending;
use onsite_core::work_orders::status::Role;

use crate::fixture::{Fixture, now};

fn edit(f: &Fixture, field: &str, value: &str) {
    let changes: Changes = [(field.to_owned(), Some(value.to_owned()))].into();
    f.store
        .edit_fields(Entity::Site, f.job.site_id, changes, Role::Engineer)
        .expect("edit");
}

fn stamp_of(f: &Fixture, field: &str) -> Hlc {
    f.store
        .read(|c| field_stamp(c, Entity::Site, f.job.site_id, field))
        .expect("read")
        .expect("stamped")
}

#[test]
fn restamped_changes_come_after_every_stamp_the_server_accepted() {
    let f = Fixture::new();
    // Four minutes fast: inside the server's tolerance, so this edit was accepted.
    f.clock.advance(Duration::minutes(4));
    edit(&f, "access_notes", "Gate code changed");
    f.store
        .import(|tx, _| {
            tx.execute(
                "UPDATE outbox SET acked_at = ?1 WHERE acked_at IS NULL",
                [format_time(now())],
            )?;
            Ok(())
        })
        .expect("acknowledged");
    let accepted = stamp_of(&f, "access_notes");
    // Then the clock runs far ahead; the next edit is refused as clock_ahead, and the phone
    // restamps it from the server's time, which is below the accepted stamp.
    f.clock.advance(Duration::hours(2));
    edit(&f, "contact_name", "Caretaker");
    let server_time = now().timestamp_millis();
    f.store
        .import(|tx, ctx| restamp_pending(tx, ctx, server_time))
        .expect("restamped");
    let restamped = stamp_of(&f, "contact_name");
    assert!(
        restamped > accepted,
        "{restamped} must come after the accepted {accepted}"
    );
    assert!(
        restamped.wall_ms <= accepted.wall_ms + 1,
        "and no further ahead than needed: {restamped}"
    );
    // A later edit of the first field, made after seeing it, is stamped after it too.
    edit(&f, "access_notes", "Gate code changed again");
    assert!(stamp_of(&f, "access_notes") > accepted);
}
