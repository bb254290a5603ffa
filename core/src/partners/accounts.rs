//! The THADS deposit accounts each bank holds (`partner_accounts`), so a bank identified by its
//! certificate confirms payments only into accounts it holds. One account belongs to one bank.
//! Accounts are compared in one spelling ([`normalize_account`]): spaces and hyphens dropped,
//! letters upper-cased, as banks write the same number several ways.

use sqlx::Row;

use super::registry::RegistryError;
use super::{PartnerId, PartnerKind};
use crate::db::{now_ms, Db};

/// An account number in the registry's spelling: spaces and hyphens removed, upper case;
/// refused unless 1 to 34 letters and digits (34: the longest IBAN).
pub fn normalize_account(text: &str) -> Result<String, RegistryError> {
    let account: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    if (1..=34).contains(&account.len()) && account.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(account)
    } else {
        Err(RegistryError::Invalid {
            field: "account",
            reason: format!("{text:?} is not an account number: 1 to 34 letters and digits"),
        })
    }
}

/// Records that bank `id` holds `account`. Returns `false` when it already did. Another
/// bank's account is a conflict; only banks hold accounts.
pub async fn add(db: &Db, id: &PartnerId, account: &str) -> Result<bool, RegistryError> {
    if id.kind != PartnerKind::Bank {
        return Err(RegistryError::Invalid {
            field: "account",
            reason: format!("only banks hold accounts; {id} is a {}", id.kind),
        });
    }
    let account = normalize_account(account)?;
    let mut tx = db.begin().await?;
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM partners WHERE partner_id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    match status.as_deref() {
        None => return Err(RegistryError::NotFound(id.to_string())),
        Some("revoked") => return Err(RegistryError::Revoked(id.to_string())),
        Some(_) => {}
    }
    let holder: Option<String> =
        sqlx::query_scalar("SELECT partner_id FROM partner_accounts WHERE account = $1")
            .bind(&account)
            .fetch_optional(&mut *tx)
            .await?;
    match holder {
        Some(h) if h == id.to_string() => return Ok(false),
        Some(h) => {
            return Err(RegistryError::Conflict(format!(
                "account {account} is already held by {h}"
            )))
        }
        None => {}
    }
    sqlx::query("INSERT INTO partner_accounts (account, partner_id, added_at) VALUES ($1, $2, $3)")
        .bind(&account)
        .bind(id.to_string())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes `account` from bank `id`.
pub async fn remove(db: &Db, id: &PartnerId, account: &str) -> Result<(), RegistryError> {
    let account = normalize_account(account)?;
    let removed =
        sqlx::query("DELETE FROM partner_accounts WHERE account = $1 AND partner_id = $2")
            .bind(&account)
            .bind(id.to_string())
            .execute(db.pool())
            .await?
            .rows_affected();
    if removed == 0 {
        return Err(RegistryError::NotFound(format!(
            "account {account} of {id}"
        )));
    }
    Ok(())
}

/// The accounts `id` holds, sorted.
pub async fn of_partner(db: &Db, id: &PartnerId) -> Result<Vec<String>, RegistryError> {
    Ok(sqlx::query_scalar(
        "SELECT account FROM partner_accounts WHERE partner_id = $1 ORDER BY account",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// Every account with its bank, by bank then account.
pub async fn list(db: &Db) -> Result<Vec<(String, String)>, RegistryError> {
    let rows = sqlx::query(
        "SELECT partner_id, account FROM partner_accounts ORDER BY partner_id, account",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("partner_id")?, r.try_get("account")?)))
        .collect()
}

/// The first of `accounts` that `held` (normalized) does not contain, as written; `None`
/// when the bank holds every one.
pub fn first_not_held<'a>(
    held: &[String],
    accounts: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    accounts.into_iter().find(|a| {
        normalize_account(a)
            .map(|n| !held.contains(&n))
            .unwrap_or(true)
    })
}
