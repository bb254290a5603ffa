//! Court connector: courts push judgments (bản án, quyết định) as XML; this crate validates
//! them against `schemas/court/judgment-v1.xsd`'s rules, keeps the original bytes, and accepts
//! them durably as canonical `in.court.judgment` messages (or rejects them, naming each field).
//! It also pushes the hub's signed evidences and decision reports back to each court's endpoint.
//!
//! # Layout
//! - [`mapping`]: the court's XML → the canonical judgment, with field-level errors.
//! - [`intake`]: accepting or rejecting one document, durably and idempotently.
//! - [`delivery_config`]: each court's endpoint and token, delivery time limit and breaker.
//! - [`delivery_mapping`]: what travels on `out.court.report` → the signed bytes a court gets.
//! - [`delivery_client`]: the HTTP call to a court and the classification of its answer.
//! - [`delivery_store`]: delivery journeys and the delivery state of each evidence.
//! - [`delivery`]: the `court-report` consumer that pushes evidences to courts.

pub mod delivery;
pub mod delivery_client;
pub mod delivery_config;
pub mod delivery_mapping;
pub mod delivery_store;
pub mod intake;
pub mod mapping;

pub use delivery::{CourtDelivery, DeliveryError, DeliverySettings};
pub use delivery_config::{CourtEndpoint, DeliveryConfig};

pub use intake::{accept_judgment, accept_signed_judgment, Acceptance, IntakeError, Signing};
