//! The states of an enforcement case (hồ sơ thi hành án), from receipt of the judgment to the
//! closing of the file, with the side states the law provides.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// The judgment (or request) has been received and entered in the receipt book.
    Received,
    /// Accepted for enforcement (thụ lý) and entered in the acceptance book.
    Registered,
    /// The decision to enforce (quyết định thi hành án) has been issued.
    DecisionIssued,
    /// An enforcement officer (Chấp hành viên) has been assigned.
    OfficerAssigned,
    /// Notices are being served; the debtor has not yet been validly notified.
    Notified,
    /// The debtor was validly notified; the voluntary compliance period runs (Art. 45).
    VoluntaryPeriod,
    /// The debtor's means are being verified (xác minh điều kiện thi hành án, Art. 44).
    Verification,
    /// Protective or coercive measures are applied (biện pháp bảo đảm, cưỡng chế).
    Measures,
    /// Money or property is being collected (thu tiền, tài sản).
    Collection,
    /// The collected money is being paid out (chi trả, Art. 47).
    Disbursement,
    /// Every obligation has been performed (thi hành xong).
    FullyEnforced,
    /// The file is closed and struck from the register (kết thúc, đưa ra khỏi sổ).
    Closed,
    /// Postponed (hoãn thi hành án, Art. 48).
    Postponed,
    /// Suspended (tạm đình chỉ thi hành án, Art. 49).
    Suspended,
    /// Terminated (đình chỉ thi hành án, Art. 50).
    Terminated,
    /// Not yet enforceable (chưa có điều kiện thi hành án, Art. 44a): re-verified on schedule.
    NotYetEnforceable,
    /// Entrusted to another office (ủy thác thi hành án), which counts it as its own.
    Transferred,
}

impl CaseState {
    /// Every state, main path first.
    pub const ALL: [CaseState; 17] = [
        Self::Received,
        Self::Registered,
        Self::DecisionIssued,
        Self::OfficerAssigned,
        Self::Notified,
        Self::VoluntaryPeriod,
        Self::Verification,
        Self::Measures,
        Self::Collection,
        Self::Disbursement,
        Self::FullyEnforced,
        Self::Closed,
        Self::Postponed,
        Self::Suspended,
        Self::Terminated,
        Self::NotYetEnforceable,
        Self::Transferred,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Registered => "registered",
            Self::DecisionIssued => "decision_issued",
            Self::OfficerAssigned => "officer_assigned",
            Self::Notified => "notified",
            Self::VoluntaryPeriod => "voluntary_period",
            Self::Verification => "verification",
            Self::Measures => "measures",
            Self::Collection => "collection",
            Self::Disbursement => "disbursement",
            Self::FullyEnforced => "fully_enforced",
            Self::Closed => "closed",
            Self::Postponed => "postponed",
            Self::Suspended => "suspended",
            Self::Terminated => "terminated",
            Self::NotYetEnforceable => "not_yet_enforceable",
            Self::Transferred => "transferred",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<CaseState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Vietnamese name shown to officers.
    pub fn title_vi(self) -> &'static str {
        match self {
            Self::Received => "Đã nhận bản án",
            Self::Registered => "Đã thụ lý",
            Self::DecisionIssued => "Đã ra quyết định thi hành án",
            Self::OfficerAssigned => "Đã phân công Chấp hành viên",
            Self::Notified => "Đang thông báo",
            Self::VoluntaryPeriod => "Trong thời hạn tự nguyện",
            Self::Verification => "Đang xác minh",
            Self::Measures => "Áp dụng biện pháp bảo đảm, cưỡng chế",
            Self::Collection => "Đang thu tiền, tài sản",
            Self::Disbursement => "Đang chi trả",
            Self::FullyEnforced => "Thi hành xong",
            Self::Closed => "Kết thúc hồ sơ",
            Self::Postponed => "Hoãn thi hành án",
            Self::Suspended => "Tạm đình chỉ thi hành án",
            Self::Terminated => "Đình chỉ thi hành án",
            Self::NotYetEnforceable => "Chưa có điều kiện thi hành án",
            Self::Transferred => "Ủy thác thi hành án",
        }
    }

    /// States in which enforcement is under way after the decision: the states from which a
    /// case may be postponed, suspended, terminated or transferred.
    pub fn is_running(self) -> bool {
        matches!(
            self,
            Self::DecisionIssued
                | Self::OfficerAssigned
                | Self::Notified
                | Self::VoluntaryPeriod
                | Self::Verification
                | Self::Measures
                | Self::Collection
                | Self::Disbursement
        )
    }

    /// States that end enforcement (the case may then only be closed, or is closed).
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            Self::FullyEnforced | Self::Terminated | Self::Transferred | Self::Closed
        )
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_partition() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(s));
            assert!(!(s.is_running() && s.is_finished()), "{s}");
        }
        assert_eq!(CaseState::parse("open"), None);
    }
}
