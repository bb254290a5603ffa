//! Verifying the audit trail, from the database or from an exported bundle, with the same
//! checks: seals numbered without gaps, each signed by a key the hub published, covering the
//! chain without gaps or overlaps; every entry in its place, its `prev_hash` the hash before
//! it, its hash recomputed from its content; the last seal's head the chain's head; and every
//! message payload the chain names still hashing to the hash the chain holds. Each problem
//! names the chain position or batch where it is, so an altered or missing entry is found.

use ed25519_dalek::{Signature, VerifyingKey};
use serde::Serialize;

use super::entry::{entry_hash, Entry, Link, Seal, GENESIS};

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The chain position it concerns, when it is one entry.
    pub chain_no: Option<i64>,
    /// The batch it concerns.
    pub batch_no: Option<i64>,
    /// What is wrong, in words.
    pub what: String,
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Sealed entries checked.
    pub entries: i64,
    /// Seals checked.
    pub batches: i64,
    /// Message payloads checked against the chain's hash.
    pub payloads: i64,
    /// Entries appended and not yet sealed (not an error: the sealer runs on a schedule).
    pub unsealed: i64,
    /// The chain's head hash after the last seal.
    pub head_hash: String,
    /// Everything found wrong; empty when the trail verifies.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether the trail verified.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What the payload of a message named by an entry looks like now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// The message's stored hash and the SHA-256 of its stored bytes.
    Found {
        /// `messages.content_hash`.
        stored_hash: String,
        /// SHA-256 (hex) of `messages.payload`.
        actual_hash: String,
    },
    /// No such message.
    Missing,
    /// Not available to this verification (a bundle exported without payloads).
    Unavailable,
}

/// The running state of a verification, fed seal by seal, each followed by its entries.
pub struct Verifier<K> {
    key_for: K,
    report: Report,
    next_batch: i64,
    next_chain: i64,
    prev_hash: String,
    open: Option<Seal>,
}

impl<K: Fn(&str) -> Option<VerifyingKey>> Verifier<K> {
    /// A verifier checking seal signatures with the public keys `key_for` returns.
    pub fn new(key_for: K) -> Self {
        Self {
            key_for,
            report: Report::default(),
            next_batch: 1,
            next_chain: 1,
            prev_hash: GENESIS.to_string(),
            open: None,
        }
    }

    fn problem(&mut self, chain_no: Option<i64>, batch_no: Option<i64>, what: String) {
        self.report.problems.push(Problem {
            chain_no,
            batch_no,
            what,
        });
    }

    /// Starts the next seal: its entries follow through [`Verifier::entry`].
    pub fn seal(&mut self, seal: Seal) {
        self.close_open();
        self.report.batches += 1;
        let b = Some(seal.batch_no);
        if seal.batch_no != self.next_batch {
            self.problem(
                None,
                b,
                format!(
                    "seal {} follows seal {}: seals are missing or reordered",
                    seal.batch_no,
                    self.next_batch - 1
                ),
            );
        }
        self.next_batch = seal.batch_no + 1;
        if seal.first_chain_no != self.next_chain {
            self.problem(
                None,
                b,
                format!(
                    "seal {} starts at entry {}, the chain is at {}",
                    seal.batch_no, seal.first_chain_no, self.next_chain
                ),
            );
            self.next_chain = seal.first_chain_no;
        }
        if seal.last_chain_no < seal.first_chain_no {
            self.problem(None, b, "seal covers no entry".into());
        }
        match (self.key_for)(&seal.key_id) {
            None => self.problem(
                None,
                b,
                format!("signed with {}, a key the hub never published", seal.key_id),
            ),
            Some(key) => {
                let valid = base64_signature(&seal.signature)
                    .is_some_and(|sig| key.verify_strict(&seal.signed_bytes(), &sig).is_ok());
                if !valid {
                    self.problem(None, b, "the seal's signature does not verify".into());
                }
            }
        }
        self.open = Some(seal);
    }

    /// Checks the next sealed entry of the open seal, and its payload when it names one.
    pub fn entry(&mut self, entry: &Entry, link: &Link, payload: Payload) {
        let Some((batch, last)) = self.open.as_ref().map(|s| (s.batch_no, s.last_chain_no)) else {
            self.problem(Some(link.chain_no), None, "entry outside every seal".into());
            return;
        };
        let c = Some(link.chain_no);
        if link.chain_no > last {
            self.problem(
                c,
                Some(batch),
                format!("entry is past the end ({last}) of its seal"),
            );
        }
        if link.chain_no != self.next_chain {
            let what = if link.chain_no > self.next_chain {
                format!(
                    "entries {} to {} are missing",
                    self.next_chain,
                    link.chain_no - 1
                )
            } else {
                format!("entry {} appears twice or out of order", link.chain_no)
            };
            self.problem(c, Some(batch), what);
        }
        if link.batch_no != batch {
            self.problem(
                c,
                Some(batch),
                format!("entry says batch {}", link.batch_no),
            );
        }
        if link.prev_hash != self.prev_hash {
            self.problem(
                c,
                Some(batch),
                "prev_hash is not the hash of the entry before: an entry before it was removed, \
                 altered or inserted"
                    .into(),
            );
        }
        if entry_hash(link.chain_no, &link.prev_hash, entry) != link.entry_hash {
            self.problem(
                c,
                Some(batch),
                format!(
                    "content altered: {} on {} no longer hashes to its entry_hash",
                    entry.action, entry.subject
                ),
            );
        }
        if let Some(expected) = &entry.content_hash {
            match payload {
                Payload::Found {
                    stored_hash,
                    actual_hash,
                } => {
                    self.report.payloads += 1;
                    if &stored_hash != expected || &actual_hash != expected {
                        self.problem(
                            c,
                            Some(batch),
                            format!("payload of message {} altered", entry.subject),
                        );
                    }
                }
                Payload::Missing => self.problem(
                    c,
                    Some(batch),
                    format!("message {} and its payload are missing", entry.subject),
                ),
                Payload::Unavailable => {}
            }
        }
        self.report.entries += 1;
        self.next_chain = link.chain_no + 1;
        self.prev_hash = link.entry_hash.clone();
    }

    fn close_open(&mut self) {
        let Some(seal) = self.open.take() else { return };
        let b = Some(seal.batch_no);
        if self.next_chain <= seal.last_chain_no {
            self.problem(
                Some(self.next_chain),
                b,
                format!(
                    "entries {} to {} of seal {} are missing",
                    self.next_chain, seal.last_chain_no, seal.batch_no
                ),
            );
            self.next_chain = seal.last_chain_no + 1;
        }
        if self.prev_hash != seal.head_hash {
            self.problem(
                None,
                b,
                "the chain's head is not the hash the seal signed".into(),
            );
            self.prev_hash = seal.head_hash;
        }
    }

    /// Ends the verification; `head` is the head the store claims (chain position and hash),
    /// and `unsealed` how many entries wait for the next seal.
    pub fn finish(mut self, head: Option<(i64, String)>, unsealed: i64) -> Report {
        self.close_open();
        if let Some((chain_no, hash)) = head {
            if chain_no != self.next_chain - 1 || hash != self.prev_hash {
                self.problem(
                    Some(chain_no),
                    None,
                    format!(
                        "the stored head ({chain_no}) is not the end of the last seal ({})",
                        self.next_chain - 1
                    ),
                );
            }
        }
        self.report.unsealed = unsealed;
        self.report.head_hash = self.prev_hash;
        self.report
    }
}

fn base64_signature(text: &str) -> Option<Signature> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    Signature::from_slice(&raw).ok()
}
