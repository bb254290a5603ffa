//! Receiving a complaint or denunciation: from staff (reception, post), from the party
//! portal on the complainant's behalf, or from the complainant signed in with VNeID (both
//! online). The filing is validated (a refused one is kept with its reasons, like any
//! rejected input), tied to its case, routed to the competent head, and given its acceptance
//! deadline, all in one transaction with its journey on `in.citizen.complaint`. The same
//! client reference from the same source names the same complaint, so a resend is safe.

use serde::Serialize;
use sqlx::Row;
use thads_schemas::complaint::{ComplaintChannel, ComplaintFiling, ComplaintKind};
use thads_schemas::hash::content_hash;
use thads_schemas::office::OfficeCode;
use thads_schemas::subjects;
use thads_schemas::validation::ValidationErrors;
use time::OffsetDateTime;

use super::routing::{self, Route};
use super::rules::{stored, ComplaintStep};
use super::source::with_party_identity;
pub use super::source::Source;
use super::store::{self, Stored};
use super::view::ComplaintView;
use super::{ComplaintError, Complaints, State};
use crate::db::now_ms;
use crate::deadlines::store::{parse_iso, vietnam_date};
use crate::journey::{self, Direction, MessageState, NewMessage};
use crate::staff::Role;

/// The answer to a filing.
#[derive(Debug, Clone, Serialize)]
pub struct Filed {
    /// The complaint as staff see it.
    pub complaint: ComplaintView,
    /// True when this answers a resend of the same filing.
    pub duplicate: bool,
}

/// The id of a filing: derived from its source and the filer's reference.
pub fn complaint_id_for(source: &str, client_reference: &str) -> String {
    let h = content_hash(format!("{source}\n{client_reference}").as_bytes());
    format!("cmp-{}", &h[..24.min(h.len())])
}

impl Complaints {
    /// Receives a filing from `source` at `now`.
    pub async fn file(
        &self,
        source: Source<'_>,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<Filed, ComplaintError> {
        if let Source::Staff(actor) = source {
            if actor.role == Role::Administrator {
                return Err(ComplaintError::Forbidden(
                    "administrators do no casework; a clerk, officer or head records complaints"
                        .into(),
                ));
            }
        }
        let hash = content_hash(body);
        let parsed = match source {
            Source::Party { cccd, name } => with_party_identity(body, cccd, name)
                .and_then(|filled| ComplaintFiling::from_json(&filled)),
            _ => ComplaintFiling::from_json(body),
        };
        let filing = match parsed {
            Ok(f) => f,
            Err(errors) => return Err(self.keep_refused(&source, body, &hash, errors).await?),
        };
        let id = complaint_id_for(&source.key(), &filing.client_reference);
        if let Some(found) = self.existing(&id, &hash).await? {
            return Ok(Filed {
                complaint: found,
                duplicate: true,
            });
        }
        let today = vietnam_date(now);
        let mut errors = ValidationErrors::new();
        match (source.is_online(), filing.channel) {
            (true, ComplaintChannel::Online)
            | (false, ComplaintChannel::Reception | ComplaintChannel::Post) => {}
            (true, _) => errors.push("/channel", "complaints filed online have channel online"),
            (false, _) => errors.push(
                "/channel",
                "staff record complaints received at reception or by post",
            ),
        }
        let received_on = filing.received_on.unwrap_or(today);
        if received_on > today {
            errors.push("/received_on", format!("{received_on} is in the future"));
        }
        let case_office: Option<String> =
            sqlx::query_scalar("SELECT office_code FROM cases WHERE id = $1")
                .bind(&filing.target.case_id)
                .fetch_optional(self.db.pool())
                .await?;
        let case_office = case_office.and_then(|o| OfficeCode::parse(&o).ok());
        if let Source::Staff(actor) = source {
            // Staff reach the cases of their office and of the offices under theirs; another
            // office's case is answered like a case that does not exist.
            let reaches = case_office
                .as_ref()
                .is_some_and(|o| actor.covers_office(o) || self.is_above(&actor.office, o));
            if !reaches {
                return Err(ComplaintError::NotFound("case"));
            }
        }
        if let Source::Party { cccd, .. } = source {
            // A complaint (khiếu nại) is a party's own: only the case's parties may file one,
            // and another person's case is answered exactly like one that does not exist.
            // Anyone may denounce (tố cáo) an unlawful act.
            if filing.kind == ComplaintKind::Complaint
                && (case_office.is_none()
                    || crate::portal::view::refs_in_case(&self.db, &filing.target.case_id, cccd)
                        .await?
                        .is_empty())
            {
                errors.push(
                    "/target/case_id",
                    "no case with this id in which you are a party",
                );
                return Err(self.keep_refused(&source, body, &hash, errors).await?);
            }
        }
        let Some(case_office) = case_office else {
            errors.push("/target/case_id", "no case with this id");
            return Err(self.keep_refused(&source, body, &hash, errors).await?);
        };
        let previous = match &filing.previous_complaint_id {
            Some(p) => self.check_previous(p, &filing, &mut errors).await?,
            None => None,
        };
        if let Some(officer) = &filing.target.officer {
            let office: Option<String> =
                sqlx::query_scalar("SELECT office_code FROM staff_accounts WHERE username = $1")
                    .bind(officer)
                    .fetch_optional(self.db.pool())
                    .await?;
            if office.as_deref() != Some(case_office.as_str()) {
                errors.push(
                    "/target/officer",
                    format!("no member of staff of {case_office} has this sign-in name"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(self.keep_refused(&source, body, &hash, errors).await?);
        }
        let route = match &previous {
            Some(p) => routing::second(&self.config.routing, &p.resolver_office),
            None => routing::first(
                &self.config.routing,
                filing.kind,
                filing.target.against,
                &case_office,
            ),
        };
        self.insert(
            &id,
            (&source, &hash, body),
            &filing,
            (&case_office, &route),
            previous.as_ref(),
            received_on,
        )
        .await?;
        self.metrics
            .received(subjects::IN_CITIZEN_COMPLAINT, "accepted");
        tracing::info!(complaint = %id, resolver = %route.office, kind = filing.kind.as_str(), "complaint received");
        let stored = store::load(&self.db, &id)
            .await?
            .ok_or(ComplaintError::NotFound("complaint"))?;
        Ok(Filed {
            complaint: self.staff_view(&stored, now).await?,
            duplicate: false,
        })
    }

    /// Whether `upper` is an office above `office` in the hierarchy.
    fn is_above(&self, upper: &OfficeCode, office: &OfficeCode) -> bool {
        let mut at = routing::parent(&self.config.routing, office);
        for _ in 0..4 {
            match at {
                Some(p) if &p == upper => return true,
                Some(p) => at = routing::parent(&self.config.routing, &p),
                None => return false,
            }
        }
        false
    }

    async fn insert(
        &self,
        id: &str,
        (source, hash, body): (&Source<'_>, &str, &[u8]),
        f: &ComplaintFiling,
        (case_office, route): (&OfficeCode, &Route),
        previous: Option<&Stored>,
        received_on: time::Date,
    ) -> Result<(), ComplaintError> {
        let recorded_by = match source {
            Source::Staff(a) => a.username.clone(),
            Source::Portal => "portal".to_string(),
            Source::Party { .. } => "vneid".to_string(),
        };
        let mut tx = self.db.begin().await?;
        let inserted = journey::insert(
            &mut tx,
            &NewMessage {
                id,
                subject: subjects::IN_CITIZEN_COMPLAINT,
                direction: Direction::In,
                partner: &source.partner(),
                receipt_id: Some(id),
                content_hash: hash,
                content_type: "application/json",
                payload: body,
                case_id: Some(&f.target.case_id),
                parent_id: None,
            },
            MessageState::Received,
            Some(&format!(
                "{} filed ({})",
                f.kind.as_str(),
                f.channel.as_str()
            )),
        )
        .await?;
        if !inserted {
            tx.rollback().await?;
            return Err(ComplaintError::Conflict(f.client_reference.clone()));
        }
        let now = now_ms();
        let round = previous.map_or(1, |p| p.round + 1);
        sqlx::query(
            "INSERT INTO complaints (id, client_reference, source, kind, channel, round, \
             previous_id, complainant_name, complainant_cccd, complainant_address, \
             complainant_phone, complainant_email, case_id, against, target_office, \
             target_officer, decision_number, decision_date, stage, subject, request, \
             resolver_office, routing_basis, received_on, state, recorded_by, message_id, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, 'received', $25, $1, \
             $26, $26)",
        )
        .bind(id)
        .bind(&f.client_reference)
        .bind(source.key())
        .bind(f.kind.as_str())
        .bind(f.channel.as_str())
        .bind(round)
        .bind(previous.map(|p| p.id.clone()))
        .bind(f.complainant.name.as_str())
        .bind(f.complainant.cccd.as_str())
        .bind(
            f.complainant
                .address
                .as_ref()
                .map(|a| a.as_str().to_string()),
        )
        .bind(f.complainant.phone.clone())
        .bind(f.complainant.email.clone())
        .bind(&f.target.case_id)
        .bind(f.target.against.as_str())
        .bind(case_office.as_str())
        .bind(f.target.officer.clone())
        .bind(
            f.target
                .decision_number
                .as_deref()
                .map(thads_schemas::text::nfc),
        )
        .bind(f.target.decision_date.map(|d| d.to_string()))
        .bind(f.stage.as_str())
        .bind(f.subject.as_str())
        .bind(f.request.as_ref().map(|r| r.as_str().to_string()))
        .bind(route.office.as_str())
        .bind(&route.basis)
        .bind(received_on.to_string())
        .bind(&recorded_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let stored = store::load_in(&mut tx, id)
            .await?
            .ok_or(ComplaintError::NotFound("complaint"))?;
        store::record_step(
            &mut tx,
            &stored,
            "received",
            State::Received,
            (&recorded_by, source_role(source)),
            Some(&route.basis),
        )
        .await?;
        store::start_deadline(
            &mut tx,
            (&self.schedule, &self.rules),
            id,
            stored::ACCEPTANCE,
            ComplaintStep::acceptance(f.kind),
            received_on,
        )
        .await?;
        if let Some(p) = previous {
            let moved = store::move_state(
                &mut tx,
                p,
                State::Appealed,
                "appealed_by = $4",
                vec![Some(id.to_string())],
            )
            .await?;
            if !moved {
                return Err(ComplaintError::Refused(
                    "the first complaint changed meanwhile; try again".into(),
                ));
            }
            store::record_step(
                &mut tx,
                p,
                "appealed",
                State::Appealed,
                (&recorded_by, source_role(source)),
                Some(&format!("khiếu nại lần hai {id}")),
            )
            .await?;
        }
        journey::advance(
            &mut tx,
            id,
            MessageState::Accepted,
            Some(&format!("routed to the head of {}", route.office)),
        )
        .await
        .map_err(sqlx::Error::from)?;
        tx.commit().await?;
        Ok(())
    }

    /// A second complaint must contest a resolved first complaint of the same complainant.
    async fn check_previous(
        &self,
        previous_id: &str,
        filing: &ComplaintFiling,
        errors: &mut ValidationErrors,
    ) -> Result<Option<Stored>, ComplaintError> {
        let field = "/previous_complaint_id";
        let Some(p) = store::load(&self.db, previous_id).await? else {
            errors.push(field, "no complaint with this id");
            return Ok(None);
        };
        if p.complainant_cccd != filing.complainant.cccd.as_str() {
            // Same answer as an unknown id: the id does not reveal another person's complaint.
            errors.push(field, "no complaint with this id");
            return Ok(None);
        }
        if p.kind != ComplaintKind::Complaint || p.round >= 2 {
            errors.push(
                field,
                "only the answer to a first complaint can be contested by a second complaint",
            );
        } else if p.state != State::Resolved {
            errors.push(
                field,
                format!(
                    "the first complaint is {}; a second complaint contests its answer",
                    p.state.as_str()
                ),
            );
        }
        if p.case_id != filing.target.case_id {
            errors.push("/target/case_id", "must be the first complaint's case");
        }
        Ok(Some(p))
    }

    /// The stored answer for a resend of the same bytes; a conflict for different bytes.
    async fn existing(
        &self,
        id: &str,
        hash: &str,
    ) -> Result<Option<ComplaintView>, ComplaintError> {
        let Some(row) = sqlx::query("SELECT content_hash FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?
        else {
            return Ok(None);
        };
        let stored_hash: String = row.try_get("content_hash")?;
        let Some(c) = store::load(&self.db, id).await? else {
            return Ok(None);
        };
        if stored_hash != hash {
            return Err(ComplaintError::Conflict(id.to_string()));
        }
        Ok(Some(self.staff_view(&c, OffsetDateTime::now_utc()).await?))
    }

    /// Keeps refused bytes with the reasons and builds the error.
    async fn keep_refused(
        &self,
        source: &Source<'_>,
        body: &[u8],
        hash: &str,
        errors: ValidationErrors,
    ) -> Result<ComplaintError, sqlx::Error> {
        let message_id = format!("rej-{}", &hash[..24.min(hash.len())]);
        let reason = errors
            .0
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; ");
        journey::record_rejected(
            &self.db,
            &NewMessage {
                id: &message_id,
                subject: subjects::IN_CITIZEN_COMPLAINT,
                direction: Direction::In,
                partner: &source.partner(),
                receipt_id: None,
                content_hash: hash,
                content_type: "application/json",
                payload: body,
                case_id: None,
                parent_id: None,
            },
            &reason,
        )
        .await?;
        self.metrics
            .received(subjects::IN_CITIZEN_COMPLAINT, "rejected");
        Ok(ComplaintError::Invalid {
            errors: errors.0,
            message_id: Some(message_id),
        })
    }
}

fn source_role(source: &Source<'_>) -> &'static str {
    match source {
        Source::Staff(a) => a.role.as_str(),
        Source::Portal | Source::Party { .. } => "complainant",
    }
}

/// A date given on a step, or today: never in the future, never before `not_before`.
pub(super) fn step_date(
    field: &str,
    given: Option<time::Date>,
    today: time::Date,
    not_before: &str,
) -> Result<time::Date, ComplaintError> {
    let day = given.unwrap_or(today);
    if day > today {
        return Err(ComplaintError::invalid(
            field,
            format!("{day} is in the future"),
        ));
    }
    if let Some(min) = parse_iso(not_before) {
        if day < min {
            return Err(ComplaintError::invalid(
                field,
                format!("{day} is before {min}, when the previous step happened"),
            ));
        }
    }
    Ok(day)
}
