//! Searching messages for the console: by id (or its beginning), partner, subject, case, state,
//! direction and time, newest first, a page at a time, within the offices the person covers
//! (a message is of its case's office; messages of no case, such as rejected documents and
//! unmatched payments, are for administrators only).

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{rfc3339, Db};
use crate::staff::{Actor, Role};

/// The most messages one page holds.
pub const MAX_PAGE: i64 = 500;

/// What to look for; every field narrows the search.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// A message id, or its beginning (at least 3 characters).
    pub id: Option<String>,
    /// `court:TAND79-KV1`, `bank:VCB`, `vneid`, ...
    pub partner: Option<String>,
    /// `in.court.judgment`, `out.vneid.notify`, ...
    pub subject: Option<String>,
    /// The case.
    pub case_id: Option<String>,
    /// The message's state now (`dead_lettered`, `waiting_retry`, ...).
    pub state: Option<String>,
    /// `in` or `out`.
    pub direction: Option<String>,
    /// Created at or after, Unix epoch milliseconds.
    pub from_ms: Option<i64>,
    /// Created before, Unix epoch milliseconds.
    pub to_ms: Option<i64>,
    /// Page size (default 100, at most [`MAX_PAGE`]).
    pub limit: Option<i64>,
    /// The next page: the `next` cursor of the page before.
    pub cursor: Option<String>,
    /// `json` or `csv`: how the HTTP layer answers (the search ignores it).
    pub format: Option<String>,
}

/// One message in a result list.
#[derive(Debug, Clone, Serialize)]
pub struct MessageSummary {
    /// The message id (`GET /v1/messages/{id}` gives its journey).
    pub id: String,
    /// Its subject.
    pub subject: String,
    /// `in` or `out`.
    pub direction: String,
    /// The partner.
    pub partner: String,
    /// Its state now.
    pub state: String,
    /// The case, once known.
    pub case_id: Option<String>,
    /// The case's office.
    pub office: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
    /// The last error.
    pub last_error: Option<String>,
    /// When it entered the hub (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The messages, newest first.
    pub messages: Vec<MessageSummary>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next: Option<String>,
}

/// Why a search was refused.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A filter value is not usable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The filter field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The SQL condition restricting messages to the offices `actor` covers, with its parameters
/// appended to `params`.
pub(crate) fn office_scope(actor: &Actor, params: &mut Vec<String>) -> String {
    let office = actor.office.as_str();
    if actor.role == Role::Administrator && office == "CUC" {
        return "TRUE".into();
    }
    params.push(office.to_string());
    let own = format!("c.office_code = ${}", params.len());
    if actor.role != Role::Administrator {
        return own;
    }
    let mut scope = format!("(m.case_id IS NULL OR {own}");
    if !office.contains('-') {
        params.push(format!("{office}-%"));
        scope.push_str(&format!(" OR c.office_code LIKE ${}", params.len()));
    }
    scope.push(')');
    scope
}

/// The `LIKE` pattern for ids beginning with `id`: 3 to 200 characters (not bytes: ids and
/// what people type may hold any letter), with `LIKE`'s own characters escaped.
fn id_prefix_pattern(id: &str) -> Result<String, SearchError> {
    if !(3..=200).contains(&id.chars().count()) {
        return Err(SearchError::Invalid {
            field: "id",
            reason: "give 3 to 200 characters of the id".into(),
        });
    }
    let escaped = id
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Ok(format!("{escaped}%"))
}

/// Runs a search as `actor`.
pub async fn search(db: &Db, actor: &Actor, f: &Filter) -> Result<Page, SearchError> {
    let limit = f.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(SearchError::Invalid {
            field: "limit",
            reason: format!("must be 1 to {MAX_PAGE}"),
        });
    }
    for (field, value) in [("from_ms", f.from_ms), ("to_ms", f.to_ms)] {
        if value.is_some_and(|v| v < 0) {
            return Err(SearchError::Invalid {
                field,
                reason: "must be a time in Unix epoch milliseconds, 0 or more".into(),
            });
        }
    }
    if let Some(state) = f.state.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        if crate::journey::MessageState::parse(state).is_none() {
            return Err(SearchError::Invalid {
                field: "state",
                reason: format!(
                    "{state:?} is not a message state (received, dead_lettered, delivered, ...)"
                ),
            });
        }
    }
    if let Some(d) = f
        .direction
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        if !matches!(d, "in" | "out") {
            return Err(SearchError::Invalid {
                field: "direction",
                reason: format!("{d:?} is not in or out"),
            });
        }
    }
    if let (Some(from), Some(to)) = (f.from_ms, f.to_ms) {
        if from >= to {
            return Err(SearchError::Invalid {
                field: "to_ms",
                reason: "must be after from_ms".into(),
            });
        }
    }
    let mut params: Vec<String> = Vec::new();
    let mut conds = vec![office_scope(actor, &mut params)];
    let mut text =
        |field: &'static str, value: &Option<String>, sql: &str| -> Result<(), SearchError> {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                if v.len() > 200 {
                    return Err(SearchError::Invalid {
                        field,
                        reason: "is longer than 200 characters".into(),
                    });
                }
                params.push(v.to_string());
                conds.push(sql.replace("{}", &format!("${}", params.len())));
            }
            Ok(())
        };
    text("partner", &f.partner, "m.partner = {}")?;
    text("subject", &f.subject, "m.subject = {}")?;
    text("case_id", &f.case_id, "m.case_id = {}")?;
    text("state", &f.state, "m.state = {}")?;
    text("direction", &f.direction, "m.direction = {}")?;
    if let Some(id) = f.id.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        params.push(id_prefix_pattern(id)?);
        conds.push(format!("m.id LIKE ${} ESCAPE '\\'", params.len()));
    }
    if let Some(cursor) = &f.cursor {
        let (ms, id) = cursor
            .split_once('~')
            .and_then(|(ms, id)| Some((ms.parse::<i64>().ok()?, id)))
            .ok_or(SearchError::Invalid {
                field: "cursor",
                reason: "is not a cursor this search gave".into(),
            })?;
        params.push(id.to_string());
        let id_param = params.len();
        conds.push(format!(
            "(m.created_at < {ms} OR (m.created_at = {ms} AND m.id < ${id_param}))"
        ));
    }
    let mut numbers: Vec<i64> = Vec::new();
    for (value, op) in [(f.from_ms, ">="), (f.to_ms, "<")] {
        if let Some(v) = value {
            numbers.push(v);
            conds.push(format!(
                "m.created_at {op} ${}",
                params.len() + numbers.len()
            ));
        }
    }
    let sql = format!(
        "SELECT m.id, m.subject, m.direction, m.partner, m.state, m.case_id, c.office_code, \
         m.attempts, m.last_error, m.created_at, m.updated_at FROM messages m \
         LEFT JOIN cases c ON c.id = m.case_id WHERE {} \
         ORDER BY m.created_at DESC, m.id DESC LIMIT {}",
        conds.join(" AND "),
        limit + 1
    );
    let mut query = sqlx::query(&sql);
    for p in &params {
        query = query.bind(p);
    }
    for n in &numbers {
        query = query.bind(n);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let mut messages = Vec::with_capacity(rows.len());
    let mut last = None;
    for r in rows.iter().take(limit as usize) {
        let at: i64 = r.try_get("created_at")?;
        let id: String = r.try_get("id")?;
        last = Some(format!("{at}~{id}"));
        messages.push(MessageSummary {
            id,
            subject: r.try_get("subject")?,
            direction: r.try_get("direction")?,
            partner: r.try_get("partner")?,
            state: r.try_get("state")?,
            case_id: r.try_get("case_id")?,
            office: r.try_get("office_code")?,
            attempts: r.try_get("attempts")?,
            last_error: r.try_get("last_error")?,
            created_at: rfc3339(at),
            updated_at: rfc3339(r.try_get("updated_at")?),
        });
    }
    // The cursor is the last row's (time, id), so rows of the same millisecond are neither
    // skipped nor shown twice.
    let next = (rows.len() as i64 > limit).then_some(last).flatten();
    Ok(Page { messages, next })
}

#[cfg(test)]
mod tests {
    use super::id_prefix_pattern;

    #[test]
    fn an_id_prefix_counts_characters_not_bytes() {
        // Two characters of six bytes were taken as long enough (found by schemathesis).
        assert!(id_prefix_pattern("´\u{8e90f}").is_err());
        assert!(id_prefix_pattern("ab").is_err());
        assert_eq!(id_prefix_pattern("jdg").ok().as_deref(), Some("jdg%"));
        assert_eq!(id_prefix_pattern("ĐƯỜ").ok().as_deref(), Some("ĐƯỜ%"));
        assert!(id_prefix_pattern(&"x".repeat(201)).is_err());
    }

    #[test]
    fn like_wildcards_in_an_id_are_taken_literally() {
        assert_eq!(
            id_prefix_pattern("a_b%c").ok().as_deref(),
            Some("a\\_b\\%c%")
        );
    }
}
