//! Runs the bank simulator as a standalone server, for demos and manual testing:
//! `cargo run -p thads-e2e --bin bank-sim -- --bank VCB --listen 127.0.0.1:9102 --hub http://127.0.0.1:8080`,
//! then set the hub's `bank.orders_endpoint.VCB` to `http://127.0.0.1:9102/orders` and open
//! accounts with `POST /control/balance {"account": "...", "balance": 200000000}`.

use clap::Parser;

/// Bank simulator: takes account orders, acknowledges them and confirms deductions.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9102")]
    listen: std::net::SocketAddr,
    /// The bank's code.
    #[arg(long, default_value = "VCB")]
    bank: String,
    /// The hub's base URL, where acknowledgements and camt.054 notifications are sent.
    #[arg(long)]
    hub: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = thads_e2e::bank_sim::BankSim::start_on(&args.bank, args.listen).await?;
    if let Some(hub) = &args.hub {
        sim.state.set_hub(hub);
    }
    println!(
        "bank simulator ({}) on http://{}: POST /orders; control: GET /control/state, POST \
         /control/{{hub,balance,fail-next,reject-next,ack-delay,forged-ack,batch}}",
        args.bank, sim.addr
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
