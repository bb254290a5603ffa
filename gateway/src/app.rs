//! Wiring: opens the database (migrating it), picks the bus from the configuration, starts the
//! outbox relay and the consumers, and serves HTTP until ctrl-c or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use thads_core::breaker::CircuitBreaker;
use thads_core::bus::embedded::EmbeddedBus;
use thads_core::bus::jetstream::{JetStreamBus, JetStreamSettings};
use thads_core::bus::Bus;
use thads_core::calendar::Calendar;
use thads_core::cases::intake::CaseIntake;
use thads_core::cases::payments::PaymentPosting;
use thads_core::db::{self, Db};
use thads_core::deadlines::store::Schedule;
use thads_core::digest::Digest;
use thads_core::metrics::Metrics;
use thads_core::outbox::{OutboxSignal, Relay};
use thads_core::rate_limit::TokenBucket;
use thads_core::worker::{Handler, Worker};
use thads_vneid::client::VneidClient;
use thads_vneid::fallback::{DeadLetterFallback, NoticeFallback};
use thads_vneid::notifier::NotifierSettings;
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

    // Partner endpoint settings changed from the console, read by every connector; refreshed
    // from the database so a change on another hub process arrives here (docs/console.md).
    let overlay = thads_core::partners::endpoints::Overlay::default();
    overlay
        .refresh(&db)
        .await
        .context("cannot read the partner endpoint settings")?;
    tasks.spawn(overlay.clone().run(
        db.clone(),
        config.console.endpoint_refresh,
        shutdown.clone(),
    ));
    let mut vneid_http = None;

    let relay = Relay::new(db.clone(), bus.clone(), signal.clone(), metrics.clone());
    tasks.spawn(relay.run(shutdown.clone()));
    let trust = load_trust(&config, &db).await?;
    let sealer = thads_core::evidence::Sealer::new(
        db.clone(),
        trust.hub_key.clone(),
        signal.clone(),
        trust.evidence.clone(),
    );
    tasks.spawn(sealer.run(shutdown.clone()));
    tasks.spawn(thads_core::receipts::sealer::run(
        db.clone(),
        trust.hub_key.clone(),
        shutdown.clone(),
    ));
    // The audit trail is chained and signed in batches (docs/audit.md).
    let audit = thads_core::audit::AuditSealer::new(
        db.clone(),
        trust.hub_key.clone(),
        config.audit.seal_interval,
    );
    tasks.spawn(audit.run(shutdown.clone()));

    let schedule = Schedule {
        calendar: Arc::new(
            Calendar::new(config.calendar.clone()).context("the [calendar] configuration")?,
        ),
        rules: Arc::new(config.deadlines.clone()),
    };
    let mut handlers: Vec<(Arc<dyn Handler>, usize)> = vec![
        (
            CaseIntake::new(
                db.clone(),
                signal.clone(),
                config.bus.ack_wait,
                schedule.clone(),
            ),
            config.bus.case_intake_workers.get(),
        ),
        (
            PaymentPosting::new(db.clone(), config.bus.ack_wait, schedule.clone()),
            config.bus.payment_posting_workers.get(),
        ),
    ];
    let mailer = thads_core::mail::Mailer::from_config(&config.mail)
        .context("the [mail] configuration")?
        .map(Arc::new);
    if mailer.is_none() {
        tracing::warn!("mail.smtp_url is not set: no deadline digests are e-mailed, and notices VNeID cannot deliver go to paper service");
    }
    handlers.push((
        NoticeFallback::new(
            db.clone(),
            mailer.clone(),
            schedule.clone(),
            config.bus.retry_policy(),
            metrics.clone(),
            config.bus.ack_wait,
        ),
        2,
    ));
    handlers.push((
        DeadLetterFallback::new(db.clone(), signal.clone(), config.bus.ack_wait),
        1,
    ));
    match &config.vneid.endpoint {
        Some(endpoint) => {
            let token = config
                .vneid
                .resolve_token()
                .context("cannot read vneid.token_file")?;
            let tls = config.vneid.read_tls()?;
            let client = VneidClient::with_tls(endpoint, token, config.vneid.timeout, &tls)
                .context("cannot build the VNeID client")?
                .with_overlay(overlay.clone());
            vneid_http = Some(client.http_client().clone());
            handlers.push((
                VneidNotifier::new(NotifierSettings {
                    db: db.clone(),
                    client,
                    metrics: metrics.clone(),
                    ack_wait: config.bus.ack_wait,
                    schedule: schedule.clone(),
                    signal: signal.clone(),
                    breaker: CircuitBreaker::new(
                        config.vneid.breaker_failures,
                        config.vneid.breaker_cool_down,
                    ),
                    rate: TokenBucket::new(config.vneid.rate_per_second),
                    shutdown: shutdown.clone(),
                    policy: config.bus.retry_policy(),
                }),
                config.vneid.concurrency.get(),
            ));
        }
        None => {
            tracing::warn!("vneid.endpoint is not set: notices stay queued until it is configured")
        }
    }
    let bank_token = config
        .bank
        .resolve_token()
        .context("cannot read bank.token_file")?;
    let bank_tokens = config
        .bank
        .resolve_bank_tokens()
        .map_err(|(key, e)| anyhow::anyhow!("configuration key `{key}`: cannot read it: {e}"))?;
    let bank_client = thads_bank::orders::client::BankClient::new(&config.bank, bank_token)
        .context("cannot build the bank client")?
        .with_bank_tokens(bank_tokens)
        .with_overlay(overlay.clone());
    handlers.push((
        thads_bank::orders::OrderSender::new(
            db.clone(),
            bank_client,
            metrics.clone(),
            config.bus.ack_wait,
            config.bus.retry_policy(),
        ),
        config.bank.concurrency.get(),
    ));
    // The State's share of collected money, transferred to the Treasury (docs/disbursement.md).
    let treasury_token = config
        .treasury
        .resolve_token()
        .context("cannot read treasury.token_file")?;
    handlers.push((
        thads_treasury::TransferSender::new(
            db.clone(),
            &config.treasury,
            treasury_token,
            overlay.clone(),
            metrics.clone(),
            config.bus.ack_wait,
            config.bus.retry_policy(),
        )
        .context("the [treasury] configuration")?,
        config.treasury.concurrency.get(),
    ));
    // Evidences and decision reports pushed to each court's endpoint (docs/court-delivery.md).
    let court_delivery = thads_court::CourtDelivery::new(
        thads_court::DeliverySettings {
            db: db.clone(),
            metrics: metrics.clone(),
            hub_key: trust.hub_key.clone(),
            ack_wait: config.bus.ack_wait,
            policy: config.bus.retry_policy(),
            shutdown: shutdown.clone(),
            overlay: overlay.clone(),
        },
        &config.court.endpoints,
        &config.court.delivery,
    )
    .context("the [court.endpoints] / [court.delivery] configuration")?;
    tracing::info!(
        courts = ?court_delivery.courts(),
        "court evidences are pushed to these courts; the others pull them"
    );
    handlers.push((court_delivery, config.court.delivery.concurrency.get()));
    // Scanned judgments and requests read by OCR into extractions (docs/ocr.md).
    handlers.push((
        thads_core::ocr::handler::OcrScans::new(db.clone(), &config.ocr, config.bus.retry_policy()),
        config.ocr.concurrency,
    ));
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

    let digest = Arc::new(Digest::new(
        db.clone(),
        schedule.clone(),
        mailer.clone(),
        metrics.clone(),
        config.digest.clone(),
    ));
    tasks.spawn(Digest::run((*digest).clone(), shutdown.clone()));
    // The partner TLS listener's settings, read now so a bad file stops the start.
    let partner_tls = config
        .partner_tls
        .enabled()
        .then(|| crate::partner_tls::tls::load(&config.partner_tls))
        .transpose()?;
    let certificates =
        crate::partner_tls::book::CertificateBook::for_hub(&config, partner_tls.as_ref());
    tasks.spawn(certificates.clone().run(db.clone(), shutdown.clone()));
    // Alerts for the console, mailed to administrators when first raised (docs/console.md),
    // watching the TLS listener's, VNeID's and the partners' certificates.
    let certificates = certificates.source();
    let alert_watcher = thads_core::admin::alerts::AlertWatcher {
        db: db.clone(),
        metrics: metrics.clone(),
        mailer: mailer.clone(),
        certificates: certificates.clone(),
        every: config.console.alert_interval,
    };
    tasks.spawn(alert_watcher.run(shutdown.clone()));
    if let Some(dir) = &config.bank.inbox_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("bank.inbox_dir {}", dir.display()))?;
        tasks.spawn(thads_bank::inbox_folder::run(
            db.clone(),
            signal.clone(),
            metrics.clone(),
            thads_bank::inbox_folder::FolderSettings {
                dir: dir.clone(),
                poll: config.bank.inbox_poll,
                settle: config.bank.inbox_settle,
            },
            shutdown.clone(),
        ));
    }

    let registries =
        thads_registries::Registries::new(db.clone(), &config.registries, metrics.clone())
            .context("the [registries] configuration")?
            .with_overlay(&overlay);
    let verifier = Arc::new(thads_core::verification::Verifier::new(
        db.clone(),
        schedule.clone(),
        Arc::new(registries),
        config.verification.clone(),
    ));
    if !verifier.any_configured() {
        tracing::warn!("no [registries.*] endpoint is set: verification records stay incomplete and no run starts by itself");
    } else if config.verification.enabled {
        let scheduler = thads_core::verification::scheduler::Scheduler::new((*verifier).clone());
        tasks.spawn(scheduler.run(shutdown.clone()));
    }

    let state = AppState::new(
        db.clone(),
        bus.clone(),
        signal,
        metrics.clone(),
        schedule,
        &config.http,
        config.maintenance,
    )
    .with_staff(config.staff.clone())
    .with_digest(digest)
    .with_party(
        crate::http::party::PartyPortal::new(&config.citizen_oidc, config.party_portal.clone())
            .context("the [citizen_oidc] configuration")?,
    )
    .with_partner_tls(config.partner_tls.partners_on_plain(), certificates)
    .with_endpoints(crate::http::console_partners::PartnerEndpoints {
        overlay,
        known: crate::endpoints::known(&config, vneid_http.as_ref())
            .context("cannot build the connectivity test client")?,
    });
    crate::http::auth::warn_if_no_accounts(&db).await;
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
    let receipt_token = config
        .vneid
        .resolve_receipt_token()
        .context("cannot read vneid.receipt_token_file")?;
    if receipt_token.is_none() {
        tracing::warn!("vneid.receipt_token is not set: VNeID delivery receipts are refused (503) until it is configured");
    }
    let app = crate::http::vneid::with_receipt_token(router(state), receipt_token.as_deref())
        .layer(axum::Extension(trust))
        .layer(axum::Extension(verifier));
    let partner_listener = match partner_tls {
        Some(setup) => crate::partner_tls::start(
            &config.partner_tls,
            setup,
            app.clone(),
            metrics.clone(),
            shutdown.clone(),
        )
        .await?
        .map(|(task, address)| {
            tracing::info!(%address, "partner endpoints are served over TLS to registered client certificates");
            task
        }),
        None => None,
    };
    let stop = shutdown.clone();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        stop.cancel();
    })
    .await
    .context("HTTP server failed")?;
    shutdown.cancel();
    if let Some(task) = partner_listener {
        let _ = task.await;
    }
    metrics.set_down();
    while tasks.join_next().await.is_some() {}
    db.close().await;
    Ok(())
}

/// Loads the hub's signing key (generating the default one in `data_dir` on first start) and
/// publishes it in `hub_keys`, for the server and the commands that sign (`audit seal`).
pub async fn hub_key(config: &Config, db: &Db) -> anyhow::Result<thads_core::partners::HubKey> {
    use thads_core::partners::{registry, HubKey};
    let (path, generate) = config.signing.key_path(&config.data_dir);
    let (key, generated) = HubKey::load_or_generate(&path, generate)
        .context("cannot load the hub's signing key (signing.key_file)")?;
    if generated {
        tracing::warn!(path = %path.display(), key_id = key.key_id(), "generated a new hub signing key; set signing.key_file to a managed key shared by every hub process");
    }
    registry::register_hub_key(db, &key)
        .await
        .context("cannot publish the hub's signing key")?;
    Ok(key)
}

/// Loads the hub's signing key and says loudly when court signatures are not enforced.
async fn load_trust(config: &Config, db: &Db) -> anyhow::Result<thads_core::partners::Trust> {
    use thads_core::partners::{registry, PartnerKind};
    let key = hub_key(config, db).await?;
    tracing::info!(
        key_id = key.key_id(),
        "receipts and court evidences are signed"
    );
    if !config.court.require_signatures {
        let court_keys = registry::count_active_keys(db, PartnerKind::Court)
            .await
            .unwrap_or(0);
        tracing::warn!(
            court_keys,
            "court.require_signatures is OFF: unsigned judgments are ACCEPTED from anyone; set it to true in production"
        );
    }
    Ok(thads_core::partners::Trust {
        hub_key: Arc::new(key),
        require_court_signatures: config.court.require_signatures,
        evidence: thads_core::evidence::EvidenceSignal::default(),
    })
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
