//! A case opened from a text-only judgment (the court sent the operative part without
//! structured obligations) gets its parties and obligations when an officer confirms the
//! extractor's proposal: nothing is enforced on a machine's reading alone.
//!
//! Extracted parties are matched to the parties the court did send by name, without
//! diacritics, case or honorifics; the others are added with references `X1`, `X2`, ...
//! Every obligation must name a known party (or `state`) as its debtor.

use std::collections::HashMap;

use sqlx::Row;
use thads_extract::{ExtractedParty, Extraction, Initiation, Role, STATE};
use thads_schemas::cccd::Cccd;
use thads_schemas::court::Judgment;
use thads_schemas::text::fold_ascii;

use super::intake::add_case_event;
use super::judgment_rows::{ObligationRow, PartyRow};
use crate::db::Tx;
use crate::extractions::ExtractionError;

/// Writes the confirmed parties and obligations onto `case_id` when the case has no
/// obligations yet; a case whose obligations came from the court is left as it is (the
/// extraction is then only a record) and says so in its history.
pub async fn apply(
    tx: &mut Tx<'_>,
    case_id: &str,
    extraction_id: &str,
    confirmed: &Extraction,
) -> Result<(), ExtractionError> {
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM case_obligations WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&mut **tx)
            .await?;
    if existing > 0 {
        add_case_event(
            tx,
            case_id,
            "extraction_not_applied",
            &format!("{extraction_id}: the case already holds the court's obligations"),
        )
        .await?;
        return Ok(());
    }
    if confirmed.obligations.is_empty() {
        return Err(invalid(
            "/obligations",
            "a confirmed judgment needs at least one obligation",
        ));
    }
    let refs = merge_parties(tx, case_id, &confirmed.parties).await?;
    let lookup =
        |name: &Option<String>, field: String| -> Result<Option<String>, ExtractionError> {
            match name.as_deref() {
                None => Ok(None),
                Some(n) if n == STATE => Ok(Some(STATE.to_string())),
                Some(n) => refs
                    .get(&name_key(n))
                    .cloned()
                    .map(Some)
                    .ok_or_else(|| invalid(&field, &format!("{n} is not one of the parties"))),
            }
        };
    let mut total: i64 = 0;
    let mut ex_officio = false;
    for (i, o) in confirmed.obligations.iter().enumerate() {
        let debtor = lookup(&o.debtor, format!("/obligations/{i}/debtor"))?.ok_or_else(|| {
            invalid(
                &format!("/obligations/{i}/debtor"),
                "must name the party who performs it (or state)",
            )
        })?;
        let creditor =
            lookup(&o.creditor, format!("/obligations/{i}/creditor"))?.filter(|c| c != STATE);
        if o.amount_vnd.is_some_and(|a| a <= 0) {
            return Err(invalid(
                &format!("/obligations/{i}/amount_vnd"),
                "must be greater than 0",
            ));
        }
        total = total.saturating_add(o.amount_vnd.unwrap_or(0));
        ex_officio |= o.initiation == Initiation::ExOfficio;
        ObligationRow {
            position: i + 1,
            kind: o.kind.as_str(),
            debtor_ref: &debtor,
            creditor_ref: creditor.as_deref(),
            amount_vnd: o.amount_vnd,
            description: Some(&o.text),
            period: o.period.map(|p| match p {
                thads_extract::Period::Monthly => "monthly",
                thads_extract::Period::Quarterly => "quarterly",
                thads_extract::Period::Yearly => "yearly",
            }),
        }
        .insert(tx, case_id)
        .await?;
    }
    sqlx::query("UPDATE cases SET amount_vnd = $2, initiation = $3 WHERE id = $1")
        .bind(case_id)
        .bind(total)
        .bind(if ex_officio {
            "ex_officio"
        } else {
            "on_request"
        })
        .execute(&mut **tx)
        .await?;
    add_case_event(
        tx,
        case_id,
        "obligations_confirmed",
        &format!(
            "{} obligations from {extraction_id}, {total} đồng",
            confirmed.obligations.len()
        ),
    )
    .await?;
    Ok(())
}

/// For a case opened from a text-only judgment: runs the extractor over the operative text,
/// stores the proposal on the case for an officer to confirm, and sets the case's initiation
/// from what the text orders (ex officio when anything is due to the State).
pub async fn propose_for_text_only(
    tx: &mut Tx<'_>,
    case_id: &str,
    judgment: &Judgment,
) -> Result<(), sqlx::Error> {
    let Some(text) = judgment.operative_text.as_deref() else {
        return Ok(());
    };
    let proposal = thads_extract::extract_text(text);
    let id = match crate::extractions::store_proposal(
        tx,
        judgment.office.as_str(),
        "system:court-intake",
        Some(case_id),
        text.as_bytes(),
        &proposal,
    )
    .await
    {
        Ok(id) => id,
        Err(ExtractionError::Db(e)) => return Err(e),
        Err(e) => {
            add_case_event(tx, case_id, "extraction_failed", &e.to_string()).await?;
            return Ok(());
        }
    };
    if proposal
        .obligations
        .iter()
        .any(|o| o.initiation == Initiation::ExOfficio)
    {
        sqlx::query("UPDATE cases SET initiation = 'ex_officio' WHERE id = $1")
            .bind(case_id)
            .execute(&mut **tx)
            .await?;
    }
    add_case_event(
        tx,
        case_id,
        "extraction_proposed",
        &format!(
            "{id}: {} parties, {} obligations read from the text; an officer must confirm them",
            proposal.parties.len(),
            proposal.obligations.len()
        ),
    )
    .await
}

/// Matches the extracted parties to the case's parties by name, adds the unknown ones, and
/// returns name key → party reference.
async fn merge_parties(
    tx: &mut Tx<'_>,
    case_id: &str,
    extracted: &[ExtractedParty],
) -> Result<HashMap<String, String>, ExtractionError> {
    let rows = sqlx::query("SELECT party_ref, name FROM case_parties WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(&mut **tx)
        .await?;
    let mut refs = HashMap::new();
    for r in &rows {
        let name: String = r.try_get("name")?;
        refs.insert(name_key(&name), r.try_get::<String, _>("party_ref")?);
    }
    let mut next = rows.len() + 1;
    for (i, p) in extracted.iter().enumerate() {
        let key = name_key(&p.name);
        if key.is_empty() {
            return Err(invalid(&format!("/parties/{i}/name"), "must not be empty"));
        }
        if refs.contains_key(&key) {
            continue;
        }
        let cccd = match p.cccd.as_deref() {
            None => None,
            Some(c) => Some(
                Cccd::parse(c)
                    .map_err(|e| invalid(&format!("/parties/{i}/cccd"), &e.to_string()))?,
            ),
        };
        let party_ref = format!("X{next}");
        next += 1;
        let name = thads_schemas::text::nfc(&p.name);
        let address = p.address.as_deref().map(thads_schemas::text::nfc);
        PartyRow {
            party_ref: &party_ref,
            role: match p.role {
                Role::Creditor => "creditor",
                Role::Debtor => "debtor",
                Role::Interested => "interested",
            },
            kind: if p.business_code.is_some() {
                "organisation"
            } else {
                "person"
            },
            name: &name,
            cccd: cccd.as_ref().map(|c| c.as_str()),
            birth_year: p.birth_year,
            address: address.as_deref(),
        }
        .insert(tx, case_id)
        .await?;
        refs.insert(key, party_ref);
    }
    Ok(refs)
}

/// A name as compared: no diacritics, lower case, single spaces, honorific dropped
/// ("bà Nguyễn Thị Lan" = "NGUYỄN THỊ LAN").
fn name_key(name: &str) -> String {
    let folded = fold_ascii(name).to_lowercase();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let skip = match words.first() {
        Some(&("ong" | "ba" | "anh" | "chi" | "cu" | "em")) if words.len() > 1 => 1,
        _ => 0,
    };
    words[skip..].join(" ")
}

fn invalid(field: &str, reason: &str) -> ExtractionError {
    ExtractionError::Invalid {
        field: field.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn names_match_across_spellings_and_honorifics() {
        assert_eq!(name_key("NGUYỄN THỊ LAN"), name_key("bà Nguyễn Thị Lan"));
        assert_eq!(name_key("Ông  Hoàng Minh Tuấn"), "hoang minh tuan");
        assert_ne!(name_key("Nguyễn Văn An"), name_key("Nguyễn Văn Anh"));
        // A one-word name that happens to be an honorific is kept.
        assert_eq!(name_key("Ba"), "ba");
    }
}
