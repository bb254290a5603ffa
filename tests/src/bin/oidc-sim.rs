//! Runs the VNeID sign-in simulator (an OpenID Connect provider) for local tries:
//! `cargo run -p thads-e2e --bin oidc-sim -- --listen 127.0.0.1:9300 --cccd 079078001234`,
//! then start the hub with the `THADS_CITIZEN_OIDC__*` settings it prints and open
//! `http://127.0.0.1:8080/me`. `POST /control/citizen {"cccd": …, "name": …}` changes who signs in.

use clap::Parser;

/// VNeID sign-in simulator.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9300")]
    listen: std::net::SocketAddr,
    /// The client id the hub uses.
    #[arg(long, default_value = "thads-hub")]
    client_id: String,
    /// The client secret the hub uses.
    #[arg(long, default_value = "thu-nghiem-bi-mat")]
    client_secret: String,
    /// The hub's callback.
    #[arg(long, default_value = "http://127.0.0.1:8080/v1/me/callback")]
    redirect_uri: String,
    /// The CCCD of the citizen who signs in.
    #[arg(long, default_value = "079078001234")]
    cccd: String,
    /// Their name.
    #[arg(long, default_value = "Nguyễn Văn An")]
    name: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = thads_e2e::oidc_sim::OidcSim::start_on(
        args.listen,
        &args.client_id,
        &args.client_secret,
        &args.redirect_uri,
    )
    .await
    .map_err(anyhow::Error::msg)?;
    sim.state.sign_in_as(&args.cccd, &args.name);
    println!(
        "VNeID sign-in simulator at {}; point the hub at it with:",
        sim.issuer
    );
    println!("  THADS_CITIZEN_OIDC__ISSUER={}", sim.issuer);
    println!("  THADS_CITIZEN_OIDC__CLIENT_ID={}", args.client_id);
    println!("  THADS_CITIZEN_OIDC__CLIENT_SECRET={}", args.client_secret);
    println!("  THADS_CITIZEN_OIDC__REDIRECT_URL={}", args.redirect_uri);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
