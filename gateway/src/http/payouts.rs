//! Payout orders (chi trả) to a creditor's account: built the same way for a disbursement's
//! lines and for a line issued again after the bank rejected its payout
//! (`POST /v1/disbursements/{id}/lines/{line}/reissue`, an officer or head of the case's
//! office, with the corrected account and a reason; audited).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use sqlx::Row;
use thads_bank::orders::issue;
use thads_core::db::{now_ms, rfc3339, Tx};
use thads_core::deadlines::store::vietnam_date;
use thads_core::disbursement::reissue::{self, ReissueError};
use thads_core::disbursement::LineView;
use thads_core::staff::Role;
use thads_schemas::bank_order::{is_account, AccountOrder, OrderKind};
use thads_schemas::cccd::Cccd;
use thads_schemas::money::Vnd;
use thads_schemas::office::OfficeCode;
use thads_schemas::text::PersonalText;
use thads_schemas::validation::FieldError;

use super::auth::{require_office, require_role, CurrentActor};
use super::extract::Path;
use super::problem::answers;
use super::problem::AppError;
use super::AppState;

/// The payout routes, merged into the hub's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/v1/disbursements/{id}/lines/{line}/reissue",
        post(post_reissue),
    )
}

/// What a payout pays, from where, to whom.
pub(crate) struct Payout<'a> {
    /// The order's id.
    pub order_id: String,
    /// The case.
    pub case_id: &'a str,
    /// Its office.
    pub office: &'a OfficeCode,
    /// The creditor's party reference.
    pub party: &'a str,
    /// The bank holding the THADS deposit account.
    pub bank: &'a str,
    /// The THADS deposit account paid from.
    pub source: &'a str,
    /// The creditor's account paid to.
    pub account: &'a str,
    /// How much.
    pub amount: Vnd,
    /// The decision it rests on (the decision to enforce, or the disbursement's id).
    pub decision_number: &'a str,
    /// The case's payment reference, quoted in the transfer memo.
    pub payment_reference: &'a str,
}

/// The payout order for `p`, naming the creditor as the case records them.
pub(crate) async fn payout_order(
    tx: &mut Tx<'_>,
    p: &Payout<'_>,
) -> Result<AccountOrder, AppError> {
    let holder =
        sqlx::query("SELECT name, cccd FROM case_parties WHERE case_id = $1 AND party_ref = $2")
            .bind(p.case_id)
            .bind(p.party)
            .fetch_optional(&mut **tx)
            .await?;
    let (name, cccd): (String, Option<String>) = match holder {
        Some(h) => (
            h.try_get("name").map_err(AppError::from)?,
            h.try_get("cccd").map_err(AppError::from)?,
        ),
        None => (p.party.to_string(), None),
    };
    let now = time::OffsetDateTime::now_utc();
    Ok(AccountOrder {
        order_id: p.order_id.clone(),
        kind: OrderKind::Payout,
        case_id: p.case_id.to_string(),
        office: p.office.clone(),
        bank: p.bank.to_string(),
        account: p.source.to_string(),
        holder_name: PersonalText::new(&name),
        holder_cccd: cccd.as_deref().and_then(|c| Cccd::parse(c).ok()),
        amount_vnd: p.amount,
        legal_basis: vec!["Điều 47 Luật Thi hành án dân sự".into()],
        decision_number: p.decision_number.to_string(),
        by_record: false,
        decision_date: vietnam_date(now),
        destination_account: Some(p.account.to_string()),
        references: None,
        payment_reference: Some(p.payment_reference.to_string()),
        issued_at: rfc3339(now_ms()),
    })
}

/// The corrected account of a rejected payout.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReissueRequest {
    /// The creditor's corrected account.
    account: String,
    /// Why the payout is issued again (what the bank said, what was corrected).
    reason: String,
}

fn invalid(field: &str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::new(field, reason)],
        message_id: None,
    }
}

impl From<ReissueError> for AppError {
    fn from(e: ReissueError) -> Self {
        match e {
            ReissueError::NotFound(..) => AppError::NotFound("disbursement line".into()),
            ReissueError::NotACreditor(_) | ReissueError::NotRejected { .. } => {
                AppError::Refused(e.to_string())
            }
            ReissueError::Db(e) => AppError::from(e),
        }
    }
}

/// Issues a rejected payout again to a corrected account: 201 with the line, now pointing to
/// the new order; 409 when the payout was not rejected; 404 for another office's line.
#[utoipa::path(
    post,
    path = "/v1/disbursements/{id}/lines/{line}/reissue",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    params(
        ("id" = String, Path, description = "The disbursement id."),
        ("line" = i64, Path, description = "The line number."),
    ),
    request_body(content = ReissueRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Issued again: the line with its new order.", body = Object),
        answers::Unauthorized,
        answers::Forbidden,
        answers::NotFound,
        answers::Conflict,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
    ),
)]
async fn post_reissue(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, line_no)): Path<(String, i64)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<LineView>), AppError> {
    let body = state.body(body)?;
    let request: ReissueRequest = super::extract::json_body(&body)?;
    let mut tx = state.db.begin().await?;
    let line = match reissue::line(&mut tx, &id, line_no).await {
        Err(ReissueError::NotFound(..)) => {
            return Err(AppError::NotFound("disbursement line".into()))
        }
        other => other,
    };
    // Visibility first: another office learns nothing about the line.
    let office = match &line {
        Ok(l) => l.office.clone(),
        Err(_) => {
            sqlx::query_scalar("SELECT office_code FROM disbursements WHERE id = $1")
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    let office = OfficeCode::parse(&office)
        .map_err(|e| AppError::Internal(format!("disbursement {id} has office {office}: {e}")))?;
    if !actor.covers_office(&office) {
        return Err(AppError::NotFound("disbursement line".into()));
    }
    require_role(&actor, &[Role::Officer, Role::Head])?;
    require_office(&actor, &office)?;
    let line = line?;
    if !is_account(&request.account) {
        return Err(invalid(
            "/account",
            "must be 4 to 34 letters or digits (the account number)",
        ));
    }
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(invalid("/reason", "say why, in 1 to 500 characters"));
    }
    let previous = sqlx::query("SELECT account FROM bank_orders WHERE order_id = $1")
        .bind(&line.order_id)
        .fetch_one(&mut *tx)
        .await?;
    let source: String = previous.try_get("account").map_err(AppError::from)?;
    let case = sqlx::query("SELECT payment_reference, decision_number FROM cases WHERE id = $1")
        .bind(&line.case_id)
        .fetch_one(&mut *tx)
        .await?;
    let payment_reference: String = case.try_get("payment_reference").map_err(AppError::from)?;
    let decision_number: Option<String> =
        case.try_get("decision_number").map_err(AppError::from)?;
    let amount = Vnd::new(line.amount_vnd).map_err(|e| AppError::Internal(e.to_string()))?;
    let order = payout_order(
        &mut tx,
        &Payout {
            order_id: reissue::next_order_id(&line),
            case_id: &line.case_id,
            office: &office,
            party: &line.creditor,
            bank: &line.bank,
            source: &source,
            account: &request.account,
            amount,
            decision_number: decision_number.as_deref().unwrap_or(&id),
            payment_reference: &payment_reference,
        },
    )
    .await?;
    let issued = issue(&mut tx, &order).await?;
    reissue::record(
        &mut tx,
        &line,
        &issued.order_id,
        &line.bank,
        &request.account,
        &actor.username,
        reason,
    )
    .await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(
        disbursement = %id,
        line = line_no,
        order = %issued.order_id,
        actor = %actor.username,
        "rejected payout issued again"
    );
    let view = thads_core::disbursement::store::for_case(&state.db, &line.case_id)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .and_then(|d| d.lines.into_iter().find(|l| l.line_no == line_no))
        .ok_or_else(|| AppError::Internal(format!("line {line_no} of {id} vanished")))?;
    Ok((StatusCode::CREATED, Json(view)))
}
