//! The competent head's steps on a complaint, each checked (role, office, state) and recorded
//! (history, case event, audit) in its own transaction:
//!
//! | step | who | from | to | deadline |
//! |---|---|---|---|---|
//! | accept (thụ lý) | head of the resolving office | received | accepted | acceptance met; resolution starts |
//! | refuse {reason} | same | received | refused | acceptance met |
//! | resolve {outcome, findings, conclusion} | same | accepted | resolved | resolution met |
//! | extend {reason} (denunciations) | same | accepted | accepted | resolution moved by the extension limit |
//!
//! Resolving numbers the answer in the office's book of complaint decisions (its own
//! transaction first, so a retry reuses the number), renders the PDF with Chromium, signs its
//! bytes with the head's key, and stores both with the state change.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::document::{self, Answer, COMPLAINT_SYMBOL, DENUNCIATION_SYMBOL};
use super::filing::step_date;
use super::rules::{stored, ComplaintStep};
use super::store::{self, who, Stored};
use super::view::ComplaintView;
use super::{ComplaintError, Complaints, Outcome, State};
use crate::deadlines::store::vietnam_date;
use crate::decisions::keys::{self, KeyVault};
use crate::registers::{self, Book};
use crate::staff::{Actor, Role};

/// The longest reason or text the head writes.
const MAX_TEXT: usize = 8_000;

/// Accepting (`on` defaults to today).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The day of acceptance.
    #[serde(default, with = "thads_schemas::bank::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<Date>,
}

/// Refusing, or extending: why, and on which day.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why.
    pub reason: String,
    /// The day.
    #[serde(default, with = "thads_schemas::bank::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<Date>,
}

/// Resolving.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// The finding.
    pub outcome: Outcome,
    /// What the verification found.
    pub findings: String,
    /// What is decided.
    pub conclusion: String,
    /// The day of the answer.
    #[serde(default, with = "thads_schemas::bank::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<Date>,
}

/// The signature check of an answer.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentCheck {
    /// The complaint.
    pub complaint_id: String,
    /// True when the signature holds over the stored PDF and its hash matches.
    pub valid: bool,
    /// The head.
    pub signer: String,
    /// The key.
    pub key_id: String,
    /// SHA-256 recorded at signing.
    pub pdf_sha256_recorded: String,
    /// SHA-256 of the bytes stored now.
    pub pdf_sha256_actual: String,
    /// Why not valid.
    pub reason: Option<String>,
}

fn text(field: &str, value: &str) -> Result<String, ComplaintError> {
    let t = thads_schemas::text::nfc_multiline(value.trim());
    if t.is_empty() {
        return Err(ComplaintError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(ComplaintError::invalid(
            field,
            format!("longer than {MAX_TEXT} characters"),
        ));
    }
    Ok(t)
}

impl Complaints {
    /// The complaint, if `actor` is the head who answers it (403 for another role or the
    /// office complained of; 404 outside both).
    async fn as_resolver(&self, actor: &Actor, id: &str) -> Result<Stored, ComplaintError> {
        let c = self.visible(actor, id).await?;
        if actor.role != Role::Head || actor.office != c.resolver_office {
            return Err(ComplaintError::Forbidden(format!(
                "the head of {} answers this complaint; {} is {} of {}",
                c.resolver_office, actor.username, actor.role, actor.office
            )));
        }
        Ok(c)
    }

    fn require(c: &Stored, state: State, step: &str) -> Result<(), ComplaintError> {
        if c.state == state {
            Ok(())
        } else {
            Err(ComplaintError::Refused(format!(
                "the complaint is {}; it can be {step} only when {}",
                c.state.as_str(),
                state.as_str()
            )))
        }
    }

    /// Accepts (thụ lý) a received complaint: the resolution limit starts.
    pub async fn accept(
        &self,
        actor: &Actor,
        id: &str,
        body: AcceptBody,
        now: OffsetDateTime,
    ) -> Result<ComplaintView, ComplaintError> {
        let c = self.as_resolver(actor, id).await?;
        Self::require(&c, State::Received, "accepted")?;
        let on = step_date("/on", body.on, vietnam_date(now), &c.received_on)?;
        let mut tx = self.db.begin().await?;
        if !store::move_state(
            &mut tx,
            &c,
            State::Accepted,
            "accepted_on = $4",
            vec![Some(on.to_string())],
        )
        .await?
        {
            return Err(changed());
        }
        store::complete_deadline(&mut tx, &c.id, stored::ACCEPTANCE, on).await?;
        let step = ComplaintStep::resolution(c.kind, c.round, c.stage);
        let due = store::start_deadline(
            &mut tx,
            (&self.schedule, &self.rules),
            &c.id,
            stored::RESOLUTION,
            step,
            on,
        )
        .await?;
        store::record_step(
            &mut tx,
            &c,
            "accepted",
            State::Accepted,
            who(actor),
            Some(&format!("hạn giải quyết {due}")),
        )
        .await?;
        tx.commit().await?;
        self.view(actor, id, now).await
    }

    /// Refuses (không thụ lý) a received complaint, with the reason the complainant reads.
    pub async fn refuse(
        &self,
        actor: &Actor,
        id: &str,
        body: ReasonBody,
        now: OffsetDateTime,
    ) -> Result<ComplaintView, ComplaintError> {
        let c = self.as_resolver(actor, id).await?;
        Self::require(&c, State::Received, "refused")?;
        let reason = text("/reason", &body.reason)?;
        let on = step_date("/on", body.on, vietnam_date(now), &c.received_on)?;
        let mut tx = self.db.begin().await?;
        let sets = "refused_on = $4, refusal_reason = $5";
        if !store::move_state(
            &mut tx,
            &c,
            State::Refused,
            sets,
            vec![Some(on.to_string()), Some(reason.clone())],
        )
        .await?
        {
            return Err(changed());
        }
        store::complete_deadline(&mut tx, &c.id, stored::ACCEPTANCE, on).await?;
        store::record_step(
            &mut tx,
            &c,
            "refused",
            State::Refused,
            who(actor),
            Some(&reason),
        )
        .await?;
        tx.commit().await?;
        self.view(actor, id, now).await
    }

    /// Gives a denunciation's resolution one more extension (complex cases), within the
    /// configured number.
    pub async fn extend(
        &self,
        actor: &Actor,
        id: &str,
        body: ReasonBody,
        now: OffsetDateTime,
    ) -> Result<ComplaintView, ComplaintError> {
        let c = self.as_resolver(actor, id).await?;
        Self::require(&c, State::Accepted, "extended")?;
        if c.kind != thads_schemas::complaint::ComplaintKind::Denunciation {
            return Err(ComplaintError::Refused(
                "only a denunciation's resolution can be extended".into(),
            ));
        }
        let max = i64::from(self.config.max_extensions);
        if c.extensions >= max {
            return Err(ComplaintError::Refused(format!(
                "the resolution was already extended {} times (at most {max})",
                c.extensions
            )));
        }
        let reason = text("/reason", &body.reason)?;
        let mut tx = self.db.begin().await?;
        let (due, basis) = store::deadline_of(&mut tx, &c.id, stored::RESOLUTION)
            .await?
            .ok_or_else(|| ComplaintError::Refused("the resolution has no deadline".into()))?;
        let regime = self.schedule.rules.regime_for(due);
        let limit = self
            .rules
            .limit(regime, ComplaintStep::DenunciationExtension);
        let new_due = limit.due(&self.schedule.calendar, due).map_err(|e| {
            ComplaintError::invalid("/on", format!("the calendar cannot count from {due}: {e}"))
        })?;
        if !store::move_state(
            &mut tx,
            &c,
            State::Accepted,
            "extensions = extensions + 1",
            Vec::new(),
        )
        .await?
        {
            return Err(changed());
        }
        sqlx::query(
            "UPDATE complaint_deadlines SET due_on = $3, legal_basis = $4 \
             WHERE complaint_id = $1 AND step = $2 AND done_on IS NULL",
        )
        .bind(&c.id)
        .bind(stored::RESOLUTION)
        .bind(new_due.to_string())
        .bind(format!(
            "{basis}; gia hạn lần {}: {}",
            c.extensions + 1,
            limit.legal_basis
        ))
        .execute(&mut *tx)
        .await?;
        store::record_step(
            &mut tx,
            &c,
            "extended",
            State::Accepted,
            who(actor),
            Some(&format!("{reason} (hạn mới {new_due})")),
        )
        .await?;
        tx.commit().await?;
        self.view(actor, id, now).await
    }

    /// Answers an accepted complaint: numbers, renders, signs and stores the document.
    pub async fn resolve(
        &self,
        actor: &Actor,
        id: &str,
        body: ResolveBody,
        now: OffsetDateTime,
    ) -> Result<ComplaintView, ComplaintError> {
        let c = self.as_resolver(actor, id).await?;
        Self::require(&c, State::Accepted, "resolved")?;
        let findings = text("/findings", &body.findings)?;
        let conclusion = text("/conclusion", &body.conclusion)?;
        let accepted_on = c
            .accepted_on
            .clone()
            .unwrap_or_else(|| c.received_on.clone());
        let on = step_date("/on", body.on, vietnam_date(now), &accepted_on)?;
        self.renderer.check()?;
        if !keys::has_key(&self.db, &actor.username).await? {
            return Err(keys::StaffKeyError::NoKey(actor.username.clone()).into());
        }
        let vault = KeyVault::open(&self.secret_file)?;
        let (key_id, key) = keys::signing_key(&self.db, &vault, &actor.username).await?;
        let number = self.reserve_number(&c, on).await?;
        let answer = Answer {
            number: number.clone(),
            date: on.to_string(),
            outcome: body.outcome,
            findings: findings.clone(),
            conclusion: conclusion.clone(),
            signer_name: actor.display_name.clone(),
        };
        let html = document::html(&c, &answer);
        let pdf = self.renderer.pdf(&html).await?;
        let sha = keys::sha256_hex(&pdf);
        let signature = keys::sign_pdf(&key, &pdf);
        drop(key);
        let mut tx = self.db.begin().await?;
        let sets = "resolved_on = $4, outcome = $5, findings = $6, conclusion = $7, \
             document_number = $8, document_html = $9, document_sha256 = $10, signature = $11, \
             signer = $12, signer_name = $13, signer_key_id = $14";
        let binds = vec![
            Some(on.to_string()),
            Some(body.outcome.as_str().to_string()),
            Some(findings),
            Some(conclusion),
            Some(number.clone()),
            Some(html),
            Some(sha),
            Some(signature),
            Some(actor.username.clone()),
            Some(actor.display_name.clone()),
            Some(key_id.clone()),
        ];
        if !store::move_state(&mut tx, &c, State::Resolved, sets, binds).await? {
            return Err(changed());
        }
        sqlx::query("UPDATE complaints SET document_pdf = $2 WHERE id = $1")
            .bind(&c.id)
            .bind(&pdf)
            .execute(&mut *tx)
            .await?;
        store::complete_deadline(&mut tx, &c.id, stored::RESOLUTION, on).await?;
        store::record_step(
            &mut tx,
            &c,
            "resolved",
            State::Resolved,
            who(actor),
            Some(&format!("{number}: {}", body.outcome.title_vi())),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(complaint = %c.id, number = %number, key_id = %key_id, "complaint answered and signed");
        self.view(actor, id, now).await
    }

    /// The next number of the resolving office's book for this complaint, or the one an
    /// earlier attempt took.
    async fn reserve_number(&self, c: &Stored, on: Date) -> Result<String, ComplaintError> {
        let mut tx = self.db.begin().await?;
        let entry = registers::enter(
            &mut tx,
            Book::ComplaintDecision,
            c.resolver_office.as_str(),
            on,
            &c.id,
            &format!(
                "giải quyết {} {} — hồ sơ {}",
                c.kind.as_str(),
                c.id,
                c.case_id
            ),
        )
        .await?;
        tx.commit().await?;
        let symbol = match c.kind {
            thads_schemas::complaint::ComplaintKind::Complaint => COMPLAINT_SYMBOL,
            thads_schemas::complaint::ComplaintKind::Denunciation => DENUNCIATION_SYMBOL,
        };
        Ok(format!("{}/{symbol}", entry.number))
    }

    /// The signed answer as PDF, for staff who see the complaint.
    pub async fn document_pdf(&self, actor: &Actor, id: &str) -> Result<Vec<u8>, ComplaintError> {
        let c = self.visible(actor, id).await?;
        self.stored_pdf(&c.id).await
    }

    /// The signed answer as PDF, for its complainant.
    pub async fn citizen_pdf(
        &self,
        id: &str,
        cccd: &thads_schemas::cccd::Cccd,
    ) -> Result<Vec<u8>, ComplaintError> {
        let c = self.of_complainant(id, cccd).await?;
        self.stored_pdf(&c.id).await
    }

    /// The answer as HTML.
    pub async fn document_html(&self, actor: &Actor, id: &str) -> Result<String, ComplaintError> {
        let c = self.visible(actor, id).await?;
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT document_html FROM complaints WHERE id = $1",
        )
        .bind(&c.id)
        .fetch_one(self.db.pool())
        .await?
        .ok_or(ComplaintError::NotFound("answer"))
    }

    async fn stored_pdf(&self, id: &str) -> Result<Vec<u8>, ComplaintError> {
        sqlx::query_scalar::<_, Option<Vec<u8>>>(
            "SELECT document_pdf FROM complaints WHERE id = $1",
        )
        .bind(id)
        .fetch_one(self.db.pool())
        .await?
        .ok_or(ComplaintError::NotFound("answer"))
    }

    /// Re-checks the head's signature over the stored PDF.
    pub async fn verify(&self, actor: &Actor, id: &str) -> Result<DocumentCheck, ComplaintError> {
        let c = self.visible(actor, id).await?;
        let (Some(signer), Some(key_id), Some(recorded), Some(signature)) = (
            c.signer.clone(),
            c.signer_key_id.clone(),
            c.document_sha256.clone(),
            c.signature.clone(),
        ) else {
            return Err(ComplaintError::Refused(format!(
                "the complaint is {}; only an answered complaint carries a signature",
                c.state.as_str()
            )));
        };
        let pdf = self.stored_pdf(&c.id).await?;
        let actual = keys::sha256_hex(&pdf);
        let mut reasons = Vec::new();
        match keys::public_key(&self.db, &key_id).await? {
            Some(k) if k.username == signer => {
                if let Err(r) = keys::verify_pdf(&k.key, &pdf, &signature) {
                    reasons.push(r);
                }
            }
            Some(k) => reasons.push(format!(
                "key {key_id} belongs to {}, not {signer}",
                k.username
            )),
            None => reasons.push(format!("no public key {key_id} is on record")),
        }
        if actual != recorded {
            reasons
                .push("the stored PDF's SHA-256 differs from the one recorded at signing".into());
        }
        Ok(DocumentCheck {
            complaint_id: c.id,
            valid: reasons.is_empty(),
            signer,
            key_id,
            pdf_sha256_recorded: recorded,
            pdf_sha256_actual: actual,
            reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        })
    }
}

fn changed() -> ComplaintError {
    ComplaintError::Refused("the complaint changed meanwhile; reload it and try again".into())
}
