//! The partner TLS listener: partners (courts, banks, the Treasury, VNeID, the national
//! databases) reach the partner endpoints over TLS with a client certificate of the partners'
//! CA; the registry says whose certificate it is (`http::partner_gate`). See
//! `docs/partner-tls.md`.
//!
//! # Layout
//! - [`config`]: `[partner_tls]`, validated by `thads-hub config check`.
//! - [`tls`]: the rustls server settings (client certificates required, checked against the CA).
//! - [`listener`]: the accept loop, handshakes in their own tasks, the peer's fingerprint.
//! - [`book`]: the certificates the expiry alerts watch.

pub mod book;
pub mod config;
pub mod listener;
pub mod tls;

use std::sync::Arc;

use anyhow::Context;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use thads_core::metrics::Metrics;
use tokio_util::sync::CancellationToken;

use crate::http::partner_gate::PeerCertificate;
use crate::http::partner_limit::RateKey;
use config::PartnerTlsConfig;
use listener::{PartnerIncoming, PartnerPeer};

/// Puts what the handshake established on each request: the certificate's fingerprint (for
/// the registry check) and the rate-limit key (per certificate).
async fn peer_extensions(
    ConnectInfo(peer): ConnectInfo<PartnerPeer>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(fingerprint) = peer.fingerprint {
        request
            .extensions_mut()
            .insert(RateKey(format!("cert:{fingerprint}")));
        request
            .extensions_mut()
            .insert(PeerCertificate { fingerprint });
    }
    next.run(request).await
}

/// Binds the partner TLS listener and serves `router` on it until `stop`; returns the task
/// and the bound address. The router is the hub's own: the gate in it serves only the
/// partner endpoints on this listener, to registered certificates.
pub async fn start(
    config: &PartnerTlsConfig,
    setup: tls::TlsSetup,
    router: Router,
    metrics: Arc<Metrics>,
    stop: CancellationToken,
) -> anyhow::Result<Option<(tokio::task::JoinHandle<()>, std::net::SocketAddr)>> {
    let Some(listen) = config.listen else {
        return Ok(None);
    };
    let tcp = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on partner_tls.listen {listen}"))?;
    let local = tcp.local_addr().context("no local address")?;
    let incoming = PartnerIncoming::new(
        tcp,
        tokio_rustls::TlsAcceptor::from(setup.server),
        config.handshake_timeout,
        metrics,
    )
    .context("the partner TLS listener")?;
    let app = router
        .layer(axum::middleware::from_fn(peer_extensions))
        .into_make_service_with_connect_info::<PartnerPeer>();
    let task = tokio::spawn(async move {
        let served = axum::serve(incoming, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the partner TLS listener failed");
        }
    });
    Ok(Some((task, local)))
}
