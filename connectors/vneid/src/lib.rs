//! VNeID connector: delivers notices (thông báo) to citizens' VNeID accounts by CCCD through
//! the partner's notification API. Each delivery attempt is recorded on the notice's journey;
//! failures are classified so the worker retries with backoff or dead-letters the notice.
//!
//! # Layout
//! - [`config`]: endpoint, token, timeout, concurrency.
//! - [`mapping`]: canonical notice command → the partner's JSON request.
//! - [`client`]: the HTTP call.
//! - [`retry`]: which answers are worth another try.
//! - [`notifier`]: the handler on `out.vneid.notify`.

pub mod client;
pub mod config;
pub mod mapping;
pub mod notifier;
pub mod retry;

pub use config::VneidConfig;
pub use notifier::VneidNotifier;
