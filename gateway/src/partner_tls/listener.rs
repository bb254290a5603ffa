//! The partner TLS listener's accept loop: TCP connections are accepted at once and their TLS
//! handshakes run in their own tasks under a time limit, so a client that never finishes one
//! holds up nobody. A completed connection carries its peer ([`PartnerPeer`]: address and the
//! client certificate's fingerprint) to axum as connect info.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use thads_core::metrics::Metrics;
use thads_core::partners::certificates::fingerprint;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A connection's peer on the partner TLS listener.
#[derive(Debug, Clone)]
pub struct PartnerPeer {
    /// The client's address.
    pub remote: Option<SocketAddr>,
    /// Lower-case hex SHA-256 of the client certificate (the first of its chain); the CA
    /// check made it mandatory, so it is `None` only for the listener's own address.
    pub fingerprint: Option<Arc<str>>,
}

impl Connected<IncomingStream<'_, PartnerIncoming>> for PartnerPeer {
    fn connect_info(stream: IncomingStream<'_, PartnerIncoming>) -> Self {
        stream.remote_addr().clone()
    }
}

type TlsStream = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

/// TLS connections whose handshake succeeded, for `axum::serve`. Handshakes that fail (no
/// client certificate, one of another CA, an expired one, not TLS at all) or time out are
/// counted as `thads_partner_tls_handshakes_total{outcome="refused"}`.
pub struct PartnerIncoming {
    local: SocketAddr,
    ready: tokio::sync::mpsc::Receiver<(TlsStream, PartnerPeer)>,
    // Dropped with the server, which stops accepting.
    _accepting: tokio::task::JoinSet<()>,
}

impl PartnerIncoming {
    /// Accepts on `listener`, completing handshakes with `acceptor` within `timeout`.
    pub fn new(
        listener: TcpListener,
        acceptor: TlsAcceptor,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let (tx, ready) = tokio::sync::mpsc::channel(64);
        let mut accepting = tokio::task::JoinSet::new();
        accepting.spawn(async move {
            let mut handshakes = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let (tcp, remote) = match accepted {
                            Ok(c) => c,
                            Err(e) => {
                                // Out of descriptors and the like: wait a little, go on.
                                tracing::warn!(error = %e, "partner TLS listener cannot accept");
                                tokio::time::sleep(Duration::from_millis(100)).await;
                                continue;
                            }
                        };
                        let (acceptor, tx, metrics) = (acceptor.clone(), tx.clone(), metrics.clone());
                        handshakes.spawn(async move {
                            match tokio::time::timeout(timeout, acceptor.accept(tcp)).await {
                                Ok(Ok(tls)) => {
                                    metrics.partner_tls_handshake("accepted");
                                    let fingerprint = tls
                                        .get_ref()
                                        .1
                                        .peer_certificates()
                                        .and_then(|chain| chain.first())
                                        .map(|cert| Arc::from(fingerprint(cert.as_ref())));
                                    let peer = PartnerPeer { remote: Some(remote), fingerprint };
                                    let _ = tx.send((tls, peer)).await;
                                }
                                Ok(Err(e)) => {
                                    metrics.partner_tls_handshake("refused");
                                    tracing::info!(peer = %remote, error = %e, "partner TLS handshake refused");
                                }
                                Err(_) => {
                                    metrics.partner_tls_handshake("refused");
                                    tracing::info!(peer = %remote, "partner TLS handshake timed out");
                                }
                            }
                        });
                    }
                    Some(_) = handshakes.join_next(), if !handshakes.is_empty() => {}
                }
            }
        });
        Ok(Self {
            local,
            ready,
            _accepting: accepting,
        })
    }
}

impl Listener for PartnerIncoming {
    type Io = TlsStream;
    type Addr = PartnerPeer;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(PartnerPeer {
            remote: Some(self.local),
            fingerprint: None,
        })
    }
}
