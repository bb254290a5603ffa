//! Court connector: courts push judgments (bản án, quyết định) as XML; this crate validates
//! them against `schemas/court/judgment-v1.xsd`'s rules, keeps the original bytes, and accepts
//! them durably as canonical `in.court.judgment` messages (or rejects them, naming each field).
//!
//! # Layout
//! - [`mapping`]: the court's XML → the canonical judgment, with field-level errors.
//! - [`intake`]: accepting or rejecting one document, durably and idempotently.

pub mod intake;
pub mod mapping;

pub use intake::{accept_judgment, accept_signed_judgment, Acceptance, IntakeError, Signing};
