//! Small readers over the XML DOM shared by the entry reader: paths, trimmed text, accounts,
//! VND amounts, ISO dates and the booking status.

use thads_schemas::bank::parse_iso_date;
use thads_schemas::money::Vnd;
use thads_schemas::xml::Element;
use time::Date;

/// The element at `path` below `el` (first match at each step).
pub(super) fn at<'a>(el: &'a Element, path: &[&str]) -> Option<&'a Element> {
    path.iter().try_fold(el, |cur, name| cur.child(name))
}

/// Trimmed, non-empty text of the element at `path` below `el`.
pub(super) fn text_at(el: &Element, path: &[&str]) -> Option<String> {
    at(el, path)
        .map(Element::text_trimmed)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The first of `paths` below `el` that has text.
pub(super) fn first_text(el: &Element, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| text_at(el, p))
}

/// An account's number from `Id/Othr/Id` (how Vietnamese accounts are written) or `Id/IBAN`.
pub(super) fn account_id(acct: &Element) -> Option<String> {
    first_text(acct, &[&["Id", "Othr", "Id"], &["Id", "IBAN"]])
}

/// The servicing bank's identifier: BIC (`BICFI` from v05, `BIC` before), else a clearing
/// member id or a proprietary id.
pub(super) fn bank_id(acct: &Element) -> Option<String> {
    let fin = at(acct, &["Svcr", "FinInstnId"])?;
    first_text(
        fin,
        &[
            &["BICFI"],
            &["BIC"],
            &["ClrSysMmbId", "MmbId"],
            &["Othr", "Id"],
        ],
    )
}

/// A `ActiveOrHistoricCurrencyAndAmount` that must be VND in whole đồng; the error is the reason.
pub(super) fn vnd_amount(amt: &Element) -> Result<Vnd, String> {
    match amt.attr("Ccy").map(str::trim) {
        None => return Err("the Ccy attribute is missing; only VND is accepted".to_owned()),
        Some("VND") => {}
        Some(other) => {
            return Err(format!(
                "currency {other:?} is not accepted; THADS accounts are in VND"
            ))
        }
    }
    let text = amt.text_trimmed();
    Vnd::parse(text).map_err(|e| format!("amount {:?}: {e}", shorten(text)))
}

/// A `DateAndDateTimeChoice`: `Dt`, or the date part of `DtTm` as the bank wrote it (local time).
pub(super) fn date_choice(el: &Element) -> Result<Date, String> {
    if let Some(dt) = text_at(el, &["Dt"]) {
        return parse_iso_date(&dt)
            .ok_or_else(|| format!("Dt {:?} is not a date YYYY-MM-DD", shorten(&dt)));
    }
    if let Some(dt) = text_at(el, &["DtTm"]) {
        let day = dt.get(..10).unwrap_or(&dt);
        let time_follows = dt.len() == 10 || dt.get(10..11) == Some("T");
        return parse_iso_date(day)
            .filter(|_| time_follows)
            .ok_or_else(|| format!("DtTm {:?} is not a date-time", shorten(&dt)));
    }
    Err("neither Dt nor DtTm is given".to_owned())
}

/// The entry status: `Sts/Cd` (camt.054.001.06 and later), else the text of `Sts` (001.02–001.05).
pub(super) fn status(ntry: &Element) -> Option<String> {
    let sts = ntry.child("Sts")?;
    text_at(sts, &["Cd"])
        .or_else(|| text_at(sts, &["Prtry"]))
        .or_else(|| Some(sts.text_trimmed().to_owned()).filter(|t| !t.is_empty()))
}

/// Input echoed in a reason, cut to 40 characters so one huge value cannot bloat the report.
pub(super) fn shorten(s: &str) -> String {
    shorten_to(s, 40)
}

/// Input echoed in a message, cut to `max` characters.
pub(super) fn shorten_to(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}
