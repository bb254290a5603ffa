//! The command line: `thads-hub [--config FILE] [serve | migrate | config check | config show]`.
//! `serve` is the default.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;

/// thads-hub: the integration hub of civil judgment enforcement.
#[derive(Debug, Parser)]
#[command(name = "thads-hub", version, about)]
pub struct Cli {
    /// Configuration file (TOML); every key can also be set as THADS_<KEY> (nested keys joined by __).
    #[arg(long, global = true, env = "THADS_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the hub (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Offline tools for bank files.
    Bank {
        /// What to do.
        #[command(subcommand)]
        action: BankAction,
    },
    /// Print the parties and obligations found in a judgment (plain text or court XML) as
    /// JSON: proposals for an officer to confirm.
    Extract {
        /// The judgment file.
        file: PathBuf,
        /// The text's encoding: `auto` detects legacy TCVN3 and VNI files and converts them to
        /// Unicode; `unicode`, `tcvn3` or `vni` name it.
        #[arg(long, default_value = "auto")]
        encoding: thads_extract::legacy::EncodingChoice,
    },
    /// Working-day arithmetic on the configured Vietnamese calendar.
    Workdays {
        /// What to compute.
        #[command(subcommand)]
        action: WorkdaysAction,
    },
    /// Staff accounts: add, list, change a password, disable, enable; heads' signing keys.
    Staff {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_keys::StaffCommand,
    },
    /// The partner registry: add, list, revoke partners and their keys; keygen for demos.
    Partner {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_partner::PartnerAction,
    },
    /// The audit trail: verify it (or an exported bundle), export it, seal it now.
    Audit {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_audit::AuditAction,
    },
    /// Inspect the configuration.
    Config {
        /// check or show.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// Bank file tools.
#[derive(Debug, Subcommand)]
pub enum BankAction {
    /// Print the payments an ISO 20022 camt.054 (or camt.053) file holds, as JSON, with the
    /// entries skipped (debits, pending, reversals) and the entries in error.
    Parse {
        /// The XML file.
        file: PathBuf,
    },
    /// Daily batch files of account orders and acknowledgements.
    #[command(flatten)]
    Orders(crate::cli_bank::OrderBatchAction),
}

/// Working-day computations.
#[derive(Debug, Subcommand)]
pub enum WorkdaysAction {
    /// Print the date N working days after DATE (DATE itself not counted).
    Add {
        /// Start date, YYYY-MM-DD.
        date: String,
        /// Working days to add.
        days: u32,
    },
    /// Print the days off of a year with their reason.
    List {
        /// The year.
        year: i32,
    },
}

/// Configuration actions.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate the configuration and exit non-zero with the key at fault; the partner TLS
    /// files are read and matched too.
    Check {
        /// Check keys and values only, not the files they name (an example configuration on
        /// a machine without its certificates).
        #[arg(long)]
        no_files: bool,
    },
    /// Print the effective configuration, secrets masked.
    Show,
}

/// Parses the command line and runs it.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Bank {
        action: BankAction::Parse { file },
    } = &command
    {
        return bank_parse(file);
    }
    if let Command::Extract { file, encoding } = &command {
        return extract(file, *encoding);
    }
    if let Command::Audit { action } = &command {
        if crate::cli_audit::is_offline(action) {
            if let Command::Audit { action } = command {
                return crate::cli_audit::run(None, action);
            }
        }
    }
    let config = Config::load(cli.config.as_deref())?;
    match command {
        Command::Bank {
            action: BankAction::Orders(action),
        } => crate::cli_bank::run(&config, action),
        Command::Bank { .. } | Command::Extract { .. } => Ok(()),
        Command::Workdays { action } => workdays(&config, action),
        Command::Staff { action } => crate::cli_keys::run(&config, action),
        Command::Partner { action } => crate::cli_partner::run(&config, action),
        Command::Audit { action } => crate::cli_audit::run(Some(&config), action),
        Command::Config {
            action: ConfigAction::Check { no_files },
        } => {
            // The partner TLS files are read and matched too: a bad one names its key.
            if config.partner_tls.enabled() && !no_files {
                crate::partner_tls::tls::load(&config.partner_tls)?;
            }
            println!("configuration is valid");
            Ok(())
        }
        Command::Config {
            action: ConfigAction::Show,
        } => {
            print!("{}", config.masked_toml());
            Ok(())
        }
        Command::Migrate => runtime()?.block_on(async {
            let db = crate::app::open_db(&config).await?;
            db.close().await;
            println!("database is up to date");
            Ok(())
        }),
        Command::Serve => {
            crate::http::decisions::install(&config);
            crate::http::complaints::install(&config)?;
            crate::http::scans::install(&config.ocr);
            runtime()?.block_on(crate::app::serve(config))
        }
    }
}

fn workdays(config: &Config, action: WorkdaysAction) -> anyhow::Result<()> {
    let calendar = thads_core::calendar::Calendar::new(config.calendar.clone())
        .context("the [calendar] configuration is not usable")?;
    match action {
        WorkdaysAction::Add { date, days } => {
            let start = thads_schemas::bank::parse_iso_date(&date)
                .with_context(|| format!("DATE must be YYYY-MM-DD, got {date:?}"))?;
            let end = calendar.add_working_days(start, days)?;
            println!("{}", thads_schemas::bank::format_iso_date(end));
        }
        WorkdaysAction::List { year } => {
            for (day, reason) in calendar.days_off_in(year)? {
                println!("{} {reason:?}", thads_schemas::bank::format_iso_date(day));
            }
        }
    }
    Ok(())
}

fn bank_parse(file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let json = thads_bank::payments_json(&bytes)
        .with_context(|| format!("{} is not a usable camt.054 file", file.display()))?;
    println!("{json}");
    Ok(())
}

fn extract(
    file: &std::path::Path,
    encoding: thads_extract::legacy::EncodingChoice,
) -> anyhow::Result<()> {
    let found = thads_extract::extract_file_as(file, encoding)
        .with_context(|| format!("cannot extract from {}", file.display()))?;
    println!("{}", serde_json::to_string_pretty(&found)?);
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
