//! Daily batch files, for banks that exchange account orders and acknowledgements as files
//! instead of over an API (`thads-hub bank orders-batch`, `thads-hub bank acks-batch`).
//!
//! A batch file is JSON Lines: one record per line (an order's canonical JSON exactly as the
//! API would send it, or one acknowledgement), then a trailer line
//! `{"record":"trailer","kind":"orders"|"acks","bank","date","count","total_amount_vnd","sha256"}`.
//! `sha256` is the SHA-256 (hex) of every byte before the trailer line, each record line ending
//! in `\n`. A file whose count, total or hash does not match its trailer is refused whole, with
//! the reason; in a good file each acknowledgement goes through [`on_ack_from`] (as the bank
//! the trailer names: another bank's order is refused) like one sent to the
//! API, so a file read twice records each acknowledgement once.

use serde::{Deserialize, Serialize};
use thads_core::db::Db;
use thads_core::outbox::OutboxSignal;
use thads_schemas::bank_order::{canonical_json, AccountOrder, OrderAck};
use thads_schemas::content_hash;

use super::ack::{on_ack_from, AckError};
use super::store;

/// What a batch file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchKind {
    /// Account orders from the hub to a bank.
    Orders,
    /// A bank's acknowledgements.
    Acks,
}

impl BatchKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Orders => "orders",
            Self::Acks => "acks",
        }
    }
}

/// The last line of a batch file: the totals the reader checks the records against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trailer {
    /// Always `trailer`.
    pub record: String,
    /// Orders or acknowledgements.
    pub kind: BatchKind,
    /// The bank's code.
    pub bank: String,
    /// The day the file covers, `YYYY-MM-DD`.
    pub date: String,
    /// Number of record lines.
    pub count: u64,
    /// Sum of the records' `amount_vnd` (an acknowledgement without an amount counts 0).
    pub total_amount_vnd: i64,
    /// SHA-256 (hex) of the bytes before the trailer line.
    pub sha256: String,
}

/// Why a batch file was refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// No trailer line, or one that cannot be read.
    #[error("the file has no valid trailer line: {0}")]
    Trailer(String),
    /// A file of the other kind.
    #[error("the file holds {found}, not {expected}")]
    Kind {
        /// What the command reads.
        expected: &'static str,
        /// What the trailer says.
        found: &'static str,
    },
    /// The trailer's count differs from the records.
    #[error("the trailer counts {expected} records but the file has {found}")]
    Count {
        /// The trailer's count.
        expected: u64,
        /// Records found.
        found: u64,
    },
    /// The trailer's total differs from the records' sum.
    #[error("the trailer totals {expected} đồng but the records add up to {found} đồng")]
    Total {
        /// The trailer's total.
        expected: i64,
        /// The records' sum.
        found: i64,
    },
    /// The trailer's hash differs from the records' bytes.
    #[error("the trailer's sha256 {expected} does not match the records ({found}): the file was altered or truncated")]
    Hash {
        /// The trailer's hash.
        expected: String,
        /// The hash of the records.
        found: String,
    },
    /// A record line cannot be read.
    #[error("line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// Why.
        reason: String,
    },
    /// The store failed part-way; reading the file again is safe (acknowledgements already
    /// recorded count as repeats).
    #[error("storage unavailable: {0}")]
    Storage(#[from] sqlx::Error),
}

/// Writes a batch file of `records` (each one line of JSON without a newline).
pub fn write_batch(
    kind: BatchKind,
    bank: &str,
    date: &str,
    records: &[Vec<u8>],
    total_amount_vnd: i64,
) -> Vec<u8> {
    let mut body = Vec::new();
    for r in records {
        body.extend_from_slice(r);
        body.push(b'\n');
    }
    let trailer = Trailer {
        record: "trailer".to_string(),
        kind,
        bank: bank.to_string(),
        date: date.to_string(),
        count: records.len() as u64,
        total_amount_vnd,
        sha256: content_hash(&body),
    };
    let value = serde_json::to_value(&trailer).unwrap_or(serde_json::Value::Null);
    body.extend_from_slice(&canonical_json(&value));
    body.push(b'\n');
    body
}

/// Splits a batch file into its trailer and record lines, checking the kind, the count and
/// the hash (the total needs the records read: see [`read_orders`], [`read_acks`]).
pub fn read_batch(bytes: &[u8], expected: BatchKind) -> Result<(Trailer, Vec<&[u8]>), BatchError> {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let content = &bytes[..end];
    let (body, last) = match content.iter().rposition(|b| *b == b'\n') {
        Some(i) => (&content[..=i], &content[i + 1..]),
        None => (&content[..0], content),
    };
    let trailer: Trailer =
        serde_json::from_slice(last).map_err(|e| BatchError::Trailer(e.to_string()))?;
    if trailer.record != "trailer" {
        return Err(BatchError::Trailer(
            "the last line's \"record\" must be \"trailer\"".into(),
        ));
    }
    if trailer.kind != expected {
        return Err(BatchError::Kind {
            expected: expected.as_str(),
            found: trailer.kind.as_str(),
        });
    }
    let lines: Vec<&[u8]> = body
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();
    if lines.len() as u64 != trailer.count {
        return Err(BatchError::Count {
            expected: trailer.count,
            found: lines.len() as u64,
        });
    }
    let found = content_hash(body);
    if found != trailer.sha256 {
        return Err(BatchError::Hash {
            expected: trailer.sha256,
            found,
        });
    }
    Ok((trailer, lines))
}

fn check_total(trailer: &Trailer, found: i64) -> Result<(), BatchError> {
    if found == trailer.total_amount_vnd {
        Ok(())
    } else {
        Err(BatchError::Total {
            expected: trailer.total_amount_vnd,
            found,
        })
    }
}

/// The record lines of a batch file, each with what it was read as.
pub type Records<'a, T> = Vec<(&'a [u8], T)>;

/// Reads an orders file (as a bank does), checking every trailer total.
pub fn read_orders(bytes: &[u8]) -> Result<(Trailer, Records<'_, AccountOrder>), BatchError> {
    let (trailer, lines) = read_batch(bytes, BatchKind::Orders)?;
    let mut out = Vec::with_capacity(lines.len());
    let mut total: i64 = 0;
    for (i, line) in lines.into_iter().enumerate() {
        let order = AccountOrder::from_json(line).map_err(|e| BatchError::Line {
            line: i + 1,
            reason: e.to_string(),
        })?;
        total = total.saturating_add(order.amount_vnd.amount());
        out.push((line, order));
    }
    check_total(&trailer, total)?;
    Ok((trailer, out))
}

/// Reads an acknowledgements file, checking every trailer total.
pub fn read_acks(bytes: &[u8]) -> Result<(Trailer, Records<'_, OrderAck>), BatchError> {
    let (trailer, lines) = read_batch(bytes, BatchKind::Acks)?;
    let mut out = Vec::with_capacity(lines.len());
    let mut total: i64 = 0;
    for (i, line) in lines.into_iter().enumerate() {
        let ack = OrderAck::from_json(line).map_err(|e| BatchError::Line {
            line: i + 1,
            reason: e.to_string(),
        })?;
        total = total.saturating_add(ack.amount().amount());
        out.push((line, ack));
    }
    check_total(&trailer, total)?;
    Ok((trailer, out))
}

/// The orders file of `bank` for `date` (`YYYY-MM-DD`): every order issued to it that day, in
/// the bytes the API would send. Reading it changes nothing, so it can be written again.
pub async fn orders_file(db: &Db, bank: &str, date: &str) -> Result<Vec<u8>, sqlx::Error> {
    let orders = store::for_bank_day(db, bank, date).await?;
    let total = orders.iter().map(|(v, _)| v.amount_vnd).sum();
    let records: Vec<Vec<u8>> = orders.into_iter().map(|(_, bytes)| bytes).collect();
    Ok(write_batch(BatchKind::Orders, bank, date, &records, total))
}

/// What happened to each acknowledgement of a file.
#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    /// The bank, from the trailer.
    pub bank: String,
    /// The day, from the trailer.
    pub date: String,
    /// Acknowledgements in the file.
    pub count: u64,
    /// Newly recorded.
    pub accepted: usize,
    /// Recorded before (the file, or the API, had delivered them already).
    pub duplicates: usize,
    /// Refused, each with the reason.
    pub refused: Vec<LineRefusal>,
}

/// One refused acknowledgement of a file.
#[derive(Debug, Clone, Serialize)]
pub struct LineRefusal {
    /// 1-based line number.
    pub line: usize,
    /// The order it names.
    pub order_id: String,
    /// Why.
    pub reason: String,
    /// Where its bytes are kept.
    pub message_id: String,
}

/// Checks an acknowledgements file as a whole, then records each acknowledgement through
/// [`on_ack_from`] as the trailer's bank. Refuses the whole file (recording nothing) when its trailer does not match.
pub async fn apply_acks(
    db: &Db,
    signal: &OutboxSignal,
    bytes: &[u8],
) -> Result<BatchReport, BatchError> {
    let (trailer, acks) = read_acks(bytes)?;
    let mut report = BatchReport {
        bank: trailer.bank.clone(),
        date: trailer.date.clone(),
        count: trailer.count,
        accepted: 0,
        duplicates: 0,
        refused: Vec::new(),
    };
    // The file is the bank's word, as a certificate is on the API: it acknowledges only the
    // orders addressed to the bank its trailer names.
    for (i, (line, ack)) in acks.into_iter().enumerate() {
        match on_ack_from(db, signal, line, Some(&trailer.bank)).await {
            Ok(o) if o.duplicate => report.duplicates += 1,
            Ok(_) => report.accepted += 1,
            Err(AckError::Refused {
                message_id, reason, ..
            }) => report.refused.push(LineRefusal {
                line: i + 1,
                order_id: ack.order_id,
                reason,
                message_id,
            }),
            Err(e @ (AckError::Conflict { .. } | AckError::WrongBank { .. })) => {
                let message_id = match &e {
                    AckError::Conflict { message_id, .. }
                    | AckError::WrongBank { message_id, .. } => message_id.clone(),
                    _ => String::new(),
                };
                report.refused.push(LineRefusal {
                    line: i + 1,
                    order_id: ack.order_id,
                    reason: e.to_string(),
                    message_id,
                })
            }
            Err(AckError::Storage(e)) => return Err(BatchError::Storage(e)),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ack_line(id: &str, amount: i64) -> Vec<u8> {
        format!(
            "{{\"order_id\":\"{id}\",\"order_hash\":\"{}\",\"status\":\"executed\",\"amount_vnd\":{amount},\"executed_at\":\"2026-11-23T10:00:00+07:00\"}}",
            "a".repeat(64)
        )
        .into_bytes()
    }

    #[test]
    fn a_batch_round_trips() {
        let file = write_batch(
            BatchKind::Acks,
            "VCB",
            "2026-11-23",
            &[ack_line("o1", 100), ack_line("o2", 50)],
            150,
        );
        let (trailer, acks) = read_acks(&file).unwrap();
        assert_eq!(trailer.count, 2);
        assert_eq!(acks[1].1.order_id, "o2");
        assert!(matches!(
            read_batch(&file, BatchKind::Orders),
            Err(BatchError::Kind { .. })
        ));
    }

    #[test]
    fn a_tampered_file_is_refused_whole() {
        let lines = [ack_line("o1", 100), ack_line("o2", 50)];
        let wrong_total = write_batch(BatchKind::Acks, "VCB", "2026-11-23", &lines, 151);
        assert!(matches!(
            read_acks(&wrong_total),
            Err(BatchError::Total {
                expected: 151,
                found: 150
            })
        ));
        let good = write_batch(BatchKind::Acks, "VCB", "2026-11-23", &lines, 150);
        let text = String::from_utf8(good).unwrap();
        let altered = text.replacen("\"amount_vnd\":100", "\"amount_vnd\":900", 1);
        assert!(matches!(
            read_acks(altered.as_bytes()),
            Err(BatchError::Hash { .. })
        ));
        let dropped: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
        assert!(matches!(
            read_acks(dropped.as_bytes()),
            Err(BatchError::Count {
                expected: 2,
                found: 1
            })
        ));
        assert!(matches!(
            read_acks(b"{\"a\":1}\n"),
            Err(BatchError::Trailer(_))
        ));
    }

    #[test]
    fn an_empty_day_has_only_a_trailer() {
        let file = write_batch(BatchKind::Orders, "VCB", "2026-11-23", &[], 0);
        let (trailer, orders) = read_orders(&file).unwrap();
        assert_eq!((trailer.count, orders.len()), (0, 0));
    }
}
