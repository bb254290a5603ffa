//! Extraction proposals: what the extractor read from a judgment's text is a proposal until an
//! officer confirms it, correcting what it got wrong. Both versions are kept, with the list of
//! corrected fields and who made them, so the hub can show what the machine proposed, what the
//! officer decided, and how often the extractor is corrected.

use serde::Serialize;
use sqlx::Row;
use thads_extract::Extraction;
use thads_schemas::hash::content_hash;

use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::staff::Actor;

/// Why an extraction could not be made or confirmed.
#[derive(Debug, thiserror::Error)]
pub enum ExtractionError {
    /// The judgment could not be read at all (not UTF-8, malformed XML).
    #[error("{0}")]
    Unreadable(String),
    /// The corrected extraction is not a valid extraction.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// Already confirmed: a confirmed extraction is not changed again.
    #[error("extraction {0} was already confirmed")]
    AlreadyConfirmed(String),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// A stored extraction.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractionView {
    /// Its id.
    pub id: String,
    /// The office it was made for.
    pub office: String,
    /// The case it belongs to, if any.
    pub case_id: Option<String>,
    /// `proposed` or `confirmed`.
    pub state: String,
    /// What the extractor proposed.
    pub proposal: Extraction,
    /// What the officer confirmed.
    pub confirmed: Option<Extraction>,
    /// The fields the officer changed (`/obligations/1/amount_vnd`, ...).
    pub corrections: Vec<String>,
    /// Who asked for it.
    pub proposed_by: String,
    /// Who confirmed it.
    pub confirmed_by: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was confirmed.
    pub confirmed_at: Option<String>,
}

/// Runs the extractor over `source` (text or court XML) for `actor`'s office and stores the
/// proposal.
pub async fn propose(
    db: &Db,
    actor: &Actor,
    case_id: Option<&str>,
    source: &[u8],
) -> Result<ExtractionView, ExtractionError> {
    let proposal = thads_extract::extract_bytes(source)
        .map_err(|e| ExtractionError::Unreadable(e.to_string()))?;
    let mut tx = db.begin().await?;
    let id = store_proposal(
        &mut tx,
        actor.office.as_str(),
        &actor.username,
        case_id,
        source,
        &proposal,
    )
    .await?;
    tx.commit().await?;
    load(db, &id)
        .await?
        .ok_or_else(|| ExtractionError::Unreadable("stored extraction vanished".into()))
}

/// Stores `proposal`, read from `source`, inside the caller's transaction (so a case opened
/// from a text-only judgment and its proposal exist together); returns the extraction's id.
pub async fn store_proposal(
    tx: &mut Tx<'_>,
    office: &str,
    proposed_by: &str,
    case_id: Option<&str>,
    source: &[u8],
    proposal: &Extraction,
) -> Result<String, ExtractionError> {
    let hash = content_hash(source);
    let id = format!("ext-{}", &uuid::Uuid::now_v7().simple().to_string()[..20]);
    let json = serde_json::to_string(proposal).map_err(|e| ExtractionError::Invalid {
        field: "proposal".into(),
        reason: e.to_string(),
    })?;
    sqlx::query(
        "INSERT INTO extractions (id, office_code, case_id, source_hash, source, proposal, state, \
         proposed_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7, $8)",
    )
    .bind(&id)
    .bind(office)
    .bind(case_id)
    .bind(&hash)
    .bind(source)
    .bind(&json)
    .bind(proposed_by)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Confirms extraction `id` as `corrected` (the officer's version); records which fields
/// differ from the proposal.
pub async fn confirm(
    db: &Db,
    actor: &Actor,
    id: &str,
    corrected: &[u8],
) -> Result<Option<ExtractionView>, ExtractionError> {
    let Some(current) = load(db, id).await? else {
        return Ok(None);
    };
    if current.state == "confirmed" {
        return Err(ExtractionError::AlreadyConfirmed(id.to_string()));
    }
    let de = &mut serde_json::Deserializer::from_slice(corrected);
    let confirmed: Extraction =
        serde_path_to_error::deserialize(de).map_err(|e| ExtractionError::Invalid {
            field: format!("/{}", e.path()).replace('.', "/"),
            reason: e.inner().to_string(),
        })?;
    let before = serde_json::to_value(&current.proposal).unwrap_or_default();
    let after = serde_json::to_value(&confirmed).unwrap_or_default();
    let mut corrections = Vec::new();
    diff("", &before, &after, &mut corrections);
    corrections.retain(|p| !p.starts_with("/warnings"));
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE extractions SET state = 'confirmed', confirmed = $2, corrections = $3, \
         confirmed_by = $4, confirmed_at = $5 WHERE id = $1 AND state = 'proposed'",
    )
    .bind(id)
    .bind(after.to_string())
    .bind(serde_json::to_string(&corrections).unwrap_or_else(|_| "[]".into()))
    .bind(&actor.username)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(ExtractionError::AlreadyConfirmed(id.to_string()));
    }
    if let Some(case_id) = &current.case_id {
        crate::cases::from_extraction::apply(&mut tx, case_id, id, &confirmed).await?;
        crate::cases::intake::add_case_event(
            &mut tx,
            case_id,
            "extraction_confirmed",
            &format!(
                "{id} by {} ({} corrections)",
                actor.username,
                corrections.len()
            ),
        )
        .await?;
    }
    tx.commit().await?;
    load(db, id).await.map_err(Into::into)
}

/// JSON Pointers of the leaves that differ between `a` and `b`.
fn diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{path}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(l), Some(r)) => diff(&p, l, r, out),
                    _ => out.push(p),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let p = format!("{path}/{i}");
                match (x.get(i), y.get(i)) {
                    (Some(l), Some(r)) => diff(&p, l, r, out),
                    _ => out.push(p),
                }
            }
        }
        _ if a != b => out.push(if path.is_empty() {
            "/".into()
        } else {
            path.into()
        }),
        _ => {}
    }
}

fn decode<T: serde::de::DeserializeOwned>(col: &str, text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text)
        .map_err(|e| sqlx::Error::Decode(format!("extractions.{col}: {e}").into()))
}

/// One extraction by id.
pub async fn load(db: &Db, id: &str) -> Result<Option<ExtractionView>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT id, office_code, case_id, state, proposal, confirmed, corrections, proposed_by, \
         confirmed_by, created_at, confirmed_at FROM extractions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let proposal: String = r.try_get("proposal")?;
    let confirmed: Option<String> = r.try_get("confirmed")?;
    let corrections: Option<String> = r.try_get("corrections")?;
    let confirmed_at: Option<i64> = r.try_get("confirmed_at")?;
    Ok(Some(ExtractionView {
        id: r.try_get("id")?,
        office: r.try_get("office_code")?,
        case_id: r.try_get("case_id")?,
        state: r.try_get("state")?,
        proposal: decode("proposal", &proposal)?,
        confirmed: confirmed
            .as_deref()
            .map(|c| decode("confirmed", c))
            .transpose()?,
        corrections: corrections
            .as_deref()
            .map(|c| decode("corrections", c))
            .transpose()?
            .unwrap_or_default(),
        proposed_by: r.try_get("proposed_by")?,
        confirmed_by: r.try_get("confirmed_by")?,
        created_at: rfc3339(r.try_get("created_at")?),
        confirmed_at: confirmed_at.map(rfc3339),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_each_changed_leaf() {
        let a = json!({"obligations": [{"amount_vnd": 1, "kind": "fine"}], "parties": []});
        let b = json!({"obligations": [{"amount_vnd": 2, "kind": "fine"}, {"kind": "x"}], "parties": []});
        let mut out = Vec::new();
        diff("", &a, &b, &mut out);
        assert_eq!(out, ["/obligations/0/amount_vnd", "/obligations/1"]);
    }
}
