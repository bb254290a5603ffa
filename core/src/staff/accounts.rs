//! Staff accounts (`staff_accounts`) and sign-in: creating and listing accounts, changing
//! passwords, disabling, and [`authenticate`] with its lock-out after repeated failures. Every
//! sign-in attempt is recorded in `staff_signins`, whatever its outcome.

use std::time::Duration;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thads_schemas::office::OfficeCode;

use super::password::{self, PasswordError};
use super::{sessions, Actor, Role};
use crate::db::Db;

/// How many sign-in failures in a row lock an account, and for how long. Failures of unknown
/// usernames are counted too (from the audit table), so a lock-out does not reveal which
/// usernames exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures that lock the account (at least 1).
    pub attempts: u32,
    /// How long the account stays locked.
    pub period: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            period: Duration::from_secs(15 * 60),
        }
    }
}

impl LockoutPolicy {
    fn period_ms(&self) -> i64 {
        i64::try_from(self.period.as_millis()).unwrap_or(i64::MAX)
    }

    fn attempts(&self) -> i64 {
        i64::from(self.attempts.max(1))
    }
}

/// A staff account as administrators see it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Sign-in name.
    pub username: String,
    /// Full name (NFC).
    pub display_name: String,
    /// The role.
    pub role: Role,
    /// The office.
    pub office: OfficeCode,
    /// Where the daily deadline digest is sent; none means no digest.
    pub email: Option<String>,
    /// Whether sign-in is refused and sessions are closed.
    pub disabled: bool,
    /// Failures since the last success or lock.
    pub failed_attempts: i64,
    /// Locked until then (epoch ms), when locked.
    pub locked_until: Option<i64>,
    /// Created (epoch ms).
    pub created_at: i64,
    /// Last changed by an administrator (epoch ms).
    pub updated_at: i64,
}

impl Account {
    /// The signed-in actor this account acts as.
    pub fn actor(&self) -> Actor {
        Actor {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            office: self.office.clone(),
        }
    }

    /// Whether the account is locked at `now` (epoch ms).
    pub fn is_locked(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

/// What an administrator gives to create an account; [`create`] validates each field.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// `[a-z0-9._-]{3,32}`.
    pub username: String,
    /// Full name; stored NFC with whitespace collapsed.
    pub display_name: String,
    /// A role name (`administrator`, `head`, `officer`, `clerk`).
    pub role: String,
    /// An office code (`CUC`, `HCM`, `HCM-KV01`, ...).
    pub office: String,
    /// The initial password, checked against the policy.
    pub password: String,
    /// E-mail address for the daily deadline digest, if any.
    pub email: Option<String>,
}

/// Why an account operation failed; field errors name the field.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A field is not valid.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The password does not meet the policy.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The username is taken.
    #[error("username: the account {0:?} already exists")]
    Exists(String),
    /// No account with that username.
    #[error("no staff account {0:?}")]
    NotFound(String),
    /// A stored row no longer parses (edited by hand?).
    #[error("stored staff account is corrupt: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
}

/// Why a sign-in was refused. Unknown usernames and wrong passwords give the same
/// [`SignInError::InvalidCredentials`], so answers do not reveal which usernames exist.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown username or wrong password.
    #[error("wrong username or password")]
    InvalidCredentials,
    /// Too many failures in a row: refused, even with the right password, until `until`.
    #[error(
        "too many failed sign-in attempts: sign-in is locked until {} (UTC); try again later or ask an administrator",
        crate::db::rfc3339(*until)
    )]
    Locked {
        /// End of the lock (epoch ms).
        until: i64,
    },
    /// The right password, but an administrator disabled the account.
    #[error("this account is disabled; ask an administrator")]
    Disabled,
    /// A stored row no longer parses.
    #[error("stored staff account is corrupt: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
}

/// Checks an e-mail address (a mailbox `local@domain`, no display name) and returns it
/// trimmed.
pub fn validate_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim();
    let invalid = |reason: &str| AccountError::Invalid {
        field: "email",
        reason: format!("{email:?} {reason}"),
    };
    let Some((local, domain)) = email.split_once('@') else {
        return Err(invalid("has no '@'"));
    };
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(invalid("is not of the form name@domain"));
    }
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("contains spaces or is too long"));
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(invalid("has no valid domain"));
    }
    Ok(email.to_string())
}

/// Sets or clears an account's e-mail address.
pub async fn set_email(
    db: &Db,
    username: &str,
    email: Option<&str>,
    now: i64,
) -> Result<(), AccountError> {
    let email = email.map(validate_email).transpose()?;
    let n =
        sqlx::query("UPDATE staff_accounts SET email = $2, updated_at = $3 WHERE username = $1")
            .bind(username)
            .bind(email.as_deref())
            .bind(now)
            .execute(db.pool())
            .await?
            .rows_affected();
    if n == 0 {
        return Err(AccountError::NotFound(username.to_string()));
    }
    Ok(())
}

/// Checks a username: 3 to 32 of `a-z`, `0-9`, `.`, `_`, `-`.
pub fn validate_username(username: &str) -> Result<(), AccountError> {
    let invalid = |reason: String| AccountError::Invalid {
        field: "username",
        reason,
    };
    let found = username.chars().count();
    if !(3..=32).contains(&found) {
        return Err(invalid(format!(
            "must be 3 to 32 characters long (got {found})"
        )));
    }
    if let Some(c) = username
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')))
    {
        return Err(invalid(format!(
            "may contain only a-z, 0-9, '.', '_' and '-' (found {c:?})"
        )));
    }
    Ok(())
}

fn parse_role(role: &str) -> Result<Role, AccountError> {
    Role::parse(role).ok_or_else(|| AccountError::Invalid {
        field: "role",
        reason: format!(
            "{role:?} is not a role; use one of {}",
            Role::ALL.map(Role::as_str).join(", ")
        ),
    })
}

fn parse_office(office: &str) -> Result<OfficeCode, AccountError> {
    OfficeCode::parse(office).map_err(|e| AccountError::Invalid {
        field: "office",
        reason: format!("{office:?} is not an office code: {e}"),
    })
}

/// Hashes off the async threads: argon2 takes tens of milliseconds of CPU.
async fn hash_blocking(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .unwrap_or_else(|e| Err(PasswordError::Hash(e.to_string())))
}

async fn verify_blocking(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => password::verify(&password, &stored),
        None => {
            password::dummy_verify(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

const COLUMNS: &str =
    "username, display_name, role, office_code, email, disabled, failed_attempts, \
                       locked_until, created_at, updated_at";

fn account_from_row(row: &AnyRow) -> Result<Account, AccountError> {
    let username: String = row.try_get("username")?;
    let role: String = row.try_get("role")?;
    let office: String = row.try_get("office_code")?;
    let role = Role::parse(&role)
        .ok_or_else(|| AccountError::Corrupt(format!("{username}: unknown role {role:?}")))?;
    let office = OfficeCode::parse(&office)
        .map_err(|e| AccountError::Corrupt(format!("{username}: office {office:?}: {e}")))?;
    Ok(Account {
        display_name: row.try_get("display_name")?,
        role,
        office,
        email: row.try_get("email")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        failed_attempts: row.try_get("failed_attempts")?,
        locked_until: row.try_get("locked_until")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        username,
    })
}

/// Creates an account after validating every field (username, display name, role, office,
/// password policy). No account is ever created implicitly: the first administrator is made
/// with `thads-hub staff add`.
pub async fn create(db: &Db, new: &NewAccount, now: i64) -> Result<Account, AccountError> {
    validate_username(&new.username)?;
    let display_name = thads_schemas::text::nfc(&new.display_name);
    let name_chars = display_name.chars().count();
    if name_chars == 0 || name_chars > 200 {
        return Err(AccountError::Invalid {
            field: "display_name",
            reason: format!("must be 1 to 200 characters long (got {name_chars})"),
        });
    }
    if display_name.chars().any(char::is_control) {
        return Err(AccountError::Invalid {
            field: "display_name",
            reason: "must not contain control characters".into(),
        });
    }
    let role = parse_role(&new.role)?;
    let office = parse_office(&new.office)?;
    let email = new.email.as_deref().map(validate_email).transpose()?;
    password::check_policy(&new.password)?;
    if get(db, &new.username).await?.is_some() {
        return Err(AccountError::Exists(new.username.clone()));
    }
    let hash = hash_blocking(new.password.clone()).await?;
    let inserted = sqlx::query(
        "INSERT INTO staff_accounts (username, display_name, role, office_code, password_hash, \
         disabled, failed_attempts, locked_until, created_at, updated_at, email) \
         VALUES ($1, $2, $3, $4, $5, 0, 0, NULL, $6, $6, $7) ON CONFLICT (username) DO NOTHING",
    )
    .bind(&new.username)
    .bind(&display_name)
    .bind(role.as_str())
    .bind(office.as_str())
    .bind(&hash)
    .bind(now)
    .bind(email.as_deref())
    .execute(db.pool())
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AccountError::Exists(new.username.clone()));
    }
    Ok(Account {
        username: new.username.clone(),
        display_name,
        role,
        office,
        email,
        disabled: false,
        failed_attempts: 0,
        locked_until: None,
        created_at: now,
        updated_at: now,
    })
}

/// One account, if it exists.
pub async fn get(db: &Db, username: &str) -> Result<Option<Account>, AccountError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM staff_accounts WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(account_from_row).transpose()
}

/// Every account, or those of one office, ordered by office then username.
pub async fn list(db: &Db, office: Option<&OfficeCode>) -> Result<Vec<Account>, AccountError> {
    let rows = match office {
        Some(office) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM staff_accounts WHERE office_code = $1 \
                 ORDER BY office_code, username"
            ))
            .bind(office.as_str())
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM staff_accounts ORDER BY office_code, username"
            ))
            .fetch_all(db.pool())
            .await?
        }
    };
    rows.iter().map(account_from_row).collect()
}

/// How many accounts exist, so a hub without any can say how to create the first.
pub async fn count(db: &Db) -> Result<i64, AccountError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM staff_accounts")
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get("n")?)
}

/// Sets a new password (policy checked), clears any lock-out and closes the account's
/// sessions, since a password change usually answers a suspected compromise.
pub async fn set_password(
    db: &Db,
    username: &str,
    new_password: &str,
    now: i64,
) -> Result<(), AccountError> {
    password::check_policy(new_password)?;
    if get(db, username).await?.is_none() {
        return Err(AccountError::NotFound(username.to_string()));
    }
    let hash = hash_blocking(new_password.to_string()).await?;
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE staff_accounts SET password_hash = $2, failed_attempts = 0, locked_until = NULL, \
         updated_at = $3 WHERE username = $1",
    )
    .bind(username)
    .bind(&hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AccountError::NotFound(username.to_string()));
    }
    sessions::close_all_in(&mut tx, username).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account: sign-in is refused and its open sessions are closed at once.
pub async fn disable(db: &Db, username: &str, now: i64) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    let updated =
        sqlx::query("UPDATE staff_accounts SET disabled = 1, updated_at = $2 WHERE username = $1")
            .bind(username)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    if updated.rows_affected() == 0 {
        return Err(AccountError::NotFound(username.to_string()));
    }
    sessions::close_all_in(&mut tx, username).await?;
    tx.commit().await?;
    Ok(())
}

/// Enables an account again, clearing any lock-out (an administrator vouched for it).
pub async fn enable(db: &Db, username: &str, now: i64) -> Result<(), AccountError> {
    let updated = sqlx::query(
        "UPDATE staff_accounts SET disabled = 0, failed_attempts = 0, locked_until = NULL, \
         updated_at = $2 WHERE username = $1",
    )
    .bind(username)
    .bind(now)
    .execute(db.pool())
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AccountError::NotFound(username.to_string()));
    }
    Ok(())
}

/// The outcome of one sign-in attempt as `staff_signins` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    /// Signed in.
    Ok,
    /// Known user, wrong password.
    WrongPassword,
    /// No such user.
    UnknownUser,
    /// Refused because the account (or the unknown name) is locked.
    Locked,
    /// Right password, disabled account.
    Disabled,
}

impl SignInOutcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::WrongPassword => "wrong_password",
            Self::UnknownUser => "unknown_user",
            Self::Locked => "locked",
            Self::Disabled => "disabled",
        }
    }
}

/// One row of the sign-in audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignInRecord {
    /// The username as tried (normalised, truncated).
    pub username: String,
    /// When (epoch ms).
    pub at: i64,
    /// `ok`, `wrong_password`, `unknown_user`, `locked` or `disabled`.
    pub outcome: String,
    /// The client address, when known.
    pub remote: Option<String>,
}

/// The most recent sign-in attempts for `username`, newest first, for audit and support.
pub async fn recent_signins(
    db: &Db,
    username: &str,
    limit: i64,
) -> Result<Vec<SignInRecord>, AccountError> {
    let rows = sqlx::query(
        "SELECT username, at, outcome, remote FROM staff_signins WHERE username = $1 \
         ORDER BY at DESC, seq DESC LIMIT $2",
    )
    .bind(username)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SignInRecord {
                username: r.try_get("username")?,
                at: r.try_get("at")?,
                outcome: r.try_get("outcome")?,
                remote: r.try_get("remote")?,
            })
        })
        .collect()
}

async fn record(
    db: &Db,
    username: &str,
    outcome: SignInOutcome,
    remote: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let remote = remote.map(|r| truncate(r, 128));
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO staff_signins (username, at, outcome, remote) VALUES ($1, $2, $3, $4)",
    )
    .bind(username)
    .bind(now)
    .bind(outcome.as_str())
    .bind(remote.as_deref())
    .execute(&mut *tx)
    .await?;
    crate::audit::record(
        &mut tx,
        &crate::audit::Act {
            actor: username,
            action: &format!("staff.sign_in.{}", outcome.as_str()),
            subject: username,
            detail: &format!(
                "sign-in {} from {}",
                outcome.as_str(),
                remote.as_deref().unwrap_or("an unknown address")
            ),
            content_hash: None,
        },
    )
    .await?;
    tx.commit().await
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

/// The username as looked up: trimmed and lowercased (usernames are lowercase), cut to a
/// length that keeps junk out of the audit table.
pub fn normalize_username(typed: &str) -> String {
    truncate(&typed.trim().to_lowercase(), 64)
}

/// Whether an unknown username is locked at `now`, from its recent failures in the audit
/// table; returns the end of the lock. Unknown names lock like accounts so a lock-out message
/// does not tell an attacker that a username exists.
async fn unknown_name_lock(
    db: &Db,
    policy: &LockoutPolicy,
    username: &str,
    now: i64,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MAX(at) AS newest FROM staff_signins \
         WHERE username = $1 AND outcome = $2 AND at > $3",
    )
    .bind(username)
    .bind(SignInOutcome::UnknownUser.as_str())
    .bind(now.saturating_sub(policy.period_ms()))
    .fetch_one(db.pool())
    .await?;
    let failures: i64 = row.try_get("n")?;
    let newest: Option<i64> = row.try_get("newest")?;
    let locked = match newest {
        Some(newest) if failures >= policy.attempts() => Some(newest + policy.period_ms()),
        _ => None,
    };
    Ok((failures, locked))
}

/// Counts one failure against an account and locks it when the failures reach the policy's
/// limit (the counter starts again after a lock); returns the end of the lock if this failure
/// caused one.
async fn register_failure(
    db: &Db,
    policy: &LockoutPolicy,
    username: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let until = now.saturating_add(policy.period_ms());
    let row = sqlx::query(
        "UPDATE staff_accounts SET \
         locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE locked_until END, \
         failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END \
         WHERE username = $1 RETURNING locked_until",
    )
    .bind(username)
    .bind(policy.attempts())
    .bind(until)
    .fetch_optional(db.pool())
    .await?;
    let locked_until: Option<i64> = match row {
        Some(r) => r.try_get("locked_until")?,
        None => None,
    };
    Ok(locked_until.filter(|t| *t == until))
}

/// Signs a person in: checks the password against the stored hash and applies the lock-out.
/// Unknown usernames and wrong passwords give the same error and take the same time (a dummy
/// hash is verified), and both count towards a lock-out. A locked account is refused even
/// with the right password; a success clears the failure count. Every attempt is recorded in
/// `staff_signins` with `remote` (the client address) when known.
pub async fn authenticate(
    db: &Db,
    policy: &LockoutPolicy,
    username: &str,
    password: &str,
    remote: Option<&str>,
    now: i64,
) -> Result<Actor, SignInError> {
    let username = normalize_username(username);
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, password_hash FROM staff_accounts WHERE username = $1"
    ))
    .bind(&username)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        let (failures, locked) = unknown_name_lock(db, policy, &username, now).await?;
        verify_blocking(password.to_string(), None).await;
        if let Some(until) = locked {
            record(db, &username, SignInOutcome::Locked, remote, now).await?;
            return Err(SignInError::Locked { until });
        }
        record(db, &username, SignInOutcome::UnknownUser, remote, now).await?;
        if failures + 1 >= policy.attempts() {
            return Err(SignInError::Locked {
                until: now.saturating_add(policy.period_ms()),
            });
        }
        return Err(SignInError::InvalidCredentials);
    };
    let account = account_from_row(&row).map_err(|e| match e {
        AccountError::Sql(e) => SignInError::Sql(e),
        other => SignInError::Corrupt(other.to_string()),
    })?;
    let stored: String = row.try_get("password_hash")?;
    if let Some(until) = account.locked_until.filter(|_| account.is_locked(now)) {
        verify_blocking(password.to_string(), None).await;
        record(db, &username, SignInOutcome::Locked, remote, now).await?;
        return Err(SignInError::Locked { until });
    }
    if !verify_blocking(password.to_string(), Some(stored)).await {
        let locked = register_failure(db, policy, &username, now).await?;
        record(db, &username, SignInOutcome::WrongPassword, remote, now).await?;
        return Err(match locked {
            Some(until) => SignInError::Locked { until },
            None => SignInError::InvalidCredentials,
        });
    }
    if account.disabled {
        record(db, &username, SignInOutcome::Disabled, remote, now).await?;
        return Err(SignInError::Disabled);
    }
    sqlx::query(
        "UPDATE staff_accounts SET failed_attempts = 0, locked_until = NULL WHERE username = $1",
    )
    .bind(&username)
    .execute(db.pool())
    .await?;
    record(db, &username, SignInOutcome::Ok, remote, now).await?;
    Ok(account.actor())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::staff::sessions::test_db;

    const MIN: i64 = 60_000;

    fn new(username: &str, role: &str, office: &str) -> NewAccount {
        NewAccount {
            username: username.into(),
            display_name: "  Nguyễn   Văn An ".into(),
            role: role.into(),
            office: office.into(),
            password: "mật khẩu rất dài".into(),
            email: None,
        }
    }

    #[test]
    fn email_addresses_are_checked() {
        assert_eq!(
            validate_email(" an@thads.gov.vn ").unwrap(),
            "an@thads.gov.vn"
        );
        for bad in [
            "an",
            "@thads.gov.vn",
            "an@",
            "an@localhost",
            "a n@x.vn",
            "a@b@c.vn",
        ] {
            let e = validate_email(bad).unwrap_err();
            assert!(
                matches!(e, AccountError::Invalid { field: "email", .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn usernames_are_checked() {
        assert!(validate_username("an.nguyen_01-x").is_ok());
        for bad in ["ab", "An", "an nguyen", "añ", &"a".repeat(33)] {
            let e = validate_username(bad).unwrap_err();
            assert!(e.to_string().starts_with("username:"), "{bad}: {e}");
        }
    }

    #[tokio::test]
    async fn create_validates_each_field_and_refuses_duplicates() {
        let (_dir, db) = test_db().await;
        let a = create(&db, &new("an", "officer", "HCM-KV01"), 1).await;
        assert!(matches!(
            a,
            Err(AccountError::Invalid {
                field: "username",
                ..
            })
        ));
        let e = create(&db, &new("an.nguyen", "boss", "HCM-KV01"), 1)
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("role:"), "{e}");
        let e = create(&db, &new("an.nguyen", "officer", "hcm"), 1)
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("office:"), "{e}");
        let mut short = new("an.nguyen", "officer", "HCM-KV01");
        short.password = "short".into();
        let e = create(&db, &short, 1).await.unwrap_err();
        assert!(e.to_string().starts_with("password:"), "{e}");

        // Decomposed input is stored composed, whitespace collapsed.
        let mut decomposed = new("an.nguyen", "officer", "HCM-KV01");
        decomposed.display_name = "Nguye\u{302}\u{303}n Va\u{306}n An".into();
        let a = create(&db, &decomposed, 1).await.unwrap();
        assert_eq!(a.display_name, "Nguyễn Văn An");
        assert_eq!(get(&db, "an.nguyen").await.unwrap().unwrap(), a);
        assert!(matches!(
            create(&db, &new("an.nguyen", "clerk", "HCM"), 2).await,
            Err(AccountError::Exists(_))
        ));
        create(&db, &new("binh", "head", "HNI"), 3).await.unwrap();
        assert_eq!(count(&db).await.unwrap(), 2);
        let hcm = OfficeCode::parse("HCM-KV01").unwrap();
        let only = list(&db, Some(&hcm)).await.unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].username, "an.nguyen");
        assert_eq!(list(&db, None).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn lockout_counts_failures_locks_and_expires() {
        let (_dir, db) = test_db().await;
        let policy = LockoutPolicy {
            attempts: 3,
            period: Duration::from_secs(15 * 60),
        };
        create(&db, &new("chi", "clerk", "HCM"), 0).await.unwrap();
        let good = "mật khẩu rất dài";
        let t0 = 1_000 * MIN;
        // A success resets the counter: two failures, a success, two failures: no lock.
        for t in [t0, t0 + 1] {
            let e = authenticate(&db, &policy, "chi", "wrong-password", None, t).await;
            assert!(matches!(e, Err(SignInError::InvalidCredentials)));
        }
        let actor = authenticate(&db, &policy, " Chi ", good, Some("10.0.0.1"), t0 + 2)
            .await
            .unwrap();
        assert_eq!(actor.role, Role::Clerk);
        for t in [t0 + 3, t0 + 4] {
            assert!(matches!(
                authenticate(&db, &policy, "chi", "wrong-password", None, t).await,
                Err(SignInError::InvalidCredentials)
            ));
        }
        // The third failure in a row locks, and the lock refuses the right password.
        let e = authenticate(&db, &policy, "chi", "wrong-password", None, t0 + 5)
            .await
            .unwrap_err();
        let SignInError::Locked { until } = e else {
            panic!("{e:?}")
        };
        assert_eq!(until, t0 + 5 + 15 * MIN);
        let e = authenticate(&db, &policy, "chi", good, None, t0 + 10 * MIN)
            .await
            .unwrap_err();
        assert!(matches!(e, SignInError::Locked { until: u } if u == until));
        assert!(e.to_string().contains("locked until"), "{e}");
        // After the period the right password works again.
        authenticate(&db, &policy, "chi", good, None, until + 1)
            .await
            .unwrap();
        let account = get(&db, "chi").await.unwrap().unwrap();
        assert_eq!(account.failed_attempts, 0);
        assert_eq!(account.locked_until, None);

        let audit = recent_signins(&db, "chi", 20).await.unwrap();
        assert_eq!(audit.len(), 8);
        assert_eq!(audit[0].outcome, "ok");
        assert_eq!(audit[1].outcome, "locked");
        assert!(audit
            .iter()
            .any(|r| r.remote.as_deref() == Some("10.0.0.1")));
    }

    #[tokio::test]
    async fn unknown_users_look_like_wrong_passwords_and_lock_too() {
        let (_dir, db) = test_db().await;
        let policy = LockoutPolicy {
            attempts: 2,
            period: Duration::from_secs(60),
        };
        let e = authenticate(&db, &policy, "ghost", "whatever-it-is", None, 0)
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), SignInError::InvalidCredentials.to_string());
        assert!(matches!(
            authenticate(&db, &policy, "ghost", "whatever-it-is", None, 10).await,
            Err(SignInError::Locked { until: 60_010 })
        ));
        assert!(matches!(
            authenticate(&db, &policy, "ghost", "whatever-it-is", None, 20).await,
            Err(SignInError::Locked { until: 60_010 })
        ));
        assert!(matches!(
            authenticate(&db, &policy, "ghost", "whatever-it-is", None, 70_011).await,
            Err(SignInError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn disabled_accounts_and_password_changes() {
        let (_dir, db) = test_db().await;
        let policy = LockoutPolicy::default();
        create(&db, &new("dung", "head", "HNI"), 0).await.unwrap();
        disable(&db, "dung", 1).await.unwrap();
        assert!(get(&db, "dung").await.unwrap().unwrap().disabled);
        // Wrong password on a disabled account: the usual answer; right one: "disabled".
        assert!(matches!(
            authenticate(&db, &policy, "dung", "not-the-password", None, 2).await,
            Err(SignInError::InvalidCredentials)
        ));
        assert!(matches!(
            authenticate(&db, &policy, "dung", "mật khẩu rất dài", None, 3).await,
            Err(SignInError::Disabled)
        ));
        enable(&db, "dung", 4).await.unwrap();
        set_password(&db, "dung", "another long one", 5)
            .await
            .unwrap();
        assert!(
            authenticate(&db, &policy, "dung", "mật khẩu rất dài", None, 6)
                .await
                .is_err()
        );
        authenticate(&db, &policy, "dung", "another long one", None, 7)
            .await
            .unwrap();
        assert!(matches!(
            set_password(&db, "dung", "short", 8).await,
            Err(AccountError::Password(_))
        ));
        assert!(matches!(
            set_password(&db, "nobody", "long enough pw", 8).await,
            Err(AccountError::NotFound(_))
        ));
        assert!(matches!(
            disable(&db, "nobody", 8).await,
            Err(AccountError::NotFound(_))
        ));
    }
}
