//! `thads-hub bank orders-batch` and `thads-hub bank acks-batch`: the daily batch files for
//! banks that exchange account orders (phong tỏa, khấu trừ, giải tỏa) and their
//! acknowledgements as files instead of over the API. The format and its checks are in
//! `thads_bank::orders::batch`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Subcommand;
use thads_bank::orders::batch;
use thads_core::deadlines::store::vietnam_date;
use thads_core::outbox::OutboxSignal;
use thads_schemas::bank::{format_iso_date, parse_iso_date};

use crate::config::Config;

/// Batch-file actions of the `bank` command.
#[derive(Debug, Subcommand)]
pub enum OrderBatchAction {
    /// Print the orders issued to a bank on a day as a batch file (JSON Lines and a trailer
    /// with count, total and SHA-256), e.g. `--bank VCB --date 2026-11-23 > orders.jsonl`.
    OrdersBatch {
        /// The bank's code (VCB, BIDV, ...).
        #[arg(long)]
        bank: String,
        /// The day, YYYY-MM-DD (Vietnam time); today when omitted.
        #[arg(long)]
        date: Option<String>,
    },
    /// Read a bank's file of acknowledgements: the whole file is refused when its trailer's
    /// count, total or hash does not match; otherwise each acknowledgement is recorded like one
    /// sent to the API. Prints a report; exits non-zero when any acknowledgement was refused.
    AcksBatch {
        /// The file.
        file: PathBuf,
    },
}

/// Runs a batch action against the configured database (migrating it first, like `serve`).
pub fn run(config: &Config, action: OrderBatchAction) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match action {
            OrderBatchAction::OrdersBatch { bank, date } => {
                let day = match date {
                    Some(d) => {
                        let parsed = parse_iso_date(&d)
                            .with_context(|| format!("--date must be YYYY-MM-DD, got {d:?}"))?;
                        format_iso_date(parsed)
                    }
                    None => format_iso_date(vietnam_date(time::OffsetDateTime::now_utc())),
                };
                let bank = bank.trim().to_ascii_uppercase();
                let db = crate::app::open_db(config).await?;
                let file = batch::orders_file(&db, &bank, &day)
                    .await
                    .context("cannot read the orders")?;
                db.close().await;
                let mut out = std::io::stdout().lock();
                out.write_all(&file)
                    .context("cannot write the batch file")?;
                out.flush().context("cannot write the batch file")?;
                Ok(())
            }
            OrderBatchAction::AcksBatch { file } => {
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let db = crate::app::open_db(config).await?;
                let result = batch::apply_acks(&db, &OutboxSignal::default(), &bytes).await;
                db.close().await;
                let report = result.with_context(|| format!("{} was refused", file.display()))?;
                println!("{}", serde_json::to_string_pretty(&report)?);
                if !report.refused.is_empty() {
                    bail!(
                        "{} of {} acknowledgements in {} were refused (see the report)",
                        report.refused.len(),
                        report.count,
                        file.display()
                    );
                }
                Ok(())
            }
        }
    })
}
