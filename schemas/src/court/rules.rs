//! Validation rules of the judgment, shared by the XML reader and the JSON validator, with the
//! field paths of each format.

use super::judgment::{Judgment, Obligation, Party, PartyKind, PartyRole};
pub(crate) use super::paths::{Field, JsonPaths, ObligationField, PartyField, Paths, XmlPaths};
use crate::text::is_nfc;
use crate::validation::ValidationErrors;
use std::collections::HashSet;
use time::Date;

/// Longest name or court name accepted, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 256;
/// Longest address or description accepted, in characters.
pub(crate) const MAX_LONG_CHARS: usize = 1000;
/// Earliest birth year accepted.
pub(crate) const MIN_BIRTH_YEAR: u16 = 1900;

/// `YYYY-MM-DD`, strictly (four-digit year, no sign, no time, no zone).
pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    const REASON: &str = "must be a date written YYYY-MM-DD";
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return Err(REASON.to_owned());
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u16>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return Err(REASON.to_owned());
    };
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(|| format!("{s} is not a valid date: month {m} does not exist"))?;
    let day = u8::try_from(d).map_err(|_| REASON.to_owned())?;
    Date::from_calendar_date(i32::from(y), month, day)
        .map_err(|_| format!("{s} is not a valid date: day {d} does not exist in that month"))
}

/// Formats a date as `YYYY-MM-DD`.
pub(crate) fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Court's document id: 1..=128 printable ASCII characters, no whitespace.
pub(crate) fn check_document_id(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 128 {
        return Err(format!(
            "must be 1 to 128 characters, got {}",
            s.chars().count()
        ));
    }
    match s.chars().position(|c| !c.is_ascii_graphic()) {
        Some(i) => Err(format!(
            "character {} is not allowed; use printable ASCII without spaces",
            i + 1
        )),
        None => Ok(()),
    }
}

/// Uppercase letters, digits and single inner hyphens; `extra_letter` admits one more letter
/// (Đ in judgment symbols).
fn is_code(s: &str, extra_letter: Option<char>) -> bool {
    let ok_char = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || Some(c) == extra_letter;
    !s.is_empty()
        && s.split('-')
            .all(|part| !part.is_empty() && part.chars().all(ok_char))
}

/// Court code such as `TAND79-KV1`.
pub(crate) fn check_court_code(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if !(2..=32).contains(&n) {
        return Err(format!("must be 2 to 32 characters, got {n}"));
    }
    if !is_code(s, None) {
        return Err("must use A-Z, 0-9 and single hyphens between them".to_owned());
    }
    Ok(())
}

/// Judgment number such as `215/2026/DS-ST` or `05/2026/QĐ-PT`.
pub(crate) fn check_judgment_number(s: &str) -> Result<(), String> {
    const REASON: &str = "must look like 215/2026/DS-ST: number, '/', four-digit year, '/', symbol of uppercase letters (Đ included), digits and hyphens";
    let mut parts = s.split('/');
    let (Some(num), Some(year), Some(symbol), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(REASON.to_owned());
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let ok = s.chars().count() <= 40
        && (1..=6).contains(&num.len())
        && digits(num)
        && year.len() == 4
        && digits(year)
        && is_code(symbol, Some('Đ'))
        && symbol.starts_with(|c: char| c.is_ascii_uppercase() || c == 'Đ');
    if ok {
        Ok(())
    } else {
        Err(REASON.to_owned())
    }
}

/// Party id, a local reference such as `P1`.
pub(crate) fn check_party_id(s: &str) -> Result<(), String> {
    let ok = (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err("must be 1 to 32 characters among A-Z, a-z, 0-9, '-' and '_'".to_owned())
    }
}

/// Non-empty NFC text of at most `max` characters.
pub(crate) fn check_text(s: &str, max: usize) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    let n = s.chars().count();
    if n > max {
        return Err(format!("must be at most {max} characters, got {n}"));
    }
    if !is_nfc(s) {
        return Err("must be NFC-normalised Unicode".to_owned());
    }
    Ok(())
}

/// Plausible birth year: from 1900, not after the judgment.
pub(crate) fn check_birth_year(year: u16, judgment_date: Option<Date>) -> Result<(), String> {
    if year < MIN_BIRTH_YEAR {
        return Err(format!("must be {MIN_BIRTH_YEAR} or later, got {year}"));
    }
    if let Some(d) = judgment_date {
        if i32::from(year) > d.year() {
            return Err(format!("{year} is after the judgment date"));
        }
    }
    Ok(())
}

/// Runs every rule on a complete judgment (the JSON path).
pub(crate) fn check_judgment(j: &Judgment, p: &dyn Paths, e: &mut ValidationErrors) {
    let mut put = |field: String, r: Result<(), String>| {
        if let Err(reason) = r {
            e.push(field, reason);
        }
    };
    put(p.root(Field::DocumentId), check_document_id(&j.document_id));
    put(p.root(Field::CourtCode), check_court_code(&j.court.code));
    put(
        p.root(Field::CourtName),
        check_text(&j.court.name, MAX_NAME_CHARS),
    );
    put(
        p.root(Field::JudgmentNumber),
        check_judgment_number(&j.judgment_number),
    );
    if let Some(t) = &j.operative_text {
        put(p.root(Field::OperativeText), check_text(t, usize::MAX));
    }
    if let Some(a) = &j.amends {
        put(
            p.root(Field::AmendsDocumentId),
            check_amended_document(&a.document_id, &j.document_id),
        );
        if let Some(r) = &a.reason {
            put(p.root(Field::AmendsReason), check_text(r, MAX_LONG_CHARS));
        }
    }
    for (i, party) in j.parties.iter().enumerate() {
        put(p.party(i, PartyField::Id), check_party_id(&party.id));
        put(
            p.party(i, PartyField::Name),
            check_text(party.name.as_str(), MAX_NAME_CHARS),
        );
        if let Some(a) = &party.address {
            put(
                p.party(i, PartyField::Address),
                check_text(a.as_str(), MAX_LONG_CHARS),
            );
        }
        if let Some(y) = party.birth_year {
            put(
                p.party(i, PartyField::BirthYear),
                check_birth_year(y, Some(j.judgment_date)),
            );
        }
    }
    for (i, ob) in j.obligations.iter().enumerate() {
        if let Some(d) = &ob.description {
            put(
                p.obligation(i, ObligationField::Description),
                check_text(d, MAX_LONG_CHARS),
            );
        }
    }
    let parties: Vec<(usize, &Party)> = j.parties.iter().enumerate().collect();
    let obligations: Vec<(usize, &Obligation)> = j.obligations.iter().enumerate().collect();
    let annulment = j.amends.as_ref().is_some_and(|a| a.kind.is_annulment());
    check_cross(
        &Cross {
            judgment_date: Some(j.judgment_date),
            effective_date: Some(j.effective_date),
            parties: &parties,
            parties_complete: true,
            obligations: &obligations,
            obligations_complete: true,
            shape: Shape::of(
                annulment,
                j.operative_text.is_some(),
                j.obligations.is_empty(),
            ),
        },
        p,
        e,
    );
}

/// The earlier document an amendment names: a valid document id other than this one's.
pub(crate) fn check_amended_document(earlier: &str, this: &str) -> Result<(), String> {
    check_document_id(earlier)?;
    if earlier == this {
        return Err("a document cannot amend itself".to_owned());
    }
    Ok(())
}

/// Which lists a document may leave out: an annulment carries no parties or obligations, and
/// a court may send the operative text alone for the hub to extract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Parties and at least one obligation.
    Full,
    /// Operative text without obligations; parties optional.
    TextOnly,
    /// Annuls an earlier document: no obligations.
    Annulment,
}

impl Shape {
    /// The shape of a document with these traits.
    pub(crate) fn of(annulment: bool, has_text: bool, no_obligations: bool) -> Shape {
        if annulment {
            Shape::Annulment
        } else if has_text && no_obligations {
            Shape::TextOnly
        } else {
            Shape::Full
        }
    }

    /// Whether the parties list may be absent or empty.
    pub(crate) fn parties_optional(self) -> bool {
        self != Shape::Full
    }
}

/// What the cross-field rules see; the XML reader passes what it could parse, with the
/// `*_complete` flags false when some items could not be built (their rules are then skipped
/// rather than reporting spurious errors).
pub(crate) struct Cross<'a> {
    pub(crate) judgment_date: Option<Date>,
    pub(crate) effective_date: Option<Date>,
    pub(crate) parties: &'a [(usize, &'a Party)],
    pub(crate) parties_complete: bool,
    pub(crate) obligations: &'a [(usize, &'a Obligation)],
    pub(crate) obligations_complete: bool,
    pub(crate) shape: Shape,
}

/// Rules that relate several fields.
pub(crate) fn check_cross(c: &Cross<'_>, p: &dyn Paths, e: &mut ValidationErrors) {
    if let (Some(j), Some(eff)) = (c.judgment_date, c.effective_date) {
        if eff < j {
            e.push(
                p.root(Field::EffectiveDate),
                format!("must not be before the judgment date {}", format_date(j)),
            );
        }
    }
    let mut seen = HashSet::new();
    for &(i, party) in c.parties {
        if !seen.insert(party.id.as_str()) {
            e.push(
                p.party(i, PartyField::Id),
                format!("duplicate party id {}", party.id),
            );
        }
        check_party(i, party, p, e);
    }
    let parties_needed = !c.shape.parties_optional() || !c.parties.is_empty();
    if c.parties_complete
        && parties_needed
        && !c.parties.iter().any(|(_, x)| x.role == PartyRole::Debtor)
    {
        e.push(
            p.root(Field::Parties),
            "at least one party with role debtor is required",
        );
    }
    let has_creditor = c.parties.iter().any(|(_, x)| x.role == PartyRole::Creditor);
    let owed_to_state = c.obligations.iter().any(|(_, o)| o.creditor.is_none());
    if c.parties_complete
        && c.obligations_complete
        && !c.obligations.is_empty()
        && !has_creditor
        && !owed_to_state
    {
        e.push(
            p.root(Field::Parties),
            "at least one party with role creditor is required unless an obligation is owed to the State",
        );
    }
    match c.shape {
        Shape::Full if c.obligations_complete && c.obligations.is_empty() => e.push(
            p.root(Field::Obligations),
            "at least one Obligation is required (or send OperativeText alone for the hub to extract)",
        ),
        Shape::Annulment if !c.obligations.is_empty() => e.push(
            p.root(Field::Obligations),
            "an annulment carries no obligations; send a new judgment as its own document",
        ),
        _ => {}
    }
    let find = |id: &str| c.parties.iter().find(|(_, x)| x.id == id).map(|(_, x)| *x);
    for &(i, ob) in c.obligations {
        if ob.kind.is_money() && ob.amount.is_none_or(|a| a.is_zero()) {
            let reason = if ob.amount.is_none() {
                "is required for this kind of obligation"
            } else {
                "must be greater than 0"
            };
            e.push(p.obligation(i, ObligationField::Amount), reason);
        }
        if ob.period.is_some() && !ob.kind.is_money() {
            e.push(
                p.obligation(i, ObligationField::Period),
                format!(
                    "only money obligations recur; a {} has no period",
                    ob.kind.as_str()
                ),
            );
        }
        if ob.kind.owed_to_state() && ob.creditor.is_some() {
            e.push(
                p.obligation(i, ObligationField::Creditor),
                format!(
                    "a {} is owed to the State; it names no creditor",
                    ob.kind.as_str()
                ),
            );
        }
        if !c.parties_complete {
            continue;
        }
        match find(&ob.debtor) {
            None => e.push(
                p.obligation(i, ObligationField::Debtor),
                format!("no party has id {}", ob.debtor),
            ),
            Some(d) if d.role != PartyRole::Debtor => e.push(
                p.obligation(i, ObligationField::Debtor),
                format!("party {} has role {}, not debtor", d.id, d.role.as_str()),
            ),
            Some(_) => {}
        }
        if let Some(cr) = &ob.creditor {
            match find(cr) {
                None => e.push(
                    p.obligation(i, ObligationField::Creditor),
                    format!("no party has id {cr}"),
                ),
                Some(x) if x.role == PartyRole::Debtor => e.push(
                    p.obligation(i, ObligationField::Creditor),
                    format!("party {} is a debtor and cannot be the creditor", x.id),
                ),
                Some(_) => {}
            }
        }
    }
}

/// Rules within one party.
fn check_party(i: usize, party: &Party, p: &dyn Paths, e: &mut ValidationErrors) {
    match party.kind {
        PartyKind::Organisation => {
            if party.cccd.is_some() {
                e.push(p.party(i, PartyField::Cccd), "an organisation has no CCCD");
            }
            if party.birth_year.is_some() {
                e.push(
                    p.party(i, PartyField::BirthYear),
                    "an organisation has no birth year",
                );
            }
        }
        PartyKind::Person => {
            if let (Some(cccd), Some(year)) = (&party.cccd, party.birth_year) {
                if let Err(err) = cccd.check_birth_year(year) {
                    e.push(p.party(i, PartyField::Cccd), err.to_string());
                }
            }
        }
    }
}
