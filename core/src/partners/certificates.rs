//! Partners' TLS client certificates in the registry (`partner_certificates`): a certificate is
//! registered to one partner by the SHA-256 fingerprint of its DER bytes, with what it says
//! (subject, issuer, serial, validity) so listings and expiry alerts need no file. The partner
//! TLS listener checks that a certificate is signed by the partners' CA; this registry says
//! whose it is, and whether it is still allowed ([`identify`]).

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::registry::RegistryError;
use super::PartnerId;
use crate::admin::alerts::KnownCertificate;
use crate::db::{now_ms, rfc3339, Db};

/// What a certificate says, read from its DER bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Lower-case hex SHA-256 of the DER bytes: the certificate's identity in the registry.
    pub fingerprint: String,
    /// The subject's distinguished name (`CN=…, O=…`).
    pub subject: String,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// The serial number, hex bytes joined by `:`.
    pub serial: String,
    /// `notBefore`, epoch ms.
    pub not_before_ms: i64,
    /// `notAfter`, epoch ms.
    pub not_after_ms: i64,
}

/// The registry's fingerprint of a DER certificate: lower-case hex SHA-256.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// A fingerprint as typed by a person (`openssl x509 -fingerprint -sha256` prints
/// `AB:CD:…`), in the registry's form; refused unless it is 32 bytes of hex.
pub fn normalize_fingerprint(text: &str) -> Result<String, RegistryError> {
    let text = text.trim();
    let text = text
        .strip_prefix("sha256:")
        .or_else(|| text.strip_prefix("SHA256:"))
        .unwrap_or(text);
    let hex: String = text
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(RegistryError::Invalid {
            field: "fingerprint",
            reason: format!(
                "{text:?} is not a SHA-256 fingerprint: give 64 hex digits (colons allowed)"
            ),
        })
    }
}

fn invalid_cert(reason: String) -> RegistryError {
    RegistryError::Invalid {
        field: "certificate",
        reason,
    }
}

/// Reads one DER certificate.
pub fn inspect(der: &[u8]) -> Result<CertificateInfo, RegistryError> {
    let (rest, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| invalid_cert(format!("not an X.509 certificate: {e}")))?;
    if !rest.is_empty() {
        return Err(invalid_cert(
            "trailing bytes after the certificate".to_string(),
        ));
    }
    let validity = cert.validity();
    Ok(CertificateInfo {
        fingerprint: fingerprint(der),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial: cert.raw_serial_as_string(),
        not_before_ms: validity.not_before.timestamp().saturating_mul(1000),
        not_after_ms: validity.not_after.timestamp().saturating_mul(1000),
    })
}

/// The DER bytes of every `CERTIFICATE` block of a PEM file, or the file itself when it is DER.
pub fn certificates_in(bytes: &[u8]) -> Result<Vec<Vec<u8>>, RegistryError> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![bytes.to_vec()]);
    }
    let mut out = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(bytes) {
        let block = block.map_err(|e| invalid_cert(format!("not a readable PEM file: {e}")))?;
        if block.label == "CERTIFICATE" {
            out.push(block.contents);
        }
    }
    if out.is_empty() {
        return Err(invalid_cert(
            "holds no certificate: expected PEM \"-----BEGIN CERTIFICATE-----\" or DER".into(),
        ));
    }
    Ok(out)
}

/// The first certificate of a PEM (or DER) file: a partner's own certificate comes first in
/// its chain file.
pub fn inspect_file(bytes: &[u8]) -> Result<CertificateInfo, RegistryError> {
    let all = certificates_in(bytes)?;
    let first = all
        .first()
        .ok_or_else(|| invalid_cert("holds no certificate".into()))?;
    inspect(first)
}

/// One registered certificate as `partner list` shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PartnerCertificate {
    /// Lower-case hex SHA-256 of the DER bytes.
    pub fingerprint: String,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number.
    pub serial: String,
    /// `notBefore` (RFC 3339).
    pub not_before: String,
    /// `notAfter` (RFC 3339).
    pub not_after: String,
    /// When it was registered (RFC 3339).
    pub added_at: String,
    /// When it was revoked (RFC 3339), if it was.
    pub revoked_at: Option<String>,
    /// `active`, `revoked`, `expired` or `not_yet_valid`, as of now.
    pub status: String,
}

fn status(not_before: i64, not_after: i64, revoked_at: Option<i64>, now: i64) -> &'static str {
    if revoked_at.is_some() {
        "revoked"
    } else if now < not_before {
        "not_yet_valid"
    } else if not_after <= now {
        "expired"
    } else {
        "active"
    }
}

/// Registers `cert` to the active partner `id`. Returns `false` when it was already
/// registered to that partner (nothing changes). A certificate of another partner is a
/// conflict; a revoked one stays revoked (the partner needs a new certificate).
pub async fn add(db: &Db, id: &PartnerId, cert: &CertificateInfo) -> Result<bool, RegistryError> {
    let now = now_ms();
    if cert.not_after_ms <= now {
        return Err(invalid_cert(format!(
            "expired on {}: register a current certificate",
            rfc3339(cert.not_after_ms)
        )));
    }
    let mut tx = db.begin().await?;
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM partners WHERE partner_id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    match status.as_deref() {
        None => return Err(RegistryError::NotFound(id.to_string())),
        Some("revoked") => return Err(RegistryError::Revoked(id.to_string())),
        Some(_) => {}
    }
    let existing = sqlx::query(
        "SELECT partner_id, revoked_at FROM partner_certificates WHERE fingerprint = $1",
    )
    .bind(&cert.fingerprint)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = existing {
        let owner: String = row.try_get("partner_id")?;
        let revoked: Option<i64> = row.try_get("revoked_at")?;
        if owner != id.to_string() {
            return Err(RegistryError::Conflict(format!(
                "certificate {} is already registered to {owner}",
                cert.fingerprint
            )));
        }
        if revoked.is_some() {
            return Err(RegistryError::Revoked(format!(
                "certificate {} of {id}",
                cert.fingerprint
            )));
        }
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO partner_certificates (fingerprint, partner_id, subject, issuer, serial, \
         not_before, not_after, added_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
    )
    .bind(&cert.fingerprint)
    .bind(id.to_string())
    .bind(&cert.subject)
    .bind(&cert.issuer)
    .bind(&cert.serial)
    .bind(cert.not_before_ms)
    .bind(cert.not_after_ms)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE partners SET updated_at = $2 WHERE partner_id = $1")
        .bind(id.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Revokes one certificate of a partner: the partner TLS listener refuses it from now on.
pub async fn revoke(db: &Db, id: &PartnerId, fingerprint: &str) -> Result<(), RegistryError> {
    let changed = sqlx::query(
        "UPDATE partner_certificates SET revoked_at = $3 WHERE partner_id = $1 \
         AND fingerprint = $2 AND revoked_at IS NULL",
    )
    .bind(id.to_string())
    .bind(fingerprint)
    .bind(now_ms())
    .execute(db.pool())
    .await?
    .rows_affected();
    if changed > 0 {
        return Ok(());
    }
    let exists: Option<String> = sqlx::query_scalar(
        "SELECT fingerprint FROM partner_certificates WHERE partner_id = $1 AND fingerprint = $2",
    )
    .bind(id.to_string())
    .bind(fingerprint)
    .fetch_optional(db.pool())
    .await?;
    Err(match exists {
        Some(_) => RegistryError::Revoked(format!("certificate {fingerprint} of {id}")),
        None => RegistryError::NotFound(format!("certificate {fingerprint} of {id}")),
    })
}

/// Revokes every certificate of a partner (with the partner itself); returns how many.
pub async fn revoke_all(db: &Db, id: &PartnerId) -> Result<u64, RegistryError> {
    Ok(sqlx::query(
        "UPDATE partner_certificates SET revoked_at = $2 WHERE partner_id = $1 \
         AND revoked_at IS NULL",
    )
    .bind(id.to_string())
    .bind(now_ms())
    .execute(db.pool())
    .await?
    .rows_affected())
}

/// Every registered certificate with its partner id, oldest first.
pub async fn list(db: &Db) -> Result<Vec<(String, PartnerCertificate)>, RegistryError> {
    let rows = sqlx::query(
        "SELECT fingerprint, partner_id, subject, issuer, serial, not_before, not_after, \
         added_at, revoked_at FROM partner_certificates ORDER BY added_at, fingerprint",
    )
    .fetch_all(db.pool())
    .await?;
    let now = now_ms();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let not_before: i64 = r.try_get("not_before")?;
        let not_after: i64 = r.try_get("not_after")?;
        let revoked_at: Option<i64> = r.try_get("revoked_at")?;
        out.push((
            r.try_get("partner_id")?,
            PartnerCertificate {
                fingerprint: r.try_get("fingerprint")?,
                subject: r.try_get("subject")?,
                issuer: r.try_get("issuer")?,
                serial: r.try_get("serial")?,
                not_before: rfc3339(not_before),
                not_after: rfc3339(not_after),
                added_at: rfc3339(r.try_get("added_at")?),
                revoked_at: revoked_at.map(rfc3339),
                status: status(not_before, not_after, revoked_at, now).to_string(),
            },
        ));
    }
    Ok(out)
}

/// Why a certificate that the CA signed does not identify a partner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateRefusal {
    /// No partner has it.
    #[error("certificate {fingerprint} is not registered to any partner")]
    Unknown {
        /// Its fingerprint.
        fingerprint: String,
    },
    /// It, or its partner, was revoked.
    #[error("certificate {fingerprint} of {partner} is revoked")]
    Revoked {
        /// Its fingerprint.
        fingerprint: String,
        /// Whose it was.
        partner: String,
    },
    /// Outside its validity (the handshake checks this too; the registry says it again).
    #[error("certificate {fingerprint} of {partner} is not valid now ({status})")]
    NotValidNow {
        /// Its fingerprint.
        fingerprint: String,
        /// Whose it is.
        partner: String,
        /// `expired` or `not_yet_valid`.
        status: &'static str,
    },
}

impl CertificateRefusal {
    /// A short stable code for metrics and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown { .. } => "unknown_certificate",
            Self::Revoked { .. } => "revoked_certificate",
            Self::NotValidNow { .. } => "invalid_certificate",
        }
    }
}

/// A partner identified by its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identified {
    /// Who.
    pub partner: PartnerId,
    /// The certificate's fingerprint.
    pub fingerprint: String,
}

/// Why [`identify`] did not identify a partner.
#[derive(Debug, thiserror::Error)]
pub enum IdentifyError {
    /// The certificate does not identify an active partner.
    #[error(transparent)]
    Refused(#[from] CertificateRefusal),
    /// The registry could not be read.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl From<sqlx::Error> for IdentifyError {
    fn from(e: sqlx::Error) -> Self {
        Self::Registry(e.into())
    }
}

/// The active partner whose active certificate has `fingerprint`, at `now` (epoch ms).
pub async fn identify(db: &Db, fingerprint: &str, now: i64) -> Result<Identified, IdentifyError> {
    let row = sqlx::query(
        "SELECT c.partner_id, c.not_before, c.not_after, c.revoked_at, p.status \
         FROM partner_certificates c JOIN partners p ON p.partner_id = c.partner_id \
         WHERE c.fingerprint = $1",
    )
    .bind(fingerprint)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else {
        return Err(CertificateRefusal::Unknown {
            fingerprint: fingerprint.to_string(),
        }
        .into());
    };
    let partner: String = r.try_get("partner_id")?;
    let partner_status: String = r.try_get("status")?;
    let revoked_at: Option<i64> = r.try_get("revoked_at")?;
    if revoked_at.is_some() || partner_status != "active" {
        return Err(CertificateRefusal::Revoked {
            fingerprint: fingerprint.to_string(),
            partner,
        }
        .into());
    }
    match status(r.try_get("not_before")?, r.try_get("not_after")?, None, now) {
        "active" => Ok(Identified {
            partner: PartnerId::parse(&partner)?,
            fingerprint: fingerprint.to_string(),
        }),
        other => Err(CertificateRefusal::NotValidNow {
            fingerprint: fingerprint.to_string(),
            partner,
            status: other,
        }
        .into()),
    }
}

/// The certificates of active partners that are not revoked, for the expiry alerts.
pub async fn watched(db: &Db) -> Result<Vec<KnownCertificate>, RegistryError> {
    let rows = sqlx::query(
        "SELECT c.partner_id, c.fingerprint, c.not_after FROM partner_certificates c \
         JOIN partners p ON p.partner_id = c.partner_id \
         WHERE c.revoked_at IS NULL AND p.status = 'active' ORDER BY c.partner_id, c.fingerprint",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let partner: String = r.try_get("partner_id")?;
            let fp: String = r.try_get("fingerprint")?;
            Ok(KnownCertificate {
                name: format!("partner {partner} certificate {}", &fp[..fp.len().min(16)]),
                not_after_ms: r.try_get("not_after")?,
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "certificates_tests.rs"]
mod tests;
