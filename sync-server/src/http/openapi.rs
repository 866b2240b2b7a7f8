//! `GET /openapi.json`: the API description, generated from the handlers' own annotations and
//! the request and response types (utoipa), so it cannot drift from the code.

use axum::Json;
use onsite_core::sync::wire::ErrorBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

use super::{accounts, conflicts, device, jobs, office};

/// The error answers every endpoint may give, each an [`ErrorBody`].
#[derive(IntoResponses)]
#[allow(dead_code)] // only described, never built: the handlers answer with `ApiError`
pub(super) enum Refusals {
    /// Malformed JSON, a rule broken by the input, an unsupported protocol version.
    #[response(
        status = 400,
        description = "invalid input (`invalid`, `unsupported_protocol`)"
    )]
    Invalid(ErrorBody),
    /// No valid bearer token.
    #[response(status = 401, description = "missing, wrong or revoked token")]
    Unauthorized(ErrorBody),
    /// The caller's role or scope does not allow this.
    #[response(status = 403, description = "not allowed for this account")]
    Forbidden(ErrorBody),
    /// An id that does not exist.
    #[response(status = 404, description = "no such row")]
    NotFound(ErrorBody),
    /// Refused by the rules or the sync protocol (`refused`, `gap`, `seq_reused`, `conflict`).
    #[response(status = 409, description = "refused by the rules or the protocol")]
    Conflict(ErrorBody),
    /// The body is over the configured limit.
    #[response(status = 413, description = "body too large")]
    TooLarge(ErrorBody),
    /// Valid JSON of the wrong shape (unknown or missing fields).
    #[response(status = 422, description = "wrong JSON shape")]
    Unprocessable(ErrorBody),
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Onsite sync server", description = "Back-office API and the device sync protocol."),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody)),
    paths(
        super::healthz,
        serve,
        accounts::create_user,
        accounts::issue_token,
        accounts::revoke_token,
        office::create_customer,
        office::edit_customer,
        office::create_site,
        office::create_contract,
        office::edit_site,
        office::create_asset,
        office::edit_asset,
        jobs::create_work_order,
        jobs::list_work_orders,
        jobs::edit_work_order,
        jobs::assign,
        jobs::set_status,
        jobs::report,
        conflicts::list_conflicts,
        conflicts::mark_conflict_seen,
        device::push,
        device::pull,
    )
)]
struct ApiDoc;

/// The OpenAPI document of this server.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", responses((status = 200, description = "The OpenAPI 3.1 document")))]
pub(super) async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
