//! Batch payment confirmations dropped as files (the SFTP-style path banks use for end-of-day
//! camt.054/camt.053 batches): the hub watches one folder, feeds each settled `*.xml` file to
//! the same intake as `POST /v1/bank/notifications`, and moves it out of the way with its
//! outcome, so nothing is read twice and nothing is lost.
//!
//! ```text
//! <dir>/VCB-20261120.xml                     dropped by the bank (write *.part, then rename)
//! <dir>/processed/2026-11-23/VCB-20261120.xml           accepted (entry errors included)
//! <dir>/processed/2026-11-23/VCB-20261120.xml.result.json   what was accepted, per entry
//! <dir>/rejected/VCB-20261120.xml            unusable as a whole; bytes kept for audit
//! <dir>/rejected/VCB-20261120.xml.reason.txt        why, field by field
//! ```
//!
//! A file is taken only when it has not changed for `settle` (a bank still writing it is left
//! alone). When the database is down the file stays where it is and is tried again on the next
//! pass. A file dropped twice is accepted twice by the folder but recorded once by the intake
//! (payments are de-duplicated by bank and entry reference).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use thads_core::db::Db;
use thads_core::metrics::Metrics;
use thads_core::outbox::OutboxSignal;
use thads_schemas::subjects;
use tokio_util::sync::CancellationToken;

use crate::intake::{accept_notification, BankIntakeError};

/// The largest batch file read (a day of entries for one account fits many times over).
pub const MAX_FILE_BYTES: u64 = crate::camt054::MAX_BYTES as u64;

/// Where the watcher looks and how patiently.
#[derive(Debug, Clone)]
pub struct FolderSettings {
    /// The folder banks drop files into.
    pub dir: PathBuf,
    /// Time between passes.
    pub poll: Duration,
    /// How long a file must stay unchanged before it is read.
    pub settle: Duration,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// Accepted; moved to `processed/`.
    Accepted {
        /// Payments recorded for the first time.
        new_payments: usize,
    },
    /// Unusable; moved to `rejected/` with its reason.
    Rejected,
    /// Left in place for the next pass (still being written, or the store is down).
    Deferred,
}

/// Why a pass over the folder failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The folder or a file could not be read, created or moved.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Watches the folder until `shutdown`.
pub async fn run(
    db: Db,
    signal: OutboxSignal,
    metrics: Arc<Metrics>,
    settings: FolderSettings,
    shutdown: CancellationToken,
) {
    tracing::info!(dir = %settings.dir.display(), "watching the bank batch folder");
    loop {
        if let Err(e) = pass(&db, &signal, &metrics, &settings).await {
            tracing::warn!(error = %e, "bank batch folder pass failed");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(settings.poll) => {}
        }
    }
}

/// One pass: every settled `*.xml` file, in name order. Returns each file's outcome.
pub async fn pass(
    db: &Db,
    signal: &OutboxSignal,
    metrics: &Metrics,
    settings: &FolderSettings,
) -> Result<Vec<(PathBuf, FileOutcome)>, FolderError> {
    let mut out = Vec::new();
    for path in settled_files(&settings.dir, settings.settle)? {
        let outcome = take(db, signal, metrics, &settings.dir, &path).await?;
        out.push((path, outcome));
    }
    Ok(out)
}

/// The `*.xml` files directly in `dir` that have not changed for `settle`, by name.
fn settled_files(dir: &Path, settle: Duration) -> Result<Vec<PathBuf>, FolderError> {
    let now = SystemTime::now();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let meta = entry.metadata().map_err(io(&path))?;
        let is_xml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if meta.is_file() && is_xml && age >= settle {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads one file, hands it to the intake, and files it by outcome.
async fn take(
    db: &Db,
    signal: &OutboxSignal,
    metrics: &Metrics,
    dir: &Path,
    path: &Path,
) -> Result<FileOutcome, FolderError> {
    let size = std::fs::metadata(path).map_err(io(path))?.len();
    if size > MAX_FILE_BYTES {
        let reason = format!("body: the file is {size} bytes; the limit is {MAX_FILE_BYTES}");
        file_away(dir, path, "rejected", &[("reason.txt", reason.as_bytes())])?;
        metrics.received(subjects::IN_BANK_PAYMENT, "rejected");
        return Ok(FileOutcome::Rejected);
    }
    let bytes = std::fs::read(path).map_err(io(path))?;
    match accept_notification(db, signal, &bytes).await {
        Ok(acceptance) => {
            let new_payments = acceptance.payments.iter().filter(|p| !p.duplicate).count();
            let result = serde_json::to_vec_pretty(&acceptance).unwrap_or_default();
            let day = time::OffsetDateTime::now_utc().date().to_string();
            file_away(
                dir,
                path,
                &format!("processed/{day}"),
                &[("result.json", &result)],
            )?;
            let outcome = if new_payments == 0 && !acceptance.payments.is_empty() {
                "duplicate"
            } else {
                "accepted"
            };
            metrics.received(subjects::IN_BANK_PAYMENT, outcome);
            tracing::info!(file = %path.display(), new_payments, "bank batch file accepted");
            Ok(FileOutcome::Accepted { new_payments })
        }
        Err(BankIntakeError::Rejected {
            message_id, errors, ..
        }) => {
            let mut reason = format!("message {message_id} rejected:\n");
            for e in &errors {
                reason.push_str(&format!("{}: {}\n", e.field, e.reason));
            }
            file_away(dir, path, "rejected", &[("reason.txt", reason.as_bytes())])?;
            metrics.received(subjects::IN_BANK_PAYMENT, "rejected");
            tracing::warn!(file = %path.display(), %message_id, "bank batch file rejected");
            Ok(FileOutcome::Rejected)
        }
        // Files name no sender, so no account is refused here; kept rejected all the same.
        Err(e @ BankIntakeError::NotHolder { .. }) => {
            file_away(
                dir,
                path,
                "rejected",
                &[("reason.txt", e.to_string().as_bytes())],
            )?;
            metrics.received(subjects::IN_BANK_PAYMENT, "rejected");
            Ok(FileOutcome::Rejected)
        }
        Err(BankIntakeError::Storage(e)) => {
            tracing::warn!(file = %path.display(), error = %e, "bank batch file deferred: store unavailable");
            Ok(FileOutcome::Deferred)
        }
    }
}

/// Moves `path` into `dir/<sub>/`, next to `<name>.<suffix>` side files; a name already there
/// gets `.1`, `.2`, ... so no earlier file is overwritten.
fn file_away(
    dir: &Path,
    path: &Path,
    sub: &str,
    side: &[(&str, &[u8])],
) -> Result<PathBuf, FolderError> {
    let target_dir = dir.join(sub);
    std::fs::create_dir_all(&target_dir).map_err(io(&target_dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "unnamed.xml".into());
    let mut target = target_dir.join(&name);
    let mut n = 0;
    while target.exists() {
        n += 1;
        target = target_dir.join(format!("{name}.{n}"));
    }
    for (suffix, bytes) in side {
        let side_path = PathBuf::from(format!("{}.{suffix}", target.display()));
        std::fs::write(&side_path, bytes).map_err(io(&side_path))?;
    }
    std::fs::rename(path, &target).map_err(io(path))?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "thads-bank-folder-{name}-{}",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn only_settled_xml_files_are_taken_in_name_order() {
        let dir = scratch("settled");
        for name in ["b.xml", "a.XML", "c.xml.part", "notes.txt"] {
            std::fs::write(dir.join(name), b"<x/>").unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::create_dir_all(dir.join("processed")).unwrap_or_else(|e| panic!("{e}"));
        let files = settled_files(&dir, Duration::ZERO).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<_> = files
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.XML", "b.xml"]);
        // A file written just now is still being written.
        let fresh = settled_files(&dir, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
        assert!(fresh.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn filing_away_never_overwrites() {
        let dir = scratch("away");
        for round in 0..2 {
            let path = dir.join("VCB.xml");
            std::fs::write(&path, format!("round {round}")).unwrap_or_else(|e| panic!("{e}"));
            let target = file_away(&dir, &path, "rejected", &[("reason.txt", b"why")])
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(!path.exists());
            let text = std::fs::read_to_string(&target).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(text, format!("round {round}"));
            let reason = PathBuf::from(format!("{}.reason.txt", target.display()));
            assert!(reason.exists());
        }
        assert!(dir.join("rejected/VCB.xml.1").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
