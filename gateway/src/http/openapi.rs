//! `GET /openapi.json`: the OpenAPI 3.1 description of every partner, staff and administrator
//! endpoint, generated from the handlers' own `#[utoipa::path]` annotations (method, path,
//! parameters, bodies, answers), so partners and tools (client generators, schemathesis) read
//! what the code serves. `tests/tests/openapi.rs` checks that every route of the router is
//! described and nothing else is.

use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::AppState;

/// The hub's API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "thads-hub",
        description = "The integration hub of Vietnam's civil judgment enforcement system (thi hành án dân sự): \
            partner endpoints for courts, banks, the State Treasury and VNeID, and the staff and \
            administrator API. Errors are RFC 9457 problem+json naming each field and why. \
            Guides for partners: docs/partners/."
    ),
    paths(
        get_openapi,
        super::ops::healthz,
        super::audit::get_entries,
        super::audit::get_verify,
        super::auth::sign_in,
        super::auth::sign_out,
        super::auth::me,
        super::bank::post_notification,
        super::bank::get_reconciliation,
        super::bank_orders::post_ack,
        super::bank_orders::get_order,
        super::bank_orders::get_case_orders,
        super::bank_orders::post_case_order,
        super::cases::post_operation,
        super::cases::get_operations,
        super::cases::get_worklist,
        super::cases::get_catalogue,
        super::cases::post_digest,
        super::console_api::get_messages,
        super::console_api::get_health,
        super::console_api::get_dead_letters,
        super::console_api::post_replay_many,
        super::console_api::post_discard,
        super::console_api::get_alerts,
        super::court::post_judgment,
        super::court::keys::get_keys,
        super::court::keys::get_evidences,
        super::decisions::create,
        super::decisions::show,
        super::decisions::update,
        super::decisions::submit,
        super::decisions::reject,
        super::decisions::approve,
        super::decisions::issue,
        super::decisions::html,
        super::decisions::pdf,
        super::decisions::verify,
        super::decisions::verify_decision,
        super::disbursement::get_office_money,
        super::disbursement::get_disbursements,
        super::disbursement::post_disbursement,
        super::extractions::post_extraction,
        super::extractions::get_extraction,
        super::extractions::post_confirm,
        super::ops::readyz,
        super::ops::metrics,
        super::ops::post_replay,
        super::ops::put_maintenance,
        super::read::get_case,
        super::read::get_message,
        super::read::get_payload,
        super::payouts::post_reissue,
        super::receipts::get_receipt,
        super::receipts::post_void,
        super::receipts::get_case_receipts,
        super::reconciliation::get_queue,
        super::reconciliation::get_item,
        super::reconciliation::post_resolve,
        super::reports::get_statistics,
        super::reports::get_report,
        super::requests::post_request,
        super::requests::get_request,
        super::requests::get_slip,
        super::treasury::post_statement,
        super::treasury::get_transfers,
        super::verification::start_run,
        super::verification::list_records,
        super::verification::get_record,
        super::vneid::post_receipts,
        super::vneid::put_email,
        super::vneid::get_tasks,
        super::vneid::post_done,
        super::console_ops::post_acknowledge,
        super::deadlines::get_overview,
        super::console_partners::get_partners,
        super::console_partners::get_versions,
        super::console_partners::put_endpoint,
        super::console_partners::post_restore,
        super::console_partners::post_check,
        super::complaints::file,
        super::complaints::list,
        super::complaints::show,
        super::complaints::accept,
        super::complaints::refuse,
        super::complaints::extend,
        super::complaints::resolve,
        super::complaints::pdf,
        super::complaints::html,
        super::complaints::verify,
        super::reception::record,
        super::reception::list,
        super::scans::submit,
        super::scans::show,
        super::portal::file,
        super::portal::status,
        super::portal::decision,
        super::party::sign_in::start,
        super::party::sign_in::callback,
        super::party::sign_in::me,
        super::party::sign_in::sign_out,
        super::party::cases::list,
        super::party::cases::show,
        super::party::cases::decision_pdf,
        super::party::cases::decision_html,
        super::party::cases::receipt,
        super::party::cases::payment_qr,
        super::party::cases::payment_qr_svg,
        super::party::requests::file,
        super::party::requests::list,
        super::party::requests::show,
        super::party::requests::slip,
        super::party::complaints::file,
        super::party::complaints::list,
        super::party::complaints::show,
        super::party::complaints::decision,
    ),
    components(schemas(super::problem::Problem, thads_schemas::validation::FieldError)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "court", description = "Courts push judgments and pull signed evidences (docs/partners/court.md)."),
        (name = "bank", description = "Banks confirm payments (camt.054) and acknowledge account orders (docs/partners/bank.md)."),
        (name = "vneid", description = "VNeID reports delivery and reading of notices (docs/partners/vneid.md)."),
        (name = "treasury", description = "The State Treasury's transfers and statements (docs/partners/treasury.md)."),
        (name = "staff", description = "Staff sessions: bearer token, or cookie with a CSRF token."),
        (name = "cases", description = "Cases and their operations."),
        (name = "party", description = "A party's own cases, requests and payments after signing in with VNeID (docs/party-portal.md)."),
        (name = "complaints", description = "Complaints, denunciations and citizen reception (docs/complaints.md)."),
        (name = "console", description = "The operator's console: messages, partners, dead letters, alerts."),
    )
)]
pub(crate) struct ApiDoc;

/// The ways a caller proves who it is, referred to by each operation's `security`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A staff session token from `POST /v1/auth/sign-in`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "thads_session",
                "The browser session cookie; unsafe methods also need the session's `X-CSRF-Token` header.",
            ))),
        );
        components.add_security_scheme(
            "court_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Signature",
                "The court's ed25519 signature of the exact body (base64), with the key id in \
                 `X-Signature-Key` (docs/partners-signatures.md); required when \
                 `court.require_signatures` is on.",
            ))),
        );
        components.add_security_scheme(
            "partner_certificate",
            SecurityScheme::MutualTls {
                description: Some(
                    "A client certificate of the partners' CA registered to the partner \
                     (`thads-hub partner add … --cert`), on the partner TLS listener \
                     (docs/partner-tls.md)."
                        .into(),
                ),
                extensions: None,
            },
        );
        components.add_security_scheme(
            "party_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "thads_party",
                "A party's session after signing in with VNeID (`GET /v1/me/sign-in`); unsafe \
                 methods also need the session's `X-CSRF-Token` header.",
            ))),
        );
        components.add_security_scheme(
            "portal_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The citizen portal's token (`complaints.portal_token_file`).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "vneid_receipt_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token agreed with VNeID (`vneid.receipt_token`)."))
                    .build(),
            ),
        );
    }
}

/// The route serving the description.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(get_openapi))
}

/// The OpenAPI document (public: it holds no data, only the shape of the API).
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "This description.", body = Object)))]
async fn get_openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
