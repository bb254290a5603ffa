//! Checking a decision's signature again (kiểm tra chữ ký): the stored signature against the
//! stored PDF bytes and the head's public key, and the issued PDF against the hash recorded at
//! issue, so a tampered document or a wrong key shows.

use serde::Serialize;
use sqlx::Row;

use super::Decisions;
use crate::decisions::keys;
use crate::decisions::DecisionError;
use crate::staff::Actor;

/// The answer of `verify`: whether the stored signature holds over the stored PDF.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The draft.
    pub draft_id: String,
    /// True when the signature holds and every stored hash matches its bytes.
    pub valid: bool,
    /// What was checked.
    pub scheme: &'static str,
    /// The head who signed.
    pub signer: String,
    /// The key.
    pub key_id: String,
    /// Base64 of the public key used.
    pub public_key: Option<String>,
    /// True when a newer key has since replaced this one (the signature may still hold).
    pub key_retired: bool,
    /// The signature holds over the signed PDF's bytes.
    pub signature_valid: bool,
    /// SHA-256 recorded when it was signed.
    pub pdf_sha256_recorded: String,
    /// SHA-256 of the bytes stored now.
    pub pdf_sha256_actual: String,
    /// For an issued decision: its final PDF still matches the hash recorded at issue.
    pub issued_pdf_intact: Option<bool>,
    /// Why it is not valid.
    pub reason: Option<String>,
}

impl Decisions {
    /// Re-checks the stored signature against the stored PDF bytes and the head's public key,
    /// and the issued PDF against the hash recorded at issue.
    pub async fn verify(&self, actor: &Actor, id: &str) -> Result<Verification, DecisionError> {
        let stored = self.visible(actor, id).await?;
        let (Some(signer), Some(key_id), Some(recorded), Some(signature)) = (
            stored.signer.clone(),
            stored.signer_key_id.clone(),
            stored.pdf_sha256.clone(),
            stored.signature.clone(),
        ) else {
            return Err(DecisionError::Refused(format!(
                "the draft is {}; only an approved or issued decision carries a signature",
                stored.state.as_str()
            )));
        };
        let row = sqlx::query("SELECT pdf, issued_pdf FROM decision_drafts WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.pool())
            .await?;
        let pdf: Vec<u8> = row
            .try_get::<Option<Vec<u8>>, _>("pdf")?
            .unwrap_or_default();
        let issued: Option<Vec<u8>> = row.try_get("issued_pdf")?;
        let actual = keys::sha256_hex(&pdf);
        let public = keys::public_key(&self.db, &key_id).await?;
        let mut reasons = Vec::new();
        let signature_valid = match &public {
            Some(k) if k.username == signer => match keys::verify_pdf(&k.key, &pdf, &signature) {
                Ok(()) => true,
                Err(reason) => {
                    reasons.push(reason);
                    false
                }
            },
            Some(k) => {
                reasons.push(format!(
                    "key {key_id} belongs to {}, not {signer}",
                    k.username
                ));
                false
            }
            None => {
                reasons.push(format!("no public key {key_id} is on record"));
                false
            }
        };
        if actual != recorded {
            reasons
                .push("the stored PDF's SHA-256 differs from the one recorded at signing".into());
        }
        let issued_pdf_intact = match (&issued, &stored.issued_pdf_sha256) {
            (Some(bytes), Some(hash)) => {
                let ok = &keys::sha256_hex(bytes) == hash;
                if !ok {
                    reasons.push(
                        "the issued PDF's SHA-256 differs from the one recorded at issue".into(),
                    );
                }
                Some(ok)
            }
            _ => None,
        };
        let valid = reasons.is_empty();
        Ok(Verification {
            draft_id: id.to_string(),
            valid,
            scheme: "ed25519 over SHA-256(signed PDF bytes)",
            signer,
            key_id,
            public_key: public.as_ref().map(|k| k.base64.clone()),
            key_retired: public.as_ref().is_some_and(|k| k.revoked_at.is_some()),
            signature_valid,
            pdf_sha256_recorded: recorded,
            pdf_sha256_actual: actual,
            issued_pdf_intact,
            reason: (!valid).then(|| reasons.join("; ")),
        })
    }
}
