//! `POST /v1/bank/notifications`: a bank sends a camt.054 notification; every booked credit is
//! recorded once (by bank and entry reference) before the 202, and entry errors come back in the
//! answer. `GET /v1/reconciliation` lists the payments no case could be found for (signed-in
//! staff, the items of their offices).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use thads_bank::intake::{accept_notification_from, BankIntakeError, BankSender};
use thads_core::cases::payments::{self, UnmatchedView};
use thads_core::partners::accounts;
use thads_core::reconciliation::queue;
use thads_schemas::subjects;

use super::auth::CurrentActor;
use super::partner_gate::{wrong_partner, CertifiedPartner};
use super::problem::{answers, AppError};
use super::{require_xml, AppState};

/// Accepts one bank notification.
#[utoipa::path(
    post,
    path = "/v1/bank/notifications",
    tag = "bank",
    security((), ("partner_certificate" = [])),
    request_body(content = String, content_type = "application/xml", description = "An ISO 20022 camt.054 notification (versions 001.02 to 001.13) or camt.053 statement."),
    responses(
        (status = 202, description = "Accepted: each booked credit recorded once (payments seen before are listed as duplicates), with the entries refused and why.", body = Object),
        answers::Forbidden,
        answers::TooLarge,
        answers::MediaType,
        answers::Invalid,
        answers::TooManyRequests,
        answers::Unavailable,
    ),
)]
pub(crate) async fn post_notification(
    State(state): State<AppState>,
    certified: Option<Extension<CertifiedPartner>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    state.open_for_partners()?;
    let body = state.body(body)?;
    require_xml(&headers, header::CONTENT_TYPE)?;
    // A bank identified by its certificate confirms only into the accounts it holds.
    let sender = match certified {
        Some(Extension(CertifiedPartner(bank))) => Some(BankSender {
            accounts: accounts::of_partner(&state.db, &bank)
                .await
                .map_err(|e| AppError::Unavailable(format!("partner registry: {e}.")))?,
            partner_id: bank.to_string(),
        }),
        None => None,
    };
    match accept_notification_from(&state.db, &state.outbox, &body, sender.as_ref()).await {
        Ok(acceptance) => {
            let new = acceptance.payments.iter().filter(|p| !p.duplicate).count();
            let outcome = if new == 0 && !acceptance.payments.is_empty() {
                "duplicate"
            } else {
                "accepted"
            };
            state.metrics.received(subjects::IN_BANK_PAYMENT, outcome);
            Ok((StatusCode::ACCEPTED, Json(acceptance)).into_response())
        }
        Err(BankIntakeError::Rejected {
            message_id, errors, ..
        }) => {
            state
                .metrics
                .received(subjects::IN_BANK_PAYMENT, "rejected");
            Err(AppError::Invalid {
                errors,
                message_id: Some(message_id),
            })
        }
        Err(BankIntakeError::NotHolder {
            message_id,
            account,
            partner,
        }) => Ok(wrong_partner(
            &state,
            subjects::IN_BANK_PAYMENT,
            "Ntfctn/Acct/Id",
            format!(
                "account {account} is not held by {partner}: a bank confirms payments only into \
                 the THADS accounts it holds (thads-hub partner add … --account)"
            ),
            Some(message_id),
        )),
        Err(BankIntakeError::Storage(e)) => Err(AppError::from(e)),
    }
}

/// The open reconciliation queue as the signed-in person may see it: the same items
/// `GET /v1/payments/unmatched` shows them (staff of the offices a payment is entitled to,
/// administrators above them; a payment no office is known for to every casework role).
#[utoipa::path(
    get,
    path = "/v1/reconciliation",
    tag = "money",
    security(
        ("bearer" = []),
        ("session_cookie" = []),
    ),
    responses(
        (status = 200, description = "Open reconciliation items of the person's offices.", body = [Object]),
        answers::Unauthorized,
    ),
)]
pub(crate) async fn get_reconciliation(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<Vec<UnmatchedView>>, AppError> {
    let visible: std::collections::HashSet<String> =
        queue::list(&state.db, &actor, queue::StateFilter::Open)
            .await?
            .into_iter()
            .map(|i| i.payment_id)
            .collect();
    let mut list = payments::unmatched(&state.db).await?;
    list.retain(|p| visible.contains(&p.payment_id));
    Ok(Json(list))
}
