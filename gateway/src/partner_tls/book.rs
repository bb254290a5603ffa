//! The certificates whose expiry the console's alerts watch: the hub's own (the partner TLS
//! listener's server certificate, the VNeID client certificate) read at start, and the
//! partners' registered certificates, read from the registry at start and every minute after
//! (`thads-hub partner add` runs in another process).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use thads_core::admin::alerts::{CertificateSource, KnownCertificate};
use thads_core::db::Db;
use thads_core::partners::certificates;
use tokio_util::sync::CancellationToken;

/// How often the partners' certificates are read again.
const REFRESH: Duration = Duration::from_secs(60);

/// The watched certificates, shared with the alert watcher and the console.
#[derive(Clone, Default)]
pub struct CertificateBook {
    own: Arc<Vec<KnownCertificate>>,
    partners: Arc<RwLock<Vec<KnownCertificate>>>,
}

impl CertificateBook {
    /// A book with the hub's own certificates.
    pub fn new(own: Vec<KnownCertificate>) -> Self {
        Self {
            own: Arc::new(own),
            partners: Arc::default(),
        }
    }

    /// The book for a hub: the partner TLS listener's certificate (when it runs) and the
    /// VNeID client certificate (when configured).
    pub fn for_hub(config: &crate::config::Config, tls: Option<&super::tls::TlsSetup>) -> Self {
        let mut own = Vec::new();
        if let Some(tls) = tls {
            own.push(KnownCertificate {
                name: "hub partner TLS server certificate (partner_tls.cert_file)".into(),
                not_after_ms: tls.own_certificate.not_after_ms,
            });
        }
        if let Some(path) = &config.vneid.client_cert_file {
            own.extend(own_certificate(
                "hub VNeID client certificate (vneid.client_cert_file)",
                path,
            ));
        }
        Self::new(own)
    }

    /// What the alert watcher calls: the own certificates, then the partners'.
    pub fn source(&self) -> CertificateSource {
        let book = self.clone();
        Arc::new(move || {
            let mut all = (*book.own).clone();
            if let Ok(partners) = book.partners.read() {
                all.extend(partners.iter().cloned());
            }
            all
        })
    }

    /// Reads the partners' certificates again.
    pub async fn refresh(&self, db: &Db) {
        match certificates::watched(db).await {
            Ok(list) => {
                if let Ok(mut partners) = self.partners.write() {
                    *partners = list;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the partners' certificates; will retry")
            }
        }
    }

    /// Refreshes every minute until `shutdown`.
    pub async fn run(self, db: Db, shutdown: CancellationToken) {
        loop {
            self.refresh(&db).await;
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(REFRESH) => {}
            }
        }
    }
}

/// A certificate file of the hub's, for the book; `None` (with a warning) when unreadable.
pub fn own_certificate(name: &str, path: &std::path::Path) -> Option<KnownCertificate> {
    let read = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|b| certificates::inspect_file(&b).map_err(|e| e.to_string()));
    match read {
        Ok(info) => Some(KnownCertificate {
            name: name.to_string(),
            not_after_ms: info.not_after_ms,
        }),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read {name} for the expiry alerts");
            None
        }
    }
}
