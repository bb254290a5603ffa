//! Runs the four national-database simulators as standalone servers, for demos and manual
//! testing: `cargo run -p thads-e2e --bin registry-sim -- --base-port 9201` serves population on
//! 9201, land on 9202, vehicles on 9203 and businesses on 9204, and prints the hub's settings.

use clap::Parser;
use thads_core::verification::Registry;
use thads_e2e::registry_sim::{token, SimServer};

/// National-database simulators (population, land, vehicles, businesses).
#[derive(Debug, Parser)]
struct Args {
    /// Port of the population database; the other three follow it.
    #[arg(long, default_value_t = 9201)]
    base_port: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut servers = Vec::new();
    for (i, registry) in Registry::ALL.into_iter().enumerate() {
        let port = args.base_port + u16::try_from(i)?;
        let server = SimServer::start(registry, ([127, 0, 0, 1], port).into()).await?;
        let key = format!("THADS_REGISTRIES__{}", registry.as_str().to_uppercase());
        println!(
            "{key}__ENDPOINT={} {key}__TOKEN={}",
            server.endpoint(),
            token(registry)
        );
        servers.push(server);
    }
    println!("faults: POST /control/fault {{\"mode\":\"slow\",\"delay_ms\":15000}} on any server");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
