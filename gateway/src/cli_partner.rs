//! `thads-hub partner ...`: the partner registry from the command line — register a court (or
//! bank, Treasury, VNeID, national database) with its ed25519 public key, its TLS client
//! certificates and (banks) its accounts (`cli_partner_tls`), list partners, keys and
//! certificates, revoke a partner, one key or one certificate, and generate a key pair for
//! tests and demos.
//!
//! Only public keys enter the registry; `keygen` writes the private key to a file readable by
//! its owner and never prints it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use thads_core::db::Db;
use thads_core::partners::keys::{self, fingerprint, public_key_base64};
use thads_core::partners::registry::{self, Added, NewKey};
use thads_core::partners::{unknown_kind, PartnerId, PartnerKind};

use crate::config::Config;

/// Partner registry actions.
#[derive(Debug, Subcommand)]
pub enum PartnerAction {
    /// Register a partner (rename an active one, or re-activate a revoked one; its old keys
    /// stay revoked), optionally with a new public key.
    Add {
        /// court, bank, treasury, vneid or database.
        kind: String,
        /// The partner's code; for a court, the code its judgments carry in Court/@code.
        code: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// ed25519 public key file: PEM "PUBLIC KEY" (openssl pkey -pubout) or base64.
        #[arg(long, conflicts_with = "key")]
        key_file: Option<PathBuf>,
        /// ed25519 public key as base64 (32 raw bytes or DER SubjectPublicKeyInfo).
        #[arg(long)]
        key: Option<String>,
        /// Key id the partner will send in X-Signature-Key; default <code>-<fingerprint>.
        #[arg(long)]
        key_id: Option<String>,
        /// Start of the key's validity: RFC 3339, or YYYY-MM-DD (midnight in Vietnam); default now.
        #[arg(long)]
        valid_from: Option<String>,
        /// End of the key's validity, same forms; default unlimited.
        #[arg(long)]
        valid_until: Option<String>,
        /// The partner's TLS client certificate (PEM or DER; its own certificate first in a
        /// chain file), registered by its SHA-256 fingerprint; repeat for several.
        #[arg(long = "cert", value_name = "FILE")]
        certs: Vec<PathBuf>,
        /// A THADS deposit account the bank holds (banks only); repeat for several.
        #[arg(long = "account", value_name = "ACCOUNT")]
        accounts: Vec<String>,
    },
    /// List partners and their keys.
    List {
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a partner with every key and certificate it has, or with --key or --cert only
    /// that key or certificate, or with --account take an account off a bank. A revoked key
    /// or certificate is never valid again; `partner add` re-activates a partner, which then
    /// needs a new key and certificate.
    Revoke {
        /// The partner id, <kind>:<code>, e.g. court:TAND79-KV1.
        id: String,
        /// Revoke only this key of the partner.
        #[arg(long, conflicts_with_all = ["cert", "account"])]
        key: Option<String>,
        /// Revoke only this certificate: its SHA-256 fingerprint as `partner list` shows it
        /// (colons and upper case accepted).
        #[arg(long, value_name = "FINGERPRINT", conflicts_with = "account")]
        cert: Option<String>,
        /// Take this account off the bank.
        #[arg(long)]
        account: Option<String>,
    },
    /// Write a new ed25519 key pair for tests and demos: DIR/private.pem (PKCS#8, owner-only)
    /// and DIR/public.pem (to give to `partner add --key-file`).
    Keygen {
        /// The folder to write into (created if missing; existing files are not overwritten).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a partner action against the configured database (migrating it first, like `serve`).
pub fn run(config: &Config, action: PartnerAction) -> anyhow::Result<()> {
    if let PartnerAction::Keygen { out } = &action {
        return keygen(out);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let db = crate::app::open_db(config).await?;
        let result = execute(&db, action).await;
        db.close().await;
        result
    })
}

async fn execute(db: &Db, action: PartnerAction) -> anyhow::Result<()> {
    match action {
        PartnerAction::Add {
            kind,
            code,
            name,
            key_file,
            key,
            key_id,
            valid_from,
            valid_until,
            certs,
            accounts,
        } => {
            let kind = PartnerKind::parse(&kind).ok_or_else(|| unknown_kind(&kind))?;
            let id = PartnerId::new(kind, &code)?;
            let public = match (key_file, key) {
                (Some(path), _) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    Some(
                        keys::parse_public_key(&text)
                            .with_context(|| format!("--key-file {}", path.display()))?,
                    )
                }
                (None, Some(text)) => Some(keys::parse_public_key(&text).context("--key")?),
                (None, None) => None,
            };
            if public.is_none()
                && (key_id.is_some() || valid_from.is_some() || valid_until.is_some())
            {
                bail!("--key-id, --valid-from and --valid-until need --key-file or --key");
            }
            let valid_from = valid_from
                .map(|v| parse_instant(&v).context("--valid-from"))
                .transpose()?;
            let valid_until = valid_until
                .map(|v| parse_instant(&v).context("--valid-until"))
                .transpose()?;
            let added = registry::add_partner(db, &id, &name).await?;
            crate::cli_audit::record_cli_act(
                db,
                "partner.add",
                &id.to_string(),
                &format!("partner {id} {added:?}: {}", name.trim()),
            )
            .await?;
            println!(
                "{} {id} ({})",
                match added {
                    Added::Created => "registered",
                    Added::Updated => "updated",
                    Added::Reactivated => "re-activated (its old keys stay revoked)",
                },
                name.trim()
            );
            if let Some(public) = public {
                let key_id = registry::add_key(
                    db,
                    &id,
                    &NewKey {
                        public_key: &public,
                        key_id: key_id.as_deref(),
                        valid_from,
                        valid_until,
                    },
                )
                .await?;
                crate::cli_audit::record_cli_act(
                    db,
                    "partner.add_key",
                    &id.to_string(),
                    &format!("key {key_id} added (fingerprint {})", fingerprint(&public)),
                )
                .await?;
                println!(
                    "key {key_id} added to {id} (ed25519, fingerprint {})",
                    fingerprint(&public)
                );
            }
            crate::cli_partner_tls::add(db, &id, &certs, &accounts).await?;
        }
        PartnerAction::List { json } => {
            let partners = registry::list(db).await?;
            let tls = crate::cli_partner_tls::Listing::read(db).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&tls.json(&partners)?)?);
                return Ok(());
            }
            if partners.is_empty() {
                println!("no partners registered");
            }
            for p in partners {
                println!("{}\t{}\t{}", p.partner_id, p.status, p.name);
                tls.print(&p.partner_id);
                for k in p.keys {
                    println!(
                        "  key {}\t{}\t{} {}\tfrom {}{}",
                        k.key_id,
                        k.status,
                        k.algorithm,
                        k.public_key,
                        k.valid_from,
                        k.valid_until
                            .map(|u| format!(" until {u}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        PartnerAction::Revoke {
            id,
            key,
            cert,
            account,
        } => {
            let id = PartnerId::parse(&id)?;
            if crate::cli_partner_tls::revoke(db, &id, cert.as_deref(), account.as_deref()).await? {
                return Ok(());
            }
            match key {
                Some(key_id) => {
                    registry::revoke_key(db, &id, &key_id).await?;
                    crate::cli_audit::record_cli_act(
                        db,
                        "partner.revoke_key",
                        &id.to_string(),
                        &format!("key {key_id} revoked"),
                    )
                    .await?;
                    println!("key {key_id} of {id} revoked");
                }
                None => {
                    registry::revoke_partner(db, &id).await?;
                    thads_core::partners::certificates::revoke_all(db, &id).await?;
                    crate::cli_audit::record_cli_act(
                        db,
                        "partner.revoke",
                        &id.to_string(),
                        "partner and all its keys and certificates revoked",
                    )
                    .await?;
                    println!("{id} and all its keys and certificates revoked");
                }
            }
        }
        PartnerAction::Keygen { out } => keygen(&out)?,
    }
    Ok(())
}

/// Writes `private.pem` and `public.pem` into `dir`; prints the public key and the files.
fn keygen(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let private = dir.join("private.pem");
    let public = dir.join("public.pem");
    if private.exists() || public.exists() {
        bail!(
            "{} already holds a key pair; choose another --out",
            dir.display()
        );
    }
    let signing = keys::generate_signing_key();
    let verifying = signing.verifying_key();
    keys::write_private_key(&private, &signing)?;
    std::fs::write(&public, keys::public_key_pem(&verifying)?)
        .with_context(|| format!("cannot write {}", public.display()))?;
    println!("private key: {} (keep it secret)", private.display());
    println!("public key:  {}", public.display());
    println!("public key (base64): {}", public_key_base64(&verifying));
    println!("fingerprint: {}", fingerprint(&verifying));
    Ok(())
}

/// RFC 3339, or a date meaning midnight in Vietnam (UTC+7), as epoch milliseconds.
fn parse_instant(s: &str) -> anyhow::Result<i64> {
    use time::format_description::well_known::Rfc3339;
    let t = match time::OffsetDateTime::parse(s, &Rfc3339) {
        Ok(t) => t,
        Err(_) => {
            let date = thads_schemas::bank::parse_iso_date(s)
                .with_context(|| format!("{s:?} is neither RFC 3339 nor YYYY-MM-DD"))?;
            let offset = time::UtcOffset::from_hms(7, 0, 0)?;
            date.midnight().assume_offset(offset)
        }
    };
    Ok(i64::try_from(t.unix_timestamp_nanos() / 1_000_000)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn instants_are_rfc3339_or_vietnamese_dates() {
        assert_eq!(parse_instant("1970-01-01T00:00:01Z").unwrap(), 1_000);
        assert_eq!(
            parse_instant("2026-01-01").unwrap(),
            parse_instant("2025-12-31T17:00:00Z").unwrap()
        );
        assert!(parse_instant("soon").is_err());
    }

    #[test]
    fn keygen_writes_a_usable_pair_once() {
        let dir = tempfile::tempdir().unwrap();
        keygen(dir.path()).unwrap();
        let private = keys::read_private_key(&dir.path().join("private.pem")).unwrap();
        let public = keys::parse_public_key(
            &std::fs::read_to_string(dir.path().join("public.pem")).unwrap(),
        )
        .unwrap();
        assert_eq!(private.verifying_key(), public);
        assert!(keygen(dir.path()).is_err());
    }
}
