//! A verification run from start to record. Starting it checks the request (purpose, state,
//! identifiers) before any query, opens a `running` record and begins verification on the case
//! in one transaction; the queries then run outside any transaction, and the record, the
//! lifecycle operations it causes and the retry it may need are written in one transaction.

use std::sync::Arc;

use futures::future::join_all;
use sqlx::Row;

use super::record::{self, Completeness, Conclusion};
use super::request::{invalid, RunError, RunRequest, Started, ALLOWED};
use super::store::{self, NewRecord};
use super::subject::QueryPurpose;
use super::{RegistryPort, VerificationConfig};
use crate::cases::intake::add_case_event;
use crate::db::{now_ms, Db, Tx};
use crate::deadlines::store::{vietnam_date, Schedule};
use crate::lifecycle::operation::{Command, Operation, VerificationResult};
use crate::lifecycle::perform::perform_as_system;
use crate::lifecycle::CaseState;

/// Runs verifications.
#[derive(Debug, Clone)]
pub struct Verifier {
    db: Db,
    schedule: Schedule,
    port: Arc<dyn RegistryPort>,
    config: VerificationConfig,
}

impl Verifier {
    /// A verifier over the database, the deadline schedule and the national-database connector.
    pub fn new(
        db: Db,
        schedule: Schedule,
        port: Arc<dyn RegistryPort>,
        config: VerificationConfig,
    ) -> Self {
        Self {
            db,
            schedule,
            port,
            config,
        }
    }

    /// The settings.
    pub fn config(&self) -> &VerificationConfig {
        &self.config
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Whether any database is configured.
    pub fn any_configured(&self) -> bool {
        self.port.any_configured()
    }

    /// Starts a run and waits for its record; returns the record id.
    pub async fn run(&self, request: RunRequest) -> Result<String, RunError> {
        let started = self.start(request).await?;
        if let Some(done) = started.done {
            let _ = done.await;
        }
        Ok(started.record_id)
    }

    /// Checks the request, opens the record and begins verification on the case; the queries
    /// go on in the background.
    pub async fn start(&self, req: RunRequest) -> Result<Started, RunError> {
        let purpose = QueryPurpose::new(&req.case_id, &req.legal_basis, &req.requested_by)
            .map_err(|e| invalid(e.field, e.reason))?;
        let case_id = purpose.case_id().to_string();
        if let Some(r) = &req.request_id {
            if r.trim().is_empty() || r.len() > 128 {
                return Err(invalid("request_id", "must be 1 to 128 characters"));
            }
            if let Some(id) = store::by_request(&self.db, &case_id, r).await? {
                return Ok(Started {
                    record_id: id,
                    repeated: true,
                    done: None,
                });
            }
        }
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM cases WHERE id = $1")
            .bind(&case_id)
            .fetch_optional(self.db.pool())
            .await?;
        let state = state.ok_or_else(|| RunError::NotFound(case_id.clone()))?;
        let state = CaseState::parse(&state)
            .ok_or_else(|| RunError::Refused(format!("the case's state {state:?} is unknown")))?;
        if !ALLOWED.contains(&state) {
            let allowed: Vec<&str> = ALLOWED.iter().map(|s| s.as_str()).collect();
            return Err(RunError::Refused(format!(
                "a verification cannot be run while the case is {state} ({}); it can from: {}",
                state.title_vi(),
                allowed.join(", ")
            )));
        }
        let supplied =
            super::request::check_identifiers(&self.db, &case_id, &req.identifiers).await?;
        let early = req.early_reason.as_deref().map(str::trim).unwrap_or("");
        if state == CaseState::VoluntaryPeriod && early.is_empty() {
            super::request::check_period_over(&self.db, &case_id).await?;
        }
        if let Some(id) = store::running(&self.db, &case_id).await? {
            return Err(RunError::AlreadyRunning(id));
        }
        let id = format!("vrf-{}", uuid::Uuid::now_v7().simple());
        let mut tx = self.db.begin().await?;
        let new = NewRecord {
            id: &id,
            case_id: &case_id,
            request_id: req.request_id.as_deref(),
            trigger: req.trigger.as_str(),
            requested_by: purpose.requested_by(),
            legal_basis: purpose.legal_basis(),
            state_before: state.as_str(),
        };
        if let Err(e) = store::insert_running(&mut tx, &new).await {
            drop(tx);
            return Err(self.explain_conflict(&case_id, &req, e).await);
        }
        for (party, subject) in &supplied {
            store::supply(&mut tx, &case_id, party, subject, purpose.requested_by()).await?;
        }
        let begin = match state {
            CaseState::VoluntaryPeriod => Some(Operation::BeginVerification {
                early_reason: (!early.is_empty()).then(|| early.to_string()),
            }),
            CaseState::NotYetEnforceable => Some(Operation::Reverify),
            _ => None,
        };
        if let Some(operation) = begin {
            let Some(done) = self.perform(&mut tx, &case_id, operation).await? else {
                return Err(RunError::Refused(
                    "the case changed while the verification was starting; try again".into(),
                ));
            };
            store::set_operations(&mut tx, &id, &serde_json::json!([done])).await?;
        }
        let detail = format!(
            "verification {id} started by {} ({})",
            purpose.requested_by(),
            req.trigger.as_str()
        );
        add_case_event(&mut tx, &case_id, "verification_started", &detail).await?;
        tx.commit().await?;
        let this = self.clone();
        let run_id = id.clone();
        let done = tokio::spawn(async move { this.execute(&run_id, &purpose).await });
        Ok(Started {
            record_id: id,
            repeated: false,
            done: Some(done),
        })
    }

    async fn explain_conflict(&self, case_id: &str, req: &RunRequest, e: sqlx::Error) -> RunError {
        if let Some(r) = &req.request_id {
            if let Ok(Some(_)) = store::by_request(&self.db, case_id, r).await {
                return RunError::AlreadyRunning(format!("for request id {r}"));
            }
        }
        match store::running(&self.db, case_id).await {
            Ok(Some(id)) => RunError::AlreadyRunning(id),
            _ => RunError::Db(e),
        }
    }

    async fn perform(
        &self,
        tx: &mut Tx<'_>,
        case_id: &str,
        operation: Operation,
    ) -> Result<Option<serde_json::Value>, sqlx::Error> {
        let command = Command {
            operation,
            effective_on: None,
            request_id: None,
            reason: None,
            documents: Vec::new(),
        };
        let today = vietnam_date(time::OffsetDateTime::now_utc());
        let done =
            perform_as_system(tx, &self.schedule, case_id, "verification", &command, today).await?;
        Ok(done.map(|p| {
            serde_json::json!({"operation": p.operation, "from_state": p.from_state,
                               "to_state": p.to_state, "seq": p.seq})
        }))
    }

    /// Queries every database about every debtor, then writes the record.
    async fn execute(&self, id: &str, purpose: &QueryPurpose) {
        let case_id = purpose.case_id();
        let debtors = match store::debtors(&self.db, case_id).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(record = id, error = %e, "cannot read the debtors; the run will be retried");
                return;
            }
        };
        let mut answers = Vec::with_capacity(debtors.len());
        for debtor in debtors {
            let results = match &debtor.subject {
                Ok(subject) => {
                    let registries: Vec<_> = super::Registry::ALL
                        .into_iter()
                        .filter(|r| r.applies_to(subject))
                        .collect();
                    let lookups = registries
                        .iter()
                        .map(|r| self.port.lookup(*r, purpose, subject, id));
                    registries
                        .iter()
                        .copied()
                        .zip(join_all(lookups).await)
                        .collect()
                }
                Err(_) => Vec::new(),
            };
            answers.push((debtor, results));
        }
        let compiled = record::compile(answers);
        for attempt in 1..=3 {
            match self.write(id, case_id, &compiled).await {
                Ok(()) => {
                    tracing::info!(record = id, case = case_id, completeness = ?compiled.completeness, conclusion = ?compiled.conclusion, "verification recorded");
                    return;
                }
                Err(e) if attempt < 3 => {
                    tracing::debug!(record = id, error = %e, "writing the record again");
                }
                Err(e) => {
                    tracing::warn!(record = id, error = %e, "cannot write the verification record; it will be retried");
                }
            }
        }
    }

    async fn write(
        &self,
        id: &str,
        case_id: &str,
        compiled: &record::Compiled,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM verification_records WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if status.as_deref() != Some("running") {
            // Taken for interrupted (it ran past `stale_after`) and already retried: the
            // retry's record speaks for the case.
            tracing::warn!(
                record = id,
                "the run finished after it was given up; its answers are not recorded"
            );
            return Ok(());
        }
        let state = current_state(&mut tx, case_id).await?;
        let mut ops = store::operations(&mut tx, id).await?;
        let result = match compiled.conclusion {
            Conclusion::AssetsFound => Some(VerificationResult::Able),
            Conclusion::NothingFound => Some(VerificationResult::Unable),
            Conclusion::Undetermined => None,
        };
        if let (Some(result), CaseState::Verification) = (result, state) {
            let findings = format!("Biên bản xác minh {id}: {}", compiled.counts());
            let op = Operation::RecordVerification { result, findings };
            ops.extend(self.perform(&mut tx, case_id, op).await?);
            if let Some(ground) = compiled
                .ground
                .filter(|_| self.config.declare_not_enforceable)
            {
                let op = Operation::DeclareNotEnforceable {
                    ground,
                    yearly: false,
                };
                ops.extend(self.perform(&mut tx, case_id, op).await?);
            }
        }
        let retry_at = (compiled.completeness == Completeness::Incomplete && compiled.retry_useful)
            .then(|| now_ms() + millis(self.config.retry_after));
        let after = current_state(&mut tx, case_id).await?;
        let ops = serde_json::Value::Array(ops);
        store::finish(&mut tx, id, compiled, after.as_str(), &ops, retry_at).await?;
        super::scheduler::after_run(&mut tx, case_id, id, retry_at).await?;
        let detail = format!("verification {id}: {}", compiled.counts());
        add_case_event(&mut tx, case_id, "verification_recorded", &detail).await?;
        tx.commit().await
    }
}

async fn current_state(tx: &mut Tx<'_>, case_id: &str) -> Result<CaseState, sqlx::Error> {
    let row = sqlx::query("SELECT state FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&mut **tx)
        .await?;
    let state: String = row.try_get("state")?;
    CaseState::parse(&state)
        .ok_or_else(|| sqlx::Error::Decode(format!("case {case_id}: state {state:?}").into()))
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
