//! One `Ntry` → payments (one per transaction of a batch), a skipped entry, or an entry error.

use super::fields::{
    account_id, at, date_choice, first_text, shorten, status, text_at, vnd_amount,
};
use super::{Direction, EntryError, SkipKind, SkippedEntry};
use thads_schemas::bank::Payment;
use thads_schemas::money::Vnd;
use thads_schemas::text::{nfc, PersonalText};
use thads_schemas::xml::Element;

/// What the entries of one `Ntfctn` / `Stmt` block share.
pub(super) struct Block<'a> {
    /// Path prefix for errors, e.g. `Ntfctn[2]`.
    pub(super) prefix: String,
    /// `GrpHdr/MsgId`.
    pub(super) message_id: &'a str,
    /// Servicing bank, when named.
    pub(super) bank: Option<String>,
    /// The account, or the (field, reason) of why it is unreadable.
    pub(super) account: Result<String, (String, String)>,
}

/// What one entry turned into.
pub(super) enum Outcome {
    Payments(Vec<Payment>),
    Skipped(SkippedEntry),
    Error(EntryError),
}

/// A field error inside an entry: (path, reason).
type Fault = (String, String);

/// Reads the `n`-th `Ntry` of `block` (1-based), which is the `entry_no`-th of the document.
pub(super) fn read_entry(block: &Block<'_>, ntry: &Element, n: usize, entry_no: usize) -> Outcome {
    let path = format!("{}/Ntry[{n}]", block.prefix);
    match read(block, ntry, &path, entry_no) {
        Ok(outcome) => outcome,
        Err((field, reason)) => Outcome::Error(EntryError {
            entry: entry_no,
            entry_ref: entry_level_ref(ntry).or_else(|| {
                transactions(ntry, &path)
                    .first()
                    .and_then(|(_, tx)| tx_ref(tx))
            }),
            field,
            reason,
        }),
    }
}

fn read(block: &Block<'_>, ntry: &Element, path: &str, entry_no: usize) -> Result<Outcome, Fault> {
    let account = block.account.clone()?;
    let amount_el = ntry
        .child("Amt")
        .ok_or_else(|| (format!("{path}/Amt"), "the amount is missing".to_owned()))?;
    let amount = vnd_amount(amount_el).map_err(|r| (format!("{path}/Amt"), r))?;
    let direction =
        direction(ntry.child("CdtDbtInd"), &format!("{path}/CdtDbtInd"))?.ok_or_else(|| {
            (
                format!("{path}/CdtDbtInd"),
                "CdtDbtInd is missing".to_owned(),
            )
        })?;
    let reversal = match text_at(ntry, &["RvslInd"]).as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err((
                format!("{path}/RvslInd"),
                format!("{:?} is not a boolean", shorten(other)),
            ))
        }
    };
    let sts = status(ntry).ok_or_else(|| {
        (
            format!("{path}/Sts"),
            "the status is missing (Sts or Sts/Cd)".to_owned(),
        )
    })?;
    let booked = match sts.as_str() {
        "BOOK" => None,
        "PDNG" | "FUTR" => Some(SkipKind::Pending),
        "INFO" => Some(SkipKind::Info),
        other => {
            return Err((
                format!("{path}/Sts"),
                format!(
                    "status {:?} is not BOOK, PDNG, FUTR or INFO",
                    shorten(other)
                ),
            ))
        }
    };
    let skip = if reversal {
        Some(SkipKind::Reversal)
    } else if direction == Direction::Debit {
        Some(SkipKind::Debit)
    } else {
        booked
    };
    let txs = transactions(ntry, path);
    if let Some(kind) = skip {
        return Ok(Outcome::Skipped(SkippedEntry {
            entry: entry_no,
            kind,
            bank: block.bank.clone(),
            account,
            entry_ref: entry_level_ref(ntry).or_else(|| txs.first().and_then(|(_, t)| tx_ref(t))),
            end_to_end_id: txs.first().and_then(|(_, t)| end_to_end_id(t)),
            direction,
            amount_vnd: amount,
            booking_date: ntry.child("BookgDt").and_then(|d| date_choice(d).ok()),
        }));
    }
    if amount.is_zero() {
        return Err((
            format!("{path}/Amt"),
            "a booked credit of 0 đồng is not a payment".to_owned(),
        ));
    }
    let booking_date = ntry
        .child("BookgDt")
        .ok_or_else(|| "the booking date is missing".to_owned())
        .and_then(date_choice)
        .map_err(|r| (format!("{path}/BookgDt"), r))?;
    let value_date = ntry
        .child("ValDt")
        .map(date_choice)
        .transpose()
        .map_err(|r| (format!("{path}/ValDt"), r))?;
    let base = Payment {
        message_id: block.message_id.to_owned(),
        bank: block.bank.clone(),
        account,
        entry_ref: String::new(),
        end_to_end_id: None,
        amount_vnd: amount,
        booking_date,
        value_date,
        debtor_name: None,
        debtor_account: None,
        remittance: String::new(),
    };
    let payments = if txs.is_empty() {
        let entry_ref = entry_level_ref(ntry).ok_or_else(|| no_ref(path))?;
        vec![Payment {
            entry_ref,
            remittance: remittance(None, ntry),
            ..base
        }]
    } else {
        batch(&base, ntry, path, &txs)?
    };
    Ok(Outcome::Payments(payments))
}

/// One payment per `TxDtls`; the amounts must add up to the entry's.
fn batch(
    base: &Payment,
    ntry: &Element,
    path: &str,
    txs: &[(String, &Element)],
) -> Result<Vec<Payment>, Fault> {
    let is_batch = txs.len() > 1;
    let mut total = Vnd::ZERO;
    let mut out = Vec::with_capacity(txs.len());
    for (i, (tx_path, tx)) in txs.iter().enumerate() {
        let amount_el = tx
            .child("Amt")
            .or_else(|| at(tx, &["AmtDtls", "TxAmt", "Amt"]));
        let amount =
            match amount_el {
                Some(el) => vnd_amount(el).map_err(|r| (format!("{tx_path}/Amt"), r))?,
                None if !is_batch => base.amount_vnd,
                None => return Err((
                    format!("{tx_path}/Amt"),
                    "each transaction of a batch entry needs its amount (Amt or AmtDtls/TxAmt/Amt)"
                        .to_owned(),
                )),
            };
        if amount.is_zero() {
            return Err((
                format!("{tx_path}/Amt"),
                "a credit of 0 đồng is not a payment".to_owned(),
            ));
        }
        if direction(tx.child("CdtDbtInd"), &format!("{tx_path}/CdtDbtInd"))?
            == Some(Direction::Debit)
        {
            return Err((
                format!("{tx_path}/CdtDbtInd"),
                "a debit transaction inside a credit entry".to_owned(),
            ));
        }
        total = total.checked_add(amount).ok_or_else(|| {
            (
                format!("{path}/NtryDtls"),
                "the transaction amounts overflow".to_owned(),
            )
        })?;
        let reference = entry_level_ref(ntry)
            .or_else(|| tx_ref(tx))
            .ok_or_else(|| no_ref(path))?;
        let entry_ref = if is_batch {
            format!("{reference}/{}", i + 1)
        } else {
            reference
        };
        let parties = tx.child("RltdPties");
        out.push(Payment {
            entry_ref,
            end_to_end_id: end_to_end_id(tx),
            amount_vnd: amount,
            debtor_name: parties
                .and_then(|p| first_text(p, &[&["Dbtr", "Nm"], &["Dbtr", "Pty", "Nm"]]))
                .map(|n| PersonalText::new(&n))
                .filter(|n| !n.is_empty()),
            debtor_account: parties
                .and_then(|p| p.child("DbtrAcct"))
                .and_then(account_id),
            remittance: remittance(Some(tx), ntry),
            ..base.clone()
        });
    }
    if total != base.amount_vnd {
        return Err((
            format!("{path}/NtryDtls"),
            format!(
                "the transactions add up to {} but the entry amount is {}",
                total.amount(),
                base.amount_vnd.amount()
            ),
        ));
    }
    Ok(out)
}

fn no_ref(path: &str) -> Fault {
    (
        format!("{path}/NtryRef"),
        "no reference: none of NtryRef, AcctSvcrRef, Refs/AcctSvcrRef or Refs/TxId is given"
            .to_owned(),
    )
}

/// `CdtDbtInd`, if present; an unknown code is a fault.
fn direction(el: Option<&Element>, field: &str) -> Result<Option<Direction>, Fault> {
    match el.map(Element::text_trimmed) {
        None => Ok(None),
        Some("CRDT") => Ok(Some(Direction::Credit)),
        Some("DBIT") => Ok(Some(Direction::Debit)),
        Some(other) => Err((
            field.to_owned(),
            format!("{:?} is neither CRDT nor DBIT", shorten(other)),
        )),
    }
}

/// The entry's own reference: `NtryRef`, else `AcctSvcrRef`.
fn entry_level_ref(ntry: &Element) -> Option<String> {
    first_text(ntry, &[&["NtryRef"], &["AcctSvcrRef"]])
}

/// A transaction's bank reference: `Refs/AcctSvcrRef`, else `Refs/TxId`.
fn tx_ref(tx: &Element) -> Option<String> {
    first_text(tx, &[&["Refs", "AcctSvcrRef"], &["Refs", "TxId"]])
}

fn end_to_end_id(tx: &Element) -> Option<String> {
    text_at(tx, &["Refs", "EndToEndId"]).filter(|id| !id.eq_ignore_ascii_case("NOTPROVIDED"))
}

/// All `NtryDtls/TxDtls` with their paths, in document order.
fn transactions<'a>(ntry: &'a Element, path: &str) -> Vec<(String, &'a Element)> {
    ntry.children_named("NtryDtls")
        .enumerate()
        .flat_map(|(d, dtls)| {
            dtls.children_named("TxDtls")
                .enumerate()
                .map(move |(t, tx)| (format!("{path}/NtryDtls[{}]/TxDtls[{}]", d + 1, t + 1), tx))
        })
        .collect()
}

/// The memo: `RmtInf/Ustrd` lines and `RmtInf/Strd/CdtrRefInf/Ref`, joined with spaces; else
/// `TxDtls/AddtlTxInf`; else `Ntry/AddtlNtryInf` (where many banks put the memo).
fn remittance(tx: Option<&Element>, ntry: &Element) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(tx) = tx {
        for rmt in tx.children_named("RmtInf") {
            parts.extend(
                rmt.children_named("Ustrd")
                    .map(|u| u.text_trimmed().to_owned()),
            );
            for strd in rmt.children_named("Strd") {
                parts.extend(
                    strd.children_named("CdtrRefInf")
                        .filter_map(|c| text_at(c, &["Ref"])),
                );
            }
        }
    }
    parts.retain(|p| !p.is_empty());
    if parts.is_empty() {
        if let Some(extra) = tx
            .and_then(|t| text_at(t, &["AddtlTxInf"]))
            .or_else(|| text_at(ntry, &["AddtlNtryInf"]))
        {
            parts.push(extra);
        }
    }
    nfc(&parts.join(" "))
}
