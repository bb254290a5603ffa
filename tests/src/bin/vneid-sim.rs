//! Runs the VNeID simulator as a standalone server, for demos and manual testing:
//! `cargo run -p thads-e2e --bin vneid-sim -- --listen 127.0.0.1:9101`.

use clap::Parser;

/// VNeID notification API simulator.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9101")]
    listen: std::net::SocketAddr,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = thads_e2e::vneid_sim::VneidSim::start_on(args.listen).await?;
    println!(
        "VNeID simulator on {}: POST /notifications; GET /control/received; POST /control/mode",
        sim.endpoint()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
