//! A real SMTP server for tests and demos: it listens on loopback, speaks enough ESMTP for a
//! real client (EHLO/HELO, STARTTLS with a certificate made at start, AUTH PLAIN and LOGIN,
//! MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), keeps every message it accepts
//! (envelope and raw data) and decodes them with `mail-parser`, so tests assert what a person's
//! mail program would show. It can require STARTTLS, require AUTH, and fail the next DATA
//! with a chosen code (451, 550, …) to exercise the callers' retry decisions.
//!
//! At start it makes a private CA and a server certificate for `localhost` and `127.0.0.1`
//! signed by it, and writes the CA to a PEM file ([`SmtpSink::ca_file`]) that a client is told
//! to trust (`mail.ca_file`).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// Longest command or data line accepted (RFC 5321 allows 1000 octets; leave room).
const MAX_LINE: usize = 64 * 1024;
/// Largest message accepted.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;
/// How long the sink waits for the client's next line before it hangs up.
const IDLE: Duration = Duration::from_secs(60);

/// One message the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO`), without angle brackets.
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, without the final `.` line.
    pub data: Vec<u8>,
    /// Whether the session had switched to TLS (STARTTLS) when the message came.
    pub tls: bool,
    /// The user name the session signed in with, if it did.
    pub auth_user: Option<String>,
}

/// A received message decoded as a mail program would show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// The decoded `Subject`.
    pub subject: Option<String>,
    /// The `From` address.
    pub from_address: Option<String>,
    /// The decoded `From` display name.
    pub from_name: Option<String>,
    /// The `To` addresses.
    pub to: Vec<String>,
    /// The decoded `To` display names (empty string where none).
    pub to_names: Vec<String>,
    /// The `Message-ID`, with its angle brackets.
    pub message_id: Option<String>,
    /// The first text part, decoded (transfer encoding and charset).
    pub text: Option<String>,
    /// The first HTML part, decoded, if the message has one.
    pub html: Option<String>,
    /// Every header as sent (name, raw value), for assertions on the encoding itself.
    pub raw_headers: Vec<(String, String)>,
}

impl ReceivedMail {
    /// Decodes the message; `None` if `mail-parser` cannot read it at all.
    pub fn parsed(&self) -> Option<ParsedMail> {
        let message = mail_parser::MessageParser::default().parse(&self.data)?;
        let (to, to_names) = message
            .to()
            .map(|list| {
                list.iter()
                    .map(|a| {
                        (
                            a.address().unwrap_or_default().to_string(),
                            a.name().unwrap_or_default().to_string(),
                        )
                    })
                    .unzip()
            })
            .unwrap_or_default();
        // mail-parser renders a text-only message as HTML too; report only a real HTML part.
        let html = message.html_bodies().find_map(|part| match &part.body {
            mail_parser::PartType::Html(html) => Some(html.to_string()),
            _ => None,
        });
        Some(ParsedMail {
            subject: message.subject().map(str::to_string),
            from_address: message
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(str::to_string),
            from_name: message
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.name())
                .map(str::to_string),
            to,
            to_names,
            message_id: message.message_id().map(|id| format!("<{id}>")),
            text: message.body_text(0).map(|s| s.into_owned()),
            html,
            raw_headers: message
                .headers_raw()
                .map(|(k, v)| (k.to_string(), v.trim().to_string()))
                .collect(),
        })
    }
}

/// What every session reads: the settings and the mailbox.
#[derive(Debug, Default)]
struct Inner {
    require_tls: bool,
    credentials: Option<(String, String)>,
    fail_next: Option<u16>,
    received: Vec<ReceivedMail>,
    sessions: u64,
}

#[derive(Debug)]
struct Shared {
    inner: Mutex<Inner>,
    count: watch::Sender<usize>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running SMTP server on loopback; stops when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    ca_file: tempfile::NamedTempFile,
    ca_pem: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Starts a sink on `127.0.0.1` and a free port: plain SMTP with STARTTLS offered, no AUTH
    /// required, every message accepted.
    pub async fn start() -> std::io::Result<SmtpSink> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a sink on `addr` (the demo binary's `--listen`).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<SmtpSink> {
        let (server_config, ca_pem) = make_tls().map_err(std::io::Error::other)?;
        let mut ca_file = tempfile::Builder::new()
            .prefix("smtp-sink-ca-")
            .suffix(".pem")
            .tempfile()?;
        ca_file.write_all(ca_pem.as_bytes())?;
        ca_file.flush()?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            count: watch::channel(0).0,
        });
        let acceptor = TlsAcceptor::from(Arc::new(server_config));
        let task = tokio::spawn(accept_loop(listener, acceptor, shared.clone()));
        Ok(SmtpSink {
            addr,
            shared,
            ca_file,
            ca_pem,
            task,
        })
    }

    /// The address the sink listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP (the client does not ask for STARTTLS).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// `smtp://127.0.0.1:PORT?tls=required`: STARTTLS, refused if it fails.
    pub fn starttls_url(&self) -> String {
        format!("smtp://{}?tls=required", self.addr)
    }

    /// The PEM file of the CA that issued the sink's certificate (`mail.ca_file`). It lives as
    /// long as the sink.
    pub fn ca_file(&self) -> &Path {
        self.ca_file.path()
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Refuse `MAIL` with 530 until the session has done STARTTLS (and stop offering AUTH
    /// before it), like a submission server.
    pub fn require_tls(&self, on: bool) {
        self.shared.lock().require_tls = on;
    }

    /// Offer AUTH PLAIN and LOGIN, accept only these credentials, and refuse `MAIL` with 530
    /// until the session has signed in.
    pub fn require_auth(&self, user: &str, password: &str) {
        self.shared.lock().credentials = Some((user.to_string(), password.to_string()));
    }

    /// Answer the end of the next DATA with `code` (e.g. 451 transient, 550 permanent)
    /// instead of accepting it; the message is not kept. Once.
    pub fn fail_next(&self, code: u16) {
        self.shared.lock().fail_next = Some(code);
    }

    /// Every message accepted so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.lock().received.clone()
    }

    /// How many connections the sink has accepted.
    pub fn sessions(&self) -> u64 {
        self.shared.lock().sessions
    }

    /// Waits until at least `n` messages have been accepted and returns them all; an error
    /// naming how many came if `timeout` passes first.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Result<Vec<ReceivedMail>, String> {
        let mut rx = self.shared.count.subscribe();
        let reached = tokio::time::timeout(timeout, async {
            rx.wait_for(|count| *count >= n).await.map(|_| ())
        })
        .await;
        match reached {
            Ok(Ok(())) => Ok(self.messages()),
            Ok(Err(_)) => Err("the sink stopped".into()),
            Err(_) => Err(format!(
                "{} message(s) after {timeout:?}, expected {n}",
                self.messages().len()
            )),
        }
    }
}

/// The CA and server certificate for this run, and the rustls server settings with them.
fn make_tls() -> Result<(rustls::ServerConfig, String), String> {
    let err = |e: &dyn std::fmt::Display| format!("making the sink's certificates: {e}");
    let ca_key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| err(&e))?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "smtp-sink test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(|e| err(&e))?;

    let key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(|e| err(&e))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "smtp-sink");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).map_err(|e| err(&e))?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| err(&e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .map_err(|e| err(&e))?;
    Ok((config, ca.pem()))
}

async fn accept_loop(listener: TcpListener, acceptor: TlsAcceptor, shared: Arc<Shared>) {
    // Dropped with this task (when the sink is), which ends every session.
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                shared.lock().sessions += 1;
                let (acceptor, shared) = (acceptor.clone(), shared.clone());
                sessions.spawn(async move {
                    let _ = session(stream, acceptor, shared).await;
                });
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// A stream before or after STARTTLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One client's connection.
struct Session {
    reader: BufReader<Box<dyn Io>>,
    tls: bool,
    greeted: bool,
    auth_user: Option<String>,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

enum Line {
    Text(Vec<u8>),
    TooLong,
    Closed,
}

impl Session {
    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        let stream = self.reader.get_mut();
        stream.write_all(text.as_bytes()).await?;
        stream.write_all(b"\r\n").await?;
        stream.flush().await
    }

    /// Reads one line, without its line break.
    async fn line(&mut self) -> std::io::Result<Line> {
        let mut buf = Vec::new();
        loop {
            let read = tokio::time::timeout(IDLE, self.reader.fill_buf())
                .await
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
            if read.is_empty() {
                return Ok(Line::Closed);
            }
            let (taken, done) = match read.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (read.len(), false),
            };
            if buf.len() < MAX_LINE + 2 {
                buf.extend_from_slice(&read[..taken]);
            }
            self.reader.consume(taken);
            if done {
                break;
            }
        }
        if buf.len() > MAX_LINE {
            return Ok(Line::TooLong);
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        Ok(Line::Text(buf))
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }
}

async fn session(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    shared: Arc<Shared>,
) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut s = Session {
        reader: BufReader::new(Box::new(stream) as Box<dyn Io>),
        tls: false,
        greeted: false,
        auth_user: None,
        mail_from: None,
        rcpt_to: Vec::new(),
    };
    s.reply("220 smtp-sink ESMTP ready").await?;
    loop {
        let line = match s.line().await? {
            Line::Text(line) => String::from_utf8_lossy(&line).into_owned(),
            Line::TooLong => {
                s.reply("500 5.5.6 Line too long").await?;
                continue;
            }
            Line::Closed => return Ok(()),
        };
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
            None => (line.trim().to_ascii_uppercase(), String::new()),
        };
        match verb.as_str() {
            "EHLO" | "HELO" => {
                if arg.is_empty() {
                    s.reply(&format!("501 5.5.4 {verb} needs a domain")).await?;
                    continue;
                }
                s.reset();
                s.greeted = true;
                if verb == "HELO" {
                    s.reply(&format!("250 smtp-sink greets {arg}")).await?;
                    continue;
                }
                let (require_tls, auth) = {
                    let inner = shared.lock();
                    (inner.require_tls, inner.credentials.is_some())
                };
                let mut lines = vec![
                    format!("smtp-sink greets {arg}"),
                    "8BITMIME".to_string(),
                    "SMTPUTF8".to_string(),
                    format!("SIZE {MAX_MESSAGE}"),
                ];
                if !s.tls {
                    lines.push("STARTTLS".into());
                }
                if auth && (s.tls || !require_tls) {
                    lines.push("AUTH PLAIN LOGIN".into());
                }
                lines.push("HELP".into());
                let last = lines.len() - 1;
                let text = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("250{}{l}", if i == last { ' ' } else { '-' }))
                    .collect::<Vec<_>>()
                    .join("\r\n");
                s.reply(&text).await?;
            }
            "STARTTLS" => {
                if s.tls {
                    s.reply("503 5.5.1 TLS already active").await?;
                    continue;
                }
                if !s.reader.buffer().is_empty() {
                    // RFC 3207: nothing may follow STARTTLS before the handshake.
                    s.reply("503 5.5.1 Data after STARTTLS").await?;
                    continue;
                }
                s.reply("220 2.0.0 Ready to start TLS").await?;
                let plain = std::mem::replace(
                    &mut s.reader,
                    BufReader::new(Box::new(tokio::io::empty()) as Box<dyn Io>),
                )
                .into_inner();
                let tls = acceptor.accept(plain).await?;
                s.reader = BufReader::new(Box::new(tls) as Box<dyn Io>);
                s.tls = true;
                // RFC 3207: the client starts again with EHLO.
                s.greeted = false;
                s.auth_user = None;
                s.reset();
            }
            "AUTH" => auth(&mut s, &shared, &arg).await?,
            "MAIL" => {
                let (require_tls, auth_required) = {
                    let inner = shared.lock();
                    (inner.require_tls, inner.credentials.is_some())
                };
                if !s.greeted {
                    s.reply("503 5.5.1 Say EHLO first").await?;
                } else if require_tls && !s.tls {
                    s.reply("530 5.7.0 Must issue a STARTTLS command first")
                        .await?;
                } else if auth_required && s.auth_user.is_none() {
                    s.reply("530 5.7.0 Authentication required").await?;
                } else if s.mail_from.is_some() {
                    s.reply("503 5.5.1 Sender already given").await?;
                } else {
                    match path_arg(&arg, "FROM:") {
                        Some(from) => {
                            s.mail_from = Some(from);
                            s.reply("250 2.1.0 Sender OK").await?;
                        }
                        None => s.reply("501 5.5.4 Syntax: MAIL FROM:<address>").await?,
                    }
                }
            }
            "RCPT" => {
                if s.mail_from.is_none() {
                    s.reply("503 5.5.1 Need MAIL first").await?;
                } else {
                    match path_arg(&arg, "TO:") {
                        Some(to) if !to.is_empty() => {
                            s.rcpt_to.push(to);
                            s.reply("250 2.1.5 Recipient OK").await?;
                        }
                        _ => s.reply("501 5.5.4 Syntax: RCPT TO:<address>").await?,
                    }
                }
            }
            "DATA" => {
                if s.mail_from.is_none() || s.rcpt_to.is_empty() {
                    s.reply("503 5.5.1 Need MAIL and RCPT first").await?;
                    continue;
                }
                s.reply("354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(data) = read_data(&mut s).await? else {
                    return Ok(());
                };
                let fail = shared.lock().fail_next.take();
                if let Some(code) = fail {
                    let class = code / 100;
                    s.reply(&format!("{code} {class}.0.0 Refused as asked (fail_next)"))
                        .await?;
                } else if data.len() > MAX_MESSAGE {
                    s.reply("552 5.3.4 Message too big").await?;
                } else {
                    let mail = ReceivedMail {
                        mail_from: s.mail_from.clone().unwrap_or_default(),
                        rcpt_to: s.rcpt_to.clone(),
                        data,
                        tls: s.tls,
                        auth_user: s.auth_user.clone(),
                    };
                    let count = {
                        let mut inner = shared.lock();
                        inner.received.push(mail);
                        inner.received.len()
                    };
                    shared.count.send_replace(count);
                    s.reply(&format!("250 2.0.0 OK queued as {count}")).await?;
                }
                s.reset();
            }
            "RSET" => {
                s.reset();
                s.reply("250 2.0.0 OK").await?;
            }
            "NOOP" => s.reply("250 2.0.0 OK").await?,
            "VRFY" => s.reply("252 2.5.0 Cannot verify, will try").await?,
            "HELP" => {
                s.reply("214 2.0.0 smtp-sink: see the thads-e2e crate")
                    .await?
            }
            "QUIT" => {
                s.reply("221 2.0.0 Bye").await?;
                let _ = s.reader.get_mut().shutdown().await;
                return Ok(());
            }
            _ => s.reply("500 5.5.2 Command not recognised").await?,
        }
    }
}

/// `FROM:<a@b> BODY=8BITMIME` → `a@b`; `None` when the keyword or brackets are missing.
fn path_arg(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_string())
}

/// Reads the message after 354 up to the `.` line, undoing dot-stuffing (RFC 5321 4.5.2).
/// `None` if the client hung up first.
async fn read_data(s: &mut Session) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    loop {
        let line = match s.line().await? {
            Line::Text(line) => line,
            // Keep reading to the end; the message is refused by size afterwards.
            Line::TooLong => vec![b'x'; MAX_MESSAGE + 1],
            Line::Closed => return Ok(None),
        };
        if line == b"." {
            return Ok(Some(data));
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() <= MAX_MESSAGE {
            data.extend_from_slice(line);
            data.extend_from_slice(b"\r\n");
        }
    }
}

/// AUTH PLAIN and AUTH LOGIN, with or without an initial response.
async fn auth(s: &mut Session, shared: &Shared, arg: &str) -> std::io::Result<()> {
    let (credentials, require_tls) = {
        let inner = shared.lock();
        (inner.credentials.clone(), inner.require_tls)
    };
    let Some((user, password)) = credentials else {
        return s.reply("503 5.5.1 AUTH not enabled").await;
    };
    if !s.greeted {
        return s.reply("503 5.5.1 Say EHLO first").await;
    }
    if require_tls && !s.tls {
        return s
            .reply("530 5.7.0 Must issue a STARTTLS command first")
            .await;
    }
    if s.auth_user.is_some() {
        return s.reply("503 5.5.1 Already authenticated").await;
    }
    let (mechanism, initial) = match arg.split_once(' ') {
        Some((m, i)) => (m.to_ascii_uppercase(), Some(i.trim().to_string())),
        None => (arg.trim().to_ascii_uppercase(), None),
    };
    let given = match mechanism.as_str() {
        "PLAIN" => {
            let response = match initial {
                Some(i) if i != "=" => i,
                _ => {
                    s.reply("334 ").await?;
                    match read_response(s).await? {
                        Some(r) => r,
                        None => return Ok(()),
                    }
                }
            };
            if response == "*" {
                return s.reply("501 5.7.0 Authentication cancelled").await;
            }
            decode(&response).and_then(|plain| {
                let mut parts = plain.split('\0');
                let _authzid = parts.next()?;
                let user = parts.next()?.to_string();
                let password = parts.next()?.to_string();
                Some((user, password))
            })
        }
        "LOGIN" => {
            let user_b64 = match initial {
                Some(i) => i,
                None => {
                    s.reply("334 VXNlcm5hbWU6").await?;
                    match read_response(s).await? {
                        Some(r) => r,
                        None => return Ok(()),
                    }
                }
            };
            s.reply("334 UGFzc3dvcmQ6").await?;
            let Some(password_b64) = read_response(s).await? else {
                return Ok(());
            };
            decode(&user_b64).zip(decode(&password_b64))
        }
        _ => return s.reply("504 5.5.4 Unrecognised authentication type").await,
    };
    match given {
        Some((u, p)) if u == user && p == password => {
            s.auth_user = Some(u);
            s.reply("235 2.7.0 Authentication successful").await
        }
        Some(_) => {
            s.reply("535 5.7.8 Authentication credentials invalid")
                .await
        }
        None => s.reply("501 5.5.2 Cannot decode the response").await,
    }
}

async fn read_response(s: &mut Session) -> std::io::Result<Option<String>> {
    match s.line().await? {
        Line::Text(line) => Ok(Some(String::from_utf8_lossy(&line).trim().to_string())),
        Line::TooLong => Ok(Some(String::new())),
        Line::Closed => Ok(None),
    }
}

fn decode(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    String::from_utf8(bytes).ok()
}
