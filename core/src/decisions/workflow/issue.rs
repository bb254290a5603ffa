//! Issuing an approved decision (ban hành): the clerk reserves the next number of the office's
//! decision book (in its own transaction, kept for a retry), renders the final document, performs
//! `issue_decision` on the case (or, for a supplementary decision, queues the notices and closes
//! its deadlines), marks the draft issued and reports it to the court.

use time::OffsetDateTime;

use super::{kind_vi, to_json, Decisions, DraftView, NUMBER_SYMBOL};
use crate::cases::intake::add_case_event;
use crate::db::now_ms;
use crate::deadlines::store::{self as deadline_store, parse_iso, vietnam_date};
use crate::deadlines::Step;
use crate::decisions::guards::{issue_path, require_role, require_state, IssuePath};
use crate::decisions::keys;
use crate::decisions::render::{self, SignatureNote};
use crate::decisions::store::{audit, changed_meanwhile, load_case, report_to_court, Stored};
use crate::decisions::{DecisionError, DraftKind, DraftState};
use crate::lifecycle::operation::DocumentRef;
use crate::lifecycle::{Command, Operation};
use crate::registers::{self, Book};
use crate::staff::{Actor, Role};

impl Decisions {
    /// Issues an approved decision: number, date, final document, `issue_decision` on the
    /// case (notices to every party), and the report to the court.
    pub async fn issue(
        &self,
        actor: &Actor,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<DraftView, DecisionError> {
        let stored = self.visible(actor, id).await?;
        require_role(
            actor,
            Role::Clerk,
            "the clerk (văn thư) numbers and issues what the head signed",
        )?;
        if stored.state == DraftState::Issued {
            return Err(DecisionError::Refused(format!(
                "the decision was already issued as {}",
                stored.number.as_deref().unwrap_or("?")
            )));
        }
        require_state(&stored, DraftState::Approved, "issued")?;
        let mut tx = self.db.begin().await?;
        let case = load_case(&mut tx, &stored.case_id)
            .await?
            .ok_or_else(|| DecisionError::NotFound("case".into()))?;
        tx.rollback().await?;
        let path = issue_path(&case, stored.number.as_deref())?;
        self.renderer.check()?;
        let (number, issued_on) = self.reserve_number(actor, &stored, now).await?;
        let date = parse_iso(&issued_on)
            .ok_or_else(|| DecisionError::invalid("issued_on", "stored date is not ISO"))?;
        let mut content = stored.content.clone();
        content.number = Some(number.clone());
        content.date = Some(issued_on.clone());
        let note = SignatureNote {
            draft_id: stored.id.clone(),
            signer_name: content.signer_name.clone().unwrap_or_default(),
            key_id: stored.signer_key_id.clone().unwrap_or_default(),
            signed_sha256: stored.pdf_sha256.clone().unwrap_or_default(),
        };
        let html = render::html(&content, Some(&note));
        let pdf = self.renderer.pdf(&html).await?;
        if path == IssuePath::Lifecycle {
            let command = Command {
                operation: Operation::IssueDecision {
                    decision_number: number.clone(),
                },
                effective_on: Some(date),
                request_id: Some(format!("decision-draft:{id}")),
                reason: Some(format!(
                    "Ban hành quyết định thi hành án {} số {number}",
                    kind_vi(stored.kind)
                )),
                documents: vec![DocumentRef {
                    kind: "quyet_dinh_thi_hanh_an".into(),
                    number: Some(number.clone()),
                    date: Some(date),
                }],
            };
            self.lifecycle
                .perform(&stored.case_id, actor, &command, now)
                .await?;
        }
        let mut tx = self.db.begin().await?;
        if path == IssuePath::Supplementary {
            let sent = crate::lifecycle::notices::emit_decision_notices(
                &mut tx,
                &stored.case_id,
                &number,
                date,
            )
            .await?;
            add_case_event(
                &mut tx,
                &stored.case_id,
                "notices_queued",
                &format!("decision {number} sent to {sent} parties through VNeID"),
            )
            .await?;
            let steps: &[Step] = match stored.kind {
                DraftKind::ExOfficio => &[Step::DecisionExOfficio, Step::DecisionInterimMeasure],
                DraftKind::OnRequest => &[Step::DecisionOnRequest],
            };
            for step in steps {
                deadline_store::complete(&mut tx, &stored.case_id, *step, date).await?;
            }
        }
        let sha = keys::sha256_hex(&pdf);
        let updated = sqlx::query(
            "UPDATE decision_drafts SET state = 'issued', content = $2, issued_html = $3, \
             issued_pdf = $4, issued_pdf_sha256 = $5, version = version + 1, updated_at = $6 \
             WHERE id = $1 AND state = 'approved'",
        )
        .bind(id)
        .bind(to_json(&content)?)
        .bind(&html)
        .bind(&pdf)
        .bind(&sha)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            // Another clerk finished issuing it meanwhile.
            tx.rollback().await?;
            return self.view(actor, id).await;
        }
        audit(
            &mut tx,
            (id, &stored.case_id),
            "issued",
            (Some(DraftState::Approved), DraftState::Issued),
            actor,
            None,
        )
        .await?;
        report_to_court(&mut tx, &stored, &case, &number, &issued_on, &sha).await?;
        tx.commit().await?;
        self.outbox.notify();
        tracing::info!(draft = %id, case = %stored.case_id, number = %number, "decision issued");
        self.view(actor, id).await
    }

    /// Takes the next number of the office's decision book for this draft, or the one it was
    /// given by an earlier attempt.
    async fn reserve_number(
        &self,
        actor: &Actor,
        stored: &Stored,
        now: OffsetDateTime,
    ) -> Result<(String, String), DecisionError> {
        if let (Some(n), Some(on)) = (&stored.number, &stored.issued_on) {
            return Ok((n.clone(), on.clone()));
        }
        let mut tx = self.db.begin().await?;
        let entry = registers::enter(
            &mut tx,
            Book::Decision,
            stored.office.as_str(),
            vietnam_date(now),
            &stored.id,
            &format!(
                "quyết định thi hành án {} — hồ sơ {}",
                kind_vi(stored.kind),
                stored.case_id
            ),
        )
        .await?;
        let number = format!("{}/{NUMBER_SYMBOL}", entry.number);
        let updated = sqlx::query(
            "UPDATE decision_drafts SET number = $3, issued_on = $4, version = version + 1, \
             updated_at = $5 WHERE id = $1 AND version = $2 AND state = 'approved'",
        )
        .bind(&stored.id)
        .bind(stored.version)
        .bind(&number)
        .bind(&entry.entered_on)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            tx.rollback().await?;
            return Err(changed_meanwhile());
        }
        audit(
            &mut tx,
            (&stored.id, &stored.case_id),
            "numbered",
            (Some(DraftState::Approved), DraftState::Approved),
            actor,
            Some(&format!("{number} ({})", Book::Decision.title_vi())),
        )
        .await?;
        tx.commit().await?;
        Ok((number, entry.entered_on))
    }
}
