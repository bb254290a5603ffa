//! Wiring: opens the database (migrating it), picks the bus from the configuration, starts the
//! outbox relay and the consumers, and serves HTTP until ctrl-c or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use thads_core::bus::embedded::EmbeddedBus;
use thads_core::bus::jetstream::{JetStreamBus, JetStreamSettings};
use thads_core::bus::Bus;
use thads_core::calendar::Calendar;
use thads_core::cases::intake::CaseIntake;
use thads_core::cases::payments::PaymentPosting;
use thads_core::db::{self, Db};
use thads_core::deadlines::store::Schedule;
use thads_core::metrics::Metrics;
use thads_core::outbox::{OutboxSignal, Relay};
use thads_core::worker::{Handler, Worker};
use thads_vneid::client::VneidClient;
use thads_vneid::VneidNotifier;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::http::{router, AppState};

/// Opens and migrates the configured database.
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url();
    let db = Db::connect(&url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            crate::config::mask_password(&url)
        )
    })?;
    db::migrate(&db)
        .await
        .context("cannot migrate the database")?;
    Ok(db)
}

/// Connects the configured bus: JetStream when `nats.url` is set, else the embedded queue.
pub async fn open_bus(
    config: &Config,
    db: &Db,
    shutdown: CancellationToken,
) -> anyhow::Result<Arc<dyn Bus>> {
    Ok(match &config.nats.url {
        Some(url) => {
            let settings = JetStreamSettings {
                url: url.clone(),
                prefix: config.nats.prefix.clone(),
                max_age: config.nats.max_age,
                duplicate_window: config.nats.duplicate_window,
                replicas: config.nats.replicas,
                connect_timeout: config.nats.connect_timeout,
            };
            Arc::new(
                JetStreamBus::connect(&settings, shutdown)
                    .await
                    .context("cannot set up NATS JetStream")?,
            )
        }
        None => Arc::new(EmbeddedBus::new(db.clone(), shutdown)),
    })
}

/// Runs the hub until a shutdown signal.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!("configuration:\n{}", config.masked_toml());
    let shutdown = CancellationToken::new();
    let db = open_db(&config).await?;
    let bus = open_bus(&config, &db, shutdown.clone()).await?;
    let metrics = Arc::new(Metrics::new());
    let signal = OutboxSignal::default();
    let mut tasks = JoinSet::new();

    let relay = Relay::new(db.clone(), bus.clone(), signal.clone(), metrics.clone());
    tasks.spawn(relay.run(shutdown.clone()));

    let schedule = Schedule {
        calendar: Arc::new(
            Calendar::new(config.calendar.clone()).context("the [calendar] configuration")?,
        ),
        rules: Arc::new(config.deadlines.clone()),
    };
    let mut handlers: Vec<(Arc<dyn Handler>, usize)> = vec![
        (
            CaseIntake::new(db.clone(), signal.clone(), config.bus.ack_wait, schedule),
            2,
        ),
        (PaymentPosting::new(db.clone(), config.bus.ack_wait), 1),
    ];
    match &config.vneid.endpoint {
        Some(endpoint) => {
            let token = config
                .vneid
                .resolve_token()
                .context("cannot read vneid.token_file")?;
            let client = VneidClient::new(endpoint, token, config.vneid.timeout)
                .context("cannot build the VNeID client")?;
            handlers.push((
                VneidNotifier::new(db.clone(), client, metrics.clone(), config.bus.ack_wait),
                config.vneid.concurrency.get(),
            ));
        }
        None => {
            tracing::warn!("vneid.endpoint is not set: notices stay queued until it is configured")
        }
    }
    for (handler, copies) in handlers {
        for _ in 0..copies {
            let worker = Worker::new(
                bus.clone(),
                db.clone(),
                config.bus.retry_policy(),
                metrics.clone(),
                handler.clone(),
            );
            tasks.spawn(worker.run(shutdown.clone()));
        }
    }

    let state = AppState::new(
        db.clone(),
        bus.clone(),
        signal,
        metrics.clone(),
        config.http.body_limit,
        config.http.request_timeout,
        config.maintenance,
    );
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let local = listener.local_addr().context("no local address")?;
    tracing::info!(
        address = %local,
        bus = bus.kind(),
        database = %crate::config::mask_password(&config.database_url()),
        "thads-hub is serving"
    );
    let stop = shutdown.clone();
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            stop.cancel();
        })
        .await
        .context("HTTP server failed")?;
    shutdown.cancel();
    metrics.set_down();
    while tasks.join_next().await.is_some() {}
    db.close().await;
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
