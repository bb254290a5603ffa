//! The `[mail]` section's parsing and checks, and the mailer against a real SMTP sink.

use super::config::mask_url_password;
use super::*;

fn parse(toml_text: &str) -> MailConfig {
    toml::from_str(toml_text).unwrap()
}

#[test]
fn defaults_send_nothing() {
    let c = MailConfig::default();
    assert!(c.smtp_url.is_none());
    assert_eq!(c.from, "THADS <no-reply@thads.local>");
    assert_eq!(c.timeout, Duration::from_secs(10));
    c.validate().unwrap();
    assert!(Mailer::from_config(&c).unwrap().is_none());
}

#[test]
fn parses_every_key_and_refuses_unknown_ones() {
    let c = parse(
        "smtp_url = \"smtp://relay.thads.local:587?tls=required\"\n\
         from = \"Cục THADS <thongbao@thads.gov.vn>\"\n\
         username = \"digest\"\n\
         password_file = \"/run/secrets/smtp\"\n\
         timeout = \"3s\"\n\
         ca_file = \"/etc/thads/ca.pem\"\n",
    );
    assert_eq!(c.timeout, Duration::from_secs(3));
    assert_eq!(c.username.as_deref(), Some("digest"));
    assert_eq!(c.ca_file.as_deref(), Some(Path::new("/etc/thads/ca.pem")));
    c.validate().unwrap();
    let e = toml::from_str::<MailConfig>("smtp_uri = \"x\"\n").unwrap_err();
    assert!(e.to_string().contains("smtp_uri"), "{e}");
}

#[test]
fn secrets_are_masked_in_debug_and_when_shown() {
    let c = MailConfig {
        smtp_url: Some("smtp://digest:s3cret@relay:587?tls=required".into()),
        username: Some("digest".into()),
        password_file: Some("/run/secrets/smtp-password".into()),
        ..MailConfig::default()
    };
    let debug = format!("{c:?}");
    let shown = toml::to_string(&c).unwrap();
    for text in [&debug, &shown] {
        assert!(!text.contains("s3cret"), "{text}");
        assert!(!text.contains("smtp-password"), "{text}");
        assert!(text.contains("***"), "{text}");
        assert!(text.contains("digest"), "{text}");
    }
}

#[test]
fn bad_values_name_their_key() {
    let cases = [
        (
            MailConfig {
                from: "not an address".into(),
                ..MailConfig::default()
            },
            "mail.from",
        ),
        (
            MailConfig {
                smtp_url: Some("http://relay".into()),
                ..MailConfig::default()
            },
            "mail.smtp_url",
        ),
        (
            MailConfig {
                smtp_url: Some("smtp://relay?tls=sometimes".into()),
                ..MailConfig::default()
            },
            "mail.smtp_url",
        ),
        (
            MailConfig {
                username: Some("digest".into()),
                ..MailConfig::default()
            },
            "mail.password_file",
        ),
        (
            MailConfig {
                smtp_url: Some("smtp://relay:25".into()),
                ca_file: Some("/etc/ca.pem".into()),
                ..MailConfig::default()
            },
            "mail.ca_file",
        ),
        (
            MailConfig {
                timeout: Duration::ZERO,
                ..MailConfig::default()
            },
            "mail.timeout",
        ),
    ];
    for (config, key) in cases {
        let e = config.validate().unwrap_err();
        assert!(e.to_string().contains(key), "{key}: {e}");
        assert!(e.is_permanent());
    }
}

#[test]
fn relay_urls_give_host_port_and_tls() {
    let r = parse_relay_url("smtp://127.0.0.1:2525").unwrap();
    assert_eq!(
        (r.host.as_str(), r.port, r.tls),
        ("127.0.0.1", 2525, TlsMode::None)
    );
    let r = parse_relay_url("smtp://relay?tls=required").unwrap();
    assert_eq!((r.port, r.tls), (587, TlsMode::Required));
    let r = parse_relay_url("smtps://u:p@relay").unwrap();
    assert_eq!((r.port, r.tls), (465, TlsMode::Wrapper));
    assert_eq!(
        mask_url_password("smtps://u:p@relay"),
        "smtps://u:***@relay"
    );
}

#[test]
fn missing_secret_files_are_reported_at_build() {
    let dir = tempfile::tempdir().unwrap();
    let c = MailConfig {
        smtp_url: Some("smtp://127.0.0.1:2525".into()),
        username: Some("digest".into()),
        password_file: Some(dir.path().join("missing")),
        ..MailConfig::default()
    };
    let e = Mailer::from_config(&c).unwrap_err();
    assert!(e.to_string().contains("mail.password_file"), "{e}");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let c = MailConfig {
        password_file: Some(empty),
        ..c
    };
    let e = Mailer::from_config(&c).unwrap_err();
    assert!(e.to_string().contains("is empty"), "{e}");
}

#[test]
fn secrets_lose_only_their_trailing_line_break() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pw");
    std::fs::write(&path, " mật khẩu \r\n").unwrap();
    assert_eq!(read_secret(&path).unwrap(), " mật khẩu ");
}
