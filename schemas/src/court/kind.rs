//! The kind of a judgment (loại việc: dân sự, hình sự, ...), as the statistics split cases.
//! Courts print it in the number's symbol: `215/2026/DS-ST` is a civil first-instance judgment.

use serde::{Deserialize, Serialize};

use crate::text::fold_ascii;

/// The kind of case a judgment decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudgmentKind {
    /// Dân sự (DS).
    Civil,
    /// Hình sự (HS).
    Criminal,
    /// Hôn nhân và gia đình (HNGĐ).
    Family,
    /// Kinh doanh, thương mại (KDTM).
    Commercial,
    /// Lao động (LĐ).
    Labour,
    /// Hành chính (HC).
    Administrative,
    /// Phá sản (PS).
    Bankruptcy,
    /// Trọng tài thương mại (TT): arbitral awards.
    Arbitration,
    /// Anything else.
    Other,
}

impl JudgmentKind {
    /// Every kind, in the statistics' order.
    pub const ALL: [JudgmentKind; 9] = [
        Self::Civil,
        Self::Criminal,
        Self::Family,
        Self::Commercial,
        Self::Labour,
        Self::Administrative,
        Self::Bankruptcy,
        Self::Arbitration,
        Self::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Civil => "civil",
            Self::Criminal => "criminal",
            Self::Family => "family",
            Self::Commercial => "commercial",
            Self::Labour => "labour",
            Self::Administrative => "administrative",
            Self::Bankruptcy => "bankruptcy",
            Self::Arbitration => "arbitration",
            Self::Other => "other",
        }
    }

    /// The Vietnamese name used in reports.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::Civil => "Dân sự",
            Self::Criminal => "Hình sự",
            Self::Family => "Hôn nhân và gia đình",
            Self::Commercial => "Kinh doanh, thương mại",
            Self::Labour => "Lao động",
            Self::Administrative => "Hành chính",
            Self::Bankruptcy => "Phá sản",
            Self::Arbitration => "Trọng tài thương mại",
            Self::Other => "Khác",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<JudgmentKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind printed in a judgment number's symbol (`215/2026/DS-ST`, `12/2026/QĐ-KDTM`,
    /// `30/2025/HNGĐ-PT`); [`JudgmentKind::Other`] when the symbol says none.
    pub fn from_number(number: &str) -> JudgmentKind {
        let symbol = number.rsplit('/').next().unwrap_or("");
        let folded = fold_ascii(symbol).to_ascii_uppercase();
        folded
            .split(['-', '.', ' '])
            .find_map(Self::from_code)
            .unwrap_or(Self::Other)
    }

    fn from_code(code: &str) -> Option<JudgmentKind> {
        Some(match code {
            "DS" => Self::Civil,
            "HS" => Self::Criminal,
            "HNGD" | "HN" => Self::Family,
            "KDTM" | "KT" => Self::Commercial,
            "LD" => Self::Labour,
            "HC" => Self::Administrative,
            "PS" => Self::Bankruptcy,
            "TT" | "TTTM" => Self::Arbitration,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_number_symbol() {
        for (number, kind) in [
            ("215/2026/DS-ST", JudgmentKind::Civil),
            ("48/2026/HS-ST", JudgmentKind::Criminal),
            ("30/2025/HNGĐ-PT", JudgmentKind::Family),
            ("30/2025/HNGD-PT", JudgmentKind::Family),
            ("12/2026/QĐ-KDTM", JudgmentKind::Commercial),
            ("7/2026/LĐ-ST", JudgmentKind::Labour),
            ("9/2026/HC-PT", JudgmentKind::Administrative),
            ("1/2026/QĐ-PS", JudgmentKind::Bankruptcy),
            ("5/2026/QĐST", JudgmentKind::Other),
            ("", JudgmentKind::Other),
        ] {
            assert_eq!(JudgmentKind::from_number(number), kind, "{number}");
        }
        for k in JudgmentKind::ALL {
            assert_eq!(JudgmentKind::parse(k.as_str()), Some(k));
        }
    }
}
