//! The clause patterns of the operative part: every amount is read with the words around it
//! (its kind, whether it is owed at all) and the clause's structure (who is "buộc", who gets
//! it "cho", what a lead-in line said), then totals, instalments and restated totals are
//! resolved so each sum is counted once.
//!
//! Rules (see README): a security (bảo đảm, tạm giữ, ký quỹ, a deposit held) is no
//! obligation; an advance fee deducted and the remainder after a deduction are not counted
//! again; a total stated beside its parts is dropped in favour of the parts (and checked
//! against them); instalments beside their principal are dropped; valuations are ignored.

use crate::amount::{find_amounts, AmountMatch};
use crate::cues::{self, Claim};
use crate::mentions::{Matcher, Mention, Who};
use crate::model::ExtractedParty;
use crate::model::{ExtractedObligation, Initiation, ObligationKind, Period, Role, STATE};
use crate::names::TITLES;
use crate::normalize::{find_word, find_words, fold, has_any, has_word};
use crate::parties::{Label, PartyRecord, Registry};
use crate::segment::{split_clauses, Clause, Heading};

/// One side of an obligation.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Side {
    /// The State (budget, or the office refunding / returning).
    State,
    /// Someone mentioned.
    Who(Who),
    /// Not found.
    Missing,
}

/// What a clause passes on to the clauses that continue it.
#[derive(Debug, Clone, Default)]
struct Ctx {
    debtors: Vec<Who>,
    creditors: Vec<Who>,
    kind: Option<ObligationKind>,
    period: Option<Period>,
    each: bool,
}

/// An obligation before totals are resolved and names attached.
#[derive(Debug, Clone)]
struct Candidate {
    kind: ObligationKind,
    debtors: Vec<Side>,
    creditors: Vec<Side>,
    amount: Option<i64>,
    period: Option<Period>,
    text: String,
    scope: usize,
    item: usize,
    total: bool,
    instalment: bool,
}

/// Reads every obligation of the operative text; parties met only there are added to `reg`.
pub(crate) fn read_obligations(
    op: &str,
    reg: &mut Registry,
    warnings: &mut Vec<String>,
) -> Vec<ExtractedObligation> {
    let clauses = split_clauses(op);
    let matcher = Matcher::new(reg);
    let mut reader = Reader {
        op,
        reg,
        matcher,
        warnings,
        custodian: Vec::new(),
        candidates: Vec::new(),
    };
    reader.custodian = reader.find_custodian(&clauses);
    let mut ctxs: Vec<Ctx> = Vec::new();
    let mut scopes: Vec<usize> = Vec::new();
    for (ci, c) in clauses.iter().enumerate() {
        let same_sentence = ci > 0 && clauses[ci - 1].sentence_no == c.sentence_no;
        let (inherited, scope) = if same_sentence {
            (ctxs[ci - 1].clone(), scopes[ci - 1])
        } else if let Some(g) = c.group {
            (ctxs[g].clone(), scopes[g])
        } else {
            (Ctx::default(), ci)
        };
        let ctx = reader.clause(c, &inherited, scope);
        ctxs.push(ctx);
        scopes.push(scope);
    }
    let kept = reader.resolve_totals();
    reader.finish(kept)
}

/// State of one reading.
struct Reader<'a> {
    op: &'a str,
    reg: &'a mut Registry,
    matcher: Matcher,
    warnings: &'a mut Vec<String>,
    /// Who directly raises the children ("trực tiếp nuôi"), the default creditor of support.
    custodian: Vec<Who>,
    candidates: Vec<Candidate>,
}

impl Reader<'_> {
    /// Reads one clause, pushing its candidates; returns the context it passes on.
    fn clause(&mut self, c: &Clause, inherited: &Ctx, scope: usize) -> Ctx {
        let text = &self.op[c.start..c.end];
        let f = fold(text);
        let mentions = self.matcher.mentions(text, self.reg);
        let amounts = find_amounts(text);
        let claim = cues::claim_of(&f);
        let subject = subject(&f, &mentions);
        let chos = cho_groups(&f, &mentions);
        let first_at = amounts.first().map_or(f.len(), |a| a.start);
        let head = &f[..first_at];
        let mut ctx = Ctx {
            debtors: if subject.is_empty() {
                inherited.debtors.clone()
            } else {
                subject
            },
            creditors: chos
                .iter()
                .find(|(p, _)| *p < first_at)
                .map(|(_, g)| g.clone())
                .unwrap_or_else(|| inherited.creditors.clone()),
            kind: cues::specific_kind(head).or(inherited.kind),
            period: cues::period_of(head).or(inherited.period),
            each: cues::is_each(&f) || inherited.each,
        };
        if claim != Claim::None {
            // A claim's parties are not the order's; do not pass them on.
            ctx = Ctx {
                each: ctx.each,
                ..Ctx::default()
            };
        }
        let sentence_before = fold(&self.op[c.sentence.0..c.start]);
        let sentence_text = self.op[c.sentence.0..c.sentence.1].trim().to_owned();
        let mut emitted = 0;
        let mut valuations = 0;
        for (k, a) in amounts.iter().enumerate() {
            if a.words_disagree() {
                self.warnings.push(format!(
                    "the amount {} is written in words as {}; the figures are kept",
                    a.value,
                    a.words.map(|w| w.to_string()).unwrap_or_default()
                ));
            }
            let prev_end = if k == 0 {
                0
            } else {
                amounts[k - 1].end.min(a.start)
            };
            let next_start = amounts.get(k + 1).map_or(f.len(), |n| n.start);
            let lead = lead_local(&f[prev_end..a.start]);
            let after = &f[a.end..next_start];
            let trail = trail_local(after);
            let trail_security = cut_at(after, &[" và ", ";"]);
            let before_amount = &f[..a.start];
            match claim {
                Claim::Rejected => continue,
                Claim::Accepted if !cues::ordering_buoc_before(&f, a.start) => continue,
                _ => {}
            }
            if cues::is_security(&f, lead, trail_security)
                || (k > 0 && cues::is_bracketed_detail(&f[prev_end..a.start], lead))
            {
                continue;
            }
            let local = format!("{lead} | {trail}");
            let fee_advance = has_any(&local, &["tạm ứng án phí", "tạm ứng lệ phí", "tạm ứng phí"]);
            let kind = if has_word(&local, "tạm ứng") && (fee_advance || ctx.debtors.is_empty())
            {
                if has_any(before_amount, &cues::REFUND_VERBS) && !cues::is_deduction(lead) {
                    ObligationKind::RefundAdvanceFee
                } else {
                    continue;
                }
            } else if cues::is_deduction(lead)
                || cues::is_remainder(&format!("{sentence_before} {before_amount}"), lead)
                || cues::is_paid(lead)
            {
                continue;
            } else if cues::is_valuation(lead) {
                valuations += 1;
                continue;
            } else {
                match decide_kind(&local, before_amount, c.heading, &ctx) {
                    Some(k) => k,
                    None => {
                        self.warnings.push(format!(
                            "the amount {} in \"{}\" is not tied to an obligation",
                            a.value,
                            clip(&sentence_text)
                        ));
                        continue;
                    }
                }
            };
            let slot = (prev_end, next_start);
            let candidate = self.candidate(CandidateInput {
                kind,
                amount: a,
                slot,
                lead,
                trail,
                after,
                f: &f,
                mentions: &mentions,
                chos: &chos,
                ctx: &ctx,
                text: &sentence_text,
                scope,
                item: c.item,
            });
            self.candidates.push(candidate);
            emitted += 1;
        }
        if emitted == 0 && amounts.len() == valuations && claim == Claim::None {
            self.non_money(c, &f, &mentions, &chos, &ctx, &sentence_text, scope);
        }
        ctx
    }

    /// Builds the candidate of one amount.
    fn candidate(&mut self, i: CandidateInput<'_>) -> Candidate {
        let mut kind = i.kind;
        let local = format!("{} | {}", i.lead, i.trail);
        let in_slot = |from: usize, to: usize| {
            i.chos
                .iter()
                .filter(move |(p, g)| *p >= from && *p < to && !g.is_empty())
        };
        let slot_creditors = in_slot(i.slot.0, i.amount.start)
            .next_back()
            .or_else(|| in_slot(i.amount.end, i.slot.1).next())
            .map(|(_, g)| g.clone());
        let mut debtors: Vec<Side> = i.ctx.debtors.iter().cloned().map(Side::Who).collect();
        let creditors: Vec<Side>;
        if kind == ObligationKind::RefundAdvanceFee {
            let who = slot_creditors
                .or_else(|| (!i.ctx.creditors.is_empty()).then(|| i.ctx.creditors.clone()))
                .or_else(|| (!i.ctx.debtors.is_empty()).then(|| i.ctx.debtors.clone()));
            creditors = self.creditors_of(who, i.ctx.each, i.text);
            debtors = vec![Side::State];
        } else if kind.owed_to_state() {
            creditors = vec![Side::State];
            if debtors.is_empty() {
                debtors = group_after_word(i.f, i.mentions, "của")
                    .into_iter()
                    .map(Side::Who)
                    .collect();
            }
            if debtors.is_empty() {
                debtors = vec![self.default_debtor(i.text)];
            }
        } else {
            let returns = has_any(i.f, &cues::RETURN_VERBS);
            if kind == ObligationKind::PayMoney && debtors.is_empty() && returns {
                // Seized money handed back by the office ("Trả lại cho bị cáo số tiền ...").
                kind = ObligationKind::ReturnProperty;
                debtors = vec![Side::State];
            }
            let mut who = slot_creditors
                .or_else(|| (!i.ctx.creditors.is_empty()).then(|| i.ctx.creditors.clone()));
            if who.is_none() && kind == ObligationKind::ChildSupport && !self.custodian.is_empty() {
                who = Some(self.custodian.clone());
            }
            if debtors.is_empty() {
                debtors = vec![self.default_debtor(i.text)];
            }
            let debtor_whos: Vec<Who> = debtors
                .iter()
                .filter_map(|d| match d {
                    Side::Who(w) => Some(w.clone()),
                    _ => None,
                })
                .collect();
            let who = who.map(|g| {
                g.into_iter()
                    .filter(|w| !debtor_whos.contains(w))
                    .collect::<Vec<_>>()
            });
            let who = who.filter(|g| !g.is_empty());
            creditors = match who {
                Some(g) => self.creditors_of(Some(g), i.ctx.each, i.text),
                None => vec![self.default_creditor(&debtor_whos, kind, i.text)],
            };
        }
        let period = if kind == ObligationKind::ChildSupport {
            cues::period_of(&local)
                .or_else(|| cues::period_of(i.f))
                .or(i.ctx.period)
        } else if matches!(
            kind,
            ObligationKind::PayMoney
                | ObligationKind::Compensation
                | ObligationKind::Wages
                | ObligationKind::LifeHealthDamages
        ) {
            cues::period_of(&local)
        } else {
            None
        };
        Candidate {
            kind,
            debtors,
            creditors,
            amount: Some(i.amount.value.amount()),
            period,
            text: i.text.to_owned(),
            scope: i.scope,
            item: i.item,
            total: cues::is_total(i.lead, i.after, &i.f[..i.amount.start]),
            instalment: cues::is_instalment(i.lead),
        }
    }

    /// The creditors of one amount: each one named when the text says "mỗi người", else the
    /// first with a warning (the split between them is not written).
    fn creditors_of(&mut self, who: Option<Vec<Who>>, each: bool, text: &str) -> Vec<Side> {
        match who {
            Some(g) if !g.is_empty() => {
                if each {
                    return g.into_iter().map(Side::Who).collect();
                }
                if g.len() > 1 {
                    self.warnings.push(format!(
                        "several creditors for one amount in \"{}\"; the first is proposed",
                        clip(text)
                    ));
                }
                vec![Side::Who(g[0].clone())]
            }
            _ => {
                self.warnings
                    .push(format!("no creditor found in \"{}\"", clip(text)));
                vec![Side::Missing]
            }
        }
    }

    /// The only debtor-role party, when the clause names none.
    fn default_debtor(&mut self, text: &str) -> Side {
        let debtors = self.reg.with_role(Role::Debtor);
        if let [only] = debtors.as_slice() {
            return Side::Who(Who::Party(*only));
        }
        self.warnings
            .push(format!("no debtor found in \"{}\"", clip(text)));
        Side::Missing
    }

    /// The creditor when the clause names none: the custodian for support, else the only
    /// creditor-role party who is not a debtor.
    fn default_creditor(&mut self, debtors: &[Who], kind: ObligationKind, text: &str) -> Side {
        let not_debtor = |w: &Who| !debtors.contains(w);
        if kind == ObligationKind::ChildSupport {
            let main: Vec<Who> = (0..self.reg.records.len())
                .filter(|&i| {
                    matches!(
                        self.reg.records[i].label,
                        Label::Plaintiff | Label::Defendant | Label::Requester | Label::Requested
                    )
                })
                .map(Who::Party)
                .filter(not_debtor)
                .collect();
            if let [only] = main.as_slice() {
                return Side::Who(only.clone());
            }
        }
        let creditors: Vec<Who> = self
            .reg
            .with_role(Role::Creditor)
            .into_iter()
            .map(Who::Party)
            .filter(not_debtor)
            .collect();
        if let [only] = creditors.as_slice() {
            return Side::Who(only.clone());
        }
        self.warnings
            .push(format!("no creditor found in \"{}\"", clip(text)));
        Side::Missing
    }

    /// Clauses without a sum: confiscation or destruction of things, return of property or
    /// land, and other orders ("Buộc ... phải ...").
    #[allow(clippy::too_many_arguments)]
    fn non_money(
        &mut self,
        c: &Clause,
        f: &str,
        mentions: &[Mention],
        chos: &[(usize, Vec<Who>)],
        ctx: &Ctx,
        text: &str,
        scope: usize,
    ) {
        if f.trim_end().ends_with(':') || cues::is_interest_clause(f) {
            return;
        }
        let destroy = has_any(f, &["tiêu hủy", "tiêu huỷ"]);
        let confiscate = has_word(f, "tịch thu");
        let returns = has_any(f, &cues::RETURN_VERBS);
        let clears = has_any(f, &["tháo dỡ", "di dời", "di chuyển"]);
        let orders = cues::ordering_buoc_before(f, f.len());
        let land = cues::is_land(f);
        let kind = if destroy {
            ObligationKind::Destruction
        } else if confiscate {
            ObligationKind::Confiscation
        } else if returns {
            if land {
                ObligationKind::ReturnLand
            } else {
                ObligationKind::ReturnProperty
            }
        } else if orders && clears && land {
            ObligationKind::ReturnLand
        } else if orders && !has_any(f, &["không phải", "án phí"]) {
            ObligationKind::Other
        } else {
            return;
        };
        let mut debtors: Vec<Side> = ctx.debtors.iter().cloned().map(Side::Who).collect();
        let creditors = if kind.owed_to_state() {
            if debtors.is_empty() {
                debtors = group_after_word(f, mentions, "của")
                    .into_iter()
                    .map(Side::Who)
                    .collect();
            }
            if debtors.is_empty() {
                debtors = vec![self.default_debtor(text)];
            }
            vec![Side::State]
        } else {
            if debtors.is_empty() {
                debtors = if matches!(
                    kind,
                    ObligationKind::ReturnProperty | ObligationKind::ReturnLand
                ) {
                    vec![Side::State]
                } else {
                    vec![self.default_debtor(text)]
                };
            }
            let debtor_whos: Vec<Who> = debtors
                .iter()
                .filter_map(|d| match d {
                    Side::Who(w) => Some(w.clone()),
                    _ => None,
                })
                .collect();
            let who = chos
                .first()
                .map(|(_, g)| g.clone())
                .or_else(|| (!ctx.creditors.is_empty()).then(|| ctx.creditors.clone()))
                .map(|g| {
                    g.into_iter()
                        .filter(|w| !debtor_whos.contains(w))
                        .collect::<Vec<_>>()
                })
                .filter(|g| !g.is_empty());
            match who {
                Some(g) => self.creditors_of(Some(g), ctx.each, text),
                None => vec![self.default_creditor(&debtor_whos, kind, text)],
            }
        };
        self.candidates.push(Candidate {
            kind,
            debtors,
            creditors,
            amount: None,
            period: None,
            text: text.to_owned(),
            scope,
            item: c.item,
            total: false,
            instalment: false,
        });
    }

    /// Who "trực tiếp nuôi" the children, from any clause that says so.
    fn find_custodian(&self, clauses: &[Clause]) -> Vec<Who> {
        for c in clauses {
            let text = &self.op[c.start..c.end];
            let f = fold(text);
            let Some(at) = find_word(&f, "trực tiếp") else {
                continue;
            };
            if !has_any(&f, &["nuôi", "chăm sóc", "trông nom"]) {
                continue;
            }
            let mentions = self.matcher.mentions(text, self.reg);
            if let Some((_, g)) = cho_groups(&f, &mentions).into_iter().next() {
                return g;
            }
            let before = group_before(&f, &mentions, at);
            if !before.is_empty() {
                return before;
            }
        }
        Vec::new()
    }

    /// Drops totals beside their parts and instalments beside their principal; checks the
    /// sums; drops a total that restates earlier obligations of the same item.
    fn resolve_totals(&mut self) -> Vec<Candidate> {
        let all = std::mem::take(&mut self.candidates);
        let mut keep = vec![true; all.len()];
        let mut scopes: Vec<usize> = all.iter().map(|c| c.scope).collect();
        scopes.sort_unstable();
        scopes.dedup();
        for s in scopes {
            let idx: Vec<usize> = (0..all.len())
                .filter(|&i| all[i].scope == s && all[i].amount.is_some())
                .collect();
            let plain: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| !all[i].total && !all[i].instalment)
                .collect();
            let parts_sum: i64 = plain.iter().filter_map(|&i| all[i].amount).sum();
            for &i in &idx {
                if all[i].total && !plain.is_empty() {
                    keep[i] = false;
                    if all[i].amount != Some(parts_sum) {
                        self.warnings.push(format!(
                            "the total {} in \"{}\" differs from the sum of its parts {}; the parts are kept",
                            vnd(all[i].amount.unwrap_or(0)),
                            clip(&all[i].text),
                            vnd(parts_sum)
                        ));
                    }
                }
                // An instalment beside a principal owed by the same debtor in the same item is
                // part of the payment schedule, not a second debt.
                let principal = (0..all.len()).any(|j| {
                    !all[j].instalment
                        && all[j].amount.is_some()
                        && all[j].item == all[i].item
                        && all[j].debtors == all[i].debtors
                });
                if all[i].instalment && principal {
                    keep[i] = false;
                }
            }
        }
        // A total alone in its scope that equals earlier obligations of its item restates them.
        for i in 0..all.len() {
            if !(keep[i] && all[i].total) {
                continue;
            }
            let earlier: i64 = (0..i)
                .filter(|&j| {
                    keep[j] && all[j].item == all[i].item && all[j].debtors == all[i].debtors
                })
                .filter_map(|j| all[j].amount)
                .sum();
            let count = (0..i)
                .filter(|&j| keep[j] && all[j].item == all[i].item && all[j].amount.is_some())
                .count();
            if count >= 2 && all[i].amount == Some(earlier) {
                keep[i] = false;
            }
        }
        all.into_iter()
            .zip(keep)
            .filter_map(|(c, k)| k.then_some(c))
            .collect()
    }

    /// Attaches names (adding parties met only in the operative part) and splits obligations
    /// with several debtors.
    fn finish(&mut self, kept: Vec<Candidate>) -> Vec<ExtractedObligation> {
        let mut out = Vec::new();
        for c in kept {
            if c.debtors.len() > 1 && !cues::is_each(&fold(&c.text)) {
                self.warnings.push(format!(
                    "several debtors for one amount in \"{}\"; each is proposed for the whole (liên đới)",
                    clip(&c.text)
                ));
            }
            for cr in &c.creditors {
                let creditor = self.name_of(cr, Role::Creditor);
                for d in &c.debtors {
                    let debtor = self.name_of(d, Role::Debtor);
                    let initiation = if *cr == Side::State || *d == Side::State {
                        Initiation::ExOfficio
                    } else {
                        Initiation::OnRequest
                    };
                    out.push(ExtractedObligation {
                        kind: c.kind,
                        debtor,
                        creditor: creditor.clone(),
                        amount_vnd: c.amount,
                        period: c.period,
                        initiation,
                        text: c.text.clone(),
                    });
                }
            }
        }
        out
    }

    /// The output name of a side; an unknown name becomes a party with the role it plays.
    fn name_of(&mut self, side: &Side, role: Role) -> Option<String> {
        match side {
            Side::State => Some(STATE.to_owned()),
            Side::Missing => None,
            Side::Who(Who::Party(i)) => self.reg.records.get(*i).map(|r| r.party.name.clone()),
            Side::Who(Who::Unknown(name)) => {
                if self.reg.find(&crate::names::name_key(name)).is_none() {
                    self.warnings.push(format!(
                        "{name} is named in the operative part but not among the parties; added as {}",
                        match role {
                            Role::Creditor => "creditor",
                            Role::Debtor => "debtor",
                            Role::Interested => "interested",
                        }
                    ));
                }
                let i = self.reg.add(PartyRecord {
                    party: ExtractedParty {
                        name: name.clone(),
                        role,
                        cccd: None,
                        business_code: None,
                        address: None,
                        birth_year: None,
                    },
                    label: Label::of_role(role),
                    is_org: crate::names::is_organisation(name),
                    aliases: Vec::new(),
                });
                self.reg.records.get(i).map(|r| r.party.name.clone())
            }
        }
    }
}

/// What [`Reader::candidate`] needs about one amount.
struct CandidateInput<'a> {
    kind: ObligationKind,
    amount: &'a AmountMatch,
    slot: (usize, usize),
    lead: &'a str,
    trail: &'a str,
    after: &'a str,
    f: &'a str,
    mentions: &'a [Mention],
    chos: &'a [(usize, Vec<Who>)],
    ctx: &'a Ctx,
    text: &'a str,
    scope: usize,
    item: usize,
}

/// The kind of an amount: specific words near it, a payment word near it, specific words
/// earlier in the clause, the heading, the lead-in, and finally any order in the clause.
fn decide_kind(
    local: &str,
    before: &str,
    heading: Option<Heading>,
    ctx: &Ctx,
) -> Option<ObligationKind> {
    if let Some(k) = cues::specific_kind(local) {
        return Some(k);
    }
    if has_any(
        local,
        &["trả", "thanh toán", "hoàn trả", "chi trả", "hoàn lại"],
    ) {
        return Some(ObligationKind::PayMoney);
    }
    if let Some(k) = cues::specific_kind(before) {
        return Some(k);
    }
    let from_heading = match heading {
        Some(Heading::CourtFee) => Some(ObligationKind::CourtFee),
        Some(Heading::Compensation) => Some(ObligationKind::Compensation),
        Some(Heading::ChildSupport) => Some(ObligationKind::ChildSupport),
        Some(Heading::Penalty) => Some(ObligationKind::Fine),
        _ => None,
    };
    if let Some(k) = from_heading.or(ctx.kind) {
        return Some(k);
    }
    if cues::is_payment(local)
        || cues::is_payment(before)
        || cues::has_order(before)
        || !ctx.debtors.is_empty()
    {
        return Some(ObligationKind::PayMoney);
    }
    None
}

/// The text just before an amount, from the last separator on.
fn lead_local(w: &str) -> &str {
    let mut cut = 0;
    for sep in [",", ";", ":", " và ", "(", ")", " + ", " nhưng "] {
        if let Some(p) = w.rfind(sep) {
            cut = cut.max(p + sep.len());
        }
    }
    &w[cut..]
}

/// The words just after an amount, up to the next separator.
fn trail_local(w: &str) -> &str {
    cut_at(
        w,
        &[
            ",",
            ";",
            ":",
            " và ",
            "(",
            ")",
            ".",
            " cho ",
            " để ",
            " theo ",
            " kể từ ",
            " của ",
            " nhưng ",
            " được ",
            " đã ",
            " trong đó",
            " thu giữ",
            " tại ",
        ],
    )
}

/// `w` up to the first of `seps`.
fn cut_at<'w>(w: &'w str, seps: &[&str]) -> &'w str {
    let end = seps
        .iter()
        .filter_map(|s| w.find(s))
        .min()
        .unwrap_or(w.len());
    &w[..end]
}

/// Words allowed between names of one group, or between a verb and the name it governs.
fn is_title_gap(gap: &str, allow_and: bool) -> bool {
    gap.split([' ', ',']).filter(|w| !w.is_empty()).all(|w| {
        (allow_and && matches!(w, "và" | "cùng" | "với"))
            || TITLES.iter().any(|t| t.split(' ').any(|x| x == w))
            || matches!(w, "dân" | "sự" | "các" | "mỗi" | "những")
    })
}

/// The group of mentions starting at `mentions[first]`: names joined by "và" or commas.
fn group_from(f: &str, mentions: &[Mention], first: usize) -> Vec<Who> {
    let mut out = vec![mentions[first].who.clone()];
    let mut last = (mentions[first].start, mentions[first].end);
    for m in &mentions[first + 1..] {
        if (m.start, m.end) == last {
            // Several parties on one span ("các bị cáo").
            if !out.contains(&m.who) {
                out.push(m.who.clone());
            }
            continue;
        }
        if m.start < last.1 || !joins(&f[last.1..m.start]) {
            break;
        }
        if !out.contains(&m.who) {
            out.push(m.who.clone());
        }
        last = (m.start, m.end);
    }
    out
}

/// True when a gap joins two names of one group: titles and "và" / "cùng" / a comma.
fn joins(gap: &str) -> bool {
    is_title_gap(gap, true) && (gap.contains(',') || has_word(gap, "và") || has_word(gap, "cùng"))
}

/// The group named right after byte `pos` (only titles between).
fn group_after(f: &str, mentions: &[Mention], pos: usize, max_gap: usize) -> Vec<Who> {
    mentions
        .iter()
        .position(|m| m.start >= pos)
        .filter(|&i| {
            let gap = &f[pos..mentions[i].start];
            gap.len() <= max_gap && is_title_gap(gap, false)
        })
        .map(|i| group_from(f, mentions, i))
        .unwrap_or_default()
}

/// The group ending just before byte `pos`, not introduced by "cho" (which marks a creditor).
fn group_before(f: &str, mentions: &[Mention], pos: usize) -> Vec<Who> {
    let Some(last) = mentions.iter().rposition(|m| m.end <= pos) else {
        return Vec::new();
    };
    let gap = &f[mentions[last].end..pos];
    if gap.len() > 40 || gap.chars().any(|c| c.is_ascii_digit()) || has_word(gap, "cho") {
        return Vec::new();
    }
    let mut first = last;
    while first > 0 {
        let (prev, cur) = (&mentions[first - 1], &mentions[first]);
        let same_span = (prev.start, prev.end) == (cur.start, cur.end);
        if same_span || (prev.end <= cur.start && joins(&f[prev.end..cur.start])) {
            first -= 1;
        } else {
            break;
        }
    }
    let before = strip_trailing_titles(f[..mentions[first].start].trim_end());
    if before.ends_with("cho") {
        return Vec::new();
    }
    group_from(f, mentions, first)
}

/// `s` without the honorifics and titles at its end.
fn strip_trailing_titles(s: &str) -> &str {
    let mut s = s.trim_end();
    loop {
        let before = s;
        for t in TITLES {
            if let Some(r) = s.strip_suffix(t) {
                if r.is_empty() || r.ends_with(' ') {
                    s = r.trim_end();
                    break;
                }
            }
        }
        if s == before {
            return s;
        }
    }
}

/// Verbs whose subject is the debtor.
const SUBJECT_VERBS: [&str; 18] = [
    "phải",
    "có nghĩa vụ",
    "có trách nhiệm",
    "chịu",
    "được nhận",
    "được hoàn",
    "nhận lại",
    "tự nguyện",
    "đồng ý",
    "cam kết",
    "liên đới",
    "trả",
    "thanh toán",
    "bồi thường",
    "cấp dưỡng",
    "nộp",
    "hoàn trả",
    "giao",
];

/// The debtor(s) of a clause: after "buộc", after "phạt tiền", else the subject of its first
/// verb.
fn subject(f: &str, mentions: &[Mention]) -> Vec<Who> {
    for b in find_words(f, "buộc") {
        let before = f[..b].trim_end();
        if ["về việc", "yêu cầu", "đòi", "không"]
            .iter()
            .any(|w| before.ends_with(w))
        {
            continue;
        }
        let g = group_after(f, mentions, b + "buộc".len(), 40);
        if !g.is_empty() {
            return g;
        }
    }
    for v in ["phạt tiền", "xử phạt", "phạt bổ sung", "phạt"] {
        for p in find_words(f, v) {
            let g = group_after(f, mentions, p + v.len(), 20);
            if !g.is_empty() {
                return g;
            }
        }
    }
    let mut verbs: Vec<usize> = SUBJECT_VERBS
        .iter()
        .flat_map(|v| find_words(f, v))
        .collect();
    verbs.sort_unstable();
    for p in verbs {
        let g = group_before(f, mentions, p);
        if !g.is_empty() {
            return g;
        }
    }
    Vec::new()
}

/// Each "cho" with the group it introduces (skipping "cho đến", "cho vay", ...).
fn cho_groups(f: &str, mentions: &[Mention]) -> Vec<(usize, Vec<Who>)> {
    find_words(f, "cho")
        .into_iter()
        .filter(|&p| {
            let after = f[p + "cho".len()..].trim_start();
            !["đến", "tới", "phép", "rằng", "nên", "vay", "mượn", "thuê"]
                .iter()
                .any(|w| after.starts_with(w))
        })
        .map(|p| (p, group_after(f, mentions, p + "cho".len(), 40)))
        .filter(|(_, g)| !g.is_empty())
        .collect()
}

/// The group after the word `word` ("thu giữ của bị cáo").
fn group_after_word(f: &str, mentions: &[Mention], word: &str) -> Vec<Who> {
    find_words(f, word)
        .into_iter()
        .map(|p| group_after(f, mentions, p + word.len(), 40))
        .find(|g| !g.is_empty())
        .unwrap_or_default()
}

/// An amount in đồng as documents print it ("150.000.000 đồng").
fn vnd(amount: i64) -> String {
    thads_schemas::money::Vnd::new(amount)
        .map_or_else(|_| format!("{amount} đồng"), |v| v.to_string())
}

/// A sentence shortened for a warning.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}
