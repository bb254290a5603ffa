//! VNeID connector: delivers notices (thông báo) to citizens' VNeID accounts by CCCD through
//! the partner's notification API, takes the delivery and read receipts VNeID posts back, and
//! serves the notices VNeID cannot deliver by e-mail or, failing that, on paper. Each delivery
//! attempt is recorded on the notice's journey; failures are classified so the worker retries
//! with backoff or dead-letters the notice, and a per-endpoint circuit breaker and the
//! partner's rate limit keep a failing partner from being hammered.
//!
//! # Layout
//! - [`config`]: endpoint, tokens, timeout, concurrency, rate limit, circuit breaker.
//! - [`mapping`]: canonical notice command → the partner's JSON request.
//! - [`client`]: the HTTP call.
//! - [`retry`]: which answers are worth another try, and which say "no VNeID account".
//! - the per-endpoint circuit breaker is a `thads_core::breaker::CircuitBreaker`.
//! - the partner's rate limit is a `thads_core::rate_limit::TokenBucket`.
//! - [`templates`] / [`texts`]: the Vietnamese notice templates and their data.
//! - [`notifier`]: the handler on `out.vneid.notify`.
//! - [`receipts`]: delivery and read receipts from VNeID.
//! - [`fallback`]: e-mail, then paper service, for notices VNeID cannot deliver.
//! - [`oidc`]: signing parties in with VNeID (OpenID Connect with PKCE) for the party portal.

pub mod client;
pub mod config;
pub mod fallback;
pub mod mapping;
pub mod notifier;
pub mod oidc;
pub mod receipts;
pub mod retry;
pub mod templates;
pub mod texts;

pub use config::VneidConfig;
pub use notifier::VneidNotifier;
