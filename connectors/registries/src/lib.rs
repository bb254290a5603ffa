//! National-database connector: answers the case system's verification queries (xác minh điều
//! kiện thi hành án) from the population database (by CCCD), the land register, the vehicle
//! register and the business register (by CCCD or tax code). Each database has its own JSON
//! schema, endpoint, token, timeout, rate limit and cache lifetime; every query carries its
//! purpose (case, legal basis, officer) and is audited before it is made. Connectors never touch
//! case tables: the verification record is written by `thads_core::verification`.
//!
//! # Layout
//! - [`config`]: `[registries.<database>]` settings and the shared retry settings.
//! - `wire`: the four partners' request and response schemas and their mapping to answers.
//! - [`client`]: one HTTP attempt against one database.
//! - [`retry`]: which failures are retried within a run.
//! - each partner's rate limit is a `thads_core::rate_limit::TokenBucket`.
//! - [`cache`]: answers reused within their lifetime, with source and fetch time.
//! - [`audit`]: the audit row of every query.

pub mod audit;
pub mod cache;
pub mod client;
pub mod config;
pub mod retry;
mod wire;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use backon::{ExponentialBuilder, Retryable};
use thads_core::db::{now_ms, Db};
use thads_core::metrics::Metrics;
use thads_core::verification::{
    Lookup, LookupError, QueryPurpose, Registry, RegistryPort, Subject,
};

pub use config::{PartnerConfig, RegistriesConfig};

use client::Partner;
use retry::CallError;

/// Why the connector could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A token file could not be read.
    #[error("cannot read registries.{registry}.token_file: {source}")]
    Token {
        /// The database.
        registry: Registry,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client for registries.{registry}: {source}")]
    Client {
        /// The database.
        registry: Registry,
        /// The error.
        #[source]
        source: reqwest::Error,
    },
}

/// The connector: the configured databases, the cache and audit store, and the retry settings.
#[derive(Debug)]
pub struct Registries {
    db: Db,
    partners: BTreeMap<Registry, Partner>,
    metrics: Arc<Metrics>,
    backoff: ExponentialBuilder,
}

impl Registries {
    /// Builds the connector from `[registries]`; databases without an endpoint are left out
    /// (their queries fail as "not configured").
    pub fn new(
        db: Db,
        config: &RegistriesConfig,
        metrics: Arc<Metrics>,
    ) -> Result<Self, SetupError> {
        let mut partners = BTreeMap::new();
        for registry in Registry::ALL {
            let p = config.partner(registry);
            let Some(endpoint) = &p.endpoint else {
                continue;
            };
            let token = p
                .resolve_token()
                .map_err(|source| SetupError::Token { registry, source })?;
            let partner = Partner::new(
                registry,
                endpoint,
                token,
                p.timeout,
                p.rate_per_second,
                p.cache_ttl,
            )
            .map_err(|source| SetupError::Client { registry, source })?;
            partners.insert(registry, partner);
        }
        let retries = usize::try_from(config.attempts.get().saturating_sub(1)).unwrap_or(0);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(config.retry_min)
            .with_max_delay(config.retry_max)
            .with_max_times(retries)
            .with_jitter();
        Ok(Self {
            db,
            partners,
            metrics,
            backoff,
        })
    }

    /// The connector reading the console's endpoint settings from `overlay`.
    pub fn with_overlay(mut self, overlay: &thads_core::partners::endpoints::Overlay) -> Self {
        for partner in self.partners.values_mut() {
            partner.set_overlay(overlay.clone());
        }
        self
    }

    /// The databases that have an endpoint.
    pub fn configured(&self) -> Vec<Registry> {
        self.partners.keys().copied().collect()
    }

    /// Asks the cache, then the partner (with retries), about `subject`.
    async fn ask(
        &self,
        registry: Registry,
        purpose: &QueryPurpose,
        subject: &Subject,
        attempts: &AtomicU32,
    ) -> Result<Lookup, LookupError> {
        let Some(partner) = self.partners.get(&registry) else {
            return Err(LookupError::NotConfigured {
                reason: format!("registries.{registry}.endpoint is not set"),
            });
        };
        match cache::get(&self.db, registry, subject, partner.ttl).await {
            Ok(Some(hit)) => return Ok(hit),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(%registry, error = %e, "cannot read the answer cache; asking the partner")
            }
        }
        let reference = format!("q-{}", uuid::Uuid::now_v7().simple());
        let call = || async {
            attempts.fetch_add(1, Ordering::Relaxed);
            partner.call(subject, purpose, &reference).await
        };
        let result = call
            .retry(self.backoff)
            .when(CallError::is_retriable)
            .notify(|e, wait| {
                tracing::debug!(%registry, error = %e, ?wait, "national database failed; retrying")
            })
            .await;
        match result {
            Ok((answer, tx)) => {
                let lookup = Lookup {
                    answer,
                    source: format!("{registry}@{} {tx}", partner.host()),
                    fetched_at: now_ms(),
                    cache_hit: false,
                    attempts: attempts.load(Ordering::Relaxed),
                };
                if !partner.ttl.is_zero() {
                    if let Err(e) = cache::put(&self.db, registry, subject, &lookup).await {
                        tracing::warn!(%registry, error = %e, "cannot keep the answer in the cache");
                    }
                }
                Ok(lookup)
            }
            Err(e) => Err(e.into_lookup_error(attempts.load(Ordering::Relaxed))),
        }
    }
}

#[async_trait::async_trait]
impl RegistryPort for Registries {
    async fn lookup(
        &self,
        registry: Registry,
        purpose: &QueryPurpose,
        subject: &Subject,
        run_id: &str,
    ) -> Result<Lookup, LookupError> {
        let audit_id = match audit::begin(&self.db, run_id, registry, purpose, subject).await {
            Ok(id) => id,
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_foreign_key_violation()) =>
            {
                return Err(LookupError::Refused {
                    reason: "no such case: no national database is queried without a case".into(),
                })
            }
            Err(e) => {
                return Err(LookupError::Unavailable {
                    attempts: 0,
                    reason: format!("the query could not be audited, so it was not made: {e}"),
                })
            }
        };
        let attempts = AtomicU32::new(0);
        let result = self.ask(registry, purpose, subject, &attempts).await;
        let outcome = audit::outcome(&result);
        let cache_hit = matches!(&result, Ok(l) if l.cache_hit);
        self.metrics
            .registry_query(registry.as_str(), outcome, cache_hit);
        if let Err(e) = &result {
            tracing::warn!(%registry, subject = %subject, case = purpose.case_id(), error = %e, "national database gave no answer");
        }
        if let Err(e) = audit::finish(
            &self.db,
            audit_id,
            &result,
            attempts.load(Ordering::Relaxed),
        )
        .await
        {
            tracing::warn!(%registry, error = %e, "cannot settle the audit row of a query");
        }
        result
    }

    fn any_configured(&self) -> bool {
        !self.partners.is_empty()
    }
}

#[cfg(test)]
mod tests;
