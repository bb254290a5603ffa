//! The canonical notice command → the VNeID notification request body.

use serde::Serialize;
use thads_schemas::notice::NoticeCommand;

/// The JSON body of `POST {endpoint}/notifications`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NotificationRequest<'a> {
    /// Our notice id; the partner de-duplicates on it.
    pub notification_id: &'a str,
    /// The citizen's CCCD (the VNeID account key).
    pub citizen_id: &'a str,
    /// Title shown in the app.
    pub title: &'a str,
    /// Body shown in the app.
    pub content: &'a str,
    /// The case the notice is about.
    pub reference: &'a str,
    /// The issuing office.
    pub sender: &'a str,
    /// When the notice was issued (RFC 3339).
    pub issued_at: &'a str,
}

/// Builds the request for a command.
pub fn to_request(cmd: &NoticeCommand) -> NotificationRequest<'_> {
    NotificationRequest {
        notification_id: &cmd.notice_id,
        citizen_id: cmd.recipient.cccd.as_str(),
        title: &cmd.title,
        content: &cmd.body,
        reference: &cmd.case_id,
        sender: cmd.office.as_str(),
        issued_at: &cmd.issued_at,
    }
}
