//! Runs the SMTP sink as a standalone server for demos and manual testing, printing each
//! message it receives, decoded:
//! `cargo run -p thads-e2e --bin smtp-sink -- --listen 127.0.0.1:2525`, then point the hub's
//! `mail.smtp_url` at `smtp://127.0.0.1:2525`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use thads_e2e::smtp_sink::{ReceivedMail, SmtpSink};

/// SMTP sink: accepts mail on loopback and prints it.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:2525")]
    listen: std::net::SocketAddr,
    /// Refuse MAIL before STARTTLS (clients then need `?tls=required` and the CA file).
    #[arg(long)]
    require_tls: bool,
    /// Require AUTH with this user name (needs --password).
    #[arg(long, requires = "password")]
    user: Option<String>,
    /// The password --user must give.
    #[arg(long, requires = "user")]
    password: Option<String>,
    /// Also write the CA certificate (PEM) here, to keep it after the sink stops.
    #[arg(long)]
    ca_out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sink = SmtpSink::start_on(args.listen).await?;
    sink.require_tls(args.require_tls);
    if let (Some(user), Some(password)) = (&args.user, &args.password) {
        sink.require_auth(user, password);
    }
    let ca_file = match &args.ca_out {
        Some(path) => {
            std::fs::write(path, sink.ca_pem())?;
            path.clone()
        }
        None => sink.ca_file().to_path_buf(),
    };
    println!("SMTP sink on {}", sink.addr());
    println!("  plain:    mail.smtp_url = \"{}\"", sink.url());
    println!("  STARTTLS: mail.smtp_url = \"{}\"", sink.starttls_url());
    println!("            mail.ca_file  = \"{}\"", ca_file.display());
    println!("Ctrl-C to stop.");

    let mut shown = 0;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            got = sink.wait_for(shown + 1, Duration::from_secs(3600)) => {
                let Ok(messages) = got else { continue };
                for mail in &messages[shown..] {
                    print_mail(shown + 1, mail);
                    shown += 1;
                }
            }
        }
    }
}

fn print_mail(n: usize, mail: &ReceivedMail) {
    println!("--- message {n} ---");
    println!(
        "envelope: {} -> {}",
        mail.mail_from,
        mail.rcpt_to.join(", ")
    );
    println!(
        "session: tls={} auth={}",
        mail.tls,
        mail.auth_user.as_deref().unwrap_or("-")
    );
    match mail.parsed() {
        Some(p) => {
            println!("Subject: {}", p.subject.unwrap_or_default());
            let address = p.from_address.unwrap_or_default();
            match p.from_name {
                Some(name) => println!("From: {name} <{address}>"),
                None => println!("From: {address}"),
            }
            println!("To: {}", p.to.join(", "));
            println!("Message-ID: {}", p.message_id.unwrap_or_default());
            println!();
            println!("{}", p.text.unwrap_or_default());
            if p.html.is_some() {
                println!("(also an HTML part)");
            }
        }
        None => println!("{}", String::from_utf8_lossy(&mail.data)),
    }
}
