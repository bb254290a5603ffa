//! The heads' signing keys: one ed25519 key pair per head, made by `thads-hub staff keygen
//! USERNAME`. The public key is kept in clear in `staff_keys` (every key ever used stays, so old
//! signatures can still be checked); the private key is kept encrypted at rest with
//! XChaCha20-Poly1305 under a key derived from a secret file (`[staff_signing]
//! key_secret_file`, by default `<data_dir>/staff-key-secret`, created 0600 by the first
//! keygen), bound to its key id. A database dump alone therefore reveals no private key.
//!
//! A decision's signature is ed25519 over the 32-byte SHA-256 digest of the PDF's bytes.
//! Neither the secret nor a private key is ever logged: [`KeyVault`]'s `Debug` shows only the
//! file's path.

use std::fmt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{now_ms, rfc3339, Db};
use crate::partners::keys::{fingerprint, generate_signing_key, public_key_base64};
use crate::staff::Role;

/// `[staff_signing]`: where the secret that encrypts the heads' private keys is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StaffSigningConfig {
    /// File holding the secret (at least 32 bytes, e.g. `head -c 32 /dev/urandom | base64`);
    /// default `<data_dir>/staff-key-secret`, created with mode 0600 by the first keygen.
    pub key_secret_file: Option<PathBuf>,
}

impl StaffSigningConfig {
    /// The secret file in use, given the hub's data folder.
    pub fn secret_file(&self, data_dir: &Path) -> PathBuf {
        self.key_secret_file
            .clone()
            .unwrap_or_else(|| data_dir.join("staff-key-secret"))
    }
}

/// The name of the at-rest encryption, stored with each key.
pub const ENCRYPTION: &str = "xchacha20poly1305-sha256kdf-v1";
const KDF_CONTEXT: &[u8] = b"thads-hub staff signing keys v1\n";
const NONCE_LEN: usize = 24;
const SEED_LEN: usize = 32;

/// Why a key could not be made, opened or used.
#[derive(Debug, thiserror::Error)]
pub enum StaffKeyError {
    /// No staff account of that name.
    #[error("no staff account {0:?}")]
    NoAccount(String),
    /// Only heads sign decisions.
    #[error("{username} is a {role}; only heads (Thủ trưởng) sign decisions and get a key")]
    NotHead {
        /// The account.
        username: String,
        /// Its role.
        role: String,
    },
    /// The head has no key yet.
    #[error(
        "{0} has no signing key; an administrator creates one with `thads-hub staff keygen {0}`"
    )]
    NoKey(String),
    /// The secret file is missing, unreadable or too short.
    #[error("the staff key secret {path}: {reason} (`[staff_signing] key_secret_file`)")]
    Secret {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A stored key could not be decrypted or read (wrong secret, or altered row).
    #[error("signing key {key_id}: {reason}")]
    Corrupt {
        /// The key.
        key_id: String,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// The secret that encrypts private keys at rest.
pub struct KeyVault {
    path: PathBuf,
    key: [u8; 32],
}

impl fmt::Debug for KeyVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyVault")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl KeyVault {
    /// Opens the secret at `path`.
    pub fn open(path: &Path) -> Result<Self, StaffKeyError> {
        let bytes = std::fs::read(path).map_err(|e| StaffKeyError::Secret {
            path: path.to_path_buf(),
            reason: if e.kind() == std::io::ErrorKind::NotFound {
                "does not exist; `thads-hub staff keygen` creates it".into()
            } else {
                e.to_string()
            },
        })?;
        let secret = bytes.trim_ascii();
        if secret.len() < 32 {
            return Err(StaffKeyError::Secret {
                path: path.to_path_buf(),
                reason: format!("holds {} bytes; at least 32 are needed", secret.len()),
            });
        }
        let mut h = Sha256::new();
        h.update(KDF_CONTEXT);
        h.update(secret);
        Ok(Self {
            path: path.to_path_buf(),
            key: h.finalize().into(),
        })
    }

    /// Opens the secret at `path`, creating it (32 random bytes, base64, mode 0600) when it
    /// does not exist yet.
    pub fn open_or_create(path: &Path) -> Result<Self, StaffKeyError> {
        if !path.exists() {
            let err = |e: std::io::Error| StaffKeyError::Secret {
                path: path.to_path_buf(),
                reason: format!("cannot create it: {e}"),
            };
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(err)?;
            }
            let secret: [u8; 32] = rand::random();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(path).map_err(err)?;
            use std::io::Write;
            writeln!(file, "{}", STANDARD.encode(secret)).map_err(err)?;
            file.sync_all().map_err(err)?;
        }
        Self::open(path)
    }

    /// The secret file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.key.into())
    }

    fn seal(&self, key_id: &str, seed: &[u8; SEED_LEN]) -> Result<String, StaffKeyError> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: seed,
                    aad: key_id.as_bytes(),
                },
            )
            .map_err(|_| StaffKeyError::Corrupt {
                key_id: key_id.to_string(),
                reason: "encryption failed".into(),
            })?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(STANDARD.encode(out))
    }

    fn open_key(&self, key_id: &str, stored: &str) -> Result<SigningKey, StaffKeyError> {
        let corrupt = |reason: &str| StaffKeyError::Corrupt {
            key_id: key_id.to_string(),
            reason: reason.to_string(),
        };
        let bytes = STANDARD
            .decode(stored.trim())
            .map_err(|_| corrupt("stored private key is not base64"))?;
        if bytes.len() <= NONCE_LEN {
            return Err(corrupt("stored private key is too short"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let seed = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: key_id.as_bytes(),
                },
            )
            .map_err(|_| {
                corrupt("cannot decrypt the private key: wrong key secret, or the row was altered")
            })?;
        let seed: [u8; SEED_LEN] = seed
            .as_slice()
            .try_into()
            .map_err(|_| corrupt("decrypted key is not 32 bytes"))?;
        Ok(SigningKey::from_bytes(&seed))
    }
}

/// A staff key as listed (never the private half).
#[derive(Debug, Clone, Serialize)]
pub struct StaffKeyInfo {
    /// Its id, `<username>:<fingerprint>`.
    pub key_id: String,
    /// The head it belongs to.
    pub username: String,
    /// Always `ed25519`.
    pub algorithm: &'static str,
    /// Base64 of the 32 raw public-key bytes.
    pub public_key: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// Makes a new key pair for head `username`, retiring (but keeping) the previous one.
pub async fn generate(
    db: &Db,
    vault: &KeyVault,
    username: &str,
) -> Result<StaffKeyInfo, StaffKeyError> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM staff_accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(db.pool())
            .await?;
    let Some(role) = role else {
        return Err(StaffKeyError::NoAccount(username.to_string()));
    };
    if Role::parse(&role) != Some(Role::Head) {
        return Err(StaffKeyError::NotHead {
            username: username.to_string(),
            role,
        });
    }
    let signing = generate_signing_key();
    let public = signing.verifying_key();
    let key_id = format!("{username}:{}", fingerprint(&public));
    let sealed = vault.seal(&key_id, &signing.to_bytes())?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE staff_keys SET revoked_at = $2 WHERE username = $1 AND revoked_at IS NULL")
        .bind(username)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO staff_keys (key_id, username, algorithm, public_key, private_key, \
         encryption, created_at) VALUES ($1, $2, 'ed25519', $3, $4, $5, $6)",
    )
    .bind(&key_id)
    .bind(username)
    .bind(public_key_base64(&public))
    .bind(&sealed)
    .bind(ENCRYPTION)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(StaffKeyInfo {
        key_id,
        username: username.to_string(),
        algorithm: "ed25519",
        public_key: public_key_base64(&public),
        created_at: rfc3339(now),
    })
}

/// The current signing key of head `username`, decrypted, with its id.
pub async fn signing_key(
    db: &Db,
    vault: &KeyVault,
    username: &str,
) -> Result<(String, SigningKey), StaffKeyError> {
    let row = sqlx::query(
        "SELECT key_id, private_key FROM staff_keys WHERE username = $1 AND revoked_at IS NULL \
         ORDER BY created_at DESC",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Err(StaffKeyError::NoKey(username.to_string()));
    };
    let key_id: String = row.try_get("key_id")?;
    let stored: String = row.try_get("private_key")?;
    let key = vault.open_key(&key_id, &stored)?;
    Ok((key_id, key))
}

/// Whether head `username` has a current key (without opening it).
pub async fn has_key(db: &Db, username: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_keys WHERE username = $1 AND revoked_at IS NULL",
    )
    .bind(username)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

/// A public key by id, with its owner and when it was retired (if it was).
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// The head.
    pub username: String,
    /// The key.
    pub key: VerifyingKey,
    /// Base64 of the raw key.
    pub base64: String,
    /// When a newer key replaced it (epoch ms).
    pub revoked_at: Option<i64>,
}

/// Looks up a public key by id; `None` when unknown or unreadable.
pub async fn public_key(db: &Db, key_id: &str) -> Result<Option<PublicKey>, sqlx::Error> {
    let row =
        sqlx::query("SELECT username, public_key, revoked_at FROM staff_keys WHERE key_id = $1")
            .bind(key_id)
            .fetch_optional(db.pool())
            .await?;
    let Some(row) = row else { return Ok(None) };
    let base64: String = row.try_get("public_key")?;
    let Ok(key) = crate::partners::keys::parse_public_key(&base64) else {
        return Ok(None);
    };
    Ok(Some(PublicKey {
        username: row.try_get("username")?,
        key,
        base64,
        revoked_at: row.try_get("revoked_at")?,
    }))
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Signs a PDF: ed25519 over the SHA-256 digest of its bytes; base64 of the 64-byte signature.
pub fn sign_pdf(key: &SigningKey, pdf: &[u8]) -> String {
    let digest = Sha256::digest(pdf);
    STANDARD.encode(key.sign(&digest).to_bytes())
}

/// Checks a signature made by [`sign_pdf`]; the reason when it does not hold.
pub fn verify_pdf(key: &VerifyingKey, pdf: &[u8], signature: &str) -> Result<(), String> {
    let bytes = STANDARD
        .decode(signature.trim())
        .map_err(|_| "the stored signature is not base64".to_string())?;
    let bytes: [u8; 64] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("the stored signature is {} bytes, not 64", bytes.len()))?;
    let digest = Sha256::digest(pdf);
    key.verify(&digest, &Signature::from_bytes(&bytes))
        .map_err(|_| "the signature does not match these PDF bytes and this key".to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signatures_cover_every_byte() {
        let key = generate_signing_key();
        let pdf = b"%PDF-1.4 hello".to_vec();
        let sig = sign_pdf(&key, &pdf);
        assert!(verify_pdf(&key.verifying_key(), &pdf, &sig).is_ok());
        let mut altered = pdf.clone();
        altered[9] ^= 1;
        assert!(verify_pdf(&key.verifying_key(), &altered, &sig).is_err());
        assert!(verify_pdf(&generate_signing_key().verifying_key(), &pdf, &sig).is_err());
        assert!(verify_pdf(&key.verifying_key(), &pdf, "bm90LWEtc2ln").is_err());
    }

    #[test]
    fn private_keys_are_sealed_to_their_id_and_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("secret");
        let vault = KeyVault::open_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let key = generate_signing_key();
        let sealed = vault.seal("head:abc", &key.to_bytes()).unwrap();
        assert!(!sealed.contains(&STANDARD.encode(key.to_bytes())));
        let opened = vault.open_key("head:abc", &sealed).unwrap();
        assert_eq!(opened.to_bytes(), key.to_bytes());
        assert!(vault.open_key("other:abc", &sealed).is_err());
        let again = KeyVault::open_or_create(&path).unwrap();
        assert!(again.open_key("head:abc", &sealed).is_ok());
        std::fs::write(dir.path().join("other"), "x".repeat(40)).unwrap();
        let other = KeyVault::open(&dir.path().join("other")).unwrap();
        assert!(other.open_key("head:abc", &sealed).is_err());
        std::fs::write(dir.path().join("short"), "short").unwrap();
        assert!(KeyVault::open(&dir.path().join("short")).is_err());
        assert!(format!("{vault:?}").contains("path"));
    }
}
