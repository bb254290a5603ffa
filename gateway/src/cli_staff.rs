//! `thads-hub staff ...`: managing staff accounts from the command line, which is how the first
//! administrator is created (the hub never creates an account or a default password itself).
//! Passwords are read from a file or `THADS_STAFF_PASSWORD`, never from the command line, where
//! they would show in the process list and the shell history.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use thads_core::db::{now_ms, rfc3339};
use thads_core::staff::accounts::{self, NewAccount};
use thads_schemas::office::OfficeCode;

use crate::cli_audit::record_cli_act;
use crate::config::Config;

/// The environment variable `staff add` and `staff passwd` read a password from when no
/// `--password-file` is given.
pub const PASSWORD_ENV: &str = "THADS_STAFF_PASSWORD";

/// Staff account actions.
#[derive(Debug, Subcommand)]
pub enum StaffAction {
    /// Create an account. The password comes from --password-file or THADS_STAFF_PASSWORD.
    Add {
        /// Sign-in name: 3 to 32 of a-z, 0-9, '.', '_', '-'.
        username: String,
        /// administrator, head, officer or clerk.
        #[arg(long)]
        role: String,
        /// Office code (CUC, HCM, HCM-KV01, ...).
        #[arg(long)]
        office: String,
        /// Full name as printed on documents.
        #[arg(long)]
        name: String,
        /// File holding the password (one line; a trailing newline is ignored).
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// E-mail address for the daily deadline digest.
        #[arg(long)]
        email: Option<String>,
    },
    /// Set (or with no ADDRESS, clear) the e-mail address the daily digest goes to.
    Email {
        /// The account.
        username: String,
        /// The address; omit to clear it.
        address: Option<String>,
    },
    /// List accounts, optionally of one office.
    List {
        /// Only this office's accounts.
        #[arg(long)]
        office: Option<String>,
    },
    /// Set a new password (clears a lock-out and closes the account's sessions).
    Passwd {
        /// The account.
        username: String,
        /// File holding the new password; else THADS_STAFF_PASSWORD.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Disable an account: sign-in refused, open sessions closed.
    Disable {
        /// The account.
        username: String,
    },
    /// Enable an account again (also clears a lock-out).
    Enable {
        /// The account.
        username: String,
    },
}

/// Runs a staff action against the configured database (migrating it first, like `serve`).
pub fn run(config: &Config, action: StaffAction) -> anyhow::Result<()> {
    // Read the password before touching the database, so a missing one fails fast.
    let password = match &action {
        StaffAction::Add { password_file, .. } | StaffAction::Passwd { password_file, .. } => {
            Some(read_password(password_file.as_deref())?)
        }
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let db = crate::app::open_db(config).await?;
        let result = execute(&db, action, password).await;
        db.close().await;
        result
    })
}

async fn execute(
    db: &thads_core::db::Db,
    action: StaffAction,
    password: Option<String>,
) -> anyhow::Result<()> {
    let now = now_ms();
    let password = password.unwrap_or_default();
    match action {
        StaffAction::Add {
            username,
            role,
            office,
            name,
            email,
            ..
        } => {
            let account = accounts::create(
                db,
                &NewAccount {
                    username,
                    display_name: name,
                    role,
                    office,
                    password,
                    email,
                },
                now,
            )
            .await?;
            record_cli_act(
                db,
                "staff.add",
                &account.username,
                &format!(
                    "account {} created: {} of office {}",
                    account.username,
                    account.role.as_str(),
                    account.office
                ),
            )
            .await?;
            println!(
                "created {} ({}, {} of office {})",
                account.username,
                account.display_name,
                account.role.title_vi(),
                account.office
            );
        }
        StaffAction::List { office } => {
            let office = office
                .map(|o| {
                    OfficeCode::parse(&o)
                        .with_context(|| format!("--office: {o:?} is not an office code"))
                })
                .transpose()?;
            let list = accounts::list(db, office.as_ref()).await?;
            println!(
                "{:<32} {:<14} {:<12} {:<30} NAME",
                "USERNAME", "ROLE", "OFFICE", "STATUS"
            );
            for a in list {
                let status = if a.disabled {
                    "disabled".to_string()
                } else if a.is_locked(now) {
                    format!("locked until {}", rfc3339(a.locked_until.unwrap_or(now)))
                } else {
                    "active".to_string()
                };
                println!(
                    "{:<32} {:<14} {:<12} {:<30} {}",
                    a.username,
                    a.role.as_str(),
                    a.office.as_str(),
                    status,
                    a.display_name
                );
            }
        }
        StaffAction::Passwd { username, .. } => {
            accounts::set_password(db, &username, &password, now).await?;
            record_cli_act(
                db,
                "staff.passwd",
                &username,
                "password changed; sessions closed",
            )
            .await?;
            println!("password of {username} changed; its sessions were closed");
        }
        StaffAction::Email { username, address } => {
            accounts::set_email(db, &username, address.as_deref(), now).await?;
            let detail = if address.is_some() {
                "digest address set"
            } else {
                "digest address removed"
            };
            record_cli_act(db, "staff.email", &username, detail).await?;
            match address {
                Some(a) => println!("digest of {username} goes to {}", a.trim()),
                None => println!("{username} gets no digest"),
            }
        }
        StaffAction::Disable { username } => {
            accounts::disable(db, &username, now).await?;
            record_cli_act(
                db,
                "staff.disable",
                &username,
                "account disabled; sessions closed",
            )
            .await?;
            println!("{username} disabled; its sessions were closed");
        }
        StaffAction::Enable { username } => {
            accounts::enable(db, &username, now).await?;
            record_cli_act(
                db,
                "staff.enable",
                &username,
                "account enabled; lock-out cleared",
            )
            .await?;
            println!("{username} enabled");
        }
    }
    Ok(())
}

/// The password from `file` (its first line) or from [`PASSWORD_ENV`]; one of them is required.
fn read_password(file: Option<&Path>) -> anyhow::Result<String> {
    let raw = match file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("--password-file: cannot read {}", path.display()))?,
        None => match std::env::var(PASSWORD_ENV) {
            Ok(v) => v,
            Err(_) => bail!(
                "password: give --password-file FILE or set {PASSWORD_ENV}; it is never taken from the command line"
            ),
        },
    };
    let password = raw.strip_suffix('\n').unwrap_or(&raw);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn password_files_lose_their_line_ending_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, " mật khẩu dài \r\n").unwrap();
        assert_eq!(read_password(Some(&file)).unwrap(), " mật khẩu dài ");
        let e = read_password(Some(&dir.path().join("missing"))).unwrap_err();
        assert!(e.to_string().contains("--password-file"), "{e}");
    }
}
