//! Sign-in sessions (`staff_sessions`): a random token handed to the browser (cookie) or API
//! client (bearer), of which only the SHA-256 is stored, so a copy of the database does not let
//! anyone act as staff. A session ends when idle too long, when it reaches its absolute
//! lifetime, at sign-out, or when its account is disabled or its password changed.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::Row;
use thads_schemas::office::OfficeCode;

use super::{Actor, Role};
use crate::db::{Db, Tx};

/// How long sessions live. Staff consoles are left open on shared office machines, so an idle
/// session ends soon; a working day bounds even an active one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused this long is over.
    pub idle: Duration,
    /// A session this old is over, however active.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl SessionPolicy {
    /// Whether a session last seen at `last_seen_at` and expiring at `expires_at` (epoch ms) is
    /// still valid at `now`.
    pub fn is_live(&self, expires_at: i64, last_seen_at: i64, now: i64) -> bool {
        now < expires_at && now.saturating_sub(last_seen_at) < ms(self.idle)
    }
}

/// A session just opened: the token goes to the client once and is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedSession {
    /// The bearer token / cookie value (64 hex digits).
    pub token: String,
    /// The token a browser must echo in `X-CSRF-Token` on unsafe requests.
    pub csrf_token: String,
    /// The absolute end of the session (epoch ms).
    pub expires_at: i64,
}

/// Why a session could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The account row behind the session no longer parses.
    #[error("stored staff account is corrupt: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
}

/// 32 random bytes from the thread's CSPRNG, as 64 hex digits.
fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The stored form of a token: hex SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Opens a session for `username` (already authenticated) and sweeps sessions that have
/// expired, so the table does not grow with abandoned ones.
pub async fn open(
    db: &Db,
    username: &str,
    policy: &SessionPolicy,
    now: i64,
) -> Result<OpenedSession, sqlx::Error> {
    purge_expired(db, policy, now).await?;
    let token = random_token();
    let csrf_token = random_token();
    let expires_at = now.saturating_add(ms(policy.absolute));
    sqlx::query(
        "INSERT INTO staff_sessions (token_hash, username, csrf_token, created_at, expires_at, \
         last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)",
    )
    .bind(token_hash(&token))
    .bind(username)
    .bind(&csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(OpenedSession {
        token,
        csrf_token,
        expires_at,
    })
}

/// The actor and CSRF token of a live session, refreshing its last use; `None` for an unknown,
/// expired or closed token, or when the account has been disabled (the session is then
/// deleted).
pub async fn resolve(
    db: &Db,
    token: &str,
    policy: &SessionPolicy,
    now: i64,
) -> Result<Option<(Actor, String)>, SessionError> {
    if !well_formed(token) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let row = sqlx::query(
        "SELECT s.csrf_token, s.expires_at, s.last_seen_at, a.username, a.display_name, a.role, \
         a.office_code, a.disabled FROM staff_sessions s \
         JOIN staff_accounts a ON a.username = s.username WHERE s.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let expires_at: i64 = row.try_get("expires_at")?;
    let last_seen_at: i64 = row.try_get("last_seen_at")?;
    let disabled: i64 = row.try_get("disabled")?;
    if disabled != 0 || !policy.is_live(expires_at, last_seen_at, now) {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(&hash)
            .execute(db.pool())
            .await?;
        return Ok(None);
    }
    let username: String = row.try_get("username")?;
    let role: String = row.try_get("role")?;
    let office: String = row.try_get("office_code")?;
    let actor = Actor {
        role: Role::parse(&role)
            .ok_or_else(|| SessionError::Corrupt(format!("{username}: unknown role {role:?}")))?,
        office: OfficeCode::parse(&office)
            .map_err(|e| SessionError::Corrupt(format!("{username}: office {office:?}: {e}")))?,
        display_name: row.try_get("display_name")?,
        username,
    };
    if now > last_seen_at {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(&hash)
            .bind(now)
            .execute(db.pool())
            .await?;
    }
    Ok(Some((actor, row.try_get("csrf_token")?)))
}

/// Ends a session (sign-out); whether there was one.
pub async fn close(db: &Db, token: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of `username` (account disabled, password changed); how many.
pub async fn close_all(db: &Db, username: &str) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let n = close_all_in(&mut tx, username).await?;
    tx.commit().await?;
    Ok(n)
}

/// [`close_all`] inside the caller's transaction, so the change that requires it and the
/// closing commit together.
pub async fn close_all_in(tx: &mut Tx<'_>, username: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM staff_sessions WHERE username = $1")
        .bind(username)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// Deletes every session expired at `now` under `policy`; how many.
pub async fn purge_expired(db: &Db, policy: &SessionPolicy, now: i64) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(now.saturating_sub(ms(policy.idle)))
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected())
}

/// A migrated SQLite database in a temporary folder, for the unit tests of this module and
/// [`super::accounts`].
#[cfg(test)]
pub(crate) async fn test_db() -> (tempfile::TempDir, Db) {
    #![allow(clippy::unwrap_used)]
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/staff.db", dir.path().display());
    let db = Db::connect(&url).await.unwrap();
    crate::db::migrate(&db).await.unwrap();
    (dir, db)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::staff::accounts::{self, NewAccount};

    const MIN: i64 = 60_000;

    async fn with_account() -> (tempfile::TempDir, Db) {
        let (dir, db) = test_db().await;
        accounts::create(
            &db,
            &NewAccount {
                username: "em.tran".into(),
                display_name: "Trần Thị Em".into(),
                role: "officer".into(),
                office: "HCM-KV01".into(),
                password: "mật khẩu rất dài".into(),
                email: None,
            },
            0,
        )
        .await
        .unwrap();
        (dir, db)
    }

    #[test]
    fn liveness_has_an_idle_and_an_absolute_limit() {
        let p = SessionPolicy::default();
        let expires = 12 * 60 * MIN;
        assert!(p.is_live(expires, 0, 29 * MIN));
        assert!(!p.is_live(expires, 0, 30 * MIN));
        assert!(p.is_live(expires, 11 * 60 * MIN + 50 * MIN, expires - 1));
        assert!(!p.is_live(expires, expires - 1, expires));
    }

    #[test]
    fn tokens_are_random_hex_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert!(well_formed(&a));
        assert_ne!(a, random_token());
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a).len(), 64);
    }

    #[tokio::test]
    async fn sessions_resolve_refresh_and_expire() {
        let (_dir, db) = with_account().await;
        let p = SessionPolicy::default();
        let s = open(&db, "em.tran", &p, 0).await.unwrap();
        assert_eq!(s.expires_at, 12 * 60 * MIN);
        // Only the hash is stored.
        let stored: String = sqlx::query("SELECT token_hash FROM staff_sessions")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get("token_hash");
        assert_eq!(stored, token_hash(&s.token));

        let (actor, csrf) = resolve(&db, &s.token, &p, 20 * MIN).await.unwrap().unwrap();
        assert_eq!(actor.username, "em.tran");
        assert_eq!(actor.role, Role::Officer);
        assert_eq!(actor.office.as_str(), "HCM-KV01");
        assert_eq!(csrf, s.csrf_token);
        // Used at 20 min, so still live at 45 min (25 idle) ...
        assert!(resolve(&db, &s.token, &p, 45 * MIN)
            .await
            .unwrap()
            .is_some());
        // ... but not after 30 idle minutes, and then it is gone for good.
        assert!(resolve(&db, &s.token, &p, 75 * MIN)
            .await
            .unwrap()
            .is_none());
        assert!(resolve(&db, &s.token, &p, 46 * MIN)
            .await
            .unwrap()
            .is_none());

        // Absolute limit: kept busy every 20 minutes, it still ends at 12 h.
        let s = open(&db, "em.tran", &p, 0).await.unwrap();
        let mut t = 0;
        while t + 20 * MIN < 12 * 60 * MIN {
            t += 20 * MIN;
            assert!(
                resolve(&db, &s.token, &p, t).await.unwrap().is_some(),
                "{t}"
            );
        }
        assert!(resolve(&db, &s.token, &p, 12 * 60 * MIN)
            .await
            .unwrap()
            .is_none());

        assert!(resolve(&db, "not-a-token", &p, 0).await.unwrap().is_none());
        assert!(resolve(&db, &random_token(), &p, 0)
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn close_disable_and_password_change_end_sessions() {
        let (_dir, db) = with_account().await;
        let p = SessionPolicy::default();
        let a = open(&db, "em.tran", &p, 0).await.unwrap();
        assert!(close(&db, &a.token).await.unwrap());
        assert!(!close(&db, &a.token).await.unwrap());
        assert!(resolve(&db, &a.token, &p, 1).await.unwrap().is_none());

        let b = open(&db, "em.tran", &p, 0).await.unwrap();
        accounts::disable(&db, "em.tran", 1).await.unwrap();
        assert!(resolve(&db, &b.token, &p, 2).await.unwrap().is_none());
        accounts::enable(&db, "em.tran", 3).await.unwrap();
        let c = open(&db, "em.tran", &p, 4).await.unwrap();
        accounts::set_password(&db, "em.tran", "brand new password", 5)
            .await
            .unwrap();
        assert!(resolve(&db, &c.token, &p, 6).await.unwrap().is_none());

        let d = open(&db, "em.tran", &p, 10).await.unwrap();
        let old = open(&db, "em.tran", &p, 0).await.unwrap();
        assert_eq!(purge_expired(&db, &p, 31 * MIN).await.unwrap(), 2);
        assert!(resolve(&db, &d.token, &p, 31 * MIN)
            .await
            .unwrap()
            .is_none());
        assert!(resolve(&db, &old.token, &p, 31 * MIN)
            .await
            .unwrap()
            .is_none());
        assert_eq!(close_all(&db, "em.tran").await.unwrap(), 0);
    }
}
