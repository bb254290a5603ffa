//! Access to the real services the tests need: a fresh PostgreSQL database per test (dropped
//! on `Drop`) and the NATS server with a JetStream namespace per test (its streams deleted on
//! `Drop`), with addresses from the environment and loopback defaults. A missing service fails
//! the test loudly; nothing is skipped in silence.

use std::future::Future;
use std::time::Duration;

use futures::TryStreamExt;
use sqlx::Connection;
use thads_core::bus::jetstream;

/// The PostgreSQL server for tests (`THADS_TEST_PG_URL`).
pub fn pg_admin_url() -> String {
    std::env::var("THADS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// The NATS server for tests (`THADS_TEST_NATS_URL`).
pub fn nats_url() -> String {
    std::env::var("THADS_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_string())
}

/// A unique lowercase token for names of databases, prefixes and folders.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// A database of its own for one test.
#[derive(Debug)]
pub struct TestDb {
    /// Its URL.
    pub url: String,
    name: String,
}

impl TestDb {
    /// Creates a fresh database; panics with the reason when PostgreSQL is unreachable.
    pub async fn create() -> Self {
        let admin = pg_admin_url();
        let mut conn = match tokio::time::timeout(
            Duration::from_secs(10),
            sqlx::PgConnection::connect(&admin),
        )
        .await
        {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => panic!("PostgreSQL is required at {admin} (set THADS_TEST_PG_URL or run scripts/test): {e}"),
            Err(_) => panic!("PostgreSQL at {admin} did not answer in 10 s (run scripts/test)"),
        };
        let name = unique("thads_t_");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = conn.close().await;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        Self {
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = pg_admin_url();
        let name = self.name.clone();
        clean_up_on_drop(async move {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
        });
    }
}

/// Runs a clean-up from `Drop`, which may run inside or outside a Tokio runtime: on a thread of
/// its own with a small runtime, waited for, bounded to 10 s so a hung server cannot hang the
/// test's end.
fn clean_up_on_drop(work: impl Future<Output = ()> + Send + 'static) {
    let _ = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            let _ = tokio::time::timeout(Duration::from_secs(10), work).await;
        });
    })
    .join();
}

/// A JetStream namespace of its own for one test: a unique deployment prefix (`THADS_NATS__PREFIX`)
/// on the shared NATS, whose streams are deleted on `Drop`. Without the deletion every run of
/// the suite would leave its streams behind on the machine's NATS, which then grows and slows
/// down run after run.
#[derive(Debug)]
pub struct TestStreams {
    /// The NATS URL.
    pub url: String,
    /// The deployment prefix the hub or bus under test is given.
    pub prefix: String,
}

impl TestStreams {
    /// A fresh prefix (starting with `tag`) on the shared NATS; panics with the reason when
    /// NATS is unreachable.
    pub async fn create(tag: &str) -> Self {
        Self {
            url: require_nats().await,
            prefix: unique(tag),
        }
    }
}

impl Drop for TestStreams {
    fn drop(&mut self) {
        let url = self.url.clone();
        // Every stream of the prefix is named `<PREFIX>_<FAMILY>`.
        let names = jetstream::stream_name(&self.prefix, "");
        clean_up_on_drop(async move {
            let Ok(client) = async_nats::connect(url.as_str()).await else {
                return;
            };
            let js = async_nats::jetstream::new(client);
            let Ok(all) = js.stream_names().try_collect::<Vec<String>>().await else {
                return;
            };
            for name in all.iter().filter(|n| n.starts_with(&names)) {
                let _ = js.delete_stream(name).await;
            }
        });
    }
}

/// Checks NATS answers; panics with the reason when it does not.
pub async fn require_nats() -> String {
    let url = nats_url();
    match tokio::time::timeout(Duration::from_secs(10), async_nats::connect(url.as_str())).await {
        Ok(Ok(_)) => url,
        Ok(Err(e)) => panic!("NATS with JetStream is required at {url} (set THADS_TEST_NATS_URL or run scripts/test): {e}"),
        Err(_) => panic!("NATS at {url} did not answer in 10 s (run scripts/test)"),
    }
}
