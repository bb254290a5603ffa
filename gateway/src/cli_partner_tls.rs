//! The certificate and account parts of `thads-hub partner add|list|revoke`: register a
//! partner's TLS client certificates (by SHA-256 fingerprint) and a bank's THADS deposit
//! accounts, list them with expiry, revoke a certificate or take an account off a bank. Each
//! change is recorded in the audit trail.

use std::path::PathBuf;

use anyhow::Context;
use serde_json::Value;
use thads_core::db::{rfc3339, Db};
use thads_core::partners::certificates::{self, PartnerCertificate};
use thads_core::partners::registry::Partner;
use thads_core::partners::{accounts, PartnerId};

use crate::cli_audit::record_cli_act;

/// Registers `certs` (files) and `accounts` to `id`, audited; prints what was done.
pub async fn add(
    db: &Db,
    id: &PartnerId,
    certs: &[PathBuf],
    accounts: &[String],
) -> anyhow::Result<()> {
    for path in certs {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let cert = certificates::inspect_file(&bytes)
            .with_context(|| format!("--cert {}", path.display()))?;
        let new = certificates::add(db, id, &cert)
            .await
            .with_context(|| format!("--cert {}", path.display()))?;
        if new {
            record_cli_act(
                db,
                "partner.add_certificate",
                &id.to_string(),
                &format!(
                    "certificate {} added (subject {}, serial {}, valid until {})",
                    cert.fingerprint,
                    cert.subject,
                    cert.serial,
                    rfc3339(cert.not_after_ms)
                ),
            )
            .await?;
        }
        println!(
            "certificate {} {} {id} ({}, valid until {})",
            cert.fingerprint,
            if new {
                "added to"
            } else {
                "already registered to"
            },
            cert.subject,
            rfc3339(cert.not_after_ms)
        );
    }
    for account in accounts {
        let new = accounts::add(db, id, account)
            .await
            .with_context(|| format!("--account {account}"))?;
        if new {
            record_cli_act(
                db,
                "partner.add_account",
                &id.to_string(),
                &format!("account {account} held"),
            )
            .await?;
        }
        println!(
            "account {account} {} {id}",
            if new { "added to" } else { "already held by" }
        );
    }
    Ok(())
}

/// Revokes one certificate or takes one account off a bank, audited; `false` when neither was
/// asked for (the caller then revokes a key or the partner).
pub async fn revoke(
    db: &Db,
    id: &PartnerId,
    cert: Option<&str>,
    account: Option<&str>,
) -> anyhow::Result<bool> {
    if let Some(fingerprint) = cert {
        let fingerprint = certificates::normalize_fingerprint(fingerprint).context("--cert")?;
        certificates::revoke(db, id, &fingerprint).await?;
        record_cli_act(
            db,
            "partner.revoke_certificate",
            &id.to_string(),
            &format!("certificate {fingerprint} revoked"),
        )
        .await?;
        println!("certificate {fingerprint} of {id} revoked");
        return Ok(true);
    }
    if let Some(account) = account {
        accounts::remove(db, id, account).await?;
        record_cli_act(
            db,
            "partner.remove_account",
            &id.to_string(),
            &format!("account {account} no longer held"),
        )
        .await?;
        println!("account {account} taken off {id}");
        return Ok(true);
    }
    Ok(false)
}

/// The certificates and accounts of every partner, for `partner list`.
pub struct Listing {
    certificates: Vec<(String, PartnerCertificate)>,
    accounts: Vec<(String, String)>,
}

impl Listing {
    /// Reads them.
    pub async fn read(db: &Db) -> anyhow::Result<Self> {
        Ok(Self {
            certificates: certificates::list(db).await?,
            accounts: accounts::list(db).await?,
        })
    }

    fn certificates_of<'a>(
        &'a self,
        partner: &'a str,
    ) -> impl Iterator<Item = &'a PartnerCertificate> + 'a {
        self.certificates
            .iter()
            .filter(move |(p, _)| p == partner)
            .map(|(_, c)| c)
    }

    fn accounts_of<'a>(&'a self, partner: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.accounts
            .iter()
            .filter(move |(p, _)| p == partner)
            .map(|(_, a)| a.as_str())
    }

    /// Prints a partner's certificates (with expiry) and accounts under its line.
    pub fn print(&self, partner: &str) {
        for c in self.certificates_of(partner) {
            println!(
                "  cert {}\t{}\t{}\tserial {}\tuntil {}",
                c.fingerprint, c.status, c.subject, c.serial, c.not_after
            );
        }
        for a in self.accounts_of(partner) {
            println!("  account {a}");
        }
    }

    /// The partners as JSON, each with `certificates` and `accounts` beside its keys.
    pub fn json(&self, partners: &[Partner]) -> anyhow::Result<Value> {
        let mut out = Vec::with_capacity(partners.len());
        for p in partners {
            let mut v = serde_json::to_value(p)?;
            if let Some(map) = v.as_object_mut() {
                let certs: Vec<&PartnerCertificate> = self.certificates_of(&p.partner_id).collect();
                map.insert("certificates".into(), serde_json::to_value(certs)?);
                let accounts: Vec<&str> = self.accounts_of(&p.partner_id).collect();
                map.insert("accounts".into(), serde_json::to_value(accounts)?);
            }
            out.push(v);
        }
        Ok(Value::Array(out))
    }
}
