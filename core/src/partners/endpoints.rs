//! Partners' endpoint settings as the connectors use them: the configuration file gives each
//! outbound partner its URL and time limit (`[vneid]`, `[court.endpoints.X]`, `[bank]
//! orders_endpoint`, `[treasury]`, `[registries.*]`); an administrator may change them from the
//! console without a restart. Each change is a new version in `partner_endpoint_versions`
//! (who, when, why), the newest is in force, and any earlier one can be restored (as a new
//! version, so the history only grows). Version 1 of a partner is always the configuration
//! file's settings as they were when the partner was first changed, so "restore version 1"
//! goes back to the file.
//!
//! Secrets never live here: tokens and certificates stay in files. The connectors read an
//! [`Overlay`] at each call; every hub process refreshes it from the database every few
//! seconds (and at once after a change it made itself).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Serialize;
use sqlx::Row;
use tokio_util::sync::CancellationToken;

use crate::db::{now_ms, rfc3339, Db};

/// The longest time limit a partner call may be given.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(300);

/// Where and how long the hub calls one partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointSettings {
    /// The URL, with the same meaning as the configuration key it overrides (VNeID's and the
    /// databases' base URL; a court's, bank's or the Treasury's full URL).
    pub url: String,
    /// Time limit of one call, in milliseconds.
    pub timeout_ms: u64,
}

impl EndpointSettings {
    /// Settings from a URL and a time limit.
    pub fn new(url: impl Into<String>, timeout: Duration) -> Self {
        Self {
            url: url.into(),
            timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// The time limit.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// Checks the URL (http or https with a host) and the time limit; the error names the
    /// field.
    pub fn validate(&self) -> Result<(), EndpointError> {
        let url = url::Url::parse(self.url.trim()).map_err(|e| EndpointError::Invalid {
            field: "/url",
            reason: format!("not a URL: {e}"),
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(EndpointError::Invalid {
                field: "/url",
                reason: "must be an http:// or https:// URL with a host".into(),
            });
        }
        if self.timeout_ms == 0 || self.timeout() > MAX_TIMEOUT {
            return Err(EndpointError::Invalid {
                field: "/timeout_ms",
                reason: format!("must be 1 to {} milliseconds", MAX_TIMEOUT.as_millis()),
            });
        }
        Ok(())
    }
}

/// One stored version of a partner's settings.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// The partner (`vneid`, `court:TAND79-KV1`, ...).
    pub partner: String,
    /// 1, 2, ...
    pub version: i64,
    /// The settings of this version.
    #[serde(flatten)]
    pub settings: EndpointSettings,
    /// `file` (the configuration file's), `console` (changed) or `restore`.
    pub source: String,
    /// The version this one restored.
    pub restored_from: Option<i64>,
    /// Who made it.
    pub changed_by: String,
    /// When (RFC 3339).
    pub changed_at: String,
    /// Why, in the administrator's words.
    pub note: Option<String>,
}

/// Why a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// A value is not usable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The JSON Pointer of the field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// No such version of the partner.
    #[error("partner {partner} has no version {version}")]
    NoVersion {
        /// The partner.
        partner: String,
        /// The version asked for.
        version: i64,
    },
    /// Another change was stored at the same moment.
    #[error("another change of {0} was stored at the same time; look again and retry")]
    Conflict(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The settings in force for partners changed from the console, shared by every connector of
/// one process. Empty (the configuration file rules) until [`Overlay::refresh`] has read the
/// database.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    inner: Arc<RwLock<BTreeMap<String, EndpointSettings>>>,
}

impl Overlay {
    /// The overlay's settings of `partner`, if it was changed from the console.
    pub fn get(&self, partner: &str) -> Option<EndpointSettings> {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(partner)
            .cloned()
    }

    /// The URL to call `partner` at: the overlay's, else `configured`.
    pub fn url_or(&self, partner: &str, configured: &str) -> String {
        self.get(partner)
            .map(|s| s.url)
            .unwrap_or_else(|| configured.to_string())
    }

    /// The time limit of a call to `partner`: the overlay's, else `configured`.
    pub fn timeout_or(&self, partner: &str, configured: Duration) -> Duration {
        self.get(partner).map(|s| s.timeout()).unwrap_or(configured)
    }

    /// Reads the newest version of every partner from the database.
    pub async fn refresh(&self, db: &Db) -> Result<(), sqlx::Error> {
        let rows = sqlx::query(
            "SELECT v.partner, v.url, v.timeout_ms FROM partner_endpoint_versions v \
             WHERE v.version = (SELECT MAX(w.version) FROM partner_endpoint_versions w \
             WHERE w.partner = v.partner)",
        )
        .fetch_all(db.pool())
        .await?;
        let mut map = BTreeMap::new();
        for r in &rows {
            let timeout_ms: i64 = r.try_get("timeout_ms")?;
            map.insert(
                r.try_get::<String, _>("partner")?,
                EndpointSettings {
                    url: r.try_get("url")?,
                    timeout_ms: u64::try_from(timeout_ms).unwrap_or(0),
                },
            );
        }
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if *inner != map {
            tracing::info!(
                partners = map.len(),
                "partner endpoint settings changed from the console are in force"
            );
            *inner = map;
        }
        Ok(())
    }

    /// Refreshes every `every` until `shutdown`, so a change made on another hub process
    /// reaches this one.
    pub async fn run(self, db: Db, every: Duration, shutdown: CancellationToken) {
        loop {
            if let Err(e) = self.refresh(&db).await {
                tracing::warn!(error = %e, "cannot read partner endpoint settings; keeping the last ones");
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
        }
    }
}

const COLUMNS: &str =
    "partner, version, url, timeout_ms, source, restored_from, changed_by, changed_at, note";

fn version_of(r: &sqlx::any::AnyRow) -> Result<Version, sqlx::Error> {
    let timeout_ms: i64 = r.try_get("timeout_ms")?;
    Ok(Version {
        partner: r.try_get("partner")?,
        version: r.try_get("version")?,
        settings: EndpointSettings {
            url: r.try_get("url")?,
            timeout_ms: u64::try_from(timeout_ms).unwrap_or(0),
        },
        source: r.try_get("source")?,
        restored_from: r.try_get("restored_from")?,
        changed_by: r.try_get("changed_by")?,
        changed_at: rfc3339(r.try_get("changed_at")?),
        note: r.try_get("note")?,
    })
}

/// Every version of `partner`, newest first.
pub async fn versions(db: &Db, partner: &str) -> Result<Vec<Version>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM partner_endpoint_versions WHERE partner = $1 ORDER BY version DESC"
    ))
    .bind(partner)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(version_of)
    .collect()
}

/// What a new version says and why.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// The partner.
    pub partner: &'a str,
    /// The administrator.
    pub actor: &'a str,
    /// The configuration file's settings of the partner (stored as version 1 the first time).
    pub file: Option<&'a EndpointSettings>,
    /// Why.
    pub note: Option<&'a str>,
}

/// Stores `settings` as the partner's newest version (audited) and refreshes `overlay`.
pub async fn change(
    db: &Db,
    overlay: &Overlay,
    c: &Change<'_>,
    settings: &EndpointSettings,
) -> Result<Version, EndpointError> {
    settings.validate()?;
    let settings = EndpointSettings {
        url: settings.url.trim().to_string(),
        timeout_ms: settings.timeout_ms,
    };
    store(db, overlay, c, &settings, "console", None).await
}

/// Stores version `version` of the partner again as its newest (audited) and refreshes
/// `overlay`.
pub async fn restore(
    db: &Db,
    overlay: &Overlay,
    c: &Change<'_>,
    version: i64,
) -> Result<Version, EndpointError> {
    let old = versions(db, c.partner)
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(|| EndpointError::NoVersion {
            partner: c.partner.to_string(),
            version,
        })?;
    store(db, overlay, c, &old.settings, "restore", Some(version)).await
}

async fn store(
    db: &Db,
    overlay: &Overlay,
    c: &Change<'_>,
    settings: &EndpointSettings,
    source: &str,
    restored_from: Option<i64>,
) -> Result<Version, EndpointError> {
    let note = c.note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(EndpointError::Invalid {
            field: "/note",
            reason: "at most 500 characters".into(),
        });
    }
    let now = now_ms();
    let mut tx = db.begin().await?;
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM partner_endpoint_versions WHERE partner = $1")
            .bind(c.partner)
            .fetch_one(&mut *tx)
            .await?;
    let mut next = last.unwrap_or(0) + 1;
    let insert = "INSERT INTO partner_endpoint_versions (partner, version, url, timeout_ms, \
                  source, restored_from, changed_by, changed_at, note) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    let conflict = |e: sqlx::Error| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            EndpointError::Conflict(c.partner.to_string())
        }
        _ => EndpointError::Db(e),
    };
    if let (None, Some(file)) = (last, c.file) {
        sqlx::query(insert)
            .bind(c.partner)
            .bind(1_i64)
            .bind(&file.url)
            .bind(i64::try_from(file.timeout_ms).unwrap_or(i64::MAX))
            .bind("file")
            .bind(None::<i64>)
            .bind(c.actor)
            .bind(now)
            .bind("the configuration file's settings, kept before the first change")
            .execute(&mut *tx)
            .await
            .map_err(conflict)?;
        next = 2;
    }
    sqlx::query(insert)
        .bind(c.partner)
        .bind(next)
        .bind(&settings.url)
        .bind(i64::try_from(settings.timeout_ms).unwrap_or(i64::MAX))
        .bind(source)
        .bind(restored_from)
        .bind(c.actor)
        .bind(now)
        .bind(note)
        .execute(&mut *tx)
        .await
        .map_err(conflict)?;
    let detail = match restored_from {
        Some(v) => format!("version {next} restores version {v}: {}", settings.url),
        None => format!(
            "version {next}: {} with a {} ms time limit",
            settings.url, settings.timeout_ms
        ),
    };
    crate::audit::record(
        &mut tx,
        &crate::audit::Act {
            actor: c.actor,
            action: "admin.partner_endpoint",
            subject: c.partner,
            detail: &detail,
            content_hash: None,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::warn!(partner = %c.partner, version = next, admin = %c.actor, "partner endpoint settings changed");
    overlay.refresh(db).await?;
    Ok(Version {
        partner: c.partner.to_string(),
        version: next,
        settings: settings.clone(),
        source: source.to_string(),
        restored_from,
        changed_by: c.actor.to_string(),
        changed_at: rfc3339(now),
        note: note.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        let ok = EndpointSettings::new("https://vneid.example/api", Duration::from_secs(5));
        assert!(ok.validate().is_ok());
        let e = EndpointSettings::new("ftp://x", Duration::from_secs(5))
            .validate()
            .unwrap_err();
        assert!(
            matches!(e, EndpointError::Invalid { field: "/url", .. }),
            "{e}"
        );
        let e = EndpointSettings::new("not a url", Duration::from_secs(5))
            .validate()
            .unwrap_err();
        assert!(
            matches!(e, EndpointError::Invalid { field: "/url", .. }),
            "{e}"
        );
        let e = EndpointSettings::new("http://x", Duration::ZERO)
            .validate()
            .unwrap_err();
        assert!(
            matches!(
                e,
                EndpointError::Invalid {
                    field: "/timeout_ms",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn the_overlay_falls_back_to_the_file() {
        let o = Overlay::default();
        assert_eq!(o.url_or("vneid", "http://file"), "http://file");
        o.inner.write().unwrap().insert(
            "vneid".into(),
            EndpointSettings::new("http://console", Duration::from_secs(1)),
        );
        assert_eq!(o.url_or("vneid", "http://file"), "http://console");
        assert_eq!(
            o.timeout_or("vneid", Duration::from_secs(9)),
            Duration::from_secs(1)
        );
        assert_eq!(o.url_or("treasury", "http://t"), "http://t");
    }
}
