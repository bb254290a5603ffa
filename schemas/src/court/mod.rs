//! Messages from courts (Tòa án): the canonical judgment or decision (bản án, quyết định).
//!
//! - [`judgment`]: the types, their JSON form and the cross-field rules.
//! - [`kind`]: the kind of case (civil, criminal, ...) from the number's symbol.
//! - `judgment_xml`: reading the XML form courts push (`schemas/court/judgment-v1.xsd`).
//! - `rules`: validators shared by the XML reader and [`judgment::Judgment::validate`].

pub mod judgment;
mod judgment_xml;
pub mod kind;
mod paths;
mod rules;
mod xml_document;
mod xml_fields;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod xsd_tests;

pub use judgment::{
    parse_judgment_xml, Amendment, AmendmentKind, Court, DocumentKind, Judgment, JudgmentError,
    Obligation, ObligationKind, Party, PartyKind, PartyRole, Period, JUDGMENT_NAMESPACE,
};
pub use kind::JudgmentKind;
