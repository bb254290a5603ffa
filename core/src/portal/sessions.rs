//! Party sessions (`party_sessions`) and pending VNeID sign-ins (`party_sign_ins`).
//!
//! A sign-in starts with a pending row holding the authorization request's nonce and PKCE
//! verifier under the hash of its `state`; the provider's redirect back names the state, and
//! the row is taken (deleted) exactly once, so a state cannot be replayed. A party session is a
//! random token handed to the browser of which only the SHA-256 is stored, kept apart from
//! staff sessions: a party token is unknown to the staff resolver and a staff token to this one.

use std::time::Duration;

use sqlx::Row;
use thads_schemas::cccd::Cccd;

use crate::db::Db;
use crate::staff::sessions::token_hash;

/// How long party sessions and pending sign-ins live. A party reads their case from a phone or
/// a shared computer: sessions end soon when idle and within hours in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartySessionPolicy {
    /// A session unused this long is over.
    pub idle: Duration,
    /// A session this old is over, however active.
    pub absolute: Duration,
    /// How long the provider may take to send the browser back after sign-in began.
    pub sign_in: Duration,
}

impl Default for PartySessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(15 * 60),
            absolute: Duration::from_secs(2 * 3600),
            sign_in: Duration::from_secs(10 * 60),
        }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// 32 random bytes from the thread's CSPRNG, as 64 hex digits.
fn random_hex() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// 32 random bytes as unpadded base64url (43 characters): the alphabet PKCE verifiers use.
fn random_b64url() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// A sign-in waiting for the provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The `state` sent to the provider (and set in the browser's sign-in cookie).
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier (its S256 challenge goes to the provider).
    pub code_verifier: String,
    /// Where the browser goes once signed in (a path of the hub).
    pub return_to: String,
}

/// Records a new pending sign-in (sweeping expired ones) and returns it.
pub async fn begin_sign_in(
    db: &Db,
    return_to: &str,
    policy: &PartySessionPolicy,
    now: i64,
) -> Result<PendingSignIn, sqlx::Error> {
    sqlx::query("DELETE FROM party_sign_ins WHERE expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    let pending = PendingSignIn {
        state: random_hex(),
        nonce: random_hex(),
        code_verifier: random_b64url(),
        return_to: return_to.to_string(),
    };
    sqlx::query(
        "INSERT INTO party_sign_ins (state_hash, nonce, code_verifier, return_to, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&pending.state))
    .bind(&pending.nonce)
    .bind(&pending.code_verifier)
    .bind(&pending.return_to)
    .bind(now)
    .bind(now.saturating_add(ms(policy.sign_in)))
    .execute(db.pool())
    .await?;
    Ok(pending)
}

/// Takes the pending sign-in of `state`: `None` when unknown, expired or already taken. Two
/// callbacks racing with one state cannot both get it.
pub async fn take_sign_in(
    db: &Db,
    state: &str,
    now: i64,
) -> Result<Option<PendingSignIn>, sqlx::Error> {
    let hash = token_hash(state);
    let Some(row) = sqlx::query(
        "SELECT nonce, code_verifier, return_to, expires_at FROM party_sign_ins \
         WHERE state_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let taken = sqlx::query("DELETE FROM party_sign_ins WHERE state_hash = $1")
        .bind(&hash)
        .execute(db.pool())
        .await?;
    let expires_at: i64 = row.try_get("expires_at")?;
    if taken.rows_affected() != 1 || expires_at <= now {
        return Ok(None);
    }
    Ok(Some(PendingSignIn {
        state: state.to_string(),
        nonce: row.try_get("nonce")?,
        code_verifier: row.try_get("code_verifier")?,
        return_to: row.try_get("return_to")?,
    }))
}

/// Who the identity provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInParty {
    /// The CCCD from the ID token: the key to the party's cases.
    pub cccd: Cccd,
    /// The name from the ID token, if it carries one.
    pub name: Option<String>,
    /// The provider's subject identifier (`sub`).
    pub subject: String,
    /// The provider (`iss`).
    pub issuer: String,
}

/// A session just opened: the token goes to the browser once and is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedPartySession {
    /// The cookie value (64 hex digits).
    pub token: String,
    /// The token the page must echo in `X-CSRF-Token` on unsafe requests.
    pub csrf_token: String,
    /// The absolute end of the session (epoch ms).
    pub expires_at: i64,
}

/// The party behind a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartySession {
    /// Their CCCD.
    pub cccd: Cccd,
    /// Their name as the provider gave it.
    pub name: Option<String>,
    /// The session's CSRF token.
    pub csrf_token: String,
}

/// Opens a session for a party the provider vouched for (sweeping expired sessions).
pub async fn open(
    db: &Db,
    party: &SignedInParty,
    policy: &PartySessionPolicy,
    now: i64,
) -> Result<OpenedPartySession, sqlx::Error> {
    purge_expired(db, policy, now).await?;
    let token = random_hex();
    let csrf_token = random_hex();
    let expires_at = now.saturating_add(ms(policy.absolute));
    sqlx::query(
        "INSERT INTO party_sessions (token_hash, cccd, name, subject, issuer, csrf_token, \
         created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)",
    )
    .bind(token_hash(&token))
    .bind(party.cccd.as_str())
    .bind(party.name.as_deref())
    .bind(&party.subject)
    .bind(&party.issuer)
    .bind(&csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(OpenedPartySession {
        token,
        csrf_token,
        expires_at,
    })
}

/// The party of a live session, refreshing its last use; `None` for an unknown, expired or
/// closed token (an expired one is deleted).
pub async fn resolve(
    db: &Db,
    token: &str,
    policy: &PartySessionPolicy,
    now: i64,
) -> Result<Option<PartySession>, sqlx::Error> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(row) = sqlx::query(
        "SELECT cccd, name, csrf_token, expires_at, last_seen_at FROM party_sessions \
         WHERE token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let expires_at: i64 = row.try_get("expires_at")?;
    let last_seen_at: i64 = row.try_get("last_seen_at")?;
    let cccd: String = row.try_get("cccd")?;
    let live = now < expires_at && now.saturating_sub(last_seen_at) < ms(policy.idle);
    let Some(cccd) = Cccd::parse(&cccd).ok().filter(|_| live) else {
        close(db, token).await?;
        return Ok(None);
    };
    if now > last_seen_at {
        sqlx::query("UPDATE party_sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(&hash)
            .bind(now)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(PartySession {
        cccd,
        name: row.try_get("name")?,
        csrf_token: row.try_get("csrf_token")?,
    }))
}

/// Ends a session (sign-out); whether there was one.
pub async fn close(db: &Db, token: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM party_sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes every session expired at `now`; how many.
pub async fn purge_expired(
    db: &Db,
    policy: &PartySessionPolicy,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM party_sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(now.saturating_sub(ms(policy.idle)))
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const MIN: i64 = 60_000;

    fn party() -> SignedInParty {
        SignedInParty {
            cccd: Cccd::parse("079078001234").unwrap(),
            name: Some("Nguyễn Văn An".into()),
            subject: "sub-1".into(),
            issuer: "https://sso.example.vn".into(),
        }
    }

    #[tokio::test]
    async fn a_pending_sign_in_is_taken_once_and_expires() {
        let (_dir, db) = crate::staff::sessions::test_db().await;
        let p = PartySessionPolicy::default();
        let a = begin_sign_in(&db, "/me/", &p, 0).await.unwrap();
        assert_eq!(a.code_verifier.len(), 43);
        assert_ne!(a.state, a.nonce);
        let taken = take_sign_in(&db, &a.state, MIN).await.unwrap().unwrap();
        assert_eq!(taken, a);
        assert!(take_sign_in(&db, &a.state, MIN).await.unwrap().is_none());
        let b = begin_sign_in(&db, "/me/", &p, 0).await.unwrap();
        assert!(take_sign_in(&db, &b.state, 10 * MIN)
            .await
            .unwrap()
            .is_none());
        assert!(take_sign_in(&db, "unknown", 0).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn sessions_resolve_refresh_expire_and_close() {
        let (_dir, db) = crate::staff::sessions::test_db().await;
        let p = PartySessionPolicy::default();
        let s = open(&db, &party(), &p, 0).await.unwrap();
        let got = resolve(&db, &s.token, &p, 10 * MIN).await.unwrap().unwrap();
        assert_eq!(got.cccd.as_str(), "079078001234");
        assert_eq!(got.csrf_token, s.csrf_token);
        // Used at 10 min, so live at 24 min; idle past 15 minutes, gone.
        assert!(resolve(&db, &s.token, &p, 24 * MIN)
            .await
            .unwrap()
            .is_some());
        assert!(resolve(&db, &s.token, &p, 40 * MIN)
            .await
            .unwrap()
            .is_none());
        assert!(resolve(&db, &s.token, &p, 25 * MIN)
            .await
            .unwrap()
            .is_none());
        // Absolute limit.
        let s = open(&db, &party(), &p, 0).await.unwrap();
        let mut t = 0;
        while t + 10 * MIN < 120 * MIN {
            t += 10 * MIN;
            assert!(resolve(&db, &s.token, &p, t).await.unwrap().is_some());
        }
        assert!(resolve(&db, &s.token, &p, 120 * MIN)
            .await
            .unwrap()
            .is_none());
        // Sign-out; a staff-shaped or unknown token is nobody.
        let s = open(&db, &party(), &p, 0).await.unwrap();
        assert!(close(&db, &s.token).await.unwrap());
        assert!(resolve(&db, &s.token, &p, 1).await.unwrap().is_none());
        assert!(resolve(&db, "short", &p, 1).await.unwrap().is_none());
        assert!(resolve(&db, &random_hex(), &p, 1).await.unwrap().is_none());
    }
}
