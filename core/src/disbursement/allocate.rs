//! The pure allocator of collected money (chi trả, Art. 47 of the 2008 Law on Civil Judgment
//! Enforcement): enforcement costs first; then maintenance (cấp dưỡng) and the other rank-(a)
//! sums; then court fees (án phí, lệ phí); then every other sum under the judgment. Within a
//! rank that the money does not cover, each obligation gets its share pro rata to what is
//! still owed on it, by the largest-remainder method, so no đồng is lost to rounding.

use serde::Serialize;
use thads_schemas::money::Vnd;

/// The rank of a sum in the order of payment, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    /// Enforcement costs (chi phí cưỡng chế), deducted before anything else.
    Costs,
    /// Art. 47(1)(a): maintenance, wages, damages for life and health.
    Maintenance,
    /// Art. 47(1)(b): court fees.
    CourtFees,
    /// Art. 47(1)(c): every other sum, pro rata.
    Other,
}

impl Rank {
    /// The rank of an obligation kind; `None` for kinds that are not paid in money
    /// (`destruction`, `return_property`, `return_land`).
    pub fn of_kind(kind: &str) -> Option<Rank> {
        match kind {
            "child_support" | "wages" | "life_health_damages" => Some(Rank::Maintenance),
            "court_fee" => Some(Rank::CourtFees),
            "pay_money" | "compensation" | "fine" | "confiscation" | "other" => Some(Rank::Other),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rank::Costs => "costs",
            Rank::Maintenance => "maintenance",
            Rank::CourtFees => "court_fees",
            Rank::Other => "other",
        }
    }
}

/// Who receives a payout line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "party", rename_all = "snake_case")]
pub enum Payee {
    /// A private creditor, by party reference in the judgment.
    Creditor(String),
    /// The State budget (court fees, fines, confiscation), through the Treasury.
    State,
    /// The enforcement agency itself (its costs).
    Agency,
}

/// One sum owed on the case, as the allocator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    /// Position of the obligation in the judgment; 0 for enforcement costs.
    pub position: i64,
    /// The obligation kind (`pay_money`, `court_fee`, ...; `costs` for enforcement costs).
    pub kind: String,
    /// Its rank in the order of payment.
    pub rank: Rank,
    /// Who is paid.
    pub payee: Payee,
    /// The whole amount owed.
    pub amount: Vnd,
    /// Already paid out on it by earlier disbursements.
    pub paid: Vnd,
}

impl Owed {
    /// What is still owed on it (never negative).
    pub fn outstanding(&self) -> i64 {
        (self.amount.amount() - self.paid.amount()).max(0)
    }
}

/// One payout line of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The obligation's position (0: enforcement costs).
    pub position: i64,
    /// The obligation kind.
    pub kind: String,
    /// Its rank.
    pub rank: Rank,
    /// Who is paid.
    pub payee: Payee,
    /// How much this plan pays on it.
    pub amount: Vnd,
    /// What is still owed on it after this plan.
    pub remaining: Vnd,
}

/// The outcome of [`allocate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    /// The lines with a positive amount, by rank then position.
    pub lines: Vec<Line>,
    /// Paid to private creditors.
    pub to_creditors: Vnd,
    /// Due to the State budget (to transfer to the Treasury).
    pub to_state: Vnd,
    /// Kept by the agency for its costs.
    pub to_agency: Vnd,
    /// Left over once everything owed is paid (held; to return to the payer).
    pub surplus: Vnd,
}

impl Allocation {
    /// Everything this plan pays out.
    pub fn total(&self) -> i64 {
        self.to_creditors.amount() + self.to_state.amount() + self.to_agency.amount()
    }
}

fn vnd(amount: i64) -> Vnd {
    // Every amount here lies between 0 and a valid Vnd; fall back to zero defensively.
    Vnd::new(amount).unwrap_or(Vnd::ZERO)
}

/// Splits `available` over `owed` in the order of payment. Never pays more than `available`
/// in all, nor more than is outstanding on any obligation; within a rank the money does not
/// cover, shares are pro rata to the outstanding amounts, remainders going one đồng at a time
/// to the largest fractional parts (ties: lower position first).
pub fn allocate(available: Vnd, owed: &[Owed]) -> Allocation {
    let mut left = available.amount().max(0);
    let mut sorted: Vec<&Owed> = owed.iter().filter(|o| o.outstanding() > 0).collect();
    sorted.sort_by_key(|o| (o.rank, o.position));
    let mut lines = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let rank = sorted[i].rank;
        let j = sorted[i..]
            .iter()
            .position(|o| o.rank != rank)
            .map_or(sorted.len(), |k| i + k);
        let group = &sorted[i..j];
        let need: i64 = group.iter().map(|o| o.outstanding()).sum();
        let shares = if need <= left {
            group.iter().map(|o| o.outstanding()).collect()
        } else {
            pro_rata(left, group)
        };
        for (o, share) in group.iter().zip(shares) {
            left -= share;
            if share > 0 {
                lines.push(Line {
                    position: o.position,
                    kind: o.kind.clone(),
                    rank: o.rank,
                    payee: o.payee.clone(),
                    amount: vnd(share),
                    remaining: vnd(o.outstanding() - share),
                });
            }
        }
        i = j;
    }
    let sum = |p: fn(&Payee) -> bool| {
        vnd(lines
            .iter()
            .filter(|l| p(&l.payee))
            .map(|l| l.amount.amount())
            .sum())
    };
    Allocation {
        to_creditors: sum(|p| matches!(p, Payee::Creditor(_))),
        to_state: sum(|p| *p == Payee::State),
        to_agency: sum(|p| *p == Payee::Agency),
        surplus: vnd(left),
        lines,
    }
}

/// `money` (less than the group's need) split pro rata to the outstanding amounts.
fn pro_rata(money: i64, group: &[&Owed]) -> Vec<i64> {
    let need: i128 = group.iter().map(|o| i128::from(o.outstanding())).sum();
    if need == 0 || money <= 0 {
        return vec![0; group.len()];
    }
    let mut shares = Vec::with_capacity(group.len());
    let mut fractions = Vec::with_capacity(group.len());
    for (idx, o) in group.iter().enumerate() {
        let exact = i128::from(money) * i128::from(o.outstanding());
        let floor = exact / need;
        shares.push(i64::try_from(floor).unwrap_or(0));
        fractions.push((exact % need, idx));
    }
    let mut rest = money - shares.iter().sum::<i64>();
    // Largest fractional part first; the earlier obligation wins a tie.
    fractions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, idx) in fractions {
        if rest == 0 {
            break;
        }
        if shares[idx] < group[idx].outstanding() {
            shares[idx] += 1;
            rest -= 1;
        }
    }
    shares
}
