//! thads-bench: drives a realistic partner mix over HTTP against a hub on PostgreSQL and
//! JetStream and prints accepted and handled rates, accept and end-to-end latency, the hub's
//! peak memory and the raw ceilings measured in the same run (`docs/benchmark.md`).
//!
//! # Layout
//! - [`workload`]: the mix (judgments, payments, receipts, queries) and one request.
//! - [`drive`]: as-fast-as-taken and fixed-rate load.
//! - [`e2e`]: handled counts and latencies from the hub's journey records; peak memory.
//! - [`ceilings`]: bare JetStream publish, and consume + one commit + ack.
//! - [`report`]: the results, the table, the JSON and the targets.
//! - [`stats`]: latency percentiles of a run.
//!
//! The executable doubles as the hub: started as `thads-bench serve` (or `staff …`) it runs
//! the hub's own command line, so one `cargo run --release -p thads-bench` measures a hub
//! built with the same release profile. `--hub-binary` starts another build instead.

mod ceilings;
mod dbwork;
mod drive;
mod e2e;
mod report;
mod stats;
mod workload;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use thads_e2e::hub::{Hub, HubOptions, ProductionServices};
use thads_e2e::vneid_sim::VneidSim;

use crate::drive::Phase;
use crate::report::{PhaseResult, Results};
use crate::workload::{accepted, Client, Kind, Seed, RECEIPT_TOKEN};

/// Benchmark thads-hub on PostgreSQL (`THADS_TEST_PG_URL`) and NATS JetStream
/// (`THADS_TEST_NATS_URL`); each run makes its own database and subject prefix.
#[derive(Debug, Parser)]
#[command(name = "thads-bench")]
struct Args {
    /// The same measurement, smaller: finishes in under a minute.
    #[arg(long)]
    quick: bool,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Requests in the saturation phase (default 20000; 1500 with --quick).
    #[arg(long)]
    messages: Option<usize>,
    /// Concurrent clients in the saturation phase.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Requests per second in the latency phase.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
    /// Seconds of the latency phase (default 20; 2 with --quick).
    #[arg(long)]
    rate_seconds: Option<u32>,
    /// Concurrent consumers in the raw consume-commit-ack ceiling.
    #[arg(long, default_value_t = 4)]
    raw_consumers: usize,
    /// The hub executable to start (default: this one, which runs the hub's command line).
    #[arg(long)]
    hub_binary: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let first = std::env::args().nth(1).unwrap_or_default();
    if !first.starts_with('-') && !first.is_empty() {
        // Started by the benchmark itself as the hub (`serve`, `staff add`, ...).
        return thads_gateway::cli::main();
    }
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    let results = runtime.block_on(run(&args))?;
    print!("{}", results.table());
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&results)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("results written to {}", path.display());
    }
    Ok(())
}

async fn run(args: &Args) -> anyhow::Result<Results> {
    let messages = args
        .messages
        .unwrap_or(if args.quick { 1_500 } else { 20_000 });
    let rate_seconds = args.rate_seconds.unwrap_or(if args.quick { 2 } else { 20 });
    let binary = match &args.hub_binary {
        Some(b) => b.clone(),
        None => std::env::current_exe().context("cannot find this executable")?,
    };
    // The run's own database and streams, removed when the run ends.
    let services = ProductionServices::create("b").await;
    let (db, nats_url, run_id) = (
        &services.db,
        &services.streams.url,
        &services.streams.prefix,
    );
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(args.raw_consumers as u32 + 2)
        .connect(&db.url)
        .await?;
    let sim = VneidSim::start().await?;
    let mut options = HubOptions::new(services.runtime(), Some(sim.endpoint()));
    options
        .env
        .push(("THADS_VNEID__RECEIPT_TOKEN".into(), RECEIPT_TOKEN.into()));
    options
        .env
        .push(("THADS_BUS__ACK_WAIT".into(), "30s".into()));
    eprintln!("starting the hub ({})", binary.display());
    let hub = Hub::start(&binary, options).await;
    let pid = hub.pid().context("the hub has no process id")?;
    let mut client = Client {
        base: hub.base.clone(),
        token: hub.admin_token().to_string(),
        run: run_id.trim_start_matches('b').to_string(),
        seed: Arc::new(Seed {
            references: Vec::new(),
            notices: Vec::new(),
            messages: Vec::new(),
        }),
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(60))
            .build()?,
    };
    let seeds = if args.quick { 100 } else { 500 };
    eprintln!("seeding {seeds} cases");
    client.seed = Arc::new(seed(&client, &pool, seeds).await?);

    eprintln!(
        "saturation: {messages} requests with {} clients",
        args.clients
    );
    let first = 1_000_000;
    let before = dbwork::read(&pool).await?;
    let phase = drive::saturate(&client, first, messages, args.clients).await;
    let saturation = settle(&pool, phase, Duration::from_secs(600)).await?;
    // Statistics reach the shared counters within a second of each transaction.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = dbwork::read(&pool).await?;
    let database_work = dbwork::between(&before, &after, saturation.end_to_end.handled);

    eprintln!("fixed rate: {}/s for {rate_seconds} s", args.rate);
    let phase = drive::at_rate(&client, 2_000_000, args.rate, rate_seconds, 4096).await;
    let at_rate = settle(&pool, phase, Duration::from_secs(300)).await?;
    let memory = e2e::peak_memory_mib(pid).unwrap_or(0.0);
    drop(hub);

    eprintln!("raw ceilings");
    let payload = bytes::Bytes::from(client.judgment(0).into_bytes());
    let ceilings = ceilings::measure(
        nats_url,
        &pool,
        run_id,
        payload,
        messages.max(2_000),
        args.raw_consumers,
    )
    .await?;
    pool.close().await;
    let mut results = Results {
        machine: machine(),
        quick: args.quick,
        clients: args.clients,
        saturation,
        rate: args.rate,
        at_rate,
        hub_peak_memory_mib: memory,
        ceilings,
        database_work,
        ..Results::default()
    };
    results.judge();
    Ok(results)
}

/// Opens `count` cases and waits until they are handled; returns what the mix refers to.
async fn seed(client: &Client, pool: &sqlx::PgPool, count: usize) -> anyhow::Result<Seed> {
    let mut ids = Vec::new();
    for chunk in (0..count).collect::<Vec<_>>().chunks(16) {
        let sends = chunk
            .iter()
            .map(|i| client.send_kind(Kind::Judgment, *i, std::time::Instant::now()));
        ids.extend(
            futures::future::join_all(sends)
                .await
                .into_iter()
                .filter_map(|s| s.handled_id),
        );
    }
    let handled = e2e::wait_handled(pool, &ids, Duration::from_secs(300)).await?;
    anyhow::ensure!(
        handled == ids.len(),
        "only {handled} of {} seed judgments were handled",
        ids.len()
    );
    let references: Vec<(String,)> =
        sqlx::query_as("SELECT payment_reference FROM cases ORDER BY id")
            .fetch_all(pool)
            .await?;
    let notices: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM messages WHERE subject = 'out.vneid.notify' ORDER BY id")
            .fetch_all(pool)
            .await?;
    Ok(Seed {
        references: references.into_iter().map(|r| r.0).collect(),
        notices: notices.into_iter().map(|r| r.0).collect(),
        messages: ids,
    })
}

/// Waits for the phase's judgments and payments to be handled and measures the phase.
async fn settle(
    pool: &sqlx::PgPool,
    phase: Phase,
    timeout: Duration,
) -> anyhow::Result<PhaseResult> {
    let ids: Vec<String> = phase
        .samples
        .iter()
        .filter_map(|s| s.handled_id.clone())
        .collect();
    let handled = e2e::wait_handled(pool, &ids, timeout).await?;
    if handled < ids.len() {
        eprintln!(
            "warning: only {handled} of {} were handled in {timeout:?}",
            ids.len()
        );
    }
    let ok: Vec<f64> = phase
        .samples
        .iter()
        .filter(|s| accepted(s))
        .map(|s| s.latency.as_secs_f64() * 1000.0)
        .collect();
    let mut errors = std::collections::BTreeMap::<(String, u16), usize>::new();
    for s in phase.samples.iter().filter(|s| !accepted(s)) {
        *errors
            .entry((format!("{:?}", s.kind), s.status))
            .or_default() += 1;
    }
    Ok(PhaseResult {
        sent: phase.samples.len(),
        accepted: ok.len(),
        errors: errors.into_iter().map(|((k, s), n)| (k, s, n)).collect(),
        accepted_per_second: ok.len() as f64 / phase.elapsed.as_secs_f64(),
        accept_latency: stats::Percentiles::of(ok),
        end_to_end: e2e::measure(pool, &ids).await?,
        to_handle: ids.len(),
    })
}

/// CPU model and count, and the kernel.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpus} × {model}, Linux {}", kernel.trim())
}
