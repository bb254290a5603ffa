//! Stored receipts: the list of a case's receipts, the signed document (sealed with the hub's
//! key the first time it is needed, then kept), and voiding with a replacement.

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use thads_schemas::bank::parse_iso_date;
use thads_schemas::money::Vnd;
use thads_schemas::office::OfficeCode;

use super::{document, issue, Issued, NewReceipt};
use crate::cases::intake::add_case_event;
use crate::db::{now_ms, rfc3339, Db};
use crate::partners::{seal, HubKey};
use crate::reconciliation::audit::{self, AuditEntry};
use crate::staff::{Actor, Role};

/// A receipt as listed on its case.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptSummary {
    /// The receipt id (`GET /v1/receipts/{id}` gives the signed document).
    pub receipt_id: String,
    /// The series, e.g. `BL/HCM-KV01/2026`.
    pub series: String,
    /// The number within the series.
    pub number: i64,
    /// The number as printed (`0000017`).
    pub number_label: String,
    /// `issued` or `void`.
    pub state: String,
    /// The payment it is for.
    pub payment_id: String,
    /// The amount in whole đồng.
    pub amount_vnd: i64,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// Whether the signed document exists yet.
    pub signed: bool,
    /// The voided receipt this one replaces.
    pub replaces: Option<String>,
    /// The receipt that replaced this one.
    pub replaced_by: Option<String>,
    /// Why it was voided.
    pub void_reason: Option<String>,
}

const COLUMNS: &str = "receipt_id, series, number, state, payment_id, amount_vnd, issued_at, \
                       body, replaces, replaced_by, void_reason";

fn summary(r: &sqlx::any::AnyRow) -> Result<ReceiptSummary, sqlx::Error> {
    let number: i64 = r.try_get("number")?;
    let body: Option<String> = r.try_get("body")?;
    Ok(ReceiptSummary {
        receipt_id: r.try_get("receipt_id")?,
        series: r.try_get("series")?,
        number,
        number_label: document::number_label(number),
        state: r.try_get("state")?,
        payment_id: r.try_get("payment_id")?,
        amount_vnd: r.try_get("amount_vnd")?,
        issued_at: rfc3339(r.try_get("issued_at")?),
        signed: body.is_some(),
        replaces: r.try_get("replaces")?,
        replaced_by: r.try_get("replaced_by")?,
        void_reason: r.try_get("void_reason")?,
    })
}

/// The receipts of a case, in the order they were issued.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<ReceiptSummary>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM receipts WHERE case_id = $1 ORDER BY issued_at, number"
    ))
    .bind(case_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(summary)
    .collect()
}

/// One receipt's summary and the office that issued it.
pub async fn find(
    db: &Db,
    receipt_id: &str,
) -> Result<Option<(ReceiptSummary, String)>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, office_code FROM receipts WHERE receipt_id = $1"
    ))
    .bind(receipt_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok((summary(&r)?, r.try_get("office_code")?)))
        .transpose()
}

/// Why a receipt could not be read, signed or voided.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// No receipt with that id.
    #[error("no receipt {0}")]
    NotFound(String),
    /// The receipt was already voided.
    #[error("receipt {id} is already void{}", replaced_by.as_deref().map(|r| format!("; its replacement is {r}")).unwrap_or_default())]
    AlreadyVoid {
        /// The receipt.
        id: String,
        /// Its replacement.
        replaced_by: Option<String>,
    },
    /// The actor may not do this (role or office).
    #[error("{0}")]
    Forbidden(String),
    /// A field of the request is wrong.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (a JSON Pointer).
        field: String,
        /// Why.
        reason: String,
    },
    /// The stored document cannot be read or sealed.
    #[error("receipt {id}: {reason}")]
    Document {
        /// The receipt.
        id: String,
        /// What failed.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// The signed document of a receipt: sealed with `key` the first time it is asked for (the
/// content was fixed when it was issued), stored, and returned as stored afterwards.
pub async fn signed(db: &Db, key: &HubKey, receipt_id: &str) -> Result<Value, ReceiptError> {
    let row = sqlx::query("SELECT document, body FROM receipts WHERE receipt_id = $1")
        .bind(receipt_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| ReceiptError::NotFound(receipt_id.to_string()))?;
    let bad = |reason: String| ReceiptError::Document {
        id: receipt_id.to_string(),
        reason,
    };
    if let Some(body) = row.try_get::<Option<String>, _>("body")? {
        return serde_json::from_str(&body).map_err(|e| bad(format!("stored body: {e}")));
    }
    let document: String = row.try_get("document")?;
    let unsigned: Value =
        serde_json::from_str(&document).map_err(|e| bad(format!("stored document: {e}")))?;
    let sealed = seal(key, unsigned).map_err(|e| bad(e.to_string()))?;
    let claimed = sqlx::query(
        "UPDATE receipts SET body = $2, key_id = $3, sealed_at = $4 \
         WHERE receipt_id = $1 AND body IS NULL",
    )
    .bind(receipt_id)
    .bind(sealed.to_string())
    .bind(key.key_id())
    .bind(now_ms())
    .execute(db.pool())
    .await?
    .rows_affected()
        == 1;
    if claimed {
        return Ok(sealed);
    }
    // Another hub process sealed it first: its signature is the one kept.
    let body: Option<String> =
        sqlx::query_scalar("SELECT body FROM receipts WHERE receipt_id = $1")
            .bind(receipt_id)
            .fetch_one(db.pool())
            .await?;
    serde_json::from_str(body.as_deref().unwrap_or_default())
        .map_err(|e| bad(format!("stored body: {e}")))
}

/// Seals up to `limit` receipts not signed yet; returns how many. For a background task with
/// the hub's key, and for handlers that just issued receipts.
pub async fn seal_pending(db: &Db, key: &HubKey, limit: i64) -> Result<usize, ReceiptError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT receipt_id FROM receipts WHERE body IS NULL ORDER BY issued_at LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    for id in &ids {
        signed(db, key, id).await?;
    }
    Ok(ids.len())
}

/// What voiding did.
#[derive(Debug, Clone, Serialize)]
pub struct Voided {
    /// The voided receipt.
    pub voided: ReceiptSummary,
    /// Its replacement, with a new number.
    pub replacement: Issued,
}

/// Voids a receipt (head of the issuing office only, with a reason) and issues its
/// replacement with a new number in the same transaction; audited.
pub async fn void(
    db: &Db,
    actor: &Actor,
    receipt_id: &str,
    reason: &str,
) -> Result<Voided, ReceiptError> {
    if actor.role != Role::Head {
        return Err(ReceiptError::Forbidden(format!(
            "Voiding a receipt needs the role head; {} is signed in as {}.",
            actor.username, actor.role
        )));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ReceiptError::Invalid {
            field: "/reason".into(),
            reason: "say why the receipt is voided".into(),
        });
    }
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "SELECT office_code, state, replaced_by, payment_id, case_id, amount_vnd, payer_name, \
         document FROM receipts WHERE receipt_id = $1",
    )
    .bind(receipt_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ReceiptError::NotFound(receipt_id.to_string()))?;
    let office: String = row.try_get("office_code")?;
    let covered = OfficeCode::parse(&office).is_ok_and(|o| actor.covers_office(&o));
    if !covered {
        return Err(ReceiptError::Forbidden(format!(
            "Receipt {receipt_id} belongs to office {office}, outside the reach of {}.",
            actor.username
        )));
    }
    let state: String = row.try_get("state")?;
    if state != "issued" {
        return Err(ReceiptError::AlreadyVoid {
            id: receipt_id.to_string(),
            replaced_by: row.try_get("replaced_by")?,
        });
    }
    let now = now_ms();
    let changed = sqlx::query(
        "UPDATE receipts SET state = 'void', voided_at = $2, voided_by = $3, void_reason = $4 \
         WHERE receipt_id = $1 AND state = 'issued'",
    )
    .bind(receipt_id)
    .bind(now)
    .bind(&actor.username)
    .bind(reason)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(ReceiptError::AlreadyVoid {
            id: receipt_id.to_string(),
            replaced_by: None,
        });
    }
    let payment_id: String = row.try_get("payment_id")?;
    let case_id: String = row.try_get("case_id")?;
    let payer_name: Option<String> = row.try_get("payer_name")?;
    let doc: Value = serde_json::from_str(&row.try_get::<String, _>("document")?).map_err(|e| {
        ReceiptError::Document {
            id: receipt_id.to_string(),
            reason: e.to_string(),
        }
    })?;
    let booking_date = doc["booking_date"]
        .as_str()
        .and_then(parse_iso_date)
        .ok_or_else(|| ReceiptError::Document {
            id: receipt_id.to_string(),
            reason: "no booking date".into(),
        })?;
    let amount = Vnd::new(row.try_get("amount_vnd")?).map_err(|e| ReceiptError::Document {
        id: receipt_id.to_string(),
        reason: e.to_string(),
    })?;
    let replacement = issue(
        &mut tx,
        &NewReceipt {
            payment_id: &payment_id,
            case_id: &case_id,
            amount,
            booking_date,
            payer_name: payer_name.as_deref(),
            replaces: Some(receipt_id),
        },
    )
    .await?;
    sqlx::query("UPDATE receipts SET replaced_by = $2 WHERE receipt_id = $1")
        .bind(receipt_id)
        .bind(&replacement.receipt_id)
        .execute(&mut *tx)
        .await?;
    add_case_event(
        &mut tx,
        &case_id,
        "receipt_voided",
        &format!(
            "{receipt_id} voided by {}; replaced by {}",
            actor.username, replacement.label
        ),
    )
    .await?;
    audit::record(
        &mut tx,
        &AuditEntry {
            subject_kind: "receipt",
            subject_id: receipt_id,
            action: "void",
            actor,
            reason,
            before: serde_json::json!({"state": "issued"}),
            after: serde_json::json!({"state": "void", "replaced_by": replacement.receipt_id}),
        },
    )
    .await?;
    tx.commit().await?;
    let (voided, _) = find(db, receipt_id)
        .await?
        .ok_or_else(|| ReceiptError::NotFound(receipt_id.to_string()))?;
    Ok(Voided {
        voided,
        replacement,
    })
}
