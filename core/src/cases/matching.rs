//! Matching a bank payment to a case when the memo may not quote the case's payment reference:
//! a pure function (no database) that scores each candidate case on what the payment says —
//! the payment reference, the judgment or decision number as banks mangle them, the payer's
//! name against the case's debtors (accent-, case- and word-order-blind) and the amount
//! against what is still due — and decides whether one case is a confident match or the
//! payment must wait for an officer. The rules are described in `docs/reconciliation.md`.

use serde::Serialize;
use thads_schemas::money::Vnd;
use thads_schemas::text::fold_ascii;

mod text;

pub use text::{compare_names, name_words, pieces, quotes, NameMatch};
use text::{contains_run, words};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

/// What the bank told us about one payment, as the matcher needs it.
#[derive(Debug, Clone, Copy)]
pub struct PaymentFacts<'a> {
    /// The memo (nội dung chuyển khoản), as the bank sent it.
    pub memo: &'a str,
    /// The payer's name as the bank wrote it (usually upper-case ASCII).
    pub payer_name: Option<&'a str>,
    /// The amount credited.
    pub amount: Vnd,
}

/// What the matcher needs to know about one candidate case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// The case id.
    pub case_id: String,
    /// The office holding the case.
    pub office: String,
    /// The payment reference printed on the case's notices (`THA…`).
    pub payment_reference: String,
    /// The court's judgment number, e.g. `215/2026/DS-ST`.
    pub judgment_number: String,
    /// The decision to enforce's number, once issued, e.g. `12/QĐ-CCTHADS`.
    pub decision_number: Option<String>,
    /// The names of the case's debtors (người phải thi hành án), as the court wrote them.
    pub debtors: Vec<String>,
    /// What is still due on the case.
    pub outstanding: Vnd,
}

/// One piece of evidence that a payment belongs to a case. The order is the order in which
/// they are listed in `matched_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// The memo quotes the case's payment reference.
    PaymentReference,
    /// The memo quotes the whole judgment number (`215/2026/DS-ST`, however spaced or cased).
    JudgmentNumber,
    /// The memo quotes the decision to enforce's number.
    DecisionNumber,
    /// The payer's name is a debtor's name (accents, case and word order aside).
    DebtorName,
    /// The memo names a debtor.
    DebtorNameInMemo,
    /// The amount equals what is still due on the case.
    Amount,
    /// The memo quotes only the number and year of the judgment (`215/2026`).
    JudgmentNumberShort,
    /// The payer's name looks like a debtor's, shortened (initials, a middle name left out).
    DebtorNamePartial,
}

impl Signal {
    /// The name used in `matched_by` and in the queue's candidates.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentReference => "payment_reference",
            Self::JudgmentNumber => "judgment_number",
            Self::DecisionNumber => "decision_number",
            Self::DebtorName => "debtor_name",
            Self::DebtorNameInMemo => "debtor_name_in_memo",
            Self::Amount => "amount",
            Self::JudgmentNumberShort => "judgment_number_short",
            Self::DebtorNamePartial => "debtor_name_partial",
        }
    }

    /// How much the signal adds to a candidate's score (for ordering candidates only; the
    /// decision to post follows [`assess`]'s rules, not a threshold).
    pub fn weight(self) -> u32 {
        match self {
            Self::PaymentReference => 100,
            Self::JudgmentNumber | Self::DecisionNumber => 50,
            Self::DebtorName => 40,
            Self::DebtorNameInMemo => 35,
            Self::Amount => 30,
            Self::JudgmentNumberShort | Self::DebtorNamePartial => 15,
        }
    }

    /// A number that identifies one case (judgment or decision number).
    fn identifies(self) -> bool {
        matches!(self, Self::JudgmentNumber | Self::DecisionNumber)
    }

    /// Evidence strong enough to confirm an identifying number.
    fn confirms(self) -> bool {
        matches!(
            self,
            Self::JudgmentNumber
                | Self::DecisionNumber
                | Self::DebtorName
                | Self::DebtorNameInMemo
                | Self::Amount
        )
    }
}

/// A case the payment may belong to, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The case id.
    pub case_id: String,
    /// The office holding the case.
    pub office: String,
    /// The evidence, in [`Signal`] order.
    pub signals: Vec<Signal>,
    /// The sum of the signals' weights.
    pub score: u32,
}

impl Candidate {
    /// Whether this candidate alone would justify posting: a payment reference, or an
    /// identifying number confirmed by another signal.
    pub fn is_confident(&self) -> bool {
        if self.signals.contains(&Signal::PaymentReference) {
            return true;
        }
        let ids = self.signals.iter().filter(|s| s.identifies()).count();
        let confirming = self.signals.iter().filter(|s| s.confirms()).count();
        ids >= 1 && confirming >= 2
    }

    /// The signals joined with `+`, e.g. `judgment_number+debtor_name`; just
    /// `payment_reference` when the memo quotes the reference, which settles it alone.
    pub fn matched_by(&self) -> String {
        if self.signals.contains(&Signal::PaymentReference) {
            return Signal::PaymentReference.as_str().to_string();
        }
        let names: Vec<&str> = self.signals.iter().map(|s| s.as_str()).collect();
        names.join("+")
    }
}

/// The matcher's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Exactly one case is a confident match: post the payment on it.
    Post {
        /// The case.
        case_id: String,
        /// How it was matched, e.g. `judgment_number+debtor_name`.
        matched_by: String,
    },
    /// The payment waits for an officer.
    Queue {
        /// Why, in words that never contain personal data.
        reason: String,
        /// The cases it may belong to, best first (at most [`MAX_CANDIDATES`]).
        candidates: Vec<Candidate>,
    },
}

/// The most candidates kept with a queued payment.
pub const MAX_CANDIDATES: usize = 10;

/// Decides where a payment goes, given the cases that might match (the caller may pass any
/// superset; cases with no evidence are ignored).
pub fn assess(payment: &PaymentFacts<'_>, cases: &[CaseFacts]) -> Verdict {
    let memo = MemoView::new(payment);
    let mut candidates: Vec<Candidate> = Vec::new();
    for case in cases {
        if candidates.iter().any(|c| c.case_id == case.case_id) {
            continue;
        }
        let signals = memo.signals(case);
        if signals.is_empty() {
            continue;
        }
        candidates.push(Candidate {
            case_id: case.case_id.clone(),
            office: case.office.clone(),
            score: signals.iter().map(|s| s.weight()).sum(),
            signals,
        });
    }
    candidates.sort_by(|a, b| b.score.cmp(&a.score).then(a.case_id.cmp(&b.case_id)));
    let by_reference = candidates
        .iter()
        .filter(|c| c.signals.contains(&Signal::PaymentReference))
        .count();
    let confident: Vec<&Candidate> = candidates.iter().filter(|c| c.is_confident()).collect();
    if let ([only], 0 | 1) = (confident.as_slice(), by_reference) {
        return Verdict::Post {
            case_id: only.case_id.clone(),
            matched_by: only.matched_by(),
        };
    }
    let reason = queue_reason(&candidates, confident.len(), by_reference);
    candidates.truncate(MAX_CANDIDATES);
    Verdict::Queue { reason, candidates }
}

fn queue_reason(candidates: &[Candidate], confident: usize, by_reference: usize) -> String {
    let detail = evidence_reason(candidates, confident, by_reference);
    if by_reference == 0 {
        format!("no known case payment reference in the memo; {detail}")
    } else {
        detail
    }
}

fn evidence_reason(candidates: &[Candidate], confident: usize, by_reference: usize) -> String {
    let n = candidates.len();
    let cases = |k: usize| {
        if k == 1 {
            "1 case".to_string()
        } else {
            format!("{k} cases")
        }
    };
    if by_reference > 1 {
        return format!("the memo names {by_reference} different cases by payment reference");
    }
    if confident > 1 {
        return format!("ambiguous: {} match equally well", cases(confident));
    }
    let Some(best) = candidates.first() else {
        return "no judgment or decision number, debtor name or outstanding amount matches a \
                case either"
            .to_string();
    };
    let has = |s: Signal| candidates.iter().any(|c| c.signals.contains(&s));
    if best.signals.iter().any(|s| s.identifies()) {
        return format!(
            "the memo quotes the case number of {}, but neither the payer's name nor the amount \
             confirms it",
            cases(
                candidates
                    .iter()
                    .filter(|c| c.signals.iter().any(|s| s.identifies()))
                    .count()
            )
        );
    }
    let named = has(Signal::DebtorName) || has(Signal::DebtorNameInMemo);
    if named && has(Signal::Amount) {
        return format!(
            "no case number in the memo; the payer's name or the amount matches {}",
            cases(n)
        );
    }
    if named || has(Signal::DebtorNamePartial) {
        return format!(
            "no case number in the memo; only a debtor's name matches ({})",
            cases(n)
        );
    }
    if has(Signal::Amount) && !has(Signal::JudgmentNumberShort) {
        return format!("amount only: it equals what is still due on {}", cases(n));
    }
    format!(
        "only weak evidence (part of a judgment number) for {}",
        cases(n)
    )
}

/// The memo and payer prepared once for comparing with many cases.
struct MemoView {
    pieces: Vec<String>,
    words: Vec<String>,
    compact: String,
    payer: Vec<String>,
    amount: Vnd,
}

impl MemoView {
    fn new(p: &PaymentFacts<'_>) -> Self {
        let folded = fold_ascii(p.memo);
        Self {
            pieces: pieces(p.memo),
            words: words(&folded),
            compact: folded.chars().filter(|c| !c.is_whitespace()).collect(),
            payer: p
                .payer_name
                .map(|n| words(&fold_ascii(n)))
                .unwrap_or_default(),
            amount: p.amount,
        }
    }

    fn signals(&self, case: &CaseFacts) -> Vec<Signal> {
        let mut s = Vec::new();
        let reference = fold_ascii(&case.payment_reference).replace(' ', "");
        if !reference.is_empty() && self.compact.contains(&reference) {
            s.push(Signal::PaymentReference);
        }
        let judgment = pieces(&case.judgment_number);
        if quotes(&self.pieces, &judgment) {
            s.push(Signal::JudgmentNumber);
        } else if judgment.len() > 2 && quotes(&self.pieces, &judgment[..2]) {
            s.push(Signal::JudgmentNumberShort);
        }
        if let Some(d) = &case.decision_number {
            let decision = pieces(d);
            if decision.len() >= 2 && quotes(&self.pieces, &decision) {
                s.push(Signal::DecisionNumber);
            }
        }
        let mut name = NameMatch::None;
        let mut in_memo = false;
        for debtor in &case.debtors {
            let d = words(&fold_ascii(debtor));
            name = name.max(compare_names(&self.payer, &d));
            in_memo |= d.len() >= 2 && contains_run(&self.words, &d);
        }
        match name {
            NameMatch::Same => s.push(Signal::DebtorName),
            NameMatch::Partial => s.push(Signal::DebtorNamePartial),
            NameMatch::None => {}
        }
        if in_memo {
            s.push(Signal::DebtorNameInMemo);
        }
        if !case.outstanding.is_zero() && case.outstanding == self.amount {
            s.push(Signal::Amount);
        }
        s.sort();
        s
    }
}
