//! One entry of the audit trail and how it is chained: each sealed entry's hash covers its
//! place in the chain, the hash of the entry before it and its own content, so changing,
//! removing or reordering any entry breaks every hash after it. Pure: no I/O.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::partners::canonical::canonical_bytes;

/// The `prev_hash` of the first entry of the chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as it is appended (in the transaction of the change it records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Order of appending (not of sealing).
    pub seq: i64,
    /// When, Unix epoch milliseconds.
    pub at: i64,
    /// Who: a staff username, `hub` for the hub's own steps, `cli` for the command line,
    /// `partner:<id>` for a partner.
    pub actor: String,
    /// What kind of act (`message.received`, `case.apply_measure`, `admin.replay`, ...).
    pub action: String,
    /// What it was done to (a message id, a case id, a username, a partner id).
    pub subject: String,
    /// The act in words, as the history shows it.
    pub detail: String,
    /// SHA-256 (hex) of the message payload the act concerns, when there is one: the payload
    /// itself stays in `messages`, its hash is in the chain.
    pub content_hash: Option<String>,
}

/// Where a sealed entry sits in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Position in the chain, from 1, without gaps.
    pub chain_no: i64,
    /// The hash of the entry before it ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// This entry's hash ([`entry_hash`]).
    pub entry_hash: String,
    /// The sealed batch it belongs to.
    pub batch_no: i64,
}

/// The hash of `entry` at `chain_no` after `prev_hash`: SHA-256 (hex) of the canonical JSON of
/// all three.
pub fn entry_hash(chain_no: i64, prev_hash: &str, entry: &Entry) -> String {
    let value = json!({
        "chain_no": chain_no,
        "prev_hash": prev_hash,
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "detail": entry.detail,
        "content_hash": entry.content_hash,
    });
    hex::encode(Sha256::digest(canonical(&value)))
}

/// A sealed batch: the range of the chain it closes and the head hash at its end, signed with
/// the hub's key so a third party can check it against the keys the hub publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    /// From 1, without gaps.
    pub batch_no: i64,
    /// The first chain position it covers.
    pub first_chain_no: i64,
    /// The last chain position it covers.
    pub last_chain_no: i64,
    /// The `entry_hash` of its last entry.
    pub head_hash: String,
    /// When it was sealed, Unix epoch milliseconds.
    pub sealed_at: i64,
    /// The hub key that signed it.
    pub key_id: String,
    /// Base64 ed25519 signature over [`Seal::signed_bytes`].
    pub signature: String,
}

impl Seal {
    /// The canonical bytes the signature covers: every member but the signature.
    pub fn signed_bytes(&self) -> Vec<u8> {
        canonical(&json!({
            "type": "urn:thads:audit-seal:v1",
            "batch_no": self.batch_no,
            "first_chain_no": self.first_chain_no,
            "last_chain_no": self.last_chain_no,
            "head_hash": self.head_hash,
            "sealed_at": self.sealed_at,
            "key_id": self.key_id,
        }))
    }
}

fn canonical(value: &Value) -> Vec<u8> {
    // Every value built here is an object of strings and integers, which always has a
    // canonical form; the fallback keeps the function total.
    canonical_bytes(value).unwrap_or_else(|_| value.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(detail: &str) -> Entry {
        Entry {
            seq: 7,
            at: 1_764_000_000_000,
            actor: "chv.an".into(),
            action: "case.apply_measure".into(),
            subject: "case-1".into(),
            detail: detail.into(),
            content_hash: None,
        }
    }

    #[test]
    fn the_hash_covers_content_position_and_predecessor() {
        let h = entry_hash(1, GENESIS, &entry("freeze"));
        assert_eq!(h.len(), 64);
        assert_eq!(h, entry_hash(1, GENESIS, &entry("freeze")));
        assert_ne!(h, entry_hash(1, GENESIS, &entry("freezE")));
        assert_ne!(h, entry_hash(2, GENESIS, &entry("freeze")));
        assert_ne!(h, entry_hash(1, &h, &entry("freeze")));
        let mut hashed = entry("freeze");
        hashed.content_hash = Some("ab".repeat(32));
        assert_ne!(h, entry_hash(1, GENESIS, &hashed));
    }

    #[test]
    fn a_seal_signs_everything_but_its_signature() {
        let mut seal = Seal {
            batch_no: 1,
            first_chain_no: 1,
            last_chain_no: 5,
            head_hash: "cd".repeat(32),
            sealed_at: 1,
            key_id: "hub-1".into(),
            signature: "x".into(),
        };
        let bytes = seal.signed_bytes();
        seal.signature = "y".into();
        assert_eq!(bytes, seal.signed_bytes());
        seal.last_chain_no = 6;
        assert_ne!(bytes, seal.signed_bytes());
    }
}
