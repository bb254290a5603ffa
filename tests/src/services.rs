//! Access to the real services the tests need: a fresh PostgreSQL database per test (dropped
//! on `Drop`) and the NATS server, with addresses from the environment and loopback defaults.
//! A missing service fails the test loudly; nothing is skipped in silence.

use std::time::Duration;

use sqlx::Connection;

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
        // Drop runs outside any runtime guarantee: use a thread with its own small runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
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
