//! Outbound e-mail against a real SMTP server (the sink): Vietnamese text arrives decoded,
//! STARTTLS works with a private CA given as `ca_file` and fails clearly without it, AUTH
//! signs in, and every failure says whether a retry can help (550 permanent; 451 and a refused
//! connection transient). A raw SMTP session checks the sink itself (dot-unstuffing, AUTH
//! LOGIN, RSET, the STARTTLS gate).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use thads_core::mail::{MailConfig, MailError, Mailer};
use thads_e2e::smtp_sink::SmtpSink;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const SUBJECT: &str = "Thông báo thời hạn thi hành án — Nguyễn Thị Lan";
const BODY: &str = "Kính gửi bà Nguyễn Thị Lan,\n\
    Hồ sơ thi hành án số 123/QĐ-CCTHADS còn 3 ngày làm việc để tự nguyện thi hành.\n\
    . Dòng này bắt đầu bằng dấu chấm.\n\
    Trân trọng,\nChi cục Thi hành án dân sự quận Ba Đình";
const WAIT: Duration = Duration::from_secs(10);

fn config(url: String) -> MailConfig {
    MailConfig {
        smtp_url: Some(url),
        from: "Chi cục THADS Ba Đình <thongbao@thads.local>".into(),
        timeout: Duration::from_secs(5),
        ..MailConfig::default()
    }
}

fn mailer(config: &MailConfig) -> Mailer {
    Mailer::from_config(config)
        .unwrap()
        .expect("smtp_url is set")
}

#[tokio::test]
async fn vietnamese_subject_and_body_arrive_decoded() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer(&config(sink.url()));
    let id = mailer
        .send(
            "Nguyễn Thị Lan <lan.nguyen@example.vn>",
            SUBJECT,
            BODY,
            None,
        )
        .await
        .unwrap();

    let mail = sink.wait_for(1, WAIT).await.unwrap().remove(0);
    assert_eq!(mail.mail_from, "thongbao@thads.local");
    assert_eq!(mail.rcpt_to, vec!["lan.nguyen@example.vn".to_string()]);
    assert!(!mail.tls);
    // The wire form is 7-bit clean: the subject is an encoded word, not raw UTF-8.
    let raw = String::from_utf8(mail.data.clone()).unwrap();
    let subject_line = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
    assert!(subject_line.contains("=?utf-8?"), "{subject_line}");

    let parsed = mail.parsed().unwrap();
    assert_eq!(parsed.subject.as_deref(), Some(SUBJECT));
    assert_eq!(parsed.message_id.as_deref(), Some(id.as_str()));
    assert_eq!(parsed.from_name.as_deref(), Some("Chi cục THADS Ba Đình"));
    assert_eq!(parsed.to, vec!["lan.nguyen@example.vn".to_string()]);
    assert_eq!(parsed.to_names, vec!["Nguyễn Thị Lan".to_string()]);
    let text = parsed.text.unwrap();
    assert_eq!(text.replace("\r\n", "\n").trim_end(), BODY);
    assert!(parsed.html.is_none());
}

#[tokio::test]
async fn html_goes_as_an_alternative_to_the_text() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer(&config(sink.url()));
    mailer
        .send(
            "lan.nguyen@example.vn",
            SUBJECT,
            BODY,
            Some("<p>Kính gửi bà <b>Nguyễn Thị Lan</b></p>"),
        )
        .await
        .unwrap();
    let parsed = sink.wait_for(1, WAIT).await.unwrap()[0].parsed().unwrap();
    assert_eq!(parsed.text.unwrap().replace("\r\n", "\n").trim_end(), BODY);
    assert!(parsed.html.unwrap().contains("<b>Nguyễn Thị Lan</b>"));
}

#[tokio::test]
async fn starttls_with_the_ca_file_delivers_over_tls() {
    let sink = SmtpSink::start().await.unwrap();
    sink.require_tls(true);
    let mut c = config(sink.starttls_url());
    c.ca_file = Some(sink.ca_file().to_path_buf());
    mailer(&c)
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap();
    let mail = sink.wait_for(1, WAIT).await.unwrap().remove(0);
    assert!(mail.tls);
    assert_eq!(mail.parsed().unwrap().subject.as_deref(), Some(SUBJECT));
}

#[tokio::test]
async fn starttls_without_the_ca_fails_clearly_and_nothing_is_sent() {
    let sink = SmtpSink::start().await.unwrap();
    sink.require_tls(true);
    let e = mailer(&config(sink.starttls_url()))
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap_err();
    assert!(matches!(e, MailError::Tls { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("certificate"), "{text}");
    assert!(text.contains("mail.ca_file"), "{text}");
    assert!(!e.is_permanent());
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_server_that_requires_tls_refuses_plain_smtp_for_good() {
    let sink = SmtpSink::start().await.unwrap();
    sink.require_tls(true);
    let e = mailer(&config(sink.url()))
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap_err();
    assert_eq!(e.smtp_code(), Some(530), "{e}");
    assert!(e.is_permanent());
    assert!(e.to_string().contains("STARTTLS"), "{e}");
}

#[tokio::test]
async fn auth_signs_in_with_the_password_file() {
    let sink = SmtpSink::start().await.unwrap();
    sink.require_tls(true);
    sink.require_auth("digest", "mật khẩu bí mật");
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("smtp-password");
    std::fs::write(&password_file, "mật khẩu bí mật\n").unwrap();
    let mut c = config(sink.starttls_url());
    c.ca_file = Some(sink.ca_file().to_path_buf());
    c.username = Some("digest".into());
    c.password_file = Some(password_file.clone());
    mailer(&c)
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap();
    let mail = sink.wait_for(1, WAIT).await.unwrap().remove(0);
    assert_eq!(mail.auth_user.as_deref(), Some("digest"));
    assert!(mail.tls);

    // A wrong password is refused for good (535), and the secret appears in no error.
    std::fs::write(&password_file, "sai mật khẩu").unwrap();
    let e = mailer(&c)
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap_err();
    assert_eq!(e.smtp_code(), Some(535), "{e}");
    assert!(e.is_permanent());
    assert!(!e.to_string().contains("sai mật khẩu"), "{e}");
    assert!(!format!("{c:?}").contains("smtp-password"));

    // Without credentials the server will not take the message.
    c.username = None;
    c.password_file = None;
    let e = mailer(&c)
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap_err();
    assert_eq!(e.smtp_code(), Some(530), "{e}");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_550_is_permanent_and_a_451_is_not() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer(&config(sink.url()));

    sink.fail_next(550);
    let e = mailer
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap_err();
    assert!(matches!(e, MailError::Rejected { code: 550, .. }), "{e:?}");
    assert!(e.is_permanent());

    sink.fail_next(451);
    let e = mailer
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap_err();
    assert!(matches!(e, MailError::Deferred { code: 451, .. }), "{e:?}");
    assert!(!e.is_permanent());

    // The failure was for one message only: the retry goes through.
    mailer
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let e = mailer(&config(format!("smtp://127.0.0.1:{port}")))
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap_err();
    assert!(matches!(e, MailError::Connection { .. }), "{e:?}");
    assert!(!e.is_permanent());
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_transiently() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(stream);
    });
    let mut c = config(format!("smtp://{addr}"));
    c.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let e = mailer(&c)
        .send("lan.nguyen@example.vn", SUBJECT, BODY, None)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(e, MailError::Timeout { .. }), "{e:?}");
    assert!(!e.is_permanent());
    hold.abort();
}

#[tokio::test]
async fn bad_addresses_name_the_field() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer(&config(sink.url()));
    for bad in ["lan.nguyen", "Nguyễn Thị Lan <lan@>", ""] {
        let e = mailer.send(bad, SUBJECT, BODY, None).await.unwrap_err();
        assert!(
            matches!(e, MailError::Address { field: "to", .. }),
            "{bad:?}: {e:?}"
        );
        assert!(e.to_string().contains("`to`"), "{e}");
        assert!(e.is_permanent());
    }
    let mut c = config(sink.url());
    c.from = "THADS <no-reply>".into();
    let e = Mailer::from_config(&c).unwrap_err();
    assert!(e.to_string().contains("mail.from"), "{e}");
    assert_eq!(sink.sessions(), 0, "nothing was sent for a bad address");
}

/// Reads one (possibly multi-line) reply and returns its last line.
async fn reply<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> String {
    loop {
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap();
        assert!(!line.is_empty(), "server hung up");
        if line.as_bytes().get(3) != Some(&b'-') {
            return line.trim_end().to_string();
        }
    }
}

/// Sends one command and returns the last line of the reply.
async fn say(
    w: &mut tokio::net::tcp::OwnedWriteHalf,
    r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    line: &str,
) -> String {
    w.write_all(format!("{line}\r\n").as_bytes()).await.unwrap();
    reply(r).await
}

#[tokio::test]
async fn the_sink_speaks_smtp_unstuffs_dots_and_gates_on_starttls() {
    let sink = SmtpSink::start().await.unwrap();
    sink.require_auth("digest", "pw");
    let stream = tokio::net::TcpStream::connect(sink.addr()).await.unwrap();
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    assert!(reply(&mut r).await.starts_with("220"));
    assert!(say(&mut w, &mut r, "EHLO test").await.starts_with("250"));
    assert!(say(&mut w, &mut r, "MAIL FROM:<a@b.vn>")
        .await
        .starts_with("530"));
    assert!(say(&mut w, &mut r, "AUTH LOGIN").await.starts_with("334"));
    assert!(say(&mut w, &mut r, "ZGlnZXN0").await.starts_with("334")); // digest
    assert!(say(&mut w, &mut r, "cHc=").await.starts_with("235")); // pw
    assert!(say(&mut w, &mut r, "NOOP").await.starts_with("250"));
    assert!(say(&mut w, &mut r, "MAIL FROM:<x@b.vn>")
        .await
        .starts_with("250"));
    assert!(say(&mut w, &mut r, "RSET").await.starts_with("250"));
    assert!(say(&mut w, &mut r, "RCPT TO:<c@d.vn>")
        .await
        .starts_with("503"));
    assert!(say(&mut w, &mut r, "mail from:<a@b.vn> BODY=8BITMIME")
        .await
        .starts_with("250"));
    assert!(say(&mut w, &mut r, "RCPT TO:<c@d.vn>")
        .await
        .starts_with("250"));
    assert!(say(&mut w, &mut r, "DATA").await.starts_with("354"));
    let data = "Subject: dots\r\n\r\n..leading dot\r\n...\r\nlast\r\n.\r\n";
    w.write_all(data.as_bytes()).await.unwrap();
    assert!(reply(&mut r).await.starts_with("250"));
    assert!(say(&mut w, &mut r, "QUIT").await.starts_with("221"));

    let mail = sink.wait_for(1, WAIT).await.unwrap().remove(0);
    assert_eq!(mail.mail_from, "a@b.vn");
    assert_eq!(mail.rcpt_to, vec!["c@d.vn".to_string()]);
    assert_eq!(mail.auth_user.as_deref(), Some("digest"));
    assert_eq!(
        String::from_utf8(mail.data).unwrap(),
        "Subject: dots\r\n\r\n.leading dot\r\n..\r\nlast\r\n"
    );

    // With require_tls, MAIL is refused before STARTTLS and AUTH is not offered.
    sink.require_tls(true);
    let stream = tokio::net::TcpStream::connect(sink.addr()).await.unwrap();
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    assert!(reply(&mut r).await.starts_with("220"));
    w.write_all(b"EHLO test\r\n").await.unwrap();
    let mut ehlo = String::new();
    loop {
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap();
        ehlo.push_str(&line);
        if line.as_bytes().get(3) == Some(&b' ') {
            break;
        }
    }
    assert!(ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    assert!(say(&mut w, &mut r, "MAIL FROM:<a@b.vn>")
        .await
        .starts_with("530"));
}
