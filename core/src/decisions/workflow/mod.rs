//! The steps of a decision to enforce, each permission-checked and audited (a row in
//! `decision_draft_history` and a case event, in the step's transaction):
//!
//! | step | who | from | to |
//! |---|---|---|---|
//! | create | the head, or an officer (the case's assigned officer, or any officer of the office while none is assigned) | — | draft |
//! | edit, submit | the head, the case's officer, or the officer who drafted it | draft, rejected | same / submitted |
//! | reject {reason} | head | submitted | rejected (reason kept) |
//! | approve (render PDF, sign) | head | submitted | approved |
//! | issue (number, date, final PDF, `issue_decision`) | clerk | approved | issued |
//!
//! Issuing first reserves the next number of the office's decision book for the draft (in its
//! own transaction; a retry reuses it, so the book has no repeats), then performs
//! `issue_decision` through [`Lifecycle::perform`] with a request id derived from the draft
//! (a retry cannot act twice), and only then marks the draft issued and reports to the court.
//! A failure anywhere before the last step leaves the draft approved, with its number kept for
//! the retry.

mod issue;
mod verify;
mod views;

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::Row;

use super::content::{self, ContentPatch, DecisionContent};
use super::guards::{may_draft, require_editable, require_role, require_state, CLOSED};
use super::keys::{self, KeyVault};
use super::render::{self, Renderer};
use super::store::{audit, changed_meanwhile, load_case, load_stored, move_state, Stored};
use super::{DecisionError, DraftKind, DraftState};
use crate::db::{now_ms, rfc3339, Db};
use crate::lifecycle::Lifecycle;
use crate::outbox::OutboxSignal;
use crate::staff::{Actor, Role};

pub use verify::Verification;
pub use views::{DraftView, HistoryEntry, SignatureView};

/// The symbol after the number of every decision to enforce.
pub const NUMBER_SYMBOL: &str = "QĐ-THADS";
/// The longest rejection reason.
const MAX_REASON_CHARS: usize = 2_000;

/// The decision workflow over the database, the case lifecycle, the renderer and the heads'
/// keys.
#[derive(Debug, Clone)]
pub struct Decisions {
    db: Db,
    lifecycle: Arc<Lifecycle>,
    outbox: OutboxSignal,
    renderer: Renderer,
    secret_file: PathBuf,
}

impl Decisions {
    /// The workflow over `db`, performing operations through `lifecycle`, waking the outbox
    /// relay with `outbox`, rendering with `renderer`, opening heads' keys with the secret in
    /// `secret_file`.
    pub fn new(
        db: Db,
        lifecycle: Arc<Lifecycle>,
        outbox: OutboxSignal,
        renderer: Renderer,
        secret_file: PathBuf,
    ) -> Self {
        Self {
            db,
            lifecycle,
            outbox,
            renderer,
            secret_file,
        }
    }

    /// Drafts a decision of `kind` for case `case_id` from its data.
    pub async fn create(
        &self,
        actor: &Actor,
        case_id: &str,
        kind: DraftKind,
        request_id: Option<&str>,
    ) -> Result<DraftView, DecisionError> {
        let mut tx = self.db.begin().await?;
        let case = load_case(&mut tx, case_id)
            .await?
            .filter(|c| actor.covers_office(&c.office))
            .ok_or_else(|| DecisionError::NotFound("case".into()))?;
        may_draft(actor, &case, None)?;
        if CLOSED.contains(&case.state.as_str()) {
            return Err(DecisionError::Refused(format!(
                "the case is {}; no decision can be drafted for it",
                case.state
            )));
        }
        let content = content::build(&mut tx, case_id, kind, request_id).await?;
        let request_key = content
            .request
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT id FROM decision_drafts WHERE case_id = $1 AND kind = $2 AND request_id = $3",
        )
        .bind(case_id)
        .bind(kind.as_str())
        .bind(&request_key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(existing) = existing {
            return Err(DecisionError::Duplicate {
                kind: kind.as_str(),
                existing,
            });
        }
        let id = format!("qd-{}", uuid::Uuid::now_v7().simple());
        let html = render::html(&content, None);
        let now = now_ms();
        sqlx::query(
            "INSERT INTO decision_drafts (id, case_id, office_code, kind, request_id, state, \
             content, html, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, 0, $9, $9)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(case.office.as_str())
        .bind(kind.as_str())
        .bind(&request_key)
        .bind(to_json(&content)?)
        .bind(&html)
        .bind(&actor.username)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match e.as_database_error() {
            Some(d) if d.is_unique_violation() => DecisionError::Duplicate {
                kind: kind.as_str(),
                existing: "(drafted by someone else at the same moment)".into(),
            },
            _ => DecisionError::Db(e),
        })?;
        audit(
            &mut tx,
            (&id, case_id),
            "created",
            (None, DraftState::Draft),
            actor,
            None,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(draft = %id, case = %case_id, kind = kind.as_str(), actor = %actor.username, "decision drafted");
        self.view(actor, &id).await
    }

    /// A draft the actor's office may see.
    pub async fn view(&self, actor: &Actor, id: &str) -> Result<DraftView, DecisionError> {
        let stored = self.visible(actor, id).await?;
        let history = sqlx::query(
            "SELECT action, from_state, to_state, actor, actor_role, reason, at \
             FROM decision_draft_history WHERE draft_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(HistoryEntry {
                action: r.try_get("action")?,
                from_state: r.try_get("from_state")?,
                to_state: r.try_get("to_state")?,
                actor: r.try_get("actor")?,
                actor_role: r.try_get("actor_role")?,
                reason: r.try_get("reason")?,
                at: rfc3339(r.try_get("at")?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let signature = match (
            &stored.signer,
            &stored.signer_key_id,
            &stored.pdf_sha256,
            &stored.signature,
        ) {
            (Some(signer), Some(key_id), Some(sha), Some(sig)) => Some(SignatureView {
                signer: signer.clone(),
                key_id: key_id.clone(),
                signed_at: rfc3339(stored.signed_at.unwrap_or_default()),
                pdf_sha256: sha.clone(),
                signature: sig.clone(),
            }),
            _ => None,
        };
        Ok(DraftView {
            id: stored.id,
            case_id: stored.case_id,
            office: stored.office.as_str().to_string(),
            kind: stored.kind,
            request_id: Some(stored.request_id).filter(|r| !r.is_empty()),
            state: stored.state,
            content: stored.content,
            rejection_reason: stored.rejection_reason,
            number: stored.number,
            issued_on: stored.issued_on,
            created_by: stored.created_by,
            created_at: rfc3339(stored.created_at),
            updated_at: rfc3339(stored.updated_at),
            signature,
            issued_pdf_sha256: stored.issued_pdf_sha256,
            history,
        })
    }

    /// Corrects the fields of a draft (or a rejected draft).
    pub async fn update(
        &self,
        actor: &Actor,
        id: &str,
        patch: ContentPatch,
    ) -> Result<DraftView, DecisionError> {
        let stored = self.visible(actor, id).await?;
        let mut tx = self.db.begin().await?;
        let case = load_case(&mut tx, &stored.case_id)
            .await?
            .ok_or_else(|| DecisionError::NotFound("case".into()))?;
        may_draft(actor, &case, Some(&stored.created_by))?;
        require_editable(&stored)?;
        let mut content = stored.content.clone();
        content::apply_patch(&mut content, patch)?;
        let html = render::html(&content, None);
        let updated = sqlx::query(
            "UPDATE decision_drafts SET content = $3, html = $4, version = version + 1, \
             updated_at = $5 WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(stored.version)
        .bind(to_json(&content)?)
        .bind(&html)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(changed_meanwhile());
        }
        audit(
            &mut tx,
            (id, &stored.case_id),
            "edited",
            (Some(stored.state), stored.state),
            actor,
            None,
        )
        .await?;
        tx.commit().await?;
        self.view(actor, id).await
    }

    /// Sends a draft to the head.
    pub async fn submit(&self, actor: &Actor, id: &str) -> Result<DraftView, DecisionError> {
        let stored = self.visible(actor, id).await?;
        let mut tx = self.db.begin().await?;
        let case = load_case(&mut tx, &stored.case_id)
            .await?
            .ok_or_else(|| DecisionError::NotFound("case".into()))?;
        may_draft(actor, &case, Some(&stored.created_by))?;
        require_editable(&stored)?;
        move_state(&mut tx, &stored, DraftState::Submitted, None).await?;
        audit(
            &mut tx,
            (id, &stored.case_id),
            "submitted",
            (Some(stored.state), DraftState::Submitted),
            actor,
            None,
        )
        .await?;
        tx.commit().await?;
        self.view(actor, id).await
    }

    /// Sends a submitted draft back with the head's reason.
    pub async fn reject(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> Result<DraftView, DecisionError> {
        let stored = self.visible(actor, id).await?;
        require_role(
            actor,
            Role::Head,
            "rejecting a draft is the head's decision",
        )?;
        require_state(&stored, DraftState::Submitted, "rejected")?;
        let reason = thads_schemas::text::nfc(reason.trim());
        if reason.is_empty() {
            return Err(DecisionError::invalid(
                "reason",
                "say why the draft is sent back",
            ));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(DecisionError::invalid(
                "reason",
                format!("longer than {MAX_REASON_CHARS} characters"),
            ));
        }
        let mut tx = self.db.begin().await?;
        move_state(&mut tx, &stored, DraftState::Rejected, Some(&reason)).await?;
        audit(
            &mut tx,
            (id, &stored.case_id),
            "rejected",
            (Some(stored.state), DraftState::Rejected),
            actor,
            Some(&reason),
        )
        .await?;
        tx.commit().await?;
        self.view(actor, id).await
    }

    /// Approves a submitted draft: renders its PDF and signs the PDF's bytes with the head's
    /// key.
    pub async fn approve(&self, actor: &Actor, id: &str) -> Result<DraftView, DecisionError> {
        let stored = self.visible(actor, id).await?;
        require_role(
            actor,
            Role::Head,
            "approving and signing a decision is the head's",
        )?;
        require_state(&stored, DraftState::Submitted, "approved")?;
        self.renderer.check()?;
        if !keys::has_key(&self.db, &actor.username).await? {
            return Err(keys::StaffKeyError::NoKey(actor.username.clone()).into());
        }
        let vault = KeyVault::open(&self.secret_file)?;
        let (key_id, key) = keys::signing_key(&self.db, &vault, &actor.username).await?;
        let mut content = stored.content.clone();
        content.signer_name = Some(actor.display_name.clone());
        let html = render::html(&content, None);
        let pdf = self.renderer.pdf(&html).await?;
        let sha = keys::sha256_hex(&pdf);
        let signature = keys::sign_pdf(&key, &pdf);
        drop(key);
        let mut tx = self.db.begin().await?;
        let now = now_ms();
        let updated = sqlx::query(
            "UPDATE decision_drafts SET state = 'approved', content = $3, html = $4, pdf = $5, \
             pdf_sha256 = $6, signature = $7, signer = $8, signer_key_id = $9, signed_at = $10, \
             version = version + 1, updated_at = $10 \
             WHERE id = $1 AND version = $2 AND state = 'submitted'",
        )
        .bind(id)
        .bind(stored.version)
        .bind(to_json(&content)?)
        .bind(&html)
        .bind(&pdf)
        .bind(&sha)
        .bind(&signature)
        .bind(&actor.username)
        .bind(&key_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(changed_meanwhile());
        }
        audit(
            &mut tx,
            (id, &stored.case_id),
            "approved",
            (Some(stored.state), DraftState::Approved),
            actor,
            None,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(draft = %id, case = %stored.case_id, key_id = %key_id, "decision approved and signed");
        self.view(actor, id).await
    }

    /// The document as HTML: the issued one once issued, else the current draft.
    pub async fn html(&self, actor: &Actor, id: &str) -> Result<String, DecisionError> {
        self.visible(actor, id).await?;
        let row = sqlx::query("SELECT html, issued_html FROM decision_drafts WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.pool())
            .await?;
        let issued: Option<String> = row.try_get("issued_html")?;
        match issued {
            Some(h) => Ok(h),
            None => Ok(row.try_get("html")?),
        }
    }

    /// The document as PDF: the issued one once issued (or, with `signed`, the exact bytes the
    /// head signed), the signed one once approved, else a fresh preview of the draft.
    pub async fn pdf(
        &self,
        actor: &Actor,
        id: &str,
        signed: bool,
    ) -> Result<Vec<u8>, DecisionError> {
        let stored = self.visible(actor, id).await?;
        let row = sqlx::query("SELECT html, pdf, issued_pdf FROM decision_drafts WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.pool())
            .await?;
        let pdf: Option<Vec<u8>> = row.try_get("pdf")?;
        let issued: Option<Vec<u8>> = row.try_get("issued_pdf")?;
        match (stored.state, signed) {
            (DraftState::Issued, false) => {
                issued.ok_or_else(|| DecisionError::NotFound("PDF".into()))
            }
            (DraftState::Approved | DraftState::Issued, _) => {
                pdf.ok_or_else(|| DecisionError::NotFound("PDF".into()))
            }
            (_, true) => Err(DecisionError::Refused(
                "the draft is not signed yet; the head signs it on approval".into(),
            )),
            _ => {
                let html: String = row.try_get("html")?;
                Ok(self.renderer.pdf(&html).await?)
            }
        }
    }

    /// Loads a draft the actor's office covers (404 otherwise).
    async fn visible(&self, actor: &Actor, id: &str) -> Result<Stored, DecisionError> {
        let stored = load_stored(&self.db, id)
            .await?
            .ok_or_else(|| DecisionError::NotFound("decision draft".into()))?;
        if !actor.covers_office(&stored.office) {
            return Err(DecisionError::NotFound("decision draft".into()));
        }
        Ok(stored)
    }
}

fn kind_vi(kind: DraftKind) -> &'static str {
    match kind {
        DraftKind::ExOfficio => "chủ động",
        DraftKind::OnRequest => "theo yêu cầu",
    }
}

fn to_json(content: &DecisionContent) -> Result<String, DecisionError> {
    serde_json::to_string(content)
        .map_err(|e| DecisionError::invalid("content", format!("cannot encode: {e}")))
}
