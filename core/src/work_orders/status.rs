//! The work-order status machine and who may move it. A status is never set directly: every
//! change goes through [`allowed`], the one table below, on the phone and on the server alike.

use crate::store::columns::text_enum;

text_enum! {
    /// Where a work order stands.
    pub enum Status {
        /// Created, nobody assigned.
        New => "new",
        /// Assigned to an engineer, not yet accepted.
        Assigned => "assigned",
        /// The engineer accepted it.
        Accepted => "accepted",
        /// The engineer is on the way.
        EnRoute => "en_route",
        /// The engineer is at the site.
        OnSite => "on_site",
        /// Waiting for a part that is not in the van.
        AwaitingParts => "awaiting_parts",
        /// Waiting for the customer to approve the quote.
        AwaitingApproval => "awaiting_approval",
        /// Done, tested and signed off. Final.
        Completed => "completed",
        /// Could not be finished; needs a follow-up visit.
        Incomplete => "incomplete",
        /// Called off by the back office. Final.
        Cancelled => "cancelled",
    }
}

text_enum! {
    /// Who is acting.
    pub enum Role {
        /// The field engineer on the job.
        Engineer => "engineer",
        /// The back office.
        Dispatcher => "dispatcher",
    }
}

use Role::{Dispatcher, Engineer};
use Status::*;

/// Every allowed status change and the roles that may make it. Anything not listed is refused.
const TRANSITIONS: &[(Status, Status, &[Role])] = &[
    (New, Assigned, &[Dispatcher]),
    // The dispatcher takes a job back, or the engineer declines it.
    (Assigned, New, &[Dispatcher, Engineer]),
    (Assigned, Accepted, &[Engineer]),
    (Accepted, EnRoute, &[Engineer]),
    // Already next door: straight to the site.
    (Accepted, OnSite, &[Engineer]),
    (EnRoute, OnSite, &[Engineer]),
    (OnSite, AwaitingParts, &[Engineer]),
    (OnSite, AwaitingApproval, &[Engineer]),
    // The part turned up (a colleague, the van's back shelf) or the customer decided.
    (AwaitingParts, OnSite, &[Engineer]),
    (AwaitingApproval, OnSite, &[Engineer]),
    (OnSite, Completed, &[Engineer]),
    // Cannot finish now: the job needs a follow-up visit.
    (OnSite, Incomplete, &[Engineer]),
    (AwaitingParts, Incomplete, &[Engineer]),
    (AwaitingApproval, Incomplete, &[Engineer]),
    // The back office books the follow-up (or the visit for the ordered part).
    (AwaitingParts, Assigned, &[Dispatcher]),
    (Incomplete, Assigned, &[Dispatcher]),
    // Only the back office cancels, and only what is not finished.
    (New, Cancelled, &[Dispatcher]),
    (Assigned, Cancelled, &[Dispatcher]),
    (Accepted, Cancelled, &[Dispatcher]),
    (EnRoute, Cancelled, &[Dispatcher]),
    (OnSite, Cancelled, &[Dispatcher]),
    (AwaitingParts, Cancelled, &[Dispatcher]),
    (AwaitingApproval, Cancelled, &[Dispatcher]),
    (Incomplete, Cancelled, &[Dispatcher]),
];

/// Whether `role` may move a work order from `from` to `to`.
pub fn allowed(from: Status, to: Status, role: Role) -> bool {
    TRANSITIONS
        .iter()
        .any(|(f, t, roles)| *f == from && *t == to && roles.contains(&role))
}

/// The statuses `role` may move a work order to from `from` (the buttons a screen shows).
pub fn next_statuses(from: Status, role: Role) -> Vec<Status> {
    TRANSITIONS
        .iter()
        .filter(|(f, _, roles)| *f == from && roles.contains(&role))
        .map(|(_, t, _)| *t)
        .collect()
}

impl Status {
    /// Completed and cancelled jobs take no further records or changes.
    pub fn is_final(self) -> bool {
        matches!(self, Completed | Cancelled)
    }

    /// The visit has ended (completed, cancelled, or left incomplete): it is history now, the
    /// kind of visit a follow-up can follow.
    pub fn is_over(self) -> bool {
        matches!(self, Completed | Cancelled | Incomplete)
    }

    /// A status change to this status must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Incomplete | Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expected table, written out independently of `TRANSITIONS`: (from, to, engineer,
    /// dispatcher). Every pair not listed must be refused for both roles.
    const EXPECTED: &[(Status, Status, bool, bool)] = &[
        (New, Assigned, false, true),
        (Assigned, New, true, true),
        (Assigned, Accepted, true, false),
        (Accepted, EnRoute, true, false),
        (Accepted, OnSite, true, false),
        (EnRoute, OnSite, true, false),
        (OnSite, AwaitingParts, true, false),
        (OnSite, AwaitingApproval, true, false),
        (AwaitingParts, OnSite, true, false),
        (AwaitingApproval, OnSite, true, false),
        (OnSite, Completed, true, false),
        (OnSite, Incomplete, true, false),
        (AwaitingParts, Incomplete, true, false),
        (AwaitingApproval, Incomplete, true, false),
        (AwaitingParts, Assigned, false, true),
        (Incomplete, Assigned, false, true),
        (New, Cancelled, false, true),
        (Assigned, Cancelled, false, true),
        (Accepted, Cancelled, false, true),
        (EnRoute, Cancelled, false, true),
        (OnSite, Cancelled, false, true),
        (AwaitingParts, Cancelled, false, true),
        (AwaitingApproval, Cancelled, false, true),
        (Incomplete, Cancelled, false, true),
    ];

    #[test]
    fn every_from_to_role_triple_matches_the_written_table() {
        let mut checked = 0;
        for &from in Status::ALL {
            for &to in Status::ALL {
                let (engineer, dispatcher) = EXPECTED
                    .iter()
                    .find(|(f, t, _, _)| *f == from && *t == to)
                    .map_or((false, false), |(_, _, e, d)| (*e, *d));
                assert_eq!(
                    allowed(from, to, Engineer),
                    engineer,
                    "{from} -> {to} as engineer"
                );
                assert_eq!(
                    allowed(from, to, Dispatcher),
                    dispatcher,
                    "{from} -> {to} as dispatcher"
                );
                checked += 2;
            }
        }
        assert_eq!(checked, 10 * 10 * 2);
    }

    #[test]
    fn final_statuses_lead_nowhere_and_nothing_returns_to_itself() {
        for &role in Role::ALL {
            assert!(next_statuses(Completed, role).is_empty());
            assert!(next_statuses(Cancelled, role).is_empty());
            for &s in Status::ALL {
                assert!(!allowed(s, s, role), "{s} -> {s}");
            }
        }
        assert_eq!(next_statuses(OnSite, Engineer).len(), 4);
    }
}
