//! Serde helpers writing dates as ISO `YYYY-MM-DD` text and year-keyed maps with string
//! keys, so a [`super::CalendarConfig`] reads naturally from TOML, YAML or JSON.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::Date;

const ISO_DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

/// A date that (de)serializes as `YYYY-MM-DD`. Also accepts TOML's native local-date value,
/// which TOML deserializers hand over as a one-entry map holding the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct IsoDate(pub(super) Date);

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.0.format(ISO_DATE).map_err(ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IsoDateVisitor)
    }
}

struct IsoDateVisitor;

impl<'de> Visitor<'de> for IsoDateVisitor {
    type Value = IsoDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date written YYYY-MM-DD")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<IsoDate, E> {
        Date::parse(v.trim(), ISO_DATE)
            .map(IsoDate)
            .map_err(|e| E::custom(format!("bad date {v:?}: {e}")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IsoDate, A::Error> {
        let Some((_, text)) = map.next_entry::<Cow<'de, str>, Cow<'de, str>>()? else {
            return Err(de::Error::custom("empty map where a date was expected"));
        };
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("a date map must hold exactly one entry"));
        }
        self.visit_str(&text)
    }
}

/// A year used as a map key: read from text ("2026") or from an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct YearKey(i32);

impl<'de> Deserialize<'de> for YearKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YearKeyVisitor)
    }
}

struct YearKeyVisitor;

impl Visitor<'_> for YearKeyVisitor {
    type Value = YearKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a year")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<YearKey, E> {
        v.trim()
            .parse()
            .map(YearKey)
            .map_err(|_| E::custom(format!("bad year {v:?}")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<YearKey, E> {
        i32::try_from(v)
            .map(YearKey)
            .map_err(|_| E::custom(format!("bad year {v}")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<YearKey, E> {
        i32::try_from(v)
            .map(YearKey)
            .map_err(|_| E::custom(format!("bad year {v}")))
    }
}

/// `#[serde(with)]` module for one [`Date`].
pub(super) mod iso {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        IsoDate(*d).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        IsoDate::deserialize(d).map(|x| x.0)
    }
}

/// `#[serde(with)]` module for a list of dates.
pub(super) mod iso_vec {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[Date], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|d| IsoDate(*d)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Date>, D::Error> {
        Ok(Vec::<IsoDate>::deserialize(d)?
            .into_iter()
            .map(|x| x.0)
            .collect())
    }
}

/// `#[serde(with)]` module for a year → date map (keys written as text).
pub(super) mod year_map {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        m: &BTreeMap<i32, Date>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(m.iter().map(|(y, d)| (y.to_string(), IsoDate(*d))))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<i32, Date>, D::Error> {
        Ok(BTreeMap::<YearKey, IsoDate>::deserialize(d)?
            .into_iter()
            .map(|(y, x)| (y.0, x.0))
            .collect())
    }
}

/// `#[serde(with)]` module for a year → list-of-dates map (keys written as text).
pub(super) mod year_map_vec {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        m: &BTreeMap<i32, Vec<Date>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(m.iter().map(|(y, v)| {
            let dates: Vec<IsoDate> = v.iter().map(|d| IsoDate(*d)).collect();
            (y.to_string(), dates)
        }))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<i32, Vec<Date>>, D::Error> {
        Ok(BTreeMap::<YearKey, Vec<IsoDate>>::deserialize(d)?
            .into_iter()
            .map(|(y, v)| (y.0, v.into_iter().map(|x| x.0).collect()))
            .collect())
    }
}
