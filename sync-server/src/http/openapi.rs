//! `GET /openapi.json`: the API description, generated from the handlers' own annotations and
//! the request and response types (utoipa), so it cannot drift from the code: every status an
//! endpoint can answer ([`Refusals`], [`BodyRefusals`]), each error an [`ErrorBody`], the
//! bearer scheme, the protocol header of the device endpoints, and the server database's
//! identity on every answer.

use axum::Json;
use onsite_core::sync::wire::ErrorBody;
use onsite_core::sync::wire::{PROTOCOL_HEADER, PROTOCOL_VERSION, SERVER_ID_HEADER};
use utoipa::openapi::RefOr;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use utoipa::{IntoResponses, Modify, OpenApi};

use super::limits::Limits;
use super::{accounts, conflicts, device, jobs, office};

/// The error answers every endpoint behind a token may give, each an [`ErrorBody`].
#[derive(IntoResponses)]
#[allow(dead_code)] // only described, never built: the handlers answer with `ApiError`
pub(super) enum Refusals {
    /// A malformed id in the path or query string, malformed JSON, a rule broken by the input,
    /// an unsupported protocol version.
    #[response(
        status = 400,
        description = "invalid input (`invalid`, `unsupported_protocol`)"
    )]
    Invalid(ErrorBody),
    /// No valid bearer token.
    #[response(
        status = 401,
        description = "missing, wrong or revoked token (`unauthorized`)"
    )]
    Unauthorized(ErrorBody),
    /// The caller's role or scope does not allow this.
    #[response(
        status = 403,
        description = "not allowed for this account (`forbidden`)"
    )]
    Forbidden(ErrorBody),
    /// An id that does not exist.
    #[response(
        status = 404,
        description = "no such row (`not_found`), or no snapshots here (`snapshots_off`)"
    )]
    NotFound(ErrorBody),
    /// Refused by the rules or the sync protocol.
    #[response(
        status = 409,
        description = "refused by the rules or the protocol (`refused`, `conflict`, `gap`, `seq_reused`, `clock_ahead`, `snapshot_schema`)"
    )]
    Conflict(ErrorBody),
    /// The server failed (its storage, a worker); the message says nothing more.
    #[response(
        status = 500,
        description = "the server failed; try again (`internal`)"
    )]
    Internal(ErrorBody),
}

/// The further error answers of an endpoint that reads a JSON body, each an [`ErrorBody`].
#[derive(IntoResponses)]
#[allow(dead_code)] // only described, never built
pub(super) enum BodyRefusals {
    /// The body (inflated, if gzip) is over the configured limit.
    #[response(status = 413, description = "body too large (`too_large`)")]
    TooLarge(ErrorBody),
    /// Not `application/json`, or a `content-encoding` other than gzip.
    #[response(
        status = 415,
        description = "not JSON, or an unsupported content encoding (`unsupported_media_type`)"
    )]
    UnsupportedMediaType(ErrorBody),
    /// Valid JSON of the wrong shape (unknown or missing fields, wrong types).
    #[response(status = 422, description = "wrong JSON shape (`invalid`)")]
    Unprocessable(ErrorBody),
}

/// The bearer-token scheme, and the protocol-version header on the device endpoints (tag
/// `sync`), whose one accepted value is [`PROTOCOL_VERSION`].
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from `POST /v1/users/{id}/tokens` (or `onsite-server create-admin`)",
                    ))
                    .build(),
            ),
        );
        let header = ParameterBuilder::new()
            .name(PROTOCOL_HEADER)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(format!(
                "The sync protocol version this client speaks; the server speaks only {PROTOCOL_VERSION}"
            )))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .enum_values(Some([PROTOCOL_VERSION])),
            ))
            .build();
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                if op.tags.iter().flatten().any(|t| t == "sync") {
                    op.parameters
                        .get_or_insert_with(Vec::new)
                        .push(header.clone());
                }
            }
        }
    }
}

/// The `onsite-server-id` header every answer carries (`http/identity.rs`), declared on every
/// response of every operation.
struct ServerIdentity;

impl Modify for ServerIdentity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let header = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid),
            )))
            .description(Some(
                "The identity of the server's database; a new one after a restore from a \
                 backup tells a device to pull again and re-send what the server lost",
            ))
            .build();
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response
                            .headers
                            .insert(SERVER_ID_HEADER.to_owned(), header.clone());
                    }
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Onsite sync server", description = "Back-office API and the device sync protocol."),
    modifiers(&Security, &Limits, &ServerIdentity),
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
        device::snapshot,
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
