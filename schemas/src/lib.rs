//! Canonical message types of thads-hub, their validation, and the XSD / JSON Schema files beside them.
//!
//! # Layout
//!
//! - [`validation`]: field errors that name the field and the reason (`Judgment/Parties/Party[2]/Cccd`).
//! - [`cccd`]: the 12-digit citizen identity number (căn cước công dân), masked in logs.
//! - [`money`]: whole Vietnamese đồng ([`money::Vnd`]), in figures and in words.
//! - [`office`]: codes of enforcement offices, safe inside NATS subjects.
//! - [`text`]: NFC normalisation, personal text that never prints unmasked, accent-blind folding.
//! - [`xml`]: a small DOM over quick-xml that refuses hostile input (DTDs, entities, size bombs).
//! - [`court`]: the canonical court judgment (bản án, quyết định) and its XML form.
//! - [`bank`]: the payment a bank confirmed on a THADS account (camt.054 credit), on `in.bank.payment`.
//! - [`request`]: a party's request for enforcement (đơn yêu cầu thi hành án).
//! - [`complaint`]: a complaint or denunciation about enforcement (khiếu nại, tố cáo).
//! - [`bank_order`]: account orders to banks (freeze, deduct, release) and their acknowledgements.
//! - [`notice`]: the command that asks the VNeID connector to deliver a notice (thông báo).
//! - [`subjects`]: the catalogue of bus subjects.
//! - [`hash`]: content hashes used as stable message ids.
//! - [`vietqr`]: the NAPAS VietQR payload for paying into a THADS account by bank transfer.
//!
//! The crate performs no I/O: callers hand it bytes and get typed values or field errors back.

/// Canonical bank payment read from ISO 20022 camt.054 / camt.053 credits.
pub mod bank;
pub mod bank_order;
pub mod cccd;
pub mod complaint;
pub mod court;
pub mod hash;
pub mod money;
pub mod notice;
pub mod office;
pub mod openapi;
pub mod request;
pub mod subjects;
pub mod text;
pub mod validation;
pub mod vietqr;
pub mod xml;

pub use hash::content_hash;
