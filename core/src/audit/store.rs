//! Reading the audit trail back: walking it seal by seal in chain order (for verification and
//! export), listing recent entries (for administrators), and the published hub keys seals
//! are checked with.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::entry::{Entry, Link, Seal};
use super::verify::{Payload, Report, Verifier};
use crate::db::{rfc3339, Db};
use crate::partners::keys::parse_public_key;

/// Seals read per page of a walk.
const PAGE: i64 = 200;

/// A message's stored bytes, as an export carries them.
#[derive(Debug, Clone)]
pub struct StoredPayload {
    /// `messages.content_hash`.
    pub stored_hash: String,
    /// `messages.content_type`.
    pub content_type: String,
    /// `messages.payload`.
    pub bytes: Vec<u8>,
}

/// One step of a walk.
#[derive(Debug, Clone)]
pub enum Item {
    /// A seal; its entries follow.
    Seal(Seal),
    /// A sealed entry, with the message payload it names (`None`: no such message; entries
    /// that name no payload have `None` too).
    Entry(Entry, Link, Option<StoredPayload>),
}

fn seal_of(r: &AnyRow) -> Result<Seal, sqlx::Error> {
    Ok(Seal {
        batch_no: r.try_get("batch_no")?,
        first_chain_no: r.try_get("first_chain_no")?,
        last_chain_no: r.try_get("last_chain_no")?,
        head_hash: r.try_get("head_hash")?,
        sealed_at: r.try_get("sealed_at")?,
        key_id: r.try_get("key_id")?,
        signature: r.try_get("signature")?,
    })
}

fn entry_of(r: &AnyRow) -> Result<Entry, sqlx::Error> {
    Ok(Entry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        detail: r.try_get("detail")?,
        content_hash: r.try_get("content_hash")?,
    })
}

async fn payload(db: &Db, message_id: &str) -> Result<Option<StoredPayload>, sqlx::Error> {
    let row = sqlx::query("SELECT content_hash, content_type, payload FROM messages WHERE id = $1")
        .bind(message_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| {
        Ok(StoredPayload {
            stored_hash: r.try_get("content_hash")?,
            content_type: r.try_get("content_type")?,
            bytes: r.try_get("payload")?,
        })
    })
    .transpose()
}

/// Walks every seal in order, each followed by the entries stored in its range (in chain
/// order), calling `f` for each; entries that hash a payload come with it.
pub async fn walk<E: From<sqlx::Error>>(
    db: &Db,
    mut f: impl FnMut(Item) -> Result<(), E>,
) -> Result<(), E> {
    let mut after = 0i64;
    loop {
        let seals = sqlx::query(
            "SELECT batch_no, first_chain_no, last_chain_no, head_hash, sealed_at, key_id, \
             signature FROM audit_seals WHERE batch_no > $1 ORDER BY batch_no LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(db.pool())
        .await?;
        if seals.is_empty() {
            return Ok(());
        }
        for s in &seals {
            let seal = seal_of(s)?;
            after = seal.batch_no;
            let (first, last) = (seal.first_chain_no, seal.last_chain_no);
            f(Item::Seal(seal))?;
            let rows = sqlx::query(
                "SELECT seq, at, actor, action, subject, detail, content_hash, chain_no, \
                 prev_hash, entry_hash, batch_no FROM audit_log \
                 WHERE chain_no >= $1 AND chain_no <= $2 ORDER BY chain_no, seq",
            )
            .bind(first)
            .bind(last)
            .fetch_all(db.pool())
            .await?;
            for r in &rows {
                let entry = entry_of(r)?;
                let link = Link {
                    chain_no: r.try_get("chain_no")?,
                    prev_hash: r.try_get("prev_hash")?,
                    entry_hash: r.try_get("entry_hash")?,
                    batch_no: r.try_get("batch_no")?,
                };
                let stored = match &entry.content_hash {
                    Some(_) => payload(db, &entry.subject).await?,
                    None => None,
                };
                f(Item::Entry(entry, link, stored))?;
            }
        }
    }
}

/// The public keys the hub has signed with, by key id.
pub async fn hub_keys(db: &Db) -> Result<HashMap<String, VerifyingKey>, sqlx::Error> {
    let rows = sqlx::query("SELECT key_id, public_key FROM hub_keys")
        .fetch_all(db.pool())
        .await?;
    let mut keys = HashMap::new();
    for r in &rows {
        let text: String = r.try_get("public_key")?;
        if let Ok(key) = parse_public_key(&text) {
            keys.insert(r.try_get("key_id")?, key);
        }
    }
    Ok(keys)
}

/// The head the store claims, and how many entries wait for a seal.
pub async fn head(db: &Db) -> Result<((i64, String), i64), sqlx::Error> {
    let h = sqlx::query("SELECT chain_no, head_hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let unsealed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE chain_no IS NULL")
        .fetch_one(db.pool())
        .await?;
    Ok(((h.try_get("chain_no")?, h.try_get("head_hash")?), unsealed))
}

/// The SHA-256 (hex) of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Verifies the trail in the database: the seals against the hub's published keys, every
/// entry and the payload of every message the chain names.
pub async fn verify_db(db: &Db) -> Result<Report, sqlx::Error> {
    let keys = hub_keys(db).await?;
    let mut verifier = Verifier::new(|id: &str| keys.get(id).copied());
    walk::<sqlx::Error>(db, |item| {
        match item {
            Item::Seal(seal) => verifier.seal(seal),
            Item::Entry(entry, link, stored) => {
                let payload = match (&entry.content_hash, stored) {
                    (None, _) => Payload::Unavailable,
                    (Some(_), None) => Payload::Missing,
                    (Some(_), Some(p)) => Payload::Found {
                        actual_hash: sha256_hex(&p.bytes),
                        stored_hash: p.stored_hash,
                    },
                };
                verifier.entry(&entry, &link, payload);
            }
        }
        Ok(())
    })
    .await?;
    let (head, unsealed) = head(db).await?;
    Ok(verifier.finish(Some(head), unsealed))
}

/// One entry as administrators list it.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    /// Order of appending.
    pub seq: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What kind of act.
    pub action: String,
    /// What it was done to.
    pub subject: String,
    /// The act in words.
    pub detail: String,
    /// The payload's hash, if any.
    pub content_hash: Option<String>,
    /// Its place in the chain once sealed.
    pub chain_no: Option<i64>,
    /// Its hash once sealed.
    pub entry_hash: Option<String>,
}

/// The newest entries, newest first: at most `limit`, before `before` (a `seq`) when given,
/// about `subject` when given.
pub async fn list(
    db: &Db,
    before: Option<i64>,
    subject: Option<&str>,
    limit: i64,
) -> Result<Vec<EntryView>, sqlx::Error> {
    sqlx::query(
        "SELECT seq, at, actor, action, subject, detail, content_hash, chain_no, entry_hash \
         FROM audit_log WHERE seq < $1 AND (CAST($2 AS TEXT) IS NULL OR subject = $2) \
         ORDER BY seq DESC LIMIT $3",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(subject)
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(EntryView {
            seq: r.try_get("seq")?,
            at: rfc3339(r.try_get("at")?),
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            subject: r.try_get("subject")?,
            detail: r.try_get("detail")?,
            content_hash: r.try_get("content_hash")?,
            chain_no: r.try_get("chain_no")?,
            entry_hash: r.try_get("entry_hash")?,
        })
    })
    .collect()
}
