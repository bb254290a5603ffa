//! A party's own cases: the list, one case as they see it, downloads of the issued decisions
//! (PDF, HTML) and of the signed e-receipts, and the transfer QR code (VietQR) paying what
//! remains due with the case's payment reference. Anything of a case the party is not in
//! answers 404.

use crate::http::extract::Path;
use crate::http::problem::answers;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use thads_core::partners::Trust;
use thads_core::portal::parts;
use thads_core::portal::qr::{self, PaymentQr};
use thads_core::portal::view::{self, PartyCaseSummary, PartyCaseView};
use thads_schemas::money::Vnd;

use super::super::problem::AppError;
use super::super::AppState;
use super::CurrentParty;

/// `GET /v1/me/cases`: the cases where the signed-in CCCD is a party.
#[utoipa::path(
    get,
    path = "/v1/me/cases",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    responses(
        (status = 200, description = "The cases the party is a party to.", body = [Object]),
        answers::Unauthorized,
    ),
)]
pub(super) async fn list(
    State(state): State<AppState>,
    party: CurrentParty,
) -> Result<Json<Vec<PartyCaseSummary>>, AppError> {
    Ok(Json(view::cases_of(&state.db, &party.session.cccd).await?))
}

async fn case_of(
    state: &AppState,
    party: &CurrentParty,
    id: &str,
) -> Result<PartyCaseView, AppError> {
    view::load(&state.db, id, &party.session.cccd)
        .await?
        .ok_or(AppError::NotFound("case".into()))
}

/// `GET /v1/me/cases/{id}`: one of the party's cases.
#[utoipa::path(
    get,
    path = "/v1/me/cases/{id}",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The case id."),
    ),
    responses(
        (status = 200, description = "One case as the party sees it: obligations, decisions, notices, payments, receipts, orders on their accounts, disbursement, what is owed.", body = Object),
        answers::Unauthorized,
        answers::NotFound,
    ),
)]
pub(super) async fn show(
    State(state): State<AppState>,
    party: CurrentParty,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let case = case_of(&state, &party, &id).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(case)).into_response())
}

async fn require_party_of(
    state: &AppState,
    party: &CurrentParty,
    id: &str,
) -> Result<(), AppError> {
    if view::refs_in_case(&state.db, id, &party.session.cccd)
        .await?
        .is_empty()
    {
        return Err(AppError::NotFound("case".into()));
    }
    Ok(())
}

/// `GET /v1/me/cases/{id}/decisions/{decision}/pdf`: an issued decision as issued (PDF).
#[utoipa::path(
    get,
    path = "/v1/me/cases/{id}/decisions/{decision}/pdf",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The case id."),
        ("decision" = String, Path, description = "The decision id."),
    ),
    responses(
        (status = 200, description = "The issued decision as PDF.", body = Vec<u8>, content_type = "application/pdf"),
        answers::Unauthorized,
        answers::NotFound,
    ),
)]
pub(super) async fn decision_pdf(
    State(state): State<AppState>,
    party: CurrentParty,
    Path((id, decision)): Path<(String, String)>,
) -> Result<Response, AppError> {
    require_party_of(&state, &party, &id).await?;
    let bytes = parts::issued_document(&state.db, &id, &decision, true)
        .await?
        .ok_or(AppError::NotFound("decision".into()))?;
    let disposition = format!("attachment; filename=\"quyet-dinh-{decision}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /v1/me/cases/{id}/decisions/{decision}/html`: an issued decision as HTML.
#[utoipa::path(
    get,
    path = "/v1/me/cases/{id}/decisions/{decision}/html",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The case id."),
        ("decision" = String, Path, description = "The decision id."),
    ),
    responses(
        (status = 200, description = "The issued decision as HTML.", body = String, content_type = "text/html"),
        answers::Unauthorized,
        answers::NotFound,
    ),
)]
pub(super) async fn decision_html(
    State(state): State<AppState>,
    party: CurrentParty,
    Path((id, decision)): Path<(String, String)>,
) -> Result<Response, AppError> {
    require_party_of(&state, &party, &id).await?;
    let bytes = parts::issued_document(&state.db, &id, &decision, false)
        .await?
        .ok_or(AppError::NotFound("decision".into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /v1/me/cases/{id}/receipts/{receipt}`: an e-receipt of the case, signed with the hub's
/// key (verifiable with `GET /v1/keys`); its state in `X-Receipt-State`.
#[utoipa::path(
    get,
    path = "/v1/me/cases/{id}/receipts/{receipt}",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The case id."),
        ("receipt" = String, Path, description = "The receipt id."),
    ),
    responses(
        (status = 200, description = "The signed e-receipt.", body = Object),
        answers::Unauthorized,
        answers::NotFound,
    ),
)]
pub(super) async fn receipt(
    State(state): State<AppState>,
    party: CurrentParty,
    trust: Option<Extension<Trust>>,
    Path((id, receipt)): Path<(String, String)>,
) -> Result<Response, AppError> {
    require_party_of(&state, &party, &id).await?;
    let of_case: Option<String> =
        sqlx::query_scalar("SELECT case_id FROM receipts WHERE receipt_id = $1")
            .bind(&receipt)
            .fetch_optional(state.db.pool())
            .await?;
    if of_case.as_deref() != Some(id.as_str()) {
        return Err(AppError::NotFound("receipt".into()));
    }
    let (summary, _) = thads_core::receipts::store::find(&state.db, &receipt)
        .await?
        .ok_or(AppError::NotFound("receipt".into()))?;
    let Some(Extension(trust)) = trust else {
        return Err(AppError::Unavailable(
            "The hub's signing key is not loaded.".into(),
        ));
    };
    let document = thads_core::receipts::store::signed(&state.db, &trust.hub_key, &receipt).await?;
    let disposition = format!(
        "attachment; filename=\"bien-lai-{}.json\"",
        summary.number_label
    );
    Ok((
        [
            (header::CONTENT_DISPOSITION, disposition),
            (
                "x-receipt-state"
                    .parse()
                    .map_err(|_| AppError::Internal("header".into()))?,
                summary.state,
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Json(document),
    )
        .into_response())
}

async fn qr_of(state: &AppState, party: &CurrentParty, id: &str) -> Result<PaymentQr, AppError> {
    let case = case_of(state, party, id).await?;
    if !case.your_roles.iter().any(|r| r == "debtor") {
        return Err(AppError::Refused(
            "You are not a debtor (người phải thi hành án) of this case: there is nothing for you to pay.".into(),
        ));
    }
    if case.money.you_owe_vnd <= 0 {
        return Err(AppError::Refused(
            "Nothing remains due on this case.".into(),
        ));
    }
    let account = state
        .party
        .config
        .deposit_account_for(&case.office)
        .ok_or_else(|| {
            AppError::Unavailable(format!(
                "No deposit account is configured for office {} ([party_portal.deposit_accounts]); pay at the office.",
                case.office
            ))
        })?;
    let amount = Vnd::new(case.money.you_owe_vnd).map_err(|e| AppError::Internal(e.to_string()))?;
    qr::payment_qr(account, amount, &case.payment_reference)
        .map_err(|e| AppError::Internal(format!("the transfer code cannot be built: {e}")))
}

/// `GET /v1/me/cases/{id}/payment-qr`: the VietQR payload and its SVG for what remains due
/// (debtors only; 409 when nothing is due).
#[utoipa::path(
    get,
    path = "/v1/me/cases/{id}/payment-qr",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The case id."),
    ),
    responses(
        (status = 200, description = "The VietQR payload for paying what remains due, with the case's payment reference.", body = Object),
        answers::Unauthorized,
        answers::NotFound,
        answers::Conflict,
        answers::Unavailable,
    ),
)]
pub(super) async fn payment_qr(
    State(state): State<AppState>,
    party: CurrentParty,
    Path(id): Path<String>,
) -> Result<Json<PaymentQr>, AppError> {
    Ok(Json(qr_of(&state, &party, &id).await?))
}

/// `GET /v1/me/cases/{id}/payment-qr.svg`: the same code as a picture.
#[utoipa::path(
    get,
    path = "/v1/me/cases/{id}/payment-qr.svg",
    tag = "party",
    security(
        ("party_session" = []),
    ),
    params(
        ("id" = String, Path, description = "The case id."),
    ),
    responses(
        (status = 200, description = "The VietQR code as SVG.", body = String, content_type = "image/svg+xml"),
        answers::Unauthorized,
        answers::NotFound,
        answers::Conflict,
        answers::Unavailable,
    ),
)]
pub(super) async fn payment_qr_svg(
    State(state): State<AppState>,
    party: CurrentParty,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let qr = qr_of(&state, &party, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        qr.svg,
    )
        .into_response())
}
