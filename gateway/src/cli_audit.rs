//! `thads-hub audit verify|export|seal`: check the audit trail in the database (or an exported
//! bundle, without any database), export it as a bundle a third party can verify, and seal what
//! was appended since the last seal. `verify` prints the report as JSON and exits non-zero
//! when anything is wrong, naming each altered or missing entry.

use std::io::{BufReader, BufWriter};
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use thads_core::audit::{bundle, seal, store, Report};

use crate::config::Config;

/// `thads-hub audit ...`.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Verify the trail: every seal's signature, the chain, and every payload it names. Exits
    /// 1 when anything is altered or missing.
    Verify {
        /// Verify this exported bundle instead of the database (no database is opened).
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// The hub's published keys (the JSON of `GET /v1/keys`) to check a bundle's seals
        /// against; without it, the keys the bundle itself lists.
        #[arg(long, requires = "bundle")]
        keys: Option<PathBuf>,
    },
    /// Write the sealed trail as a bundle (JSON Lines), sealing what is pending first.
    Export {
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// Include every message payload the chain names (base64), so they can be checked too.
        #[arg(long)]
        payloads: bool,
    },
    /// Seal everything appended since the last seal, now.
    Seal,
}

/// Whether a bundle is verified without opening the configured database.
pub fn is_offline(action: &AuditAction) -> bool {
    matches!(
        action,
        AuditAction::Verify {
            bundle: Some(_),
            ..
        }
    )
}

/// Runs an `audit` command; `config` is `None` for offline verification.
pub fn run(config: Option<&Config>, action: AuditAction) -> anyhow::Result<()> {
    if let AuditAction::Verify {
        bundle: Some(path),
        keys,
    } = &action
    {
        let keys = match keys {
            Some(k) => {
                let text = std::fs::read_to_string(k)
                    .with_context(|| format!("cannot read {}", k.display()))?;
                let json: serde_json::Value = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not the JSON of GET /v1/keys", k.display()))?;
                Some(bundle::keys_from_json(&json))
            }
            None => None,
        };
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let report = bundle::verify_bundle(BufReader::new(file), keys)
            .with_context(|| format!("{} is not a readable audit bundle", path.display()))?;
        return print_report(&report);
    }
    let config = config.context("the configuration is needed")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let db = crate::app::open_db(config).await?;
        let result = match action {
            AuditAction::Verify { .. } => {
                let report = store::verify_db(&db).await?;
                print_report(&report)
            }
            AuditAction::Seal => {
                let key = crate::app::hub_key(config, &db).await?;
                let batches = seal::seal_all(&db, &key).await?;
                println!("{}", serde_json::json!({ "sealed_batches": batches }));
                Ok(())
            }
            AuditAction::Export { out, payloads } => {
                let key = crate::app::hub_key(config, &db).await?;
                seal::seal_all(&db, &key).await?;
                let file = std::fs::File::create(&out)
                    .with_context(|| format!("cannot create {}", out.display()))?;
                let mut writer = BufWriter::new(file);
                let header = bundle::export(&db, &mut writer, payloads).await?;
                thads_core::audit::record_alone(
                    &db,
                    &thads_core::audit::Act {
                        actor: thads_core::audit::append::CLI,
                        action: "admin.audit_export",
                        subject: "audit",
                        detail: &format!(
                            "audit bundle exported up to entry {} (payloads: {payloads})",
                            header.head_chain_no
                        ),
                        content_hash: None,
                    },
                )
                .await?;
                println!(
                    "{}",
                    serde_json::json!({
                        "file": out.display().to_string(),
                        "head_chain_no": header.head_chain_no,
                        "head_hash": header.head_hash,
                        "payloads": payloads,
                    })
                );
                Ok(())
            }
        };
        db.close().await;
        result
    })
}

fn print_report(report: &Report) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(report)?);
    if report.ok() {
        Ok(())
    } else {
        anyhow::bail!(
            "the audit trail does not verify: {} problem(s), first: {}",
            report.problems.len(),
            report
                .problems
                .first()
                .map(|p| p.what.as_str())
                .unwrap_or_default()
        )
    }
}

/// Appends an administrative act done on the command line to the audit trail, with the
/// operating-system user who ran it (`cli:<user>`).
pub async fn record_cli_act(
    db: &thads_core::db::Db,
    action: &str,
    subject: &str,
    detail: &str,
) -> anyhow::Result<()> {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into());
    let actor = format!("{}:{user}", thads_core::audit::append::CLI);
    thads_core::audit::record_alone(
        db,
        &thads_core::audit::Act {
            actor: &actor,
            action,
            subject,
            detail,
            content_hash: None,
        },
    )
    .await
    .context("cannot record the act in the audit trail")
}
