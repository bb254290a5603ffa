//! Alerts for the people who run the hub: a partner failing, the dead-letter queue growing,
//! repeated sign-in failures, and certificates expiring within 60 days or expired. They are
//! evaluated from the store (the same on every hub process), kept in `alerts` while they last
//! (so each is raised and mailed once, and its end is recorded), shown on the console, and
//! e-mailed to every administrator with an address when they are first raised.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use sqlx::Row;
use tokio_util::sync::CancellationToken;

use super::health;
use crate::db::{now_ms, rfc3339, Db};
use crate::mail::Mailer;
use crate::metrics::Metrics;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
/// Certificates are flagged this long before they expire.
pub const CERTIFICATE_WARNING_DAYS: i64 = 60;

/// One alert.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alert {
    /// Stable key: the kind and subject (`partner_failing:bank:VCB`).
    pub key: String,
    /// `partner_failing`, `dlq_growing`, `signin_failures`, `certificate_expiring`,
    /// `certificate_expired`.
    pub kind: String,
    /// What it is about (a partner, a username, a certificate).
    pub subject: String,
    /// `critical` or `warning`.
    pub severity: String,
    /// What is wrong and what to do, in words.
    pub detail: String,
    /// When it was first raised (RFC 3339), once recorded.
    pub since: Option<String>,
    /// The administrator who acknowledged it (it stays listed while it lasts).
    pub acknowledged_by: Option<String>,
    /// When (RFC 3339).
    pub acknowledged_at: Option<String>,
}

fn alert(kind: &str, subject: &str, severity: &str, detail: String) -> Alert {
    Alert {
        key: format!("{kind}:{subject}"),
        kind: kind.into(),
        subject: subject.into(),
        severity: severity.into(),
        detail,
        since: None,
        acknowledged_by: None,
        acknowledged_at: None,
    }
}

/// A certificate the hub knows, for the expiry check: what it is and when it ends.
#[derive(Debug, Clone)]
pub struct KnownCertificate {
    /// What it is (`hub TLS server certificate`, `partner court:TAND79-KV1 (fingerprint …)`).
    pub name: String,
    /// Its `notAfter`, Unix epoch milliseconds.
    pub not_after_ms: i64,
}

/// The alerts that hold at `now`.
pub async fn evaluate(
    db: &Db,
    now: i64,
    circuits: &BTreeMap<String, i64>,
    certificates: &[KnownCertificate],
) -> Result<Vec<Alert>, sqlx::Error> {
    let mut out = Vec::new();
    for h in health::partners(db, now - HOUR, circuits).await? {
        let total = h.messages_in + h.messages_out;
        if h.circuit.as_deref() == Some("open") {
            out.push(alert(
                "partner_failing",
                &h.partner,
                "critical",
                format!(
                    "{}: the circuit is open, the hub has stopped calling it for now ({} failed of {total} in the last hour)",
                    h.partner, h.failed
                ),
            ));
        } else if h.failed >= 2 && h.error_rate >= 0.5 {
            out.push(alert(
                "partner_failing",
                &h.partner,
                "critical",
                format!(
                    "{}: {} of {total} messages failed in the last hour ({:.0} %); {} wait for a retry",
                    h.partner,
                    h.failed,
                    h.error_rate * 100.0,
                    h.retry_backlog
                ),
            ));
        }
    }
    let dlq = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS depth, \
         CAST(SUM(CASE WHEN dead_at >= $1 THEN 1 ELSE 0 END) AS BIGINT) AS fresh \
         FROM dead_letters WHERE replayed_at IS NULL AND discarded_at IS NULL",
    )
    .bind(now - HOUR)
    .fetch_one(db.pool())
    .await?;
    let depth: i64 = dlq.try_get("depth")?;
    let fresh: i64 = dlq.try_get::<Option<i64>, _>("fresh")?.unwrap_or(0);
    if fresh > 0 {
        out.push(alert(
            "dlq_growing",
            "dlq",
            if fresh >= 10 { "critical" } else { "warning" },
            format!("{fresh} new dead letters in the last hour, {depth} waiting: look at the reasons and replay or discard them"),
        ));
    }
    let signins = sqlx::query(
        "SELECT username, CAST(COUNT(*) AS BIGINT) AS n FROM staff_signins \
         WHERE at >= $1 AND outcome <> 'ok' GROUP BY username",
    )
    .bind(now - 15 * MINUTE)
    .fetch_all(db.pool())
    .await?;
    let mut all = 0;
    for r in &signins {
        let n: i64 = r.try_get("n")?;
        all += n;
        let username: String = r.try_get("username")?;
        if n >= 5 {
            out.push(alert(
                "signin_failures",
                &username,
                "warning",
                format!("{n} failed sign-ins for {username} in the last 15 minutes"),
            ));
        }
    }
    if all >= 20 {
        out.push(alert(
            "signin_failures",
            "*",
            "critical",
            format!("{all} failed sign-ins in the last 15 minutes across accounts: someone may be guessing passwords"),
        ));
    }
    for c in certificates {
        let days = (c.not_after_ms - now).div_euclid(24 * HOUR);
        if c.not_after_ms <= now {
            out.push(alert(
                "certificate_expired",
                &c.name,
                "critical",
                format!("{} expired on {}", c.name, rfc3339(c.not_after_ms)),
            ));
        } else if days < CERTIFICATE_WARNING_DAYS {
            out.push(alert(
                "certificate_expiring",
                &c.name,
                "warning",
                format!(
                    "{} expires on {} ({days} days): renew it",
                    c.name,
                    rfc3339(c.not_after_ms)
                ),
            ));
        }
    }
    Ok(out)
}

/// Records `current` as the alerts holding at `now`: new ones are inserted, lasting ones
/// touched, those gone marked resolved. Returns the current alerts with their `since`, and
/// the ones not mailed yet.
pub async fn record(
    db: &Db,
    current: Vec<Alert>,
    now: i64,
) -> Result<(Vec<Alert>, Vec<Alert>), sqlx::Error> {
    let mut tx = db.begin().await?;
    for a in &current {
        sqlx::query(
            "INSERT INTO alerts (alert_key, kind, subject, detail, first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (alert_key) DO UPDATE SET \
             detail = excluded.detail, last_seen = excluded.last_seen, \
             first_seen = CASE WHEN alerts.resolved_at IS NULL THEN alerts.first_seen ELSE excluded.first_seen END, \
             mailed_at = CASE WHEN alerts.resolved_at IS NULL THEN alerts.mailed_at ELSE NULL END, \
             acknowledged_at = CASE WHEN alerts.resolved_at IS NULL THEN alerts.acknowledged_at ELSE NULL END, \
             acknowledged_by = CASE WHEN alerts.resolved_at IS NULL THEN alerts.acknowledged_by ELSE NULL END, \
             resolved_at = NULL",
        )
        .bind(&a.key)
        .bind(&a.kind)
        .bind(&a.subject)
        .bind(&a.detail)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE alerts SET resolved_at = $1 WHERE resolved_at IS NULL AND last_seen < $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let rows = sqlx::query(
        "SELECT alert_key, first_seen, mailed_at, acknowledged_at, acknowledged_by FROM alerts \
         WHERE resolved_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut stored = BTreeMap::new();
    for r in &rows {
        let key: String = r.try_get("alert_key")?;
        stored.insert(
            key,
            (
                r.try_get::<i64, _>("first_seen")?,
                r.try_get::<Option<i64>, _>("mailed_at")?,
                r.try_get::<Option<i64>, _>("acknowledged_at")?,
                r.try_get::<Option<String>, _>("acknowledged_by")?,
            ),
        );
    }
    let mut unmailed = Vec::new();
    let current: Vec<Alert> = current
        .into_iter()
        .map(|mut a| {
            if let Some((first, mailed, acked_at, acked_by)) = stored.get(&a.key) {
                a.since = Some(rfc3339(*first));
                a.acknowledged_at = acked_at.map(rfc3339);
                a.acknowledged_by = acked_by.clone();
                if mailed.is_none() {
                    unmailed.push(a.clone());
                }
            }
            a
        })
        .collect();
    Ok((current, unmailed))
}

/// Acknowledges the alert `key` as `actor` (audited): it stays listed while it lasts, marked
/// with who saw it, and is acknowledged afresh if it ends and comes back. `false` when no
/// such alert holds now.
pub async fn acknowledge(db: &Db, actor: &str, key: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "UPDATE alerts SET acknowledged_at = $2, acknowledged_by = $3 \
         WHERE alert_key = $1 AND resolved_at IS NULL",
    )
    .bind(key)
    .bind(now_ms())
    .bind(actor)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    crate::audit::record(
        &mut tx,
        &crate::audit::Act {
            actor,
            action: "admin.alert_acknowledged",
            subject: key,
            detail: "alert acknowledged",
            content_hash: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Where the watcher looks for certificates (the TLS files and partners' certificates).
pub type CertificateSource = Arc<dyn Fn() -> Vec<KnownCertificate> + Send + Sync>;

/// Evaluates and records alerts every minute and mails new ones to the administrators.
pub struct AlertWatcher {
    /// The store.
    pub db: Db,
    /// For the circuit states.
    pub metrics: Arc<Metrics>,
    /// Sends the e-mails; without it alerts are only shown.
    pub mailer: Option<Arc<Mailer>>,
    /// The certificates to watch.
    pub certificates: CertificateSource,
    /// How often.
    pub every: Duration,
}

impl AlertWatcher {
    /// Runs until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "cannot evaluate alerts; will retry");
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.every) => {}
            }
        }
    }

    /// One evaluation: record, then mail what is new.
    pub async fn tick(&self) -> Result<Vec<Alert>, sqlx::Error> {
        let now = now_ms();
        let current = evaluate(
            &self.db,
            now,
            &self.metrics.circuit_states(),
            &(self.certificates)(),
        )
        .await?;
        let (current, unmailed) = record(&self.db, current, now).await?;
        if let (Some(mailer), false) = (&self.mailer, unmailed.is_empty()) {
            self.mail(mailer, &unmailed).await?;
        }
        Ok(current)
    }

    async fn mail(&self, mailer: &Mailer, alerts: &[Alert]) -> Result<(), sqlx::Error> {
        let to: Vec<String> = sqlx::query_scalar(
            "SELECT email FROM staff_accounts WHERE role = 'administrator' AND disabled = 0 \
             AND email IS NOT NULL",
        )
        .fetch_all(self.db.pool())
        .await?;
        if to.is_empty() {
            return Ok(());
        }
        let subject = format!("[thads-hub] {} cảnh báo mới / new alerts", alerts.len());
        let body: String = alerts
            .iter()
            .map(|a| format!("- [{}] {}: {}\n", a.severity, a.kind, a.detail))
            .collect();
        let body = format!("Cảnh báo của hệ thống tích hợp THADS / thads-hub alerts:\n\n{body}\nXem trên bảng điều khiển: /console/#alerts\n");
        let mut sent_any = false;
        for address in &to {
            match mailer.send(address, &subject, &body, None).await {
                Ok(_) => sent_any = true,
                Err(e) => tracing::warn!(error = %e, "cannot mail an alert to an administrator"),
            }
        }
        if sent_any {
            let now = now_ms();
            for a in alerts {
                sqlx::query("UPDATE alerts SET mailed_at = $2 WHERE alert_key = $1")
                    .bind(&a.key)
                    .bind(now)
                    .execute(self.db.pool())
                    .await?;
            }
        }
        Ok(())
    }
}
