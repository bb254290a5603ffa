//! Staff of the enforcement offices and who may do what: the roles the law gives to the
//! people who work a case, and the signed-in actor every operation is recorded against.

pub mod accounts;
pub mod password;
pub mod sessions;

use std::fmt;

use serde::{Deserialize, Serialize};
use thads_schemas::office::OfficeCode;

/// A staff role. The law splits the work of an enforcement office between its head, its
/// enforcement officers and its clerks; administrators run the hub and do no casework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Quản trị hệ thống: runs the hub (partners, dead letters, accounts); no casework.
    Administrator,
    /// Thủ trưởng cơ quan THADS (or a deputy): issues decisions, assigns officers.
    Head,
    /// Chấp hành viên: the enforcement officer who works the case.
    Officer,
    /// Thư ký / văn thư: registers, numbers and sends documents.
    Clerk,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 4] = [Role::Administrator, Role::Head, Role::Officer, Role::Clerk];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Head => "head",
            Self::Officer => "officer",
            Self::Clerk => "clerk",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Vietnamese title, for documents and the console.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::Administrator => "Quản trị hệ thống",
            Self::Head => "Thủ trưởng cơ quan thi hành án dân sự",
            Self::Officer => "Chấp hành viên",
            Self::Clerk => "Thư ký thi hành án",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The person behind a request: who they are, their role and the office they belong to.
/// Every operation on a case records its actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Sign-in name, unique across the hub.
    pub username: String,
    /// Full name as printed on documents (NFC).
    pub display_name: String,
    /// The role.
    pub role: Role,
    /// The office the person works in; they see and act on that office's cases only.
    pub office: OfficeCode,
}

impl Actor {
    /// Whether this actor may see or act on data of `office`. Staff see their own office; an
    /// administrator of a provincial body (office code without `-`) sees its regional offices,
    /// and one of the national department (`CUC`) sees everything.
    pub fn covers_office(&self, office: &OfficeCode) -> bool {
        let mine = self.office.as_str();
        let theirs = office.as_str();
        if mine == theirs {
            return true;
        }
        if self.role != Role::Administrator {
            return false;
        }
        mine == "CUC" || (!mine.contains('-') && theirs.starts_with(&format!("{mine}-")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, office: &str) -> Actor {
        Actor {
            username: "u".into(),
            display_name: "U".into(),
            role,
            office: OfficeCode::parse(office).unwrap(),
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn office_scope() {
        let kv1 = OfficeCode::parse("HCM-KV01").unwrap();
        let kv2 = OfficeCode::parse("HCM-KV02").unwrap();
        let hni = OfficeCode::parse("HNI-KV01").unwrap();
        assert!(actor(Role::Officer, "HCM-KV01").covers_office(&kv1));
        assert!(!actor(Role::Officer, "HCM-KV01").covers_office(&kv2));
        assert!(!actor(Role::Head, "HCM").covers_office(&kv1));
        assert!(actor(Role::Administrator, "HCM").covers_office(&kv2));
        assert!(!actor(Role::Administrator, "HCM").covers_office(&hni));
        assert!(actor(Role::Administrator, "CUC").covers_office(&hni));
    }
}
