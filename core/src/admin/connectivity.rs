//! The console's "test connection" for an outbound partner: a real request to the endpoint in
//! force (the console's version, else the configuration file's), over the connector's own HTTP
//! client so that its TLS settings (extra roots, client certificate) take part in the
//! handshake. Any HTTP answer proves that the address resolves, the TCP connection opens, TLS
//! (if any) is agreed and an HTTP server answers; a 5xx counts as a failure, since the partner
//! is up but broken. Every check is recorded (who, when, the outcome) for the partner registry.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::Row;

use crate::db::{now_ms, rfc3339, Db};

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The partner.
    pub partner: String,
    /// The URL that was called.
    pub url: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who asked.
    pub checked_by: String,
    /// Whether the partner answered without a server error.
    pub ok: bool,
    /// The HTTP status it answered, if it answered.
    pub status: Option<u16>,
    /// How long the answer took.
    pub latency_ms: i64,
    /// What happened, in words.
    pub detail: String,
}

/// Calls `url` once with `client` (a `GET`, which changes nothing at the partner) within
/// `timeout`, and says what happened.
pub async fn probe(
    client: &reqwest::Client,
    partner: &str,
    url: &str,
    timeout: Duration,
    by: &str,
) -> Check {
    let started = Instant::now();
    let outcome = client
        .get(url)
        .timeout(timeout)
        .header("X-Thads-Connectivity-Check", "1")
        .send()
        .await;
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (ok, status, detail) = match outcome {
        Ok(r) => {
            let status = r.status();
            let ok = !status.is_server_error();
            let secure = if url.starts_with("https://") {
                "TLS handshake done, "
            } else {
                ""
            };
            let verdict = if ok {
                "the partner is reachable"
            } else {
                "the partner is reachable but failing"
            };
            (
                ok,
                Some(status.as_u16()),
                format!("{secure}HTTP {status} in {latency_ms} ms: {verdict}"),
            )
        }
        Err(e) => (false, None, failure(e)),
    };
    Check {
        partner: partner.to_string(),
        url: url.to_string(),
        at: rfc3339(now_ms()),
        checked_by: by.to_string(),
        ok,
        status,
        latency_ms,
        detail,
    }
}

/// A failed request in words with its causes (`connect: … Connection refused`), never the URL's
/// query.
fn failure(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = format!("{}: {e}", crate::partner_http::failure_kind(&e));
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Records a check, audited.
pub async fn record(db: &Db, c: &Check) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO partner_checks (partner, url, at, checked_by, ok, status, latency_ms, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&c.partner)
    .bind(&c.url)
    .bind(now_ms())
    .bind(&c.checked_by)
    .bind(i64::from(c.ok))
    .bind(c.status.map(i64::from))
    .bind(c.latency_ms)
    .bind(&c.detail)
    .execute(&mut *tx)
    .await?;
    crate::audit::record(
        &mut tx,
        &crate::audit::Act {
            actor: &c.checked_by,
            action: "admin.partner_check",
            subject: &c.partner,
            detail: &c.detail,
            content_hash: None,
        },
    )
    .await?;
    tx.commit().await
}

/// The newest check of every partner.
pub async fn latest(db: &Db) -> Result<BTreeMap<String, Check>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.partner, c.url, c.at, c.checked_by, c.ok, c.status, c.latency_ms, c.detail \
         FROM partner_checks c WHERE c.seq = (SELECT MAX(d.seq) FROM partner_checks d \
         WHERE d.partner = c.partner)",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let partner: String = r.try_get("partner")?;
        let status: Option<i64> = r.try_get("status")?;
        out.insert(
            partner.clone(),
            Check {
                partner,
                url: r.try_get("url")?,
                at: rfc3339(r.try_get("at")?),
                checked_by: r.try_get("checked_by")?,
                ok: r.try_get::<i64, _>("ok")? == 1,
                status: status.and_then(|s| u16::try_from(s).ok()),
                latency_ms: r.try_get("latency_ms")?,
                detail: r.try_get("detail")?,
            },
        );
    }
    Ok(out)
}
