//! Notices that follow operations: issuing the decision to enforce sends it to every party
//! through VNeID (Art. 39: within three working days), and the delivery VNeID confirms is the
//! valid notice (Decree 152/2026: the date the app confirms delivery counts) — for the debtor
//! it starts the voluntary period, recorded as a `notify` operation by the hub itself.

use sqlx::Row;
use thads_schemas::cccd::Cccd;
use thads_schemas::notice::{NoticeCommand, NoticeKind, Recipient};
use thads_schemas::office::OfficeCode;
use thads_schemas::subjects;
use thads_schemas::text::PersonalText;
use time::Date;

use super::operation::{Command, NoticeChannel, NoticeParty, Operation};
use super::perform::{perform_as_system, Performed};
use crate::cases::intake::{add_case_event, notice_id_for};
use crate::db::{now_ms, rfc3339, Tx};
use crate::deadlines::store::Schedule;
use crate::deadlines::Step;
use crate::journey::{self, Direction, MessageState, NewMessage};
use crate::outbox;

/// Title of the decision notice.
pub const DECISION_TITLE: &str = "Thông báo quyết định thi hành án";

fn vn_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Queues the decision notice to every party with an identity number; returns how many.
pub async fn emit_decision_notices(
    tx: &mut Tx<'_>,
    case_id: &str,
    decision_number: &str,
    issued_on: Date,
) -> Result<usize, sqlx::Error> {
    let case = sqlx::query(
        "SELECT office_code, judgment_number, court_name, payment_reference FROM cases WHERE id = $1",
    )
    .bind(case_id)
    .fetch_one(&mut **tx)
    .await?;
    let office: String = case.try_get("office_code")?;
    let Ok(office) = OfficeCode::parse(&office) else {
        return Ok(0);
    };
    let judgment: String = case.try_get("judgment_number")?;
    let court: String = case.try_get("court_name")?;
    let reference: String = case.try_get("payment_reference")?;
    let parties = sqlx::query(
        "SELECT party_ref, role, name, cccd FROM case_parties WHERE case_id = $1 AND cccd IS NOT NULL \
         ORDER BY party_ref",
    )
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut sent = 0;
    for p in &parties {
        let party_ref: String = p.try_get("party_ref")?;
        let role: String = p.try_get("role")?;
        let name: String = p.try_get("name")?;
        let cccd: String = p.try_get("cccd")?;
        let Ok(cccd) = Cccd::parse(&cccd) else {
            continue;
        };
        let debtor = role == "debtor";
        let mut body = format!(
            "Cơ quan thi hành án dân sự {office} đã ban hành Quyết định thi hành án số \
             {decision_number} ngày {date} để thi hành Bản án số {judgment} của {court}. \
             Mã hồ sơ: {case_id}.",
            date = vn_date(issued_on),
        );
        if debtor {
            body.push_str(&format!(
                " Ông/Bà có 10 ngày kể từ ngày nhận được thông báo này để tự nguyện thi hành \
                 án (Điều 45 Luật Thi hành án dân sự). Khi nộp tiền, ghi nội dung chuyển khoản: \
                 {reference}. Hết thời hạn mà không tự nguyện thi hành, Chấp hành viên sẽ áp \
                 dụng biện pháp cưỡng chế."
            ));
        }
        let notice_id = notice_id_for(case_id, &party_ref, &format!("decision:{decision_number}"));
        let command = NoticeCommand {
            notice_id: notice_id.clone(),
            case_id: case_id.to_string(),
            office: office.clone(),
            kind: NoticeKind::DecisionIssued,
            recipient: Recipient {
                party_ref: party_ref.clone(),
                cccd,
                name: PersonalText::new(&name),
            },
            title: DECISION_TITLE.to_string(),
            body,
            payment_reference: debtor.then(|| reference.clone()),
            issued_at: rfc3339(now_ms()),
        };
        if queue(tx, &command, None, "decision notice queued for VNeID").await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Records a notice command as an outbound message and queues it for the VNeID connector;
/// false when the same notice was already queued (its id is derived, so never twice).
pub async fn queue(
    tx: &mut Tx<'_>,
    command: &NoticeCommand,
    parent_id: Option<&str>,
    detail: &str,
) -> Result<bool, sqlx::Error> {
    let payload = serde_json::to_vec(command)
        .map_err(|e| sqlx::Error::Protocol(format!("cannot encode notice: {e}")))?;
    let hash = thads_schemas::hash::content_hash(&payload);
    let inserted = journey::insert(
        tx,
        &NewMessage {
            id: &command.notice_id,
            subject: subjects::OUT_VNEID_NOTIFY,
            direction: Direction::Out,
            partner: "vneid",
            receipt_id: None,
            content_hash: &hash,
            content_type: "application/json",
            payload: &payload,
            case_id: Some(&command.case_id),
            parent_id,
        },
        MessageState::Emitted,
        Some(detail),
    )
    .await?;
    if inserted {
        // Each party gets a case's notices in the order they were issued; the parties of one
        // case do not wait for each other (a notice failing for one would hold back the rest).
        let key = format!("{}/{}", command.case_id, command.recipient.party_ref);
        outbox::enqueue(
            tx,
            &command.notice_id,
            subjects::OUT_VNEID_NOTIFY,
            Some(&key),
            &payload,
        )
        .await?;
    }
    Ok(inserted)
}

/// Records that a notice was delivered (VNeID confirmed it, or it was served otherwise) on
/// `delivered_on` through `channel`. A decision notice delivered to the debtor starts the
/// voluntary period; to another party it is recorded as a notice. When the case's state does
/// not allow it (no officer assigned yet, or the case moved on), the delivery is kept as a
/// case event and the office's duty to notify is still marked met.
pub async fn record_delivery(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    notice_id: &str,
    delivered_on: Date,
    channel: NoticeChannel,
) -> Result<Option<Performed>, sqlx::Error> {
    let Some(row) = sqlx::query("SELECT case_id, payload FROM messages WHERE id = $1")
        .bind(notice_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    let Some(case_id): Option<String> = row.try_get("case_id")? else {
        return Ok(None);
    };
    let payload: Vec<u8> = row.try_get("payload")?;
    let Ok(command) = serde_json::from_slice::<NoticeCommand>(&payload) else {
        return Ok(None);
    };
    if command.kind != NoticeKind::DecisionIssued {
        add_case_event(
            tx,
            &case_id,
            "notice_delivered",
            &format!("{notice_id} on {delivered_on}"),
        )
        .await?;
        return Ok(None);
    }
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM case_parties WHERE case_id = $1 AND party_ref = $2")
            .bind(&case_id)
            .bind(&command.recipient.party_ref)
            .fetch_optional(&mut **tx)
            .await?;
    let party = match role.as_deref() {
        Some("debtor") => NoticeParty::Debtor,
        Some("creditor") => NoticeParty::Creditor,
        _ => NoticeParty::Other,
    };
    let op = Command {
        operation: Operation::Notify { party, channel },
        effective_on: Some(delivered_on),
        request_id: Some(format!("delivery:{notice_id}")),
        reason: Some(format!("thông báo {notice_id} đã được giao")),
        documents: Vec::new(),
    };
    // Who confirmed the service: the VNeID app, the mail relay, or a clerk's paper record.
    let source = match channel {
        NoticeChannel::Vneid => "vneid",
        NoticeChannel::Email => "email",
        _ => "paper-service",
    };
    let done = perform_as_system(tx, schedule, &case_id, source, &op, delivered_on).await?;
    if done.is_none() {
        add_case_event(
            tx,
            &case_id,
            "notice_delivered",
            &format!(
                "{notice_id} on {delivered_on} ({party:?}); the case's state records no notice"
            ),
        )
        .await?;
        if party == NoticeParty::Debtor {
            crate::deadlines::store::complete(tx, &case_id, Step::Notice, delivered_on).await?;
        }
    }
    Ok(done)
}
