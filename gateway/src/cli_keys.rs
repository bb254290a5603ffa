//! `thads-hub staff keygen USERNAME`: makes the ed25519 key pair a head signs decisions with.
//! The public key goes to `staff_keys` in clear; the private key is stored encrypted with the
//! secret of `[staff_signing] key_secret_file` (created 0600 under the data folder when absent).
//! The other `staff` actions are in [`crate::cli_staff`]; this wraps them so `keygen` sits
//! beside them.

use anyhow::Context;
use clap::Subcommand;
use thads_core::decisions::keys::{self, KeyVault};

use crate::config::Config;

/// `thads-hub staff ...`: account actions plus `keygen`.
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Create a head's decision-signing key pair (ed25519), replacing their current one; the
    /// old public key stays on record so earlier signatures can still be verified.
    Keygen {
        /// The head's account.
        username: String,
    },
    /// Account actions.
    #[command(flatten)]
    Account(crate::cli_staff::StaffAction),
}

/// Runs a `staff` command.
pub fn run(config: &Config, command: StaffCommand) -> anyhow::Result<()> {
    match command {
        StaffCommand::Account(action) => crate::cli_staff::run(config, action),
        StaffCommand::Keygen { username } => keygen(config, &username),
    }
}

fn keygen(config: &Config, username: &str) -> anyhow::Result<()> {
    let username = thads_core::staff::accounts::normalize_username(username);
    let secret = config.staff_signing.secret_file(&config.data_dir);
    let vault = KeyVault::open_or_create(&secret)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let info = runtime.block_on(async {
        let db = crate::app::open_db(config).await?;
        let made = keys::generate(&db, &vault, &username).await;
        db.close().await;
        made.map_err(anyhow::Error::from)
    })?;
    let out = serde_json::json!({
        "key_id": info.key_id,
        "username": info.username,
        "algorithm": info.algorithm,
        "public_key": info.public_key,
        "created_at": info.created_at,
        "private_key": format!("encrypted in the database with the secret in {}", vault.path().display()),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
