//! Requests for enforcement filed online by a party signed in through VNeID: the party names
//! the judgment and the obligations; who asks (name, CCCD) comes from the VNeID sign-in, the
//! office and the party's side from the rules below, and the request then goes through the same
//! acceptance as one filed at reception (5-year limit, request book, receipt slip, tie to the
//! case), marked as filed via VNeID.
//!
//! Which office: the office that already holds the judgment (a case opened from it), since the
//! request is enforced there; when no office has it yet, the office the party names, which the
//! law makes the regional office where the debtor lives or has its seat.

use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::Row;
use thads_schemas::cccd::Cccd;
use thads_schemas::hash::content_hash;
use thads_schemas::validation::FieldError;
use time::OffsetDateTime;

use crate::db::Db;
use crate::deadlines::store::Schedule;
use crate::requests::{self, Accepted, Filer, RequestError};

/// What the party fills in online. The judgment and obligations have the shape of
/// `POST /v1/requests` (`docs/requests.md`); the requester is the signed-in party.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnlineRequest {
    /// The form's own id, making a resend safe; by default one request per party and judgment.
    #[serde(default)]
    pub client_reference: Option<String>,
    /// The office, when no office holds the judgment yet.
    #[serde(default)]
    pub office: Option<String>,
    /// `creditor` or `debtor`, when the party is not yet known as a party of the judgment.
    #[serde(default)]
    pub role: Option<String>,
    /// The judgment (`court_code`, `number`, `date`, `effective_date`, optional `due_date`).
    #[schema(value_type = thads_schemas::request::JudgmentRef)]
    pub judgment: Value,
    /// The obligations to enforce.
    #[schema(value_type = Vec<thads_schemas::request::RequestedObligation>)]
    pub obligations: Value,
    /// Periods not counted in the 5-year limit.
    #[serde(default)]
    #[schema(value_type = Option<Vec<thads_schemas::request::ExcludedPeriod>>)]
    pub excluded_periods: Option<Value>,
    /// The party's address for correspondence.
    #[serde(default)]
    pub address: Option<String>,
    /// E-mail for answers.
    #[serde(default)]
    pub email: Option<String>,
    /// Telephone.
    #[serde(default)]
    pub phone: Option<String>,
}

fn invalid(field: &str, reason: impl Into<String>) -> RequestError {
    RequestError::Invalid {
        errors: vec![FieldError {
            field: field.into(),
            reason: reason.into(),
        }],
        message_id: String::new(),
    }
}

/// Files `form` for party `cccd` (named `name` by VNeID, when it gives a name).
pub async fn file(
    db: &Db,
    schedule: &Schedule,
    cccd: &Cccd,
    name: Option<&str>,
    form: &OnlineRequest,
    now: OffsetDateTime,
) -> Result<Accepted, RequestError> {
    let court = form.judgment.get("court_code").and_then(Value::as_str);
    let number = form.judgment.get("number").and_then(Value::as_str);
    let (Some(court), Some(number)) = (court, number) else {
        return Err(invalid(
            "/judgment",
            "must name the court (court_code) and the judgment's number",
        ));
    };
    // The office that holds the judgment, preferring a case the party is in.
    let holding = sqlx::query(
        "SELECT c.office_code, p.role, p.name FROM cases c LEFT JOIN case_parties p \
         ON p.case_id = c.id AND p.cccd = $3 WHERE c.court_code = $1 AND c.judgment_number = $2 \
         ORDER BY p.role IS NULL, c.created_at",
    )
    .bind(court)
    .bind(number.trim())
    .bind(cccd.as_str())
    .fetch_optional(db.pool())
    .await?;
    let (office, known_role, known_name) = match &holding {
        Some(r) => (
            r.try_get::<String, _>("office_code")?,
            r.try_get::<Option<String>, _>("role")?,
            r.try_get::<Option<String>, _>("name")?,
        ),
        None => match form.office.as_deref() {
            Some(o) => (o.to_string(), None, None),
            None => {
                return Err(invalid(
                    "/office",
                    "no enforcement office holds this judgment yet: name the regional office \
                     where the debtor lives or has its seat",
                ))
            }
        },
    };
    let role = match (known_role, form.role.as_deref()) {
        (Some(known), _) if known == "creditor" || known == "debtor" => known,
        (_, Some(r)) => r.to_string(),
        _ => "creditor".to_string(),
    };
    let Some(name) = name.map(str::to_string).or(known_name) else {
        return Err(invalid(
            "/requester/name",
            "VNeID gave no name and the judgment does not list you: file at the office",
        ));
    };
    let client_reference = form.client_reference.clone().unwrap_or_else(|| {
        let h = content_hash(format!("{}\n{court}\n{}", cccd.as_str(), number.trim()).as_bytes());
        format!("vneid-{}", &h[..24.min(h.len())])
    });
    let mut requester = json!({"name": name, "role": role, "cccd": cccd.as_str()});
    for (key, value) in [
        ("address", &form.address),
        ("email", &form.email),
        ("phone", &form.phone),
    ] {
        if let Some(v) = value {
            requester[key] = Value::from(v.as_str());
        }
    }
    let mut request = json!({
        "client_reference": client_reference,
        "office": office,
        "channel": "online",
        "requester": requester,
        "judgment": form.judgment,
        "obligations": form.obligations,
    });
    if let Some(periods) = &form.excluded_periods {
        request["excluded_periods"] = periods.clone();
    }
    let body = serde_json::to_vec(&request).map_err(|e| invalid("body", e.to_string()))?;
    requests::accept_as(db, schedule, Filer::Party(cccd), &body, now).await
}

/// The requests party `cccd` filed or that name them as requester, newest first.
pub async fn requests_of(db: &Db, cccd: &Cccd) -> Result<Vec<Accepted>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM enforcement_requests WHERE requester_cccd = $1 \
         ORDER BY created_at DESC, id",
    )
    .bind(cccd.as_str())
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(a) = requests::load(db, &id).await? {
            out.push(a);
        }
    }
    Ok(out)
}

/// Request `id` when party `cccd` is its requester; `None` otherwise.
pub async fn request_of(db: &Db, cccd: &Cccd, id: &str) -> Result<Option<Accepted>, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM enforcement_requests WHERE id = $1 AND requester_cccd = $2",
    )
    .bind(id)
    .bind(cccd.as_str())
    .fetch_one(db.pool())
    .await?;
    if n == 0 {
        return Ok(None);
    }
    requests::load(db, id).await
}
