//! The citizen reception log (sổ tiếp công dân): each visit to an office — who came (and how
//! many), when, which member of staff received them, what it was about, how it ended, and the
//! complaint it gave rise to, if any. Staff record and list their own office's visits;
//! administrators above it list them too.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use thads_schemas::cccd::Cccd;
use thads_schemas::text::PersonalText;
use thads_schemas::validation::ValidationErrors;
use time::{Date, OffsetDateTime};

use super::{ComplaintError, Complaints};
use crate::db::{now_ms, rfc3339};
use crate::deadlines::store::vietnam_date;
use crate::staff::{Actor, Role};

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitOutcome {
    /// Told what the law says or how the case stands (giải thích, hướng dẫn).
    Guided,
    /// A complaint or denunciation was recorded (name it in `complaint_id`).
    ComplaintFiled,
    /// A request for enforcement was received.
    RequestFiled,
    /// Sent to the competent body (chuyển đơn, hướng dẫn đến cơ quan có thẩm quyền).
    Referred,
    /// Anything else (say what in `outcome_note`).
    Other,
}

impl VisitOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Guided => "guided",
            Self::ComplaintFiled => "complaint_filed",
            Self::RequestFiled => "request_filed",
            Self::Referred => "referred",
            Self::Other => "other",
        }
    }
}

/// A visit as recorded.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// The visitor's name.
    pub visitor_name: PersonalText,
    /// Their CCCD, when shown.
    #[serde(default)]
    pub visitor_cccd: Option<Cccd>,
    /// How many came together (đoàn đông người); 1 when absent.
    #[serde(default)]
    pub visitors: Option<u32>,
    /// The day of the visit; today when absent.
    #[serde(default, with = "thads_schemas::bank::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub visited_on: Option<Date>,
    /// The member of staff who received them (sign-in name); the recorder when absent.
    #[serde(default)]
    pub received_by: Option<String>,
    /// What it was about.
    pub subject: PersonalText,
    /// How it ended.
    pub outcome: VisitOutcome,
    /// More on the outcome.
    #[serde(default)]
    pub outcome_note: Option<PersonalText>,
    /// The case it concerned.
    #[serde(default)]
    pub case_id: Option<String>,
    /// The complaint recorded at the visit.
    #[serde(default)]
    pub complaint_id: Option<String>,
}

/// A visit as listed.
#[derive(Debug, Clone, Serialize)]
pub struct Visit {
    /// Its id (`tcd-…`).
    pub id: String,
    /// The office.
    pub office: String,
    /// The day.
    pub visited_on: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// The visitor.
    pub visitor_name: String,
    /// Their CCCD, masked.
    pub visitor_cccd: Option<String>,
    /// How many came.
    pub visitors: i64,
    /// Who received them.
    pub received_by: String,
    /// What it was about.
    pub subject: String,
    /// How it ended.
    pub outcome: String,
    /// More on the outcome.
    pub outcome_note: Option<String>,
    /// The case.
    pub case_id: Option<String>,
    /// The complaint filed.
    pub complaint_id: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
}

impl Complaints {
    /// Records a visit to `actor`'s office.
    pub async fn record_visit(
        &self,
        actor: &Actor,
        v: NewVisit,
        now: OffsetDateTime,
    ) -> Result<Visit, ComplaintError> {
        if actor.role == Role::Administrator {
            return Err(ComplaintError::Forbidden(
                "administrators do no casework; the office's staff record reception visits".into(),
            ));
        }
        let today = vietnam_date(now);
        let mut e = ValidationErrors::new();
        let day = v.visited_on.unwrap_or(today);
        if day > today {
            e.push("/visited_on", format!("{day} is in the future"));
        }
        for (field, t, max) in [
            ("/visitor_name", Some(&v.visitor_name), 200),
            ("/subject", Some(&v.subject), 4000),
            ("/outcome_note", v.outcome_note.as_ref(), 4000),
        ] {
            if let Some(t) = t {
                if t.as_str().trim().is_empty() || t.char_count() > max {
                    e.push(field, format!("must be 1 to {max} characters"));
                }
            }
        }
        if v.visitors == Some(0) {
            e.push("/visitors", "at least 1");
        }
        let received_by = v
            .received_by
            .clone()
            .unwrap_or_else(|| actor.username.clone());
        let office: Option<String> =
            sqlx::query_scalar("SELECT office_code FROM staff_accounts WHERE username = $1")
                .bind(&received_by)
                .fetch_optional(self.db.pool())
                .await?;
        if office.as_deref() != Some(actor.office.as_str()) {
            e.push(
                "/received_by",
                format!(
                    "no member of staff of {} has this sign-in name",
                    actor.office
                ),
            );
        }
        if let Some(case_id) = &v.case_id {
            let office: Option<String> =
                sqlx::query_scalar("SELECT office_code FROM cases WHERE id = $1")
                    .bind(case_id)
                    .fetch_optional(self.db.pool())
                    .await?;
            if office.is_none() {
                e.push("/case_id", "no case with this id");
            }
        }
        match (&v.complaint_id, v.outcome) {
            (Some(id), _) => {
                if self.visible(actor, id).await.is_err() {
                    e.push("/complaint_id", "no complaint of this office with this id");
                }
            }
            (None, VisitOutcome::ComplaintFiled) => {
                e.push("/complaint_id", "name the complaint recorded at the visit");
            }
            (None, _) => {}
        }
        if !e.is_empty() {
            return Err(ComplaintError::Invalid {
                errors: e.0,
                message_id: None,
            });
        }
        let id = format!("tcd-{}", &uuid::Uuid::now_v7().simple().to_string()[..24]);
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO reception_visits (id, office_code, visited_at, visited_on, visitor_name, \
             visitor_cccd, visitors, received_by, subject, outcome, outcome_note, case_id, \
             complaint_id, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $3)",
        )
        .bind(&id)
        .bind(actor.office.as_str())
        .bind(now_ms())
        .bind(day.to_string())
        .bind(v.visitor_name.as_str())
        .bind(v.visitor_cccd.as_ref().map(|c| c.as_str().to_string()))
        .bind(i64::from(v.visitors.unwrap_or(1)))
        .bind(&received_by)
        .bind(v.subject.as_str())
        .bind(v.outcome.as_str())
        .bind(v.outcome_note.as_ref().map(|n| n.as_str().to_string()))
        .bind(v.case_id.clone())
        .bind(v.complaint_id.clone())
        .bind(&actor.username)
        .execute(&mut *tx)
        .await?;
        crate::audit::record(
            &mut tx,
            &crate::audit::Act {
                actor: &actor.username,
                action: "reception.visit",
                subject: &id,
                detail: &format!("{} ({})", v.outcome.as_str(), actor.office),
                content_hash: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.visits(actor, None, None, Some(&id))
            .await?
            .into_iter()
            .next()
            .ok_or(ComplaintError::NotFound("visit"))
    }

    /// The visits of the offices `actor` sees between `from` and `to` (days included), newest
    /// first; or the one visit `id`.
    pub async fn visits(
        &self,
        actor: &Actor,
        from: Option<Date>,
        to: Option<Date>,
        id: Option<&str>,
    ) -> Result<Vec<Visit>, ComplaintError> {
        let (exact, prefix, all) = super::store::scope_of(actor);
        let rows = sqlx::query(
            "SELECT id, office_code, visited_at, visited_on, visitor_name, visitor_cccd, visitors, \
             received_by, subject, outcome, outcome_note, case_id, complaint_id, recorded_by \
             FROM reception_visits WHERE ($1 = 1 OR office_code = $2 OR ($3 <> '' AND office_code LIKE $3)) \
             AND ($4 = '' OR visited_on >= $4) AND ($5 = '' OR visited_on <= $5) AND ($6 = '' OR id = $6) \
             ORDER BY visited_on DESC, visited_at DESC LIMIT 1000",
        )
        .bind(all)
        .bind(exact)
        .bind(prefix)
        .bind(from.map(|d| d.to_string()).unwrap_or_default())
        .bind(to.map(|d| d.to_string()).unwrap_or_default())
        .bind(id.unwrap_or_default())
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let cccd: Option<String> = r.try_get("visitor_cccd")?;
                Ok(Visit {
                    id: r.try_get("id")?,
                    office: r.try_get("office_code")?,
                    visited_on: r.try_get("visited_on")?,
                    recorded_at: rfc3339(r.try_get("visited_at")?),
                    visitor_name: r.try_get("visitor_name")?,
                    visitor_cccd: cccd
                        .map(|c| Cccd::parse(&c).map(|x| x.masked()).unwrap_or_default()),
                    visitors: r.try_get("visitors")?,
                    received_by: r.try_get("received_by")?,
                    subject: r.try_get("subject")?,
                    outcome: r.try_get("outcome")?,
                    outcome_note: r.try_get("outcome_note")?,
                    case_id: r.try_get("case_id")?,
                    complaint_id: r.try_get("complaint_id")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(Into::into)
    }
}
