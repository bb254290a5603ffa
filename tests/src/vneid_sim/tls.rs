//! The simulator's TLS mode: a CA made at test time, a listener that completes TLS handshakes
//! (requiring a client certificate of that CA) and tells the router the client's subject CN.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};

use super::SimState;

/// What the simulator knows of a connection: the client certificate's subject CN (TLS mode).
#[derive(Debug, Clone, Default)]
pub struct Peer {
    /// The subject CN of the client certificate, if one was presented.
    pub client_cn: Option<String>,
}

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Peer {
    fn connect_info(_: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        Self::default()
    }
}

impl Connected<IncomingStream<'_, TlsIncoming>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TlsIncoming>) -> Self {
        stream.remote_addr().clone()
    }
}

type TlsStream = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

/// TLS connections whose handshake succeeded. Handshakes run in their own tasks, so a client
/// that never finishes one holds up nobody; a refused one is counted in the state.
#[derive(Debug)]
pub struct TlsIncoming {
    ready: tokio::sync::mpsc::Receiver<(TlsStream, Peer)>,
    // Dropped with the server, which stops accepting.
    _accepting: tokio::task::JoinSet<()>,
}

impl TlsIncoming {
    pub(super) fn new(
        listener: tokio::net::TcpListener,
        acceptor: tokio_rustls::TlsAcceptor,
        state: SimState,
    ) -> Self {
        let (tx, ready) = tokio::sync::mpsc::channel(64);
        let mut accepting = tokio::task::JoinSet::new();
        accepting.spawn(async move {
            let mut handshakes = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((tcp, _)) = accepted else { continue };
                        let (acceptor, tx, state) = (acceptor.clone(), tx.clone(), state.clone());
                        handshakes.spawn(async move {
                            let handshake = tokio::time::timeout(
                                Duration::from_secs(10),
                                acceptor.accept(tcp),
                            )
                            .await;
                            match handshake {
                                Ok(Ok(tls)) => {
                                    let client_cn = tls
                                        .get_ref()
                                        .1
                                        .peer_certificates()
                                        .and_then(|chain| chain.first())
                                        .and_then(|cert| subject_cn(cert.as_ref()));
                                    let _ = tx.send((tls, Peer { client_cn })).await;
                                }
                                _ => state.refused_handshake(),
                            }
                        });
                    }
                    Some(_) = handshakes.join_next(), if !handshakes.is_empty() => {}
                }
            }
        });
        Self {
            ready,
            _accepting: accepting,
        }
    }
}

impl Listener for TlsIncoming {
    type Io = TlsStream;
    type Addr = Peer;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(Peer::default())
    }
}

/// A CA made at test time for mutual TLS with the simulator: it signs the simulator's server
/// certificate and the hubs' client certificates. Its PEM files live in a temporary folder
/// removed on `Drop`.
#[derive(Debug)]
pub struct TestCa {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    dir: tempfile::TempDir,
}

impl TestCa {
    /// A new CA named `name` (its subject CN); writes its certificate to [`TestCa::ca_file`].
    pub fn new(name: &str) -> Result<Self, String> {
        let err = |e: &dyn std::fmt::Display| format!("making the test CA: {e}");
        let key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| err(&e))?;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = rcgen::CertifiedIssuer::self_signed(params, key).map_err(|e| err(&e))?;
        let dir = tempfile::Builder::new()
            .prefix("vneid-test-ca-")
            .tempdir()
            .map_err(|e| err(&e))?;
        std::fs::write(dir.path().join("ca.pem"), issuer.pem()).map_err(|e| err(&e))?;
        Ok(Self { issuer, dir })
    }

    /// The CA's certificate as a PEM file (`vneid.ca_file`).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A client certificate with subject CN `cn` signed by this CA, and its PKCS#8 key, as PEM
    /// files (`vneid.client_cert_file`, `vneid.client_key_file`).
    pub fn client_files(&self, cn: &str) -> Result<(PathBuf, PathBuf), String> {
        let (cert, key) = self.issue(
            cn,
            Vec::new(),
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            None,
        )?;
        self.write_pair(cn, &cert, &key)
    }

    /// A client certificate for `cn` that ends at `not_after` (for expiry alerts), as PEM files.
    pub fn client_files_until(
        &self,
        cn: &str,
        not_after: time::OffsetDateTime,
    ) -> Result<(PathBuf, PathBuf), String> {
        let (cert, key) = self.issue(
            cn,
            Vec::new(),
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            Some(not_after),
        )?;
        self.write_pair(cn, &cert, &key)
    }

    /// A server certificate for `cn` valid for the host `names` (`127.0.0.1`, `localhost`) and
    /// its key, as PEM files (the hub's partner TLS listener).
    pub fn server_files(&self, cn: &str, names: &[&str]) -> Result<(PathBuf, PathBuf), String> {
        let names = names.iter().map(|n| (*n).to_string()).collect();
        let (cert, key) =
            self.issue(cn, names, rcgen::ExtendedKeyUsagePurpose::ServerAuth, None)?;
        self.write_pair(cn, &cert, &key)
    }

    fn write_pair(
        &self,
        cn: &str,
        cert: &rcgen::Certificate,
        key: &rcgen::KeyPair,
    ) -> Result<(PathBuf, PathBuf), String> {
        let safe: String = cn
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let cert_file = self.dir.path().join(format!("{safe}.crt.pem"));
        let key_file = self.dir.path().join(format!("{safe}.key.pem"));
        write(&cert_file, &cert.pem())?;
        write(&key_file, &key.serialize_pem())?;
        Ok((cert_file, key_file))
    }

    fn issue(
        &self,
        cn: &str,
        names: Vec<String>,
        usage: rcgen::ExtendedKeyUsagePurpose,
        not_after: Option<time::OffsetDateTime>,
    ) -> Result<(rcgen::Certificate, rcgen::KeyPair), String> {
        let err = |e: &dyn std::fmt::Display| format!("issuing a test certificate for {cn}: {e}");
        let key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
        let mut params = rcgen::CertificateParams::new(names).map_err(|e| err(&e))?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.extended_key_usages = vec![usage];
        if let Some(end) = not_after {
            params.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(1);
            params.not_after = end;
        }
        let cert = params.signed_by(&key, &self.issuer).map_err(|e| err(&e))?;
        Ok((cert, key))
    }

    /// The simulator's rustls settings: a server certificate of this CA, and client
    /// certificates required and checked against this CA.
    pub(super) fn server_config(&self) -> Result<tokio_rustls::rustls::ServerConfig, String> {
        use tokio_rustls::rustls;
        let err = |e: &dyn std::fmt::Display| format!("the simulator's TLS settings: {e}");
        let (cert, key) = self.issue(
            "vneid-sim",
            vec!["127.0.0.1".to_string(), "localhost".to_string()],
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            None,
        )?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.issuer.der().clone()).map_err(|e| err(&e))?;
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .map_err(|e| err(&e))?;
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| err(&e))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .map_err(|e| err(&e))
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// The subject CN of a DER certificate: Certificate → TBSCertificate → (version), serial,
/// signature, issuer, validity, subject → the attribute with OID 2.5.4.3.
fn subject_cn(der: &[u8]) -> Option<String> {
    let (_, cert, _) = tlv(der)?;
    let (_, mut tbs, _) = tlv(cert)?;
    let mut fields = Vec::new();
    while !tbs.is_empty() && fields.len() < 6 {
        let (tag, value, rest) = tlv(tbs)?;
        if tag != 0xa0 {
            fields.push(value);
        }
        tbs = rest;
    }
    // serial, signature, issuer, validity, subject
    let mut names = *fields.get(4)?;
    while !names.is_empty() {
        let (_, set, rest) = tlv(names)?;
        let (_, attribute, _) = tlv(set)?;
        let (tag, oid, value) = tlv(attribute)?;
        if tag == 0x06 && oid == [0x55, 0x04, 0x03] {
            let (_, text, _) = tlv(value)?;
            return String::from_utf8(text.to_vec()).ok();
        }
        names = rest;
    }
    None
}

/// One DER tag-length-value: (tag, value, what follows).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, after) = rest.split_at(n);
        rest = after;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    if rest.len() < len {
        return None;
    }
    let (value, after) = rest.split_at(len);
    Some((tag, value, after))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_subject_cn_is_read_from_a_certificate() {
        let ca = TestCa::new("Test CA").unwrap();
        let (cert, _) = ca
            .issue(
                "thads-hub.thads.gov.vn",
                Vec::new(),
                rcgen::ExtendedKeyUsagePurpose::ClientAuth,
                None,
            )
            .unwrap();
        assert_eq!(
            subject_cn(cert.der().as_ref()).as_deref(),
            Some("thads-hub.thads.gov.vn")
        );
        assert_eq!(
            subject_cn(ca.issuer.der().as_ref()).as_deref(),
            Some("Test CA")
        );
        assert_eq!(subject_cn(b"not a certificate"), None);
    }
}
