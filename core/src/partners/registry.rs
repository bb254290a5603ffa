//! The partner registry in the database: partners (`partners`), their public keys
//! (`partner_keys`), and the public keys the hub itself has signed with (`hub_keys`), so every
//! receipt ever issued stays verifiable after a key change or across several hub processes.
//!
//! A key id names one key of one partner across the whole registry: the `X-Signature-Key`
//! header carries only the key id, and the registry says whose key it is.

use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use sqlx::Row;

use super::keys::{self, fingerprint, is_valid_key_id, public_key_base64, HubKey, KeyError};
use super::{PartnerId, PartnerKind, ALGORITHM};
use crate::db::{now_ms, rfc3339, Db};

/// Why a registry change was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A value has the wrong form.
    #[error("{field}: {reason}")]
    Invalid {
        /// The argument at fault.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// No partner or key with that id.
    #[error("{0} not found")]
    NotFound(String),
    /// The partner or key was revoked (a key's revocation is final; a partner is re-activated
    /// only by `add_partner`).
    #[error("{0} is revoked")]
    Revoked(String),
    /// The key id or the key itself is already registered.
    #[error("{0}")]
    Conflict(String),
    /// The key could not be read.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// One partner as `partner list` and the registry show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Partner {
    /// `<kind>:<code>`.
    pub partner_id: String,
    /// court, bank, treasury, vneid or database.
    pub kind: String,
    /// The partner's code.
    pub code: String,
    /// Its full name.
    pub name: String,
    /// `active` or `revoked`.
    pub status: String,
    /// When it was registered (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// Its keys, oldest first.
    pub keys: Vec<PartnerKey>,
}

/// One registered public key.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PartnerKey {
    /// The id partners put in `X-Signature-Key`.
    pub key_id: String,
    /// Always `ed25519`.
    pub algorithm: String,
    /// Standard base64 of the 32 raw bytes.
    pub public_key: String,
    /// From when signatures by it are accepted (RFC 3339).
    pub valid_from: String,
    /// Until when (RFC 3339), if limited.
    pub valid_until: Option<String>,
    /// When it was revoked (RFC 3339), if it was.
    pub revoked_at: Option<String>,
    /// `active`, `revoked`, `expired` or `not_yet_valid`, as of now.
    pub status: String,
}

/// A key as signature verification needs it.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    /// The key id.
    pub key_id: String,
    /// The partner it belongs to (`<kind>:<code>`).
    pub partner_id: String,
    /// The partner's status (`active` or `revoked`).
    pub partner_status: String,
    /// The public key.
    pub public_key: VerifyingKey,
    /// Epoch ms from which it is valid.
    pub valid_from: i64,
    /// Epoch ms until which it is valid.
    pub valid_until: Option<i64>,
    /// Epoch ms of its revocation.
    pub revoked_at: Option<i64>,
}

impl KeyRecord {
    /// The key's status at `now` (epoch ms): `active`, `revoked`, `expired` or `not_yet_valid`.
    pub fn status_at(&self, now: i64) -> &'static str {
        key_status(self.valid_from, self.valid_until, self.revoked_at, now)
    }
}

fn key_status(
    valid_from: i64,
    valid_until: Option<i64>,
    revoked_at: Option<i64>,
    now: i64,
) -> &'static str {
    if revoked_at.is_some_and(|r| r <= now) {
        "revoked"
    } else if now < valid_from {
        "not_yet_valid"
    } else if valid_until.is_some_and(|u| u <= now) {
        "expired"
    } else {
        "active"
    }
}

/// A new key for [`add_key`].
#[derive(Debug, Clone)]
pub struct NewKey<'a> {
    /// The public key.
    pub public_key: &'a VerifyingKey,
    /// The id to register it under; default `<code>-<first 8 hex digits of its fingerprint>`.
    pub key_id: Option<&'a str>,
    /// Epoch ms from which it is valid; default now.
    pub valid_from: Option<i64>,
    /// Epoch ms until which it is valid; default unlimited.
    pub valid_until: Option<i64>,
}

/// What [`add_partner`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new partner.
    Created,
    /// An active partner, its name set again.
    Updated,
    /// A revoked partner made active again; its revoked keys stay revoked, so it needs a new
    /// key before it can sign. (A court's code is fixed by its judgments, so a mistaken
    /// revocation must be reversible by an administrator.)
    Reactivated,
}

/// Registers a partner, renames an active one, or re-activates a revoked one.
pub async fn add_partner(db: &Db, id: &PartnerId, name: &str) -> Result<Added, RegistryError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(RegistryError::Invalid {
            field: "name",
            reason: "must be 1 to 200 characters".into(),
        });
    }
    let now = now_ms();
    let mut tx = db.begin().await?;
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM partners WHERE partner_id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let added = match status.as_deref() {
        None => {
            sqlx::query(
                "INSERT INTO partners (partner_id, kind, code, name, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'active', $5, $5)",
            )
            .bind(id.to_string())
            .bind(id.kind.as_str())
            .bind(&id.code)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Added::Created
        }
        Some("revoked") => {
            sqlx::query(
                "UPDATE partners SET status = 'active', name = $2, updated_at = $3 WHERE partner_id = $1",
            )
            .bind(id.to_string())
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Added::Reactivated
        }
        Some(_) => {
            sqlx::query(
                "UPDATE partners SET name = $2, updated_at = $3 WHERE partner_id = $1 AND name <> $2",
            )
            .bind(id.to_string())
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Added::Updated
        }
    };
    tx.commit().await?;
    Ok(added)
}

/// Adds a public key to an active partner; returns its key id.
pub async fn add_key(db: &Db, id: &PartnerId, key: &NewKey<'_>) -> Result<String, RegistryError> {
    let key_id = match key.key_id {
        Some(k) => k.to_string(),
        None => {
            let mut f = fingerprint(key.public_key);
            f.truncate(8);
            format!("{}-{f}", id.code)
        }
    };
    if !is_valid_key_id(&key_id) {
        return Err(RegistryError::Invalid {
            field: "key_id",
            reason: format!(
                "{key_id:?}: use 1 to 64 of ASCII letters, digits, '.', '_', ':' and '-'"
            ),
        });
    }
    let now = now_ms();
    let valid_from = key.valid_from.unwrap_or(now);
    if key.valid_until.is_some_and(|u| u <= valid_from) {
        return Err(RegistryError::Invalid {
            field: "valid_until",
            reason: "must be after valid_from".into(),
        });
    }
    let public = public_key_base64(key.public_key);
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
    let holder: Option<(String, String)> = sqlx::query(
        "SELECT key_id, partner_id FROM partner_keys WHERE key_id = $1 OR public_key = $2",
    )
    .bind(&key_id)
    .bind(&public)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| Ok::<_, sqlx::Error>((r.try_get("key_id")?, r.try_get("partner_id")?)))
    .transpose()?;
    if let Some((existing, owner)) = holder {
        return Err(RegistryError::Conflict(if existing == key_id {
            format!("key id {key_id} is already registered (for {owner})")
        } else {
            format!("this public key is already registered as {existing} (for {owner})")
        }));
    }
    sqlx::query(
        "INSERT INTO partner_keys (key_id, partner_id, algorithm, public_key, valid_from, \
         valid_until, revoked_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
    )
    .bind(&key_id)
    .bind(id.to_string())
    .bind(ALGORITHM)
    .bind(&public)
    .bind(valid_from)
    .bind(key.valid_until)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE partners SET updated_at = $2 WHERE partner_id = $1")
        .bind(id.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(key_id)
}

/// Revokes a partner and every key it has; its signatures are refused from now on.
pub async fn revoke_partner(db: &Db, id: &PartnerId) -> Result<(), RegistryError> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "UPDATE partners SET status = 'revoked', updated_at = $2 WHERE partner_id = $1",
    )
    .bind(id.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(RegistryError::NotFound(id.to_string()));
    }
    sqlx::query(
        "UPDATE partner_keys SET revoked_at = $2 WHERE partner_id = $1 AND revoked_at IS NULL",
    )
    .bind(id.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes one key of a partner; signatures by it are refused from now on.
pub async fn revoke_key(db: &Db, id: &PartnerId, key_id: &str) -> Result<(), RegistryError> {
    let now = now_ms();
    let changed = sqlx::query(
        "UPDATE partner_keys SET revoked_at = $3 WHERE partner_id = $1 AND key_id = $2 \
         AND revoked_at IS NULL",
    )
    .bind(id.to_string())
    .bind(key_id)
    .bind(now)
    .execute(db.pool())
    .await?
    .rows_affected();
    if changed == 0 {
        let exists: Option<String> = sqlx::query_scalar(
            "SELECT key_id FROM partner_keys WHERE partner_id = $1 AND key_id = $2",
        )
        .bind(id.to_string())
        .bind(key_id)
        .fetch_optional(db.pool())
        .await?;
        return Err(match exists {
            Some(_) => RegistryError::Revoked(format!("key {key_id}")),
            None => RegistryError::NotFound(format!("key {key_id} of {id}")),
        });
    }
    Ok(())
}

/// Every partner with its keys, by partner id.
pub async fn list(db: &Db) -> Result<Vec<Partner>, RegistryError> {
    let rows = sqlx::query(
        "SELECT partner_id, kind, code, name, status, created_at, updated_at FROM partners \
         ORDER BY partner_id",
    )
    .fetch_all(db.pool())
    .await?;
    let key_rows = sqlx::query(
        "SELECT key_id, partner_id, algorithm, public_key, valid_from, valid_until, revoked_at \
         FROM partner_keys ORDER BY created_at, key_id",
    )
    .fetch_all(db.pool())
    .await?;
    let now = now_ms();
    let mut keys: Vec<(String, PartnerKey)> = Vec::with_capacity(key_rows.len());
    for r in key_rows {
        let valid_from: i64 = r.try_get("valid_from")?;
        let valid_until: Option<i64> = r.try_get("valid_until")?;
        let revoked_at: Option<i64> = r.try_get("revoked_at")?;
        keys.push((
            r.try_get("partner_id")?,
            PartnerKey {
                key_id: r.try_get("key_id")?,
                algorithm: r.try_get("algorithm")?,
                public_key: r.try_get("public_key")?,
                valid_from: rfc3339(valid_from),
                valid_until: valid_until.map(rfc3339),
                revoked_at: revoked_at.map(rfc3339),
                status: key_status(valid_from, valid_until, revoked_at, now).to_string(),
            },
        ));
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let partner_id: String = r.try_get("partner_id")?;
        out.push(Partner {
            keys: keys
                .iter()
                .filter(|(p, _)| *p == partner_id)
                .map(|(_, k)| k.clone())
                .collect(),
            partner_id,
            kind: r.try_get("kind")?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            status: r.try_get("status")?,
            created_at: rfc3339(r.try_get("created_at")?),
            updated_at: rfc3339(r.try_get("updated_at")?),
        });
    }
    Ok(out)
}

/// The key registered under `key_id`, with its partner's status.
pub async fn find_key(db: &Db, key_id: &str) -> Result<Option<KeyRecord>, RegistryError> {
    let row = sqlx::query(
        "SELECT k.key_id, k.partner_id, k.public_key, k.valid_from, k.valid_until, k.revoked_at, \
         p.status FROM partner_keys k JOIN partners p ON p.partner_id = k.partner_id \
         WHERE k.key_id = $1",
    )
    .bind(key_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let public: String = r.try_get("public_key")?;
    Ok(Some(KeyRecord {
        key_id: r.try_get("key_id")?,
        partner_id: r.try_get("partner_id")?,
        partner_status: r.try_get("status")?,
        public_key: keys::parse_public_key(&public)?,
        valid_from: r.try_get("valid_from")?,
        valid_until: r.try_get("valid_until")?,
        revoked_at: r.try_get("revoked_at")?,
    }))
}

/// How many keys of partners of `kind` are usable now (for the start-up warning when court
/// signatures are not required although courts have keys).
pub async fn count_active_keys(db: &Db, kind: PartnerKind) -> Result<i64, RegistryError> {
    let now = now_ms();
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM partner_keys k JOIN partners p ON p.partner_id = k.partner_id \
         WHERE p.kind = $1 AND p.status = 'active' AND k.revoked_at IS NULL \
         AND k.valid_from <= $2 AND (k.valid_until IS NULL OR k.valid_until > $2)",
    )
    .bind(kind.as_str())
    .bind(now)
    .fetch_one(db.pool())
    .await?)
}

/// A public key the hub has signed with, as `GET /v1/keys` publishes it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HubPublicKey {
    /// The id seals name.
    pub key_id: String,
    /// Always `ed25519`.
    pub alg: String,
    /// Standard base64 of the 32 raw bytes.
    pub public_key: String,
    /// When a hub process first used it (RFC 3339).
    pub first_used: String,
    /// When a hub process last started with it (RFC 3339).
    pub last_started: String,
}

/// Records that a hub process signs with `key` from now on (at every start).
pub async fn register_hub_key(db: &Db, key: &HubKey) -> Result<(), RegistryError> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO hub_keys (key_id, algorithm, public_key, first_used, last_started) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (key_id) DO UPDATE SET last_started = $4",
    )
    .bind(key.key_id())
    .bind(ALGORITHM)
    .bind(key.public_key_base64())
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Every public key the hub has signed with, newest start first.
pub async fn hub_keys(db: &Db) -> Result<Vec<HubPublicKey>, RegistryError> {
    let rows = sqlx::query(
        "SELECT key_id, algorithm, public_key, first_used, last_started FROM hub_keys \
         ORDER BY last_started DESC, key_id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HubPublicKey {
                key_id: r.try_get("key_id")?,
                alg: r.try_get("algorithm")?,
                public_key: r.try_get("public_key")?,
                first_used: rfc3339(r.try_get("first_used")?),
                last_started: rfc3339(r.try_get("last_started")?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::partners::keys::generate_signing_key;

    async fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
            .await
            .unwrap();
        crate::db::migrate(&db).await.unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn partners_keys_and_revocation() {
        let (_dir, db) = db().await;
        let court = PartnerId::parse("court:TAND79-KV1").unwrap();
        assert_eq!(
            add_partner(&db, &court, "Tòa án nhân dân khu vực 1")
                .await
                .unwrap(),
            Added::Created
        );
        assert_eq!(
            add_partner(&db, &court, "Tòa án khu vực 1").await.unwrap(),
            Added::Updated
        );
        let vk = generate_signing_key().verifying_key();
        let new = NewKey {
            public_key: &vk,
            key_id: None,
            valid_from: None,
            valid_until: None,
        };
        let key_id = add_key(&db, &court, &new).await.unwrap();
        assert!(
            key_id.starts_with("TAND79-KV1-") && key_id.len() == 19,
            "{key_id}"
        );
        // The same public key cannot be registered twice, nor the same id.
        let e = add_key(&db, &court, &new).await.unwrap_err();
        assert!(e.to_string().contains("already registered"), "{e}");
        let other = PartnerId::parse("court:TAND01").unwrap();
        assert!(matches!(
            add_key(&db, &other, &new).await,
            Err(RegistryError::NotFound(_))
        ));

        let found = find_key(&db, &key_id).await.unwrap().unwrap();
        assert_eq!(found.partner_id, "court:TAND79-KV1");
        assert_eq!(found.public_key, vk);
        assert_eq!(found.status_at(now_ms()), "active");
        assert_eq!(count_active_keys(&db, PartnerKind::Court).await.unwrap(), 1);

        let listed = list(&db).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "Tòa án khu vực 1");
        assert_eq!(listed[0].keys[0].status, "active");

        revoke_key(&db, &court, &key_id).await.unwrap();
        assert!(matches!(
            revoke_key(&db, &court, &key_id).await,
            Err(RegistryError::Revoked(_))
        ));
        let found = find_key(&db, &key_id).await.unwrap().unwrap();
        assert_eq!(found.status_at(now_ms()), "revoked");
        assert_eq!(count_active_keys(&db, PartnerKind::Court).await.unwrap(), 0);

        let second = generate_signing_key().verifying_key();
        let second = NewKey {
            public_key: &second,
            key_id: Some("TAND79-KV1-B"),
            valid_from: None,
            valid_until: None,
        };
        add_key(&db, &court, &second).await.unwrap();
        revoke_partner(&db, &court).await.unwrap();
        let found = find_key(&db, "TAND79-KV1-B").await.unwrap().unwrap();
        assert_eq!(found.partner_status, "revoked");
        assert_eq!(found.status_at(now_ms()), "revoked");
        assert!(matches!(
            add_key(&db, &court, &second).await,
            Err(RegistryError::Revoked(_))
        ));
        // Re-activation keeps every old key revoked.
        assert_eq!(
            add_partner(&db, &court, "Tòa án khu vực 1").await.unwrap(),
            Added::Reactivated
        );
        assert_eq!(count_active_keys(&db, PartnerKind::Court).await.unwrap(), 0);
        assert!(matches!(
            revoke_partner(&db, &other).await,
            Err(RegistryError::NotFound(_))
        ));
    }

    #[test]
    fn key_status_follows_validity_and_revocation() {
        assert_eq!(key_status(10, None, None, 5), "not_yet_valid");
        assert_eq!(key_status(10, Some(20), None, 15), "active");
        assert_eq!(key_status(10, Some(20), None, 20), "expired");
        assert_eq!(key_status(10, None, Some(12), 15), "revoked");
        assert_eq!(key_status(10, None, Some(30), 15), "active");
    }

    #[tokio::test]
    async fn hub_keys_are_recorded_once() {
        let (_dir, db) = db().await;
        let key = HubKey::new(generate_signing_key());
        register_hub_key(&db, &key).await.unwrap();
        register_hub_key(&db, &key).await.unwrap();
        let keys = hub_keys(&db).await.unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].key_id, key.key_id());
        assert_eq!(keys[0].public_key, key.public_key_base64());
    }
}
