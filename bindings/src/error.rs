//! `ApiError`: the one error type the apps see. Its variants are what an app can do about a
//! failure (show "not found", explain why an action is not allowed, point at the fields to fix,
//! list what completion still needs, ask the engineer to sign in, retry later, ...). Every
//! variant carries `detail`, a sentence to show the engineer.
//!
//! The core's rich [`onsite_core::Error`] is mapped here, in [`From`], and nowhere else.
//! (The text field is `detail`, not `message`: a `message` field clashes with Kotlin's
//! `Throwable.message`.)

use onsite_core::Error;
use onsite_core::visit::completion::MissingItem;

/// One thing wrong with one input field. (Not the core's `FieldProblem`: the app shows the
/// core's sentence for it, which UniFFI cannot carry as a field of that type.)
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldIssue {
    /// The field, as the API names it (e.g. `quantity`).
    pub field: String,
    /// What is wrong, as a sentence to show.
    pub text: String,
}

/// A missing item with the core's sentence for it, as a screen lists it. (The item is the
/// core's own `MissingItem`; this record only adds the sentence, which UniFFI cannot derive.)
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Missing {
    /// What is missing.
    pub item: MissingItem,
    /// The same, as a sentence to show.
    pub text: String,
}

impl Missing {
    /// Each item with its sentence.
    pub(crate) fn all(items: Vec<MissingItem>) -> Vec<Missing> {
        items
            .into_iter()
            .map(|item| Missing {
                text: item.to_string(),
                item,
            })
            .collect()
    }
}

/// What went wrong, as an app can act on it. In Kotlin this is `ApiException`, in Swift
/// `ApiError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// No such job (or other record). Refresh the list.
    #[error("{detail}")]
    NotFound {
        /// A sentence to show.
        detail: String,
    },
    /// The action is not allowed now: an illegal status change for this role, a field this role
    /// may not change (the appointment, the priority), or a record the job's status does not
    /// accept. Nothing was stored.
    #[error("{detail}")]
    NotAllowed {
        /// A sentence to show.
        detail: String,
    },
    /// Input breaks a rule; every problem is listed. Nothing was stored.
    #[error("{detail}")]
    Invalid {
        /// Each field and what is wrong with it.
        problems: Vec<FieldIssue>,
        /// A sentence to show.
        detail: String,
    },
    /// The job cannot be completed yet; `missing` lists everything still needed.
    #[error("{detail}")]
    IncompleteCompletion {
        /// Every missing item, in a stable order.
        missing: Vec<Missing>,
        /// A sentence to show.
        detail: String,
    },
    /// Sync needs a sign-in (none yet, or the server refused the token).
    #[error("{detail}")]
    NotSignedIn {
        /// A sentence to show.
        detail: String,
    },
    /// The server refused because its state disagrees with this device's (HTTP 409).
    #[error("{detail}")]
    Conflict {
        /// A sentence to show.
        detail: String,
    },
    /// The server cannot be reached or failed (5xx). Local work is kept; retry later.
    #[error("{detail}")]
    Network {
        /// A sentence to show.
        detail: String,
    },
    /// The store file cannot be used (not ours, damaged, from a newer app, disk error). The
    /// file was left as it was.
    #[error("{detail}")]
    Storage {
        /// A sentence to show.
        detail: String,
    },
    /// Anything else (a protocol error, an unexpected server answer).
    #[error("{detail}")]
    Other {
        /// A sentence to show.
        detail: String,
    },
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        let detail = err.to_string();
        match err {
            Error::NotFound { .. } => ApiError::NotFound { detail },
            Error::IllegalTransition { .. }
            | Error::NotPermitted { .. }
            | Error::NotOpenForRecords { .. } => ApiError::NotAllowed { detail },
            Error::Invalid { problems } => ApiError::Invalid {
                problems: problems
                    .into_iter()
                    .map(|p| FieldIssue {
                        text: p.to_string(),
                        field: p.field,
                    })
                    .collect(),
                detail,
            },
            Error::CompletionRefused { missing } => ApiError::IncompleteCompletion {
                missing: Missing::all(missing),
                detail,
            },
            Error::Network(_) => ApiError::Network { detail },
            Error::Server { status, .. } => match status {
                401 => ApiError::NotSignedIn { detail },
                403 => ApiError::NotAllowed { detail },
                404 => ApiError::NotFound { detail },
                409 => ApiError::Conflict { detail },
                500..=599 => ApiError::Network { detail },
                _ => ApiError::Other { detail },
            },
            Error::Protocol(_) | Error::Snapshot(_) => ApiError::Other { detail },
            Error::NotADatabase { .. }
            | Error::Damaged { .. }
            | Error::NotAnOnsiteStore { .. }
            | Error::SchemaTooNew { .. }
            | Error::Corrupt { .. }
            | Error::Packing(_)
            | Error::Unreadable { .. }
            | Error::Sqlite(_)
            | Error::Json(_) => ApiError::Storage { detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use onsite_core::work_orders::status::{Role, Status};
    use onsite_core::{Entity, FieldProblem, Problem};

    use super::*;

    #[test]
    fn each_core_error_maps_to_the_action_an_app_takes() {
        let e = ApiError::from(Error::not_found(Entity::WorkOrder, "WO-1"));
        assert!(matches!(e, ApiError::NotFound { .. }), "{e:?}");
        let e = ApiError::from(Error::IllegalTransition {
            from: Status::Assigned,
            to: Status::Completed,
            role: Role::Engineer,
        });
        assert!(matches!(e, ApiError::NotAllowed { ref detail } if detail.contains("assigned")));
        let e = ApiError::from(Error::Network("connection refused".into()));
        assert!(matches!(e, ApiError::Network { .. }));
        for (status, ok) in [(401, "NotSignedIn"), (409, "Conflict"), (503, "Network")] {
            let e = ApiError::from(Error::Server {
                status,
                message: "x".into(),
            });
            assert!(format!("{e:?}").starts_with(ok), "{status}: {e:?}");
        }
    }

    #[test]
    fn invalid_and_incomplete_keep_their_lists() {
        let e = ApiError::from(Error::Invalid {
            problems: vec![FieldProblem {
                field: "quantity".into(),
                problem: Problem::NotPositive,
            }],
        });
        let ApiError::Invalid { problems, .. } = e else {
            panic!("not Invalid");
        };
        assert_eq!(problems[0].field, "quantity");
        assert_eq!(problems[0].text, "quantity must be at least 1");
        let e = ApiError::from(Error::CompletionRefused {
            missing: vec![MissingItem::FunctionTest, MissingItem::Signature],
        });
        let ApiError::IncompleteCompletion { missing, detail } = e else {
            panic!("not IncompleteCompletion");
        };
        assert_eq!(missing[0].item, MissingItem::FunctionTest);
        assert_eq!(missing[1].item, MissingItem::Signature);
        assert!(detail.contains("signed"), "{detail}");
    }
}
