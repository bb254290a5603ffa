//! The daily deadline digest: each morning every officer and head with an e-mail address gets
//! the cases of their work list that are overdue or due soon, in Vietnamese, and each head the
//! complaints their office must accept or answer soon or has let pass. One delivery row
//! per person and day is claimed before sending, so restarts and several hub processes never
//! send the same digest twice; a failed send is retried on a later tick, a few times.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use thads_schemas::office::OfficeCode;
use time::{Date, OffsetDateTime};
use tokio_util::sync::CancellationToken;

use crate::complaints::attention::{self, OpenComplaintDeadline};
use crate::db::{now_ms, Db};
use crate::deadlines::store::{parse_iso, vietnam_date, Schedule, Status};
use crate::deadlines::Step;
use crate::lifecycle::worklist::{self, WorkItem};
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::staff::{Actor, Role};

/// `[digest]` in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestConfig {
    /// Send digests at all (they also need `[mail] smtp_url`).
    pub enabled: bool,
    /// The hour (Vietnam time, 0–23) from which the day's digest goes out.
    pub hour: u8,
    /// How often the scheduler looks for digests to send and refreshes the deadline gauges.
    #[serde(with = "humantime_serde")]
    pub tick: Duration,
    /// Sends tried per person and day before giving up.
    pub max_attempts: u32,
}

impl Default for DigestConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            hour: 7,
            tick: Duration::from_secs(60),
            max_attempts: 5,
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DigestRun {
    /// The day (Vietnam date).
    pub day: String,
    /// Digests sent.
    pub sent: u32,
    /// People with nothing overdue or due soon (no e-mail).
    pub nothing_due: u32,
    /// Sends that failed (retried on a later run).
    pub failed: u32,
    /// People already handled today (by this or another process).
    pub already_done: u32,
}

/// Why a run failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Sends the digests.
#[derive(Debug, Clone)]
pub struct Digest {
    db: Db,
    schedule: Schedule,
    mailer: Option<Arc<Mailer>>,
    metrics: Arc<Metrics>,
    config: DigestConfig,
}

impl Digest {
    /// The digest service; without a mailer it only keeps the deadline gauges up to date.
    pub fn new(
        db: Db,
        schedule: Schedule,
        mailer: Option<Arc<Mailer>>,
        metrics: Arc<Metrics>,
        config: DigestConfig,
    ) -> Self {
        Self {
            db,
            schedule,
            mailer,
            metrics,
            config,
        }
    }

    /// Whether e-mail can be sent at all (`[mail] smtp_url` is set).
    pub fn can_send(&self) -> bool {
        self.mailer.is_some()
    }

    /// The scheduler: every tick, refresh the deadline gauges and, from the configured hour
    /// on, send the day's digests not yet sent.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let now = OffsetDateTime::now_utc();
            let today = vietnam_date(now);
            match crate::deadlines::overview::counts(&self.db, &self.schedule, today).await {
                Ok(counts) => {
                    self.metrics.set_deadlines(counts.overdue, counts.due_soon);
                    self.metrics
                        .set_overdue_by_office(&counts.overdue_by_office);
                }
                Err(e) => tracing::warn!(error = %e, "cannot count deadlines"),
            }
            let hour = now
                .to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC))
                .hour();
            if self.config.enabled && self.mailer.is_some() && hour >= self.config.hour {
                match self.send_due(today).await {
                    Ok(run) if run.sent + run.failed > 0 => {
                        tracing::info!(?run, "daily digest");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "daily digest failed"),
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.config.tick) => {}
            }
        }
    }

    /// Sends `day`'s digest to everyone who has not had it yet; what the scheduler runs, and
    /// what an administrator can trigger at once.
    pub async fn send_due(&self, day: Date) -> Result<DigestRun, DigestError> {
        let mut run = DigestRun {
            day: day.to_string(),
            ..DigestRun::default()
        };
        let Some(mailer) = &self.mailer else {
            return Ok(run);
        };
        let recipients = sqlx::query(
            "SELECT username, display_name, role, office_code, email FROM staff_accounts \
             WHERE disabled = 0 AND email IS NOT NULL AND role IN ('officer', 'head') \
             ORDER BY username",
        )
        .fetch_all(self.db.pool())
        .await?;
        for r in &recipients {
            let username: String = r.try_get("username")?;
            let email: String = r.try_get("email")?;
            let role: String = r.try_get("role")?;
            let office: String = r.try_get("office_code")?;
            let (Some(role), Ok(office)) = (Role::parse(&role), OfficeCode::parse(&office)) else {
                continue;
            };
            let actor = Actor {
                username: username.clone(),
                display_name: r.try_get("display_name")?,
                role,
                office,
            };
            if !self.claim(&username, day).await? {
                run.already_done += 1;
                continue;
            }
            let list = worklist::for_actor(&self.db, &self.schedule, &actor, day).await?;
            let due = worklist::needing_attention(&list);
            let complaints = attention::for_head(&self.db, &self.schedule, &actor, day).await?;
            if due.is_empty() && complaints.is_empty() {
                self.settle(&username, day, "nothing_due", 0, None, None)
                    .await?;
                self.metrics.digest("nothing_due");
                run.nothing_due += 1;
                continue;
            }
            let (subject, body) = compose(&actor, day, &due, &complaints);
            let items = due.len() + complaints.len();
            match mailer.send(&email, &subject, &body, None).await {
                Ok(message_id) => {
                    self.settle(&username, day, "sent", items, Some(&message_id), None)
                        .await?;
                    self.metrics.digest("sent");
                    run.sent += 1;
                }
                Err(e) => {
                    let state = if e.is_permanent() {
                        "rejected"
                    } else {
                        "failed"
                    };
                    tracing::warn!(user = %username, error = %e, "digest e-mail not sent");
                    self.settle(&username, day, state, items, None, Some(&e.to_string()))
                        .await?;
                    self.metrics.digest("failed");
                    run.failed += 1;
                }
            }
        }
        Ok(run)
    }

    /// Claims `username`'s digest of `day`: a new row, or a failed (or abandoned) one with
    /// attempts left.
    async fn claim(&self, username: &str, day: Date) -> Result<bool, sqlx::Error> {
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO digest_deliveries (username, day, state, attempts, updated_at) \
             VALUES ($1, $2, 'sending', 1, $3) ON CONFLICT (username, day) DO NOTHING",
        )
        .bind(username)
        .bind(day.to_string())
        .bind(now)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(true);
        }
        // A process that died while sending leaves 'sending' behind: take it over after a while.
        let abandoned = now - 10 * 60 * 1000;
        let retried = sqlx::query(
            "UPDATE digest_deliveries SET state = 'sending', attempts = attempts + 1, updated_at = $3 \
             WHERE username = $1 AND day = $2 AND attempts < $4 \
             AND (state = 'failed' OR (state = 'sending' AND updated_at < $5))",
        )
        .bind(username)
        .bind(day.to_string())
        .bind(now)
        .bind(i64::from(self.config.max_attempts))
        .bind(abandoned)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        Ok(retried == 1)
    }

    async fn settle(
        &self,
        username: &str,
        day: Date,
        state: &str,
        items: usize,
        message_id: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE digest_deliveries SET state = $3, items = $4, message_id = $5, last_error = $6, \
             updated_at = $7 WHERE username = $1 AND day = $2",
        )
        .bind(username)
        .bind(day.to_string())
        .bind(state)
        .bind(i64::try_from(items).unwrap_or(i64::MAX))
        .bind(message_id)
        .bind(error)
        .bind(now_ms())
        .execute(self.db.pool())
        .await
        .map(|_| ())
    }
}

fn vn_date(iso: &str) -> String {
    match parse_iso(iso) {
        Some(d) => format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        None => iso.to_string(),
    }
}

/// The digest's subject and plain-text body, in Vietnamese: the cases, then the complaints.
pub fn compose(
    actor: &Actor,
    day: Date,
    items: &[&WorkItem],
    complaints: &[OpenComplaintDeadline],
) -> (String, String) {
    let count = |s: Status| {
        items
            .iter()
            .flat_map(|i| &i.deadlines)
            .filter(|d| d.status == s)
            .count()
            + complaints.iter().filter(|d| d.status == s).count()
    };
    let (overdue, soon) = (count(Status::Overdue), count(Status::DueSoon));
    let today = vn_date(&day.to_string());
    let subject = format!("[THADS] Công việc ngày {today}: {overdue} quá hạn, {soon} sắp đến hạn");
    let mut body = format!(
        "Kính gửi {} ({}, {}),\n\nCác hồ sơ thi hành án cần xử lý tính đến ngày {today}:\n",
        actor.display_name,
        actor.role.title_vi(),
        actor.office
    );
    for item in items {
        body.push_str(&format!(
            "\n• Bản án {} — hồ sơ {} — {}\n",
            item.judgment_number, item.case_id, item.state_vi
        ));
        for d in item
            .deadlines
            .iter()
            .filter(|d| matches!(d.status, Status::Overdue | Status::DueSoon))
        {
            let what = Step::parse(&d.step).map(Step::title_vi).unwrap_or(&d.step);
            let flag = if d.status == Status::Overdue {
                "QUÁ HẠN"
            } else {
                "sắp đến hạn"
            };
            body.push_str(&format!(
                "    – {what}: hạn cuối {} ({flag}; {})\n",
                vn_date(&d.due_on),
                d.legal_basis
            ));
        }
    }
    if !complaints.is_empty() {
        body.push_str("\nĐơn khiếu nại, tố cáo do Thủ trưởng đơn vị giải quyết:\n");
        for d in complaints {
            let flag = if d.status == Status::Overdue {
                "QUÁ HẠN"
            } else {
                "sắp đến hạn"
            };
            body.push_str(&format!(
                "    – {} {} (hồ sơ {}): hạn cuối {} ({flag}; {})\n",
                d.title_vi(),
                d.complaint_id,
                d.case_id,
                vn_date(&d.due_on.to_string()),
                d.legal_basis
            ));
        }
    }
    body.push_str(
        "\nDanh sách đầy đủ: mục \"Công việc\" trên hệ thống thads-hub (GET /v1/worklist).\n\
         Thư này được gửi tự động; vui lòng không trả lời.\n",
    );
    (subject, body)
}
