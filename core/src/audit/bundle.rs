//! The audit bundle: the sealed trail exported as JSON Lines, so a third party (an inspector,
//! a court, the procuracy) can verify it without the hub's database. The first line is the
//! header (type, time, the hub's public keys, the head); then each seal, followed by its
//! entries; with `payloads`, each entry that hashes a message payload is followed by that
//! payload (base64), so the payload can be checked against the chain too.
//!
//! The keys in the header are the hub's own word: a careful verifier checks the seals against
//! the keys the hub publishes (`GET /v1/keys`), given with `--keys`.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use super::entry::{Entry, Link, Seal};
use super::store::{self, sha256_hex, Item};
use super::verify::{Payload, Report, Verifier};
use crate::db::{now_ms, Db};
use crate::partners::keys::{parse_public_key, public_key_base64};

/// The `type` of a bundle's header.
pub const BUNDLE_TYPE: &str = "urn:thads:audit-bundle:v1";

/// Why a bundle could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Writing or reading the file failed.
    #[error("bundle file: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not what a bundle holds.
    #[error("bundle line {line}: {reason}")]
    Format {
        /// 1-based line number.
        line: usize,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// A published key, as the header and `GET /v1/keys` give it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleKey {
    /// The key id seals name.
    pub key_id: String,
    /// Base64 of the raw 32 bytes.
    pub public_key: String,
}

/// The first line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    /// Always [`BUNDLE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// When it was exported, Unix epoch milliseconds.
    pub exported_at: i64,
    /// The hub's public keys.
    pub keys: Vec<BundleKey>,
    /// The chain position and hash the hub's store held as its head.
    pub head_chain_no: i64,
    /// See `head_chain_no`.
    pub head_hash: String,
    /// Entries appended but not yet sealed at export (not in the bundle).
    pub unsealed: i64,
    /// Whether payload lines follow the entries that hash one.
    pub payloads: bool,
}

/// Every line after the header.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Seal(Seal),
    Entry { entry: Entry, link: Link },
    Payload { message_id: String, base64: String },
    Missing { message_id: String },
}

fn write_line(out: &mut impl Write, value: &impl Serialize) -> Result<(), BundleError> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes the sealed trail to `out`; with `payloads`, the message payloads too. Returns the
/// header written.
pub async fn export(db: &Db, out: &mut impl Write, payloads: bool) -> Result<Header, BundleError> {
    let keys = store::hub_keys(db).await?;
    let ((head_chain_no, head_hash), unsealed) = store::head(db).await?;
    let mut keys: Vec<BundleKey> = keys
        .iter()
        .map(|(id, k)| BundleKey {
            key_id: id.clone(),
            public_key: public_key_base64(k),
        })
        .collect();
    keys.sort_by(|a, b| a.key_id.cmp(&b.key_id));
    let header = Header {
        kind: BUNDLE_TYPE.into(),
        exported_at: now_ms(),
        keys,
        head_chain_no,
        head_hash,
        unsealed,
        payloads,
    };
    write_line(out, &header)?;
    store::walk::<BundleError>(db, |item| match item {
        Item::Seal(seal) => write_line(out, &Line::Seal(seal)),
        Item::Entry(entry, link, stored) => {
            let named = entry.content_hash.is_some().then(|| entry.subject.clone());
            write_line(out, &Line::Entry { entry, link })?;
            match (payloads, named, stored) {
                (true, Some(message_id), Some(p)) => write_line(
                    out,
                    &Line::Payload {
                        message_id,
                        base64: STANDARD.encode(&p.bytes),
                    },
                ),
                (true, Some(message_id), None) => write_line(out, &Line::Missing { message_id }),
                _ => Ok(()),
            }
        }
    })
    .await?;
    out.flush()?;
    Ok(header)
}

/// Reads published keys (`GET /v1/keys` answers, or a bundle header's `keys`) from JSON.
pub fn keys_from_json(json: &serde_json::Value) -> HashMap<String, VerifyingKey> {
    let list = json
        .get("keys")
        .and_then(|k| k.as_array())
        .cloned()
        .unwrap_or_default();
    list.iter()
        .filter_map(|k| {
            let id = k.get("key_id")?.as_str()?;
            let key = parse_public_key(k.get("public_key")?.as_str()?).ok()?;
            Some((id.to_string(), key))
        })
        .collect()
}

/// Verifies a bundle read from `input`, checking seals against `keys` (or, when `None`, the
/// keys the bundle's header lists).
pub fn verify_bundle(
    input: impl BufRead,
    keys: Option<HashMap<String, VerifyingKey>>,
) -> Result<Report, BundleError> {
    let mut lines = input.lines().enumerate();
    let Some((_, first)) = lines.next() else {
        return Err(BundleError::Format {
            line: 1,
            reason: "empty file".into(),
        });
    };
    let header: Header = serde_json::from_str(&first?).map_err(|e| BundleError::Format {
        line: 1,
        reason: format!("not a bundle header: {e}"),
    })?;
    if header.kind != BUNDLE_TYPE {
        return Err(BundleError::Format {
            line: 1,
            reason: format!("type is {:?}, not {BUNDLE_TYPE}", header.kind),
        });
    }
    let keys =
        keys.unwrap_or_else(|| keys_from_json(&serde_json::json!({ "keys": header.keys.clone() })));
    let mut verifier = Verifier::new(|id: &str| keys.get(id).copied());
    // An entry waits for its payload line (when the bundle carries payloads).
    let mut pending: Option<(Entry, Link)> = None;
    let flush = |verifier: &mut Verifier<_>, pending: &mut Option<(Entry, Link)>, payload| {
        if let Some((entry, link)) = pending.take() {
            verifier.entry(&entry, &link, payload);
        }
    };
    for (i, line) in lines {
        let text = line?;
        if text.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&text).map_err(|e| BundleError::Format {
            line: i + 1,
            reason: e.to_string(),
        })?;
        match parsed {
            Line::Seal(seal) => {
                flush(&mut verifier, &mut pending, unavailable(header.payloads));
                verifier.seal(seal);
            }
            Line::Entry { entry, link } => {
                flush(&mut verifier, &mut pending, unavailable(header.payloads));
                if header.payloads && entry.content_hash.is_some() {
                    pending = Some((entry, link));
                } else {
                    verifier.entry(&entry, &link, Payload::Unavailable);
                }
            }
            Line::Payload { message_id, base64 } => {
                let bytes = STANDARD.decode(base64).map_err(|e| BundleError::Format {
                    line: i + 1,
                    reason: format!("payload of {message_id} is not base64: {e}"),
                })?;
                let hash = sha256_hex(&bytes);
                flush(
                    &mut verifier,
                    &mut pending,
                    Payload::Found {
                        stored_hash: hash.clone(),
                        actual_hash: hash,
                    },
                );
            }
            Line::Missing { .. } => flush(&mut verifier, &mut pending, Payload::Missing),
        }
    }
    flush(&mut verifier, &mut pending, unavailable(header.payloads));
    Ok(verifier.finish(
        Some((header.head_chain_no, header.head_hash)),
        header.unsealed,
    ))
}

/// What a missing payload line means: with payloads promised, the payload was dropped.
fn unavailable(payloads_promised: bool) -> Payload {
    if payloads_promised {
        Payload::Missing
    } else {
        Payload::Unavailable
    }
}
