//! What staff and the complainant see of a complaint: staff of the answering office and of the
//! office complained of see it whole (the CCCD masked, as everywhere on screen); the
//! complainant, with the complaint's id and their CCCD, sees its state, its deadlines and the
//! answer. Both read the deadlines with the same statuses as the cases' (due soon, overdue).

use serde::Serialize;
use sqlx::Row;
use thads_schemas::cccd::Cccd;
use time::OffsetDateTime;

use super::rules::stored as steps;
use super::store::{self, Stored};
use super::{ComplaintError, Complaints, Outcome, State};
use crate::db::rfc3339;
use crate::deadlines::store::{parse_iso, vietnam_date, DeadlineView, Status};
use crate::decisions::content::office_names;
use crate::staff::Actor;

/// The complainant as staff see them.
#[derive(Debug, Clone, Serialize)]
pub struct ComplainantView {
    /// Name.
    pub name: String,
    /// CCCD, masked.
    pub cccd: String,
    /// Address.
    pub address: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// The signed answer.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerView {
    /// Number and symbol.
    pub number: String,
    /// Date (ISO).
    pub date: String,
    /// The finding.
    pub outcome: Outcome,
    /// The finding in Vietnamese.
    pub outcome_vi: &'static str,
    /// What the verification found.
    pub findings: Option<String>,
    /// What is decided.
    pub conclusion: Option<String>,
    /// The head who signed (sign-in name).
    pub signer: Option<String>,
    /// The head's name as printed.
    pub signer_name: Option<String>,
    /// The signing key.
    pub key_id: Option<String>,
    /// SHA-256 (hex) of the signed PDF.
    pub pdf_sha256: Option<String>,
    /// Base64 ed25519 signature over that digest.
    pub signature: Option<String>,
}

/// One step of the history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// received, accepted, refused, resolved, extended, appealed.
    pub action: String,
    /// State before.
    pub from_state: Option<String>,
    /// State after.
    pub to_state: String,
    /// Who.
    pub actor: String,
    /// Their role (`complainant` for the portal).
    pub actor_role: String,
    /// Reason or basis.
    pub detail: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

/// A complaint as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct ComplaintView {
    /// Its id (`cmp-…`).
    pub id: String,
    /// `complaint` or `denunciation`.
    pub kind: String,
    /// `online`, `reception` or `post`.
    pub channel: String,
    /// 1 for a first complaint, 2 for a second.
    pub round: i64,
    /// The first complaint a second one contests.
    pub previous_id: Option<String>,
    /// The second complaint contesting this one's answer.
    pub appealed_by: Option<String>,
    /// Where it stands.
    pub state: State,
    /// The state in Vietnamese.
    pub state_vi: &'static str,
    /// Who filed it.
    pub complainant: ComplainantView,
    /// The case.
    pub case_id: String,
    /// `officer` or `head`.
    pub against: String,
    /// The office the decision or act came from.
    pub target_office: String,
    /// The officer named.
    pub target_officer: Option<String>,
    /// The decision complained of.
    pub decision_number: Option<String>,
    /// Its date.
    pub decision_date: Option<String>,
    /// When it came relative to the measures.
    pub stage: String,
    /// What happened.
    pub subject: String,
    /// What is asked.
    pub request: Option<String>,
    /// The office whose head answers it.
    pub resolver_office: String,
    /// Why that head.
    pub routing_basis: String,
    /// Day received.
    pub received_on: String,
    /// Day accepted.
    pub accepted_on: Option<String>,
    /// Day refused.
    pub refused_on: Option<String>,
    /// Why refused.
    pub refusal_reason: Option<String>,
    /// Day answered.
    pub resolved_on: Option<String>,
    /// The answer.
    pub answer: Option<AnswerView>,
    /// Extensions of the resolution granted.
    pub extensions: i64,
    /// Acceptance and resolution deadlines.
    pub deadlines: Vec<DeadlineView>,
    /// Every step.
    pub history: Vec<HistoryEntry>,
    /// Who recorded it (`portal` for online filings).
    pub recorded_by: String,
    /// Its journey (`GET /v1/messages/{id}`).
    pub message_id: String,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
}

/// A deadline as the complainant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct CitizenDeadline {
    /// `complaint_acceptance` or `complaint_resolution`.
    pub step: String,
    /// The step in Vietnamese.
    pub title_vi: &'static str,
    /// Last day.
    pub due_on: String,
    /// Met on.
    pub done_on: Option<String>,
    /// How it stands.
    pub status: Status,
}

/// A complaint as the complainant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct CitizenView {
    /// Its id.
    pub id: String,
    /// `complaint` or `denunciation`.
    pub kind: String,
    /// 1 or 2.
    pub round: i64,
    /// Where it stands.
    pub state: State,
    /// The state in Vietnamese.
    pub state_vi: &'static str,
    /// Day received.
    pub received_on: String,
    /// Who answers it.
    pub resolver: String,
    /// The deadlines.
    pub deadlines: Vec<CitizenDeadline>,
    /// Why it was not accepted.
    pub refusal_reason: Option<String>,
    /// The answer, once signed.
    pub answer: Option<AnswerView>,
    /// What the complainant may do next.
    pub next: Option<String>,
}

impl Complaints {
    /// A complaint the actor's office answers or is complained of (404 otherwise).
    pub(super) async fn visible(&self, actor: &Actor, id: &str) -> Result<Stored, ComplaintError> {
        store::load(&self.db, id)
            .await?
            .filter(|c| {
                actor.covers_office(&c.resolver_office) || actor.covers_office(&c.target_office)
            })
            .ok_or(ComplaintError::NotFound("complaint"))
    }

    /// The complaint `id` as `actor` sees it on `now`.
    pub async fn view(
        &self,
        actor: &Actor,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<ComplaintView, ComplaintError> {
        let c = self.visible(actor, id).await?;
        self.staff_view(&c, now).await
    }

    /// The complaints of the actor's offices, newest first, optionally in one state.
    pub async fn list(
        &self,
        actor: &Actor,
        state: Option<State>,
        limit: i64,
        now: OffsetDateTime,
    ) -> Result<Vec<ComplaintView>, ComplaintError> {
        let mut out = Vec::new();
        for c in store::list(&self.db, actor, state, limit.clamp(1, 500)).await? {
            if actor.covers_office(&c.resolver_office) || actor.covers_office(&c.target_office) {
                let mut v = self.staff_view(&c, now).await?;
                v.history.clear();
                out.push(v);
            }
        }
        Ok(out)
    }

    pub(super) async fn staff_view(
        &self,
        c: &Stored,
        now: OffsetDateTime,
    ) -> Result<ComplaintView, ComplaintError> {
        let history = sqlx::query(
            "SELECT action, from_state, to_state, actor, actor_role, detail, at \
             FROM complaint_history WHERE complaint_id = $1 ORDER BY seq",
        )
        .bind(&c.id)
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
                detail: r.try_get("detail")?,
                at: rfc3339(r.try_get("at")?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(ComplaintView {
            id: c.id.clone(),
            kind: c.kind.as_str().to_string(),
            channel: c.channel.clone(),
            round: c.round,
            previous_id: c.previous_id.clone(),
            appealed_by: c.appealed_by.clone(),
            state: c.state,
            state_vi: c.state.title_vi(),
            complainant: ComplainantView {
                name: c.complainant_name.clone(),
                cccd: Cccd::parse(&c.complainant_cccd)
                    .map(|x| x.masked())
                    .unwrap_or_else(|_| "************".into()),
                address: c.complainant_address.clone(),
                phone: c.complainant_phone.clone(),
                email: c.complainant_email.clone(),
            },
            case_id: c.case_id.clone(),
            against: c.against.as_str().to_string(),
            target_office: c.target_office.to_string(),
            target_officer: c.target_officer.clone(),
            decision_number: c.decision_number.clone(),
            decision_date: c.decision_date.clone(),
            stage: c.stage.as_str().to_string(),
            subject: c.subject.clone(),
            request: c.request.clone(),
            resolver_office: c.resolver_office.to_string(),
            routing_basis: c.routing_basis.clone(),
            received_on: c.received_on.clone(),
            accepted_on: c.accepted_on.clone(),
            refused_on: c.refused_on.clone(),
            refusal_reason: c.refusal_reason.clone(),
            resolved_on: c.resolved_on.clone(),
            answer: answer_of(c),
            extensions: c.extensions,
            deadlines: self.deadlines(&c.id, now).await?,
            history,
            recorded_by: c.recorded_by.clone(),
            message_id: c.message_id.clone(),
            created_at: rfc3339(c.created_at),
        })
    }

    /// The deadlines of a complaint judged on `now`'s Vietnam date, with the cases' warning
    /// window.
    async fn deadlines(
        &self,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<DeadlineView>, sqlx::Error> {
        let today = vietnam_date(now);
        let warn = Some((
            &*self.schedule.calendar,
            self.schedule.rules.warn_working_days,
        ));
        sqlx::query(
            "SELECT step, regime, starts_on, due_on, legal_basis, done_on FROM complaint_deadlines \
             WHERE complaint_id = $1 ORDER BY starts_on, step",
        )
        .bind(id)
        .fetch_all(self.db.pool())
        .await?
        .iter()
        .map(|r| {
            let due_on: String = r.try_get("due_on")?;
            let done_on: Option<String> = r.try_get("done_on")?;
            let status = match parse_iso(&due_on) {
                Some(due) => Status::of(None, due, done_on.is_some(), today, warn),
                None => Status::Open,
            };
            Ok(DeadlineView {
                step: r.try_get("step")?,
                regime: r.try_get("regime")?,
                starts_on: r.try_get("starts_on")?,
                due_on,
                legal_basis: r.try_get("legal_basis")?,
                done_on,
                status,
            })
        })
        .collect()
    }

    /// The complaint `id` as its complainant sees it: found only with their CCCD (any other
    /// number answers as if the complaint did not exist).
    pub async fn citizen_view(
        &self,
        id: &str,
        cccd: &Cccd,
        now: OffsetDateTime,
    ) -> Result<CitizenView, ComplaintError> {
        let c = self.of_complainant(id, cccd).await?;
        let deadlines = self
            .deadlines(&c.id, now)
            .await?
            .into_iter()
            .map(|d| CitizenDeadline {
                title_vi: steps::title_vi(&d.step),
                step: d.step,
                due_on: d.due_on,
                done_on: d.done_on,
                status: d.status,
            })
            .collect();
        let (_, resolver_name, _) = office_names(c.resolver_office.as_str());
        let next = match (c.state, c.kind, c.round) {
            (State::Resolved, thads_schemas::complaint::ComplaintKind::Complaint, 1) => {
                let parent =
                    super::routing::second(&self.config.routing, &c.resolver_office).office;
                let (_, parent_name, _) = office_names(parent.as_str());
                Some(format!(
                    "Nếu không đồng ý, có thể khiếu nại lần hai đến Thủ trưởng {parent_name} trong \
                     15 ngày kể từ ngày nhận được quyết định (ghi mã {} vào đơn).",
                    c.id
                ))
            }
            (State::Received, _, _) => Some(format!(
                "Thủ trưởng {resolver_name} sẽ thụ lý hoặc trả lời không thụ lý trong thời hạn ghi dưới đây."
            )),
            _ => None,
        };
        let mut answer = answer_of(&c);
        if let Some(a) = answer.as_mut() {
            a.findings = None;
            a.signer = None;
        }
        Ok(CitizenView {
            id: c.id.clone(),
            kind: c.kind.as_str().to_string(),
            round: c.round,
            state: c.state,
            state_vi: c.state.title_vi(),
            received_on: c.received_on.clone(),
            resolver: format!("Thủ trưởng {resolver_name}"),
            deadlines,
            refusal_reason: c.refusal_reason.clone(),
            answer,
            next,
        })
    }

    /// The complaints `cccd` filed (any channel), newest first, as the complainant sees them:
    /// what the party's own page lists.
    pub async fn citizen_list(
        &self,
        cccd: &Cccd,
        now: OffsetDateTime,
    ) -> Result<Vec<CitizenView>, ComplaintError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM complaints WHERE complainant_cccd = $1 \
             ORDER BY created_at DESC, id LIMIT 500",
        )
        .bind(cccd.as_str())
        .fetch_all(self.db.pool())
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.citizen_view(&id, cccd, now).await?);
        }
        Ok(out)
    }

    /// The complaint `id` if `cccd` is its complainant's.
    pub(super) async fn of_complainant(
        &self,
        id: &str,
        cccd: &Cccd,
    ) -> Result<Stored, ComplaintError> {
        store::load(&self.db, id)
            .await?
            .filter(|c| c.complainant_cccd == cccd.as_str())
            .ok_or(ComplaintError::NotFound("complaint"))
    }
}

fn answer_of(c: &Stored) -> Option<AnswerView> {
    let (Some(number), Some(date), Some(outcome)) = (&c.document_number, &c.resolved_on, c.outcome)
    else {
        return None;
    };
    Some(AnswerView {
        number: number.clone(),
        date: date.clone(),
        outcome,
        outcome_vi: outcome.title_vi(),
        findings: c.findings.clone(),
        conclusion: c.conclusion.clone(),
        signer: c.signer.clone(),
        signer_name: c.signer_name.clone(),
        key_id: c.signer_key_id.clone(),
        pdf_sha256: c.document_sha256.clone(),
        signature: c.signature.clone(),
    })
}
