//! Enforcement cases (hồ sơ thi hành án): opening a case from an accepted judgment, and the
//! read side. One case per judgment and office; parties and obligations are stored as the
//! court sent them.

pub mod amendments;
pub mod from_extraction;
pub mod intake;
mod judgment_rows;
pub mod matching;
pub mod notice_text;
pub mod payments;
pub mod query;

use sha2::{Digest, Sha256};

/// The case id for a judgment at an office: derived, so a redelivered judgment can only ever
/// name the same case.
pub fn case_id_for(judgment_key: &str, office: &str) -> String {
    let digest = Sha256::digest(format!("{judgment_key}\n{office}").as_bytes());
    format!("case-{}", &hex::encode(digest)[..20])
}

/// The payment reference printed on every notice that asks for money: ASCII, no diacritics,
/// short enough for a bank memo (VietQR `addInfo` allows 25 characters).
pub fn payment_reference_for(case_id: &str) -> String {
    let tail = case_id.trim_start_matches("case-");
    format!("THA{}", tail.get(..10).unwrap_or(tail).to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct_per_office() {
        let a = case_id_for("k1", "HCM-KV01");
        assert_eq!(a, case_id_for("k1", "HCM-KV01"));
        assert_ne!(a, case_id_for("k1", "HCM-KV02"));
        assert!(a.starts_with("case-") && a.len() == 25);
    }

    #[test]
    fn payment_reference_fits_a_bank_memo() {
        let r = payment_reference_for(&case_id_for("k1", "HCM-KV01"));
        assert!(r.len() <= 25 && r.is_ascii() && r.starts_with("THA"));
    }
}
