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
    /// Inspect the configuration.
    Config {
        /// check or show.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// Configuration actions.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate the configuration and exit non-zero with the key at fault.
    Check,
    /// Print the effective configuration, secrets masked.
    Show,
}

/// Parses the command line and runs it.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    let config = Config::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Config {
            action: ConfigAction::Check,
        } => {
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
        Command::Serve => runtime()?.block_on(crate::app::serve(config)),
    }
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
