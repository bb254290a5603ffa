//! Runs the court simulator as a standalone server, for demos and manual testing:
//! `cargo run -p thads-e2e --bin court-sim -- --listen 127.0.0.1:9103 --hub http://127.0.0.1:8080`.

use clap::Parser;

/// A court's evidence endpoint, simulated.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9103")]
    listen: std::net::SocketAddr,
    /// The hub whose published keys (`/v1/keys`) verify each delivery.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    hub: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = thads_e2e::court_sim::CourtSim::start_on(args.listen).await?;
    sim.state
        .trust_keys_at(&format!("{}/v1/keys", args.hub.trim_end_matches('/')));
    println!(
        "court simulator: endpoint {}; GET /control/received; POST /control/mode",
        sim.endpoint()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
