//! The thads-hub gateway: configuration, CLI, HTTP and the wiring of the case system and the
//! connectors into one process.
//!
//! # Layout
//! - [`config`]: the typed configuration (file + environment).
//! - [`cli`]: the command line (and `cli_*`: its bank, staff, partner and audit commands).
//! - [`app`]: start-up wiring and graceful shutdown.
//! - [`endpoints`]: the outbound partners of the configuration, for the console's registry.
//! - [`http`]: the axum router (partner, read side, operations).
//! - [`party_config`]: the `[party_portal]` settings (party sessions, deposit accounts).
//! - [`partner_tls`]: the partner TLS listener (client certificates).

pub mod app;
pub mod cli;
pub mod cli_audit;
pub mod cli_bank;
pub mod cli_keys;
pub mod cli_partner;
pub mod cli_partner_tls;
pub mod cli_staff;
pub mod config;
pub mod endpoints;
pub mod http;
pub mod partner_tls;
pub mod party_config;
