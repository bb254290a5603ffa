//! What the national databases answer, in the hub's own terms (whatever each partner's wire
//! format), and the port a connector implements to ask them. Core never speaks HTTP: the
//! `thads-registries` connector implements [`RegistryPort`].

use serde::{Deserialize, Serialize};
use thads_schemas::money::Vnd;

use super::subject::{QueryPurpose, Registry, Subject};

/// A citizen as the population database knows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// Full name (họ và tên).
    pub full_name: String,
    /// Date of birth, ISO.
    pub birth_date: String,
    /// `male` or `female`.
    pub gender: String,
    /// Permanent residence (nơi thường trú).
    pub permanent_address: Option<String>,
    /// Current residence (nơi ở hiện tại).
    pub current_address: Option<String>,
}

/// A land parcel (thửa đất) registered to the subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandParcel {
    /// Number of the land-use right certificate (số giấy chứng nhận).
    pub certificate_number: String,
    /// Where the parcel is.
    pub address: String,
    /// Area in square metres.
    pub area_m2: f64,
    /// Land use (mục đích sử dụng), e.g. `Đất ở tại đô thị (ODT)`.
    pub land_use: String,
}

/// A vehicle registered to the subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleRecord {
    /// Number plate (biển số).
    pub plate: String,
    /// Kind (loại xe), e.g. `Ô tô con`, `Mô tô`.
    pub kind: String,
    /// Brand and model (nhãn hiệu).
    pub brand: String,
    /// Day registered, ISO.
    pub registered_on: String,
}

/// An enterprise in the business register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enterprise {
    /// Enterprise code (mã số doanh nghiệp), which is its tax code.
    pub code: String,
    /// Registered name.
    pub name: String,
    /// Status as registered (`đang hoạt động`, `tạm ngừng kinh doanh`, `đã giải thể`, …).
    pub status: String,
    /// Seat (trụ sở chính).
    pub address: String,
    /// Charter capital (vốn điều lệ).
    pub charter_capital: Vnd,
}

/// A capital share (phần vốn góp, cổ phần) the subject holds in an enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapitalShare {
    /// The enterprise's code.
    pub enterprise_code: String,
    /// The enterprise's name.
    pub enterprise_name: String,
    /// Capital contributed.
    pub capital: Vnd,
    /// Share of the charter capital, in percent.
    pub percent: f64,
    /// Role (chủ sở hữu, thành viên góp vốn, cổ đông).
    pub role: String,
}

/// What one database answered about one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "database", rename_all = "snake_case")]
pub enum Answer {
    /// The population database: the citizen, or `None` when it does not know the CCCD.
    Population {
        /// The citizen.
        identity: Option<Identity>,
    },
    /// The land register: parcels (empty: none).
    Land {
        /// Parcels.
        parcels: Vec<LandParcel>,
    },
    /// The vehicle register: vehicles (empty: none).
    Vehicle {
        /// Vehicles.
        vehicles: Vec<VehicleRecord>,
    },
    /// The business register: the enterprise registered under a tax code, and the capital
    /// shares the subject holds.
    Business {
        /// The enterprise itself (for a tax code).
        enterprise: Option<Enterprise>,
        /// Shares held.
        shares: Vec<CapitalShare>,
    },
}

impl Answer {
    /// The database that gave it.
    pub fn registry(&self) -> Registry {
        match self {
            Self::Population { .. } => Registry::Population,
            Self::Land { .. } => Registry::Land,
            Self::Vehicle { .. } => Registry::Vehicle,
            Self::Business { .. } => Registry::Business,
        }
    }

    /// Whether it lists property the debtor's obligations can be enforced on (land, vehicles,
    /// capital shares); identity and residence alone are not means.
    pub fn has_assets(&self) -> bool {
        match self {
            Self::Population { .. } => false,
            Self::Land { parcels } => !parcels.is_empty(),
            Self::Vehicle { vehicles } => !vehicles.is_empty(),
            Self::Business { shares, .. } => !shares.is_empty(),
        }
    }

    /// Whether the database knew nothing of the subject.
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Population { identity } => identity.is_none(),
            Self::Business { enterprise, shares } => enterprise.is_none() && shares.is_empty(),
            other => !other.has_assets(),
        }
    }
}

/// An answer with where and when it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lookup {
    /// The answer.
    pub answer: Answer,
    /// The partner's reference for the answer (its transaction id) and host.
    pub source: String,
    /// When the partner answered (Unix ms): for a cached answer, the original fetch.
    pub fetched_at: i64,
    /// Whether it came from the hub's cache rather than a fresh query.
    pub cache_hit: bool,
    /// HTTP attempts made (0 for a cache hit).
    pub attempts: u32,
}

/// Why a database gave no usable answer. The reason names the field for a malformed answer and
/// never contains the subject's number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LookupError {
    /// No endpoint is configured for the database.
    #[error("not configured: {reason}")]
    NotConfigured {
        /// Which key is missing.
        reason: String,
    },
    /// The database did not answer in time, or answered with a failure, after the retries.
    #[error("unavailable after {attempts} attempts: {reason}")]
    Unavailable {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        reason: String,
    },
    /// The answer did not follow the partner's schema (names the field).
    #[error("malformed answer: {reason}")]
    Malformed {
        /// The field and what is wrong with it.
        reason: String,
    },
    /// The partner refused the request (bad token, invalid request).
    #[error("refused: {reason}")]
    Refused {
        /// The partner's status and message.
        reason: String,
    },
}

/// A connector to the national databases. Implementations cache, rate-limit, retry and audit;
/// the purpose is required by the signature, so no query can be made without a case.
#[async_trait::async_trait]
pub trait RegistryPort: Send + Sync + std::fmt::Debug {
    /// Asks `registry` about `subject` for `purpose`, recorded in the audit under `run_id`.
    async fn lookup(
        &self,
        registry: Registry,
        purpose: &QueryPurpose,
        subject: &Subject,
        run_id: &str,
    ) -> Result<Lookup, LookupError>;

    /// Whether at least one database is configured (without any, automatic runs are pointless).
    fn any_configured(&self) -> bool;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn assets_are_land_vehicles_and_shares() {
        let nobody = Answer::Population { identity: None };
        assert!(nobody.is_empty() && !nobody.has_assets());
        let land = Answer::Land {
            parcels: vec![LandParcel {
                certificate_number: "CS 04521".into(),
                address: "Thủ Đức".into(),
                area_m2: 72.5,
                land_use: "ODT".into(),
            }],
        };
        assert!(land.has_assets() && !land.is_empty());
        let company = Answer::Business {
            enterprise: Some(Enterprise {
                code: "0101234567".into(),
                name: "Công ty TNHH Minh Phát".into(),
                status: "đang hoạt động".into(),
                address: "Hà Nội".into(),
                charter_capital: Vnd::new(5_000_000_000).unwrap(),
            }),
            shares: vec![],
        };
        assert!(!company.has_assets() && !company.is_empty());
        let json = serde_json::to_value(&land).unwrap();
        assert_eq!(json["database"], "land");
        assert_eq!(serde_json::from_value::<Answer>(json).unwrap(), land);
    }
}
