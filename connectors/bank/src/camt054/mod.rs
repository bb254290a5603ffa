//! ISO 20022 camt.054 (BankToCustomerDebitCreditNotification, báo Có / báo Nợ) and camt.053
//! (statement) → booked credits on THADS accounts as canonical [`Payment`]s.
//!
//! Only booked credits become payments. Debits, pending or informational entries and reversals
//! are reported as [`SkippedEntry`]; an entry that cannot be read (wrong currency, fractional
//! đồng, batch that does not add up...) is an [`EntryError`] and does not stop the rest of the
//! file. Whole-document problems are a [`Camt054Error`].

mod entry;
mod fields;

#[cfg(test)]
mod document_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use thads_schemas::bank::{iso_date, Payment};
use thads_schemas::money::Vnd;
use thads_schemas::xml::{self, Element, Limits, XmlError};
use time::Date;

/// Prefix of every ISO 20022 message namespace.
const ISO_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:";

/// Everything one camt.054 / camt.053 message says about the THADS accounts it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// `GrpHdr/MsgId`: the bank's id of the message, for tracing and duplicate files.
    pub message_id: String,
    /// `GrpHdr/CreDtTm` as the bank wrote it, when given.
    pub created_at: Option<String>,
    /// Booked credits, in document order (one per transaction of a batch entry).
    pub payments: Vec<Payment>,
    /// Entries that are readable but are not payments to record now.
    pub skipped: Vec<SkippedEntry>,
    /// Entries that could not be read; each names the field and the reason.
    pub errors: Vec<EntryError>,
}

/// An entry that is not a payment, kept so later steps can act on it (a reversal undoes the
/// payment it names) and operators can see why it did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedEntry {
    /// 1-based position of the `Ntry` in the whole document.
    pub entry: usize,
    /// Why it was skipped.
    pub kind: SkipKind,
    /// The servicing bank, as on [`Payment::bank`].
    pub bank: Option<String>,
    /// The account the entry is on.
    pub account: String,
    /// The entry's reference (same rule as [`Payment::entry_ref`], without batch suffix).
    pub entry_ref: Option<String>,
    /// End-to-end id of the (first) transaction, to find the payment a reversal undoes.
    pub end_to_end_id: Option<String>,
    /// `CRDT` or `DBIT` as booked.
    pub direction: Direction,
    /// Amount of the entry.
    pub amount_vnd: Vnd,
    /// Booking date, when present and readable.
    #[serde(default, with = "iso_date::option")]
    pub booking_date: Option<Date>,
}

/// Why an entry is not a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// Money left the account (`CdtDbtInd` = `DBIT`).
    Debit,
    /// Not booked yet (`PDNG`, or `FUTR` from v08): not paid until the bank books it.
    Pending,
    /// Information only (`INFO`), never booked.
    Info,
    /// `RvslInd` = true: the bank reverses an earlier entry (a returned payment).
    Reversal,
}

/// Credit or debit, as `CdtDbtInd` states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// `CRDT`: money into the account.
    #[serde(rename = "CRDT")]
    Credit,
    /// `DBIT`: money out of the account.
    #[serde(rename = "DBIT")]
    Debit,
}

/// An entry that could not be read; the rest of the message is still used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryError {
    /// 1-based position of the `Ntry` in the whole document.
    pub entry: usize,
    /// The entry's reference, when one could be found, so the bank can be asked about it.
    pub entry_ref: Option<String>,
    /// Path of the faulty field, e.g. `Ntfctn[1]/Ntry[3]/Amt`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Why a whole message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Camt054Error {
    /// Not XML, not UTF-8, a DOCTYPE, or beyond the size limits.
    #[error("not a readable XML document: {0}")]
    Xml(#[from] XmlError),
    /// The root element is not `Document`.
    #[error("the root element is <{found}>; an ISO 20022 camt.054 message starts with <Document>")]
    WrongRoot {
        /// Local name of the root found.
        found: String,
    },
    /// `Document` has no namespace, so the message type and version are unknown.
    #[error(
        "<Document> has no namespace; expected {ISO_PREFIX}camt.054.001.02 to camt.054.001.13"
    )]
    NoNamespace,
    /// A namespace other than camt.054.001.02..=13 (or camt.053.001.02..=13).
    #[error("namespace {namespace:?} is not supported; expected {ISO_PREFIX}camt.054.001.02 to camt.054.001.13 (or camt.053.001.NN for statements)")]
    UnsupportedNamespace {
        /// The namespace found.
        namespace: String,
    },
    /// A mandatory block is absent.
    #[error("{path} is missing")]
    MissingElement {
        /// Path of the missing element.
        path: String,
    },
    /// `GrpHdr/MsgId` is absent or empty, so the message cannot be traced.
    #[error("GrpHdr/MsgId is missing or empty; every camt message must carry its id")]
    MissingMessageId,
    /// The result could not be written as JSON (not expected to happen).
    #[error("could not render the result as JSON: {0}")]
    Json(String),
}

/// Which message a namespace announces: the body element and its repeated block.
#[derive(Debug, Clone, Copy)]
struct Shape {
    body: &'static str,
    block: &'static str,
}

const NOTIFICATION: Shape = Shape {
    body: "BkToCstmrDbtCdtNtfctn",
    block: "Ntfctn",
};
const STATEMENT: Shape = Shape {
    body: "BkToCstmrStmt",
    block: "Stmt",
};

/// The largest bank file read (16 MiB), by the API and the watched folder alike.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Limits for bank files, larger than the DOM's defaults: a day of collections can hold many
/// thousand entries.
fn limits() -> Limits {
    Limits {
        max_bytes: MAX_BYTES,
        max_depth: 48,
        max_elements: 400_000,
        max_text_len: 64 * 1024,
    }
}

/// Reads a camt.054 notification (versions 001.02 to 001.13) or a camt.053 statement with the
/// same entry shape, and sorts its entries into payments, skipped entries and entry errors.
pub fn parse_camt054(bytes: &[u8]) -> Result<Notification, Camt054Error> {
    let root = xml::parse(bytes, &limits())?;
    if root.name != "Document" {
        return Err(Camt054Error::WrongRoot {
            found: fields::shorten(&root.name),
        });
    }
    let shape = shape_of(root.namespace.as_deref())?;
    let body = root
        .child(shape.body)
        .ok_or_else(|| Camt054Error::MissingElement {
            path: format!("Document/{}", shape.body),
        })?;
    let message_id =
        fields::text_at(body, &["GrpHdr", "MsgId"]).ok_or(Camt054Error::MissingMessageId)?;
    let created_at = fields::text_at(body, &["GrpHdr", "CreDtTm"]);
    let mut out = Notification {
        message_id,
        created_at,
        payments: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
    };
    let mut blocks = body.children_named(shape.block).peekable();
    if blocks.peek().is_none() {
        return Err(Camt054Error::MissingElement {
            path: format!("{}/{}", shape.body, shape.block),
        });
    }
    let mut entry_no = 0usize;
    for (b, block_el) in blocks.enumerate() {
        let block = block_context(shape, b + 1, block_el, &out.message_id);
        for (n, ntry) in block_el.children_named("Ntry").enumerate() {
            entry_no += 1;
            match entry::read_entry(&block, ntry, n + 1, entry_no) {
                entry::Outcome::Payments(p) => out.payments.extend(p),
                entry::Outcome::Skipped(s) => out.skipped.push(s),
                entry::Outcome::Error(e) => out.errors.push(e),
            }
        }
    }
    Ok(out)
}

/// The message shape a `Document` namespace announces, or why it is refused.
fn shape_of(namespace: Option<&str>) -> Result<Shape, Camt054Error> {
    let ns = namespace.ok_or(Camt054Error::NoNamespace)?;
    let unsupported = || Camt054Error::UnsupportedNamespace {
        namespace: fields::shorten_to(ns, 200),
    };
    let rest = ns.strip_prefix(ISO_PREFIX).ok_or_else(unsupported)?;
    let (shape, version) = if let Some(v) = rest.strip_prefix("camt.054.001.") {
        (NOTIFICATION, v)
    } else if let Some(v) = rest.strip_prefix("camt.053.001.") {
        (STATEMENT, v)
    } else {
        return Err(unsupported());
    };
    let supported = version.len() == 2
        && version.bytes().all(|b| b.is_ascii_digit())
        && version.parse::<u8>().is_ok_and(|v| (2..=13).contains(&v));
    if supported {
        Ok(shape)
    } else {
        Err(unsupported())
    }
}

/// What every entry of one `Ntfctn` / `Stmt` block shares.
fn block_context<'a>(
    shape: Shape,
    index: usize,
    block: &Element,
    message_id: &'a str,
) -> entry::Block<'a> {
    let prefix = format!("{}[{index}]", shape.block);
    let acct = block.child("Acct");
    let account = acct.and_then(fields::account_id).ok_or_else(|| {
        (
            format!("{prefix}/Acct/Id"),
            "the account is missing: neither Acct/Id/Othr/Id nor Acct/Id/IBAN is given".to_owned(),
        )
    });
    entry::Block {
        bank: acct.and_then(fields::bank_id),
        account,
        prefix,
        message_id,
    }
}
