//! Runs the VNeID simulator as a standalone server, for demos and manual testing:
//! `cargo run -p thads-e2e --bin vneid-sim -- --listen 127.0.0.1:9101`; with `--tls`, HTTPS
//! with mutual TLS: it makes a test CA and a client certificate for the hub, and prints the
//! `THADS_VNEID__*` settings that use them.

use clap::Parser;

/// VNeID notification API simulator.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9101")]
    listen: std::net::SocketAddr,
    /// Serve HTTPS and require a client certificate of a test CA made now.
    #[arg(long)]
    tls: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The CA's files live as long as it does: until the simulator stops.
    let mut ca = None;
    let sim = if args.tls {
        let test_ca = thads_e2e::vneid_sim::TestCa::new("VNeID simulator test CA")
            .map_err(anyhow::Error::msg)?;
        let (cert, key) = test_ca
            .client_files("thads-hub")
            .map_err(anyhow::Error::msg)?;
        let sim = thads_e2e::vneid_sim::VneidSim::start_tls_on(args.listen, &test_ca).await?;
        println!("Point the hub at it with:");
        println!("  THADS_VNEID__ENDPOINT={}", sim.endpoint());
        println!("  THADS_VNEID__CA_FILE={}", test_ca.ca_file().display());
        println!("  THADS_VNEID__CLIENT_CERT_FILE={}", cert.display());
        println!("  THADS_VNEID__CLIENT_KEY_FILE={}", key.display());
        ca = Some(test_ca);
        sim
    } else {
        thads_e2e::vneid_sim::VneidSim::start_on(args.listen).await?
    };
    println!(
        "VNeID simulator on {}: POST /notifications; GET /control/received; POST /control/mode",
        sim.endpoint()
    );
    tokio::signal::ctrl_c().await?;
    drop(ca);
    Ok(())
}
