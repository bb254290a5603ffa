//! Serving notices (tống đạt): the record of how and when each notice was validly served, the
//! hand-over of notices VNeID could not deliver to the fall-back chain (e-mail, then paper),
//! the paper-service tasks left to an office's clerks, and the parties' e-mail addresses.
//!
//! Every valid service goes through [`record_served`], which keeps the first service of a
//! notice (its date is the legal notice date), calls
//! [`crate::lifecycle::notices::record_delivery`] in the same transaction (for the debtor's
//! decision notice that starts the voluntary period), moves the notice's journey to `served`
//! and closes an open paper task. The connectors (VNeID receipts, the e-mail fall-back) and the
//! clerks' task endpoint all call it, so a notice served twice is recorded once.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use thads_schemas::notice::{NoticeCommand, NoticeKind};
use thads_schemas::subjects;
use time::Date;

use crate::cases::intake::add_case_event;
use crate::db::{now_ms, rfc3339, Db, Tx};
use crate::deadlines::store::{vietnam_date, Schedule};
use crate::journey::{self, JourneyError, MessageState};
use crate::lifecycle::notices::record_delivery;
use crate::lifecycle::operation::NoticeChannel;
use crate::lifecycle::Performed;
use crate::outbox;
use crate::staff::Actor;

/// The subject of the fall-back command: serve a notice by e-mail, or else on paper.
pub const FALLBACK_SUBJECT: &str = subjects::OUT_EMAIL_NOTIFY;

/// The stored and wire name of a serving channel.
pub fn channel_name(channel: NoticeChannel) -> &'static str {
    match channel {
        NoticeChannel::Vneid => "vneid",
        NoticeChannel::Direct => "direct",
        NoticeChannel::Post => "post",
        NoticeChannel::Email => "email",
        NoticeChannel::Posting => "posting",
        NoticeChannel::Media => "media",
    }
}

/// The channel with this stored name.
pub fn parse_channel(name: &str) -> Option<NoticeChannel> {
    Some(match name {
        "vneid" => NoticeChannel::Vneid,
        "direct" => NoticeChannel::Direct,
        "post" => NoticeChannel::Post,
        "email" => NoticeChannel::Email,
        "posting" => NoticeChannel::Posting,
        "media" => NoticeChannel::Media,
        _ => return None,
    })
}

/// Whether a database error is a lost race on the case (another writer changed it first), so
/// the whole transaction is worth running again.
pub fn is_conflict(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Protocol(m) if m.contains("changed while"))
}

/// A notice as the serving code needs it: its command, case, office and journey state.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The notice (message) id.
    pub notice_id: String,
    /// The case.
    pub case_id: String,
    /// The case's office.
    pub office: String,
    /// The command as emitted (recipient, kind, texts, payment reference).
    pub command: NoticeCommand,
    /// The journey state.
    pub state: String,
    /// When it was emitted (epoch ms).
    pub created_at: i64,
}

impl Notice {
    /// The party the notice is for.
    pub fn party_ref(&self) -> &str {
        &self.command.recipient.party_ref
    }

    /// The kind of notice.
    pub fn kind(&self) -> NoticeKind {
        self.command.kind
    }

    /// The Vietnam date it was emitted: no valid service can be earlier.
    pub fn emitted_on(&self) -> Date {
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(self.created_at) * 1_000_000,
        )
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        vietnam_date(at)
    }
}

/// Loads an outbound notice; `None` when no notice (VNeID command with a case) has this id.
pub async fn load_notice(tx: &mut Tx<'_>, notice_id: &str) -> Result<Option<Notice>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "SELECT m.case_id, m.payload, m.state, m.created_at, c.office_code FROM messages m \
         JOIN cases c ON c.id = m.case_id \
         WHERE m.id = $1 AND m.direction = 'out' AND m.subject = $2",
    )
    .bind(notice_id)
    .bind(subjects::OUT_VNEID_NOTIFY)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let payload: Vec<u8> = row.try_get("payload")?;
    let Ok(command) = serde_json::from_slice::<NoticeCommand>(&payload) else {
        return Ok(None);
    };
    Ok(Some(Notice {
        notice_id: notice_id.to_string(),
        case_id: row.try_get("case_id")?,
        office: row.try_get("office_code")?,
        command,
        state: row.try_get("state")?,
        created_at: row.try_get("created_at")?,
    }))
}

/// How a notice was served.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ServedRecord {
    /// `vneid`, `email`, `direct`, `post` or `posting`.
    pub channel: String,
    /// The legal notice date (ISO).
    pub served_on: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
}

/// The service of a notice, if it was served.
pub async fn served(tx: &mut Tx<'_>, notice_id: &str) -> Result<Option<ServedRecord>, sqlx::Error> {
    let row = sqlx::query("SELECT channel, served_on, at FROM notice_service WHERE notice_id = $1")
        .bind(notice_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| {
        Ok(ServedRecord {
            channel: r.try_get("channel")?,
            served_on: r.try_get("served_on")?,
            recorded_at: rfc3339(r.try_get("at")?),
        })
    })
    .transpose()
}

/// What [`record_served`] did.
#[derive(Debug, Clone)]
pub enum ServeOutcome {
    /// Recorded now; the `notify` operation it performed on the case, if the case's state
    /// allowed one.
    Served(Option<Performed>),
    /// The notice had already been served; nothing changed.
    AlreadyServed(ServedRecord),
}

/// Records a valid service of `notice` on `served_on` through `channel`, by `by` (a username
/// or `system:<source>`), inside the caller's transaction: the service row, the delivery on
/// the case (`record_delivery`: the debtor's decision notice starts the voluntary period),
/// the journey step `served`, the closing of an open paper task, and a case event. `detail`
/// says what proved the service (never personal data). The first service wins.
pub async fn record_served(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    notice: &Notice,
    served_on: Date,
    channel: NoticeChannel,
    by: &str,
    detail: &str,
) -> Result<ServeOutcome, sqlx::Error> {
    if let Some(existing) = served(tx, &notice.notice_id).await? {
        return Ok(ServeOutcome::AlreadyServed(existing));
    }
    let name = channel_name(channel);
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO notice_service (notice_id, case_id, party_ref, channel, served_on, at, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (notice_id) DO NOTHING",
    )
    .bind(&notice.notice_id)
    .bind(&notice.case_id)
    .bind(notice.party_ref())
    .bind(name)
    .bind(served_on.to_string())
    .bind(now)
    .bind(detail)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        // Another writer served it between the check and the insert.
        return match served(tx, &notice.notice_id).await? {
            Some(existing) => Ok(ServeOutcome::AlreadyServed(existing)),
            None => Err(sqlx::Error::Protocol(format!(
                "notice {} changed while it was served; retrying",
                notice.notice_id
            ))),
        };
    }
    let performed = record_delivery(tx, schedule, &notice.notice_id, served_on, channel).await?;
    let step = format!("served via {name} on {served_on} ({detail})");
    match journey::advance(tx, &notice.notice_id, MessageState::Served, Some(&step)).await {
        Ok(()) | Err(JourneyError::NotFound(_)) => {}
        Err(JourneyError::IllegalTransition { .. }) => {
            journey::note(tx, &notice.notice_id, &step).await?;
        }
        Err(JourneyError::Sql(e)) => return Err(e),
    }
    sqlx::query(
        "UPDATE service_tasks SET state = 'done', done_at = $2, done_by = $3, channel = $4, \
         served_on = $5 WHERE notice_id = $1 AND state = 'open'",
    )
    .bind(&notice.notice_id)
    .bind(now)
    .bind(by)
    .bind(name)
    .bind(served_on.to_string())
    .execute(&mut **tx)
    .await?;
    add_case_event(
        tx,
        &notice.case_id,
        "notice_served",
        &format!("{} via {name} on {served_on} by {by}", notice.notice_id),
    )
    .await?;
    Ok(ServeOutcome::Served(performed))
}

/// The command on [`FALLBACK_SUBJECT`]: serve this notice by e-mail, else on paper.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FallbackCommand {
    /// The notice VNeID could not deliver.
    pub notice_id: String,
    /// Why it fell back (no personal data).
    pub reason: String,
}

/// The bus id of a notice's fall-back command: the notice id with a `~fb` suffix, so the
/// fall-back shares the notice's journey while JetStream does not take it for a duplicate.
pub fn fallback_bus_id(notice_id: &str) -> String {
    format!("{notice_id}~fb")
}

/// Hands `notice` to the fall-back chain once, inside the caller's transaction: remembers why,
/// notes it on the journey and queues the fall-back command. Returns `false` when it had
/// already been handed over (nothing is queued again).
pub async fn start_fallback(
    tx: &mut Tx<'_>,
    notice: &Notice,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO notice_fallbacks (notice_id, case_id, reason, outcome, started_at, updated_at) \
         VALUES ($1, $2, $3, NULL, $4, $4) ON CONFLICT (notice_id) DO NOTHING",
    )
    .bind(&notice.notice_id)
    .bind(&notice.case_id)
    .bind(reason)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(false);
    }
    let command = FallbackCommand {
        notice_id: notice.notice_id.clone(),
        reason: reason.to_string(),
    };
    let payload = serde_json::to_vec(&command)
        .map_err(|e| sqlx::Error::Protocol(format!("cannot encode the fall-back: {e}")))?;
    outbox::enqueue(
        tx,
        &fallback_bus_id(&notice.notice_id),
        FALLBACK_SUBJECT,
        Some(&notice.case_id),
        &payload,
    )
    .await?;
    note(
        tx,
        &notice.notice_id,
        &format!("VNeID cannot deliver ({reason}); serving by e-mail, else on paper"),
    )
    .await?;
    Ok(true)
}

/// Whether `notice_id` was handed to the fall-back chain.
pub async fn fallback_started(tx: &mut Tx<'_>, notice_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notice_fallbacks WHERE notice_id = $1")
        .bind(notice_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

/// Why the fall-back started, if it did.
pub async fn fallback_reason(
    tx: &mut Tx<'_>,
    notice_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT reason FROM notice_fallbacks WHERE notice_id = $1")
        .bind(notice_id)
        .fetch_optional(&mut **tx)
        .await
}

/// Records how the fall-back ended (`email` or `paper`).
pub async fn set_fallback_outcome(
    tx: &mut Tx<'_>,
    notice_id: &str,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notice_fallbacks SET outcome = $2, updated_at = $3 WHERE notice_id = $1")
        .bind(notice_id)
        .bind(outcome)
        .bind(now_ms())
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Notes a step on the notice's journey without changing its state; a notice without a
/// journey row is skipped.
pub async fn note(tx: &mut Tx<'_>, notice_id: &str, detail: &str) -> Result<(), sqlx::Error> {
    match journey::note(tx, notice_id, detail).await {
        Ok(()) | Err(JourneyError::NotFound(_)) | Err(JourneyError::IllegalTransition { .. }) => {
            Ok(())
        }
        Err(JourneyError::Sql(e)) => Err(e),
    }
}

/// Opens the paper-service task of `notice` for the clerks of its office (once per notice);
/// returns the task id and whether it was created now.
pub async fn open_task(
    tx: &mut Tx<'_>,
    notice: &Notice,
    reason: &str,
) -> Result<(String, bool), sqlx::Error> {
    let id = format!("svc-{}", notice.notice_id.trim_start_matches("ntc-"));
    let created = sqlx::query(
        "INSERT INTO service_tasks (id, case_id, office_code, notice_id, party_ref, reason, state, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) ON CONFLICT (notice_id) DO NOTHING",
    )
    .bind(&id)
    .bind(&notice.case_id)
    .bind(&notice.office)
    .bind(&notice.notice_id)
    .bind(notice.party_ref())
    .bind(reason)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if created {
        add_case_event(
            tx,
            &notice.case_id,
            "service_task_opened",
            &format!("{id} for {}: {reason}", notice.notice_id),
        )
        .await?;
        note(
            tx,
            &notice.notice_id,
            &format!("paper-service task {id} opened for the office's clerks"),
        )
        .await?;
        return Ok((id, true));
    }
    let existing: String = sqlx::query_scalar("SELECT id FROM service_tasks WHERE notice_id = $1")
        .bind(&notice.notice_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok((existing, false))
}

/// Whether `notice_id` has a paper-service task (open or done).
pub async fn has_task(tx: &mut Tx<'_>, notice_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_tasks WHERE notice_id = $1")
        .bind(notice_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

/// A paper-service task as clerks see it. It names the party (personal data): it is shown
/// only to staff of the case's office.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    /// The task id (`svc-…`).
    pub id: String,
    /// The case.
    pub case_id: String,
    /// The case's office.
    pub office: String,
    /// The notice to serve.
    pub notice_id: String,
    /// Which notice (`case_opened`, `decision_issued`, …).
    pub notice_kind: String,
    /// The party to serve.
    pub party_ref: String,
    /// The party's role (`debtor`, `creditor`, `interested`).
    pub party_role: Option<String>,
    /// The party's name.
    pub party_name: Option<String>,
    /// The party's address, where to serve it.
    pub party_address: Option<String>,
    /// Why the notice needs paper service.
    pub reason: String,
    /// `open` or `done`.
    pub state: String,
    /// When the task was opened (RFC 3339).
    pub created_at: String,
    /// When it was closed (RFC 3339).
    pub done_at: Option<String>,
    /// Who closed it (a username, or `system:<source>` when another channel served it first).
    pub done_by: Option<String>,
    /// How the notice was served (`direct`, `post`, `posting`, or another channel).
    pub channel: Option<String>,
    /// The legal notice date.
    pub served_on: Option<String>,
    /// The notice's title, to print.
    pub title: String,
    /// The notice's text, to print.
    pub text: String,
}

const TASK_COLUMNS: &str = "t.id, t.case_id, t.office_code, t.notice_id, t.party_ref, t.reason, \
     t.state, t.created_at, t.done_at, t.done_by, t.channel, t.served_on, m.payload, \
     p.role, p.name, p.address";

fn task_view(r: &sqlx::any::AnyRow) -> Result<TaskView, sqlx::Error> {
    let payload: Vec<u8> = r.try_get("payload")?;
    let command = serde_json::from_slice::<NoticeCommand>(&payload).ok();
    Ok(TaskView {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        office: r.try_get("office_code")?,
        notice_id: r.try_get("notice_id")?,
        notice_kind: command
            .as_ref()
            .map_or("unknown", |c| c.kind.as_str())
            .to_string(),
        party_ref: r.try_get("party_ref")?,
        party_role: r.try_get("role")?,
        party_name: r.try_get("name")?,
        party_address: r.try_get("address")?,
        reason: r.try_get("reason")?,
        state: r.try_get("state")?,
        created_at: rfc3339(r.try_get("created_at")?),
        done_at: r.try_get::<Option<i64>, _>("done_at")?.map(rfc3339),
        done_by: r.try_get("done_by")?,
        channel: r.try_get("channel")?,
        served_on: r.try_get("served_on")?,
        title: command
            .as_ref()
            .map(|c| c.title.clone())
            .unwrap_or_default(),
        text: command.map(|c| c.body).unwrap_or_default(),
    })
}

/// The paper-service tasks of `office`, oldest first; `state` filters (`open`, `done`).
pub async fn list_tasks(
    db: &Db,
    office: &str,
    state: Option<&str>,
) -> Result<Vec<(TaskView, Option<NoticeCommand>)>, sqlx::Error> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM service_tasks t \
         JOIN messages m ON m.id = t.notice_id \
         LEFT JOIN case_parties p ON p.case_id = t.case_id AND p.party_ref = t.party_ref \
         WHERE t.office_code = $1 AND ($2 = '' OR t.state = $2) ORDER BY t.created_at, t.id"
    );
    let rows = sqlx::query(&sql)
        .bind(office)
        .bind(state.unwrap_or(""))
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            let payload: Vec<u8> = r.try_get("payload")?;
            Ok((task_view(r)?, serde_json::from_slice(&payload).ok()))
        })
        .collect()
}

/// Loads one task with its notice command.
pub async fn load_task(
    tx: &mut Tx<'_>,
    task_id: &str,
) -> Result<Option<(TaskView, Option<NoticeCommand>)>, sqlx::Error> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM service_tasks t \
         JOIN messages m ON m.id = t.notice_id \
         LEFT JOIN case_parties p ON p.case_id = t.case_id AND p.party_ref = t.party_ref \
         WHERE t.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(task_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| {
        let payload: Vec<u8> = r.try_get("payload")?;
        Ok((task_view(&r)?, serde_json::from_slice(&payload).ok()))
    })
    .transpose()
}

/// Why closing a paper-service task was refused.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// No task with that id in the actor's office.
    #[error("no service task {0}")]
    NotFound(String),
    /// A parameter is wrong.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The task was already closed differently, or the notice was served another way.
    #[error("the notice was already served via {channel} on {served_on}")]
    AlreadyServed {
        /// How it was served.
        channel: String,
        /// When.
        served_on: String,
    },
    /// The database failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// What closing a task did.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDone {
    /// The task after closing.
    pub task: TaskView,
    /// The `notify` operation recorded on the case, if its state allowed one.
    pub operation: Option<Performed>,
    /// True when the same closing had already been recorded (nothing was done again).
    pub repeated: bool,
}

/// The channels a clerk may close a paper task with: direct hand-over, post, public posting.
pub fn paper_channel(name: &str) -> Option<NoticeChannel> {
    match parse_channel(name)? {
        c @ (NoticeChannel::Direct | NoticeChannel::Post | NoticeChannel::Posting) => Some(c),
        _ => None,
    }
}

/// Closes task `task_id` as served through `channel` on `served_on` by `actor` (a clerk or
/// head of the task's office; the caller checks the role). `today` is the Vietnam date. For
/// public posting the posting date is the notice date (Art. 42); for the other channels the
/// day the party received it.
pub async fn complete_task(
    db: &Db,
    schedule: &Schedule,
    task_id: &str,
    actor: &Actor,
    channel: NoticeChannel,
    served_on: Date,
    today: Date,
) -> Result<TaskDone, TaskError> {
    if served_on > today {
        return Err(TaskError::Invalid {
            field: "served_on",
            reason: format!("{served_on} is in the future (today is {today})"),
        });
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_complete(db, schedule, task_id, actor, channel, served_on).await {
            Err(TaskError::Sql(e)) if is_conflict(&e) && attempt < 5 => continue,
            other => return other,
        }
    }
}

async fn try_complete(
    db: &Db,
    schedule: &Schedule,
    task_id: &str,
    actor: &Actor,
    channel: NoticeChannel,
    served_on: Date,
) -> Result<TaskDone, TaskError> {
    let mut tx = db.begin().await?;
    let Some((task, _)) = load_task(&mut tx, task_id).await? else {
        return Err(TaskError::NotFound(task_id.to_string()));
    };
    let office = thads_schemas::office::OfficeCode::parse(&task.office)
        .map_err(|_| TaskError::NotFound(task_id.to_string()))?;
    if !actor.covers_office(&office) {
        return Err(TaskError::NotFound(task_id.to_string()));
    }
    let name = channel_name(channel);
    if task.state == "done" {
        let same = task.channel.as_deref() == Some(name)
            && task.served_on.as_deref() == Some(served_on.to_string().as_str())
            && task.done_by.as_deref() == Some(actor.username.as_str());
        if same {
            return Ok(TaskDone {
                task,
                operation: None,
                repeated: true,
            });
        }
        return Err(TaskError::AlreadyServed {
            channel: task.channel.unwrap_or_default(),
            served_on: task.served_on.unwrap_or_default(),
        });
    }
    let Some(notice) = load_notice(&mut tx, &task.notice_id).await? else {
        return Err(TaskError::NotFound(task_id.to_string()));
    };
    if served_on < notice.emitted_on() {
        return Err(TaskError::Invalid {
            field: "served_on",
            reason: format!(
                "{served_on} is before the notice was issued ({})",
                notice.emitted_on()
            ),
        });
    }
    let detail = match channel {
        NoticeChannel::Posting => format!("publicly posted; task {task_id}"),
        NoticeChannel::Post => format!("sent by post; task {task_id}"),
        _ => format!("handed over; task {task_id}"),
    };
    let outcome = record_served(
        &mut tx,
        schedule,
        &notice,
        served_on,
        channel,
        &actor.username,
        &detail,
    )
    .await?;
    let operation = match outcome {
        ServeOutcome::Served(op) => op,
        ServeOutcome::AlreadyServed(s) => {
            return Err(TaskError::AlreadyServed {
                channel: s.channel,
                served_on: s.served_on,
            })
        }
    };
    let Some((task, _)) = load_task(&mut tx, task_id).await? else {
        return Err(TaskError::NotFound(task_id.to_string()));
    };
    tx.commit().await?;
    Ok(TaskDone {
        task,
        operation,
        repeated: false,
    })
}

/// Checks and normalises an e-mail address a party gave (trimmed; the domain lower-cased).
pub fn normalise_email(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.len() > 254 {
        return Err("must be 1 to 254 characters".into());
    }
    if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    let address: lettre::Address = trimmed
        .parse()
        .map_err(|e: lettre::address::AddressError| format!("not an e-mail address: {e}"))?;
    if !address.domain().contains('.') {
        return Err("the domain must contain a dot".into());
    }
    Ok(format!(
        "{}@{}",
        address.user(),
        address.domain().to_ascii_lowercase()
    ))
}

/// Sets (or with `None` clears) the e-mail address of a party; returns `false` when the case
/// has no such party. The address is personal data: the case event names only the party.
pub async fn set_party_email(
    db: &Db,
    case_id: &str,
    party_ref: &str,
    email: Option<&str>,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let updated =
        sqlx::query("UPDATE case_parties SET email = $3 WHERE case_id = $1 AND party_ref = $2")
            .bind(case_id)
            .bind(party_ref)
            .bind(email)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    if !updated {
        return Ok(false);
    }
    let what = if email.is_some() { "set" } else { "cleared" };
    add_case_event(
        &mut tx,
        case_id,
        "party_email",
        &format!("e-mail address of {party_ref} {what} by {by}"),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The e-mail address of a party, if one was given.
pub async fn party_email(
    tx: &mut Tx<'_>,
    case_id: &str,
    party_ref: &str,
) -> Result<Option<String>, sqlx::Error> {
    let email: Option<Option<String>> =
        sqlx::query_scalar("SELECT email FROM case_parties WHERE case_id = $1 AND party_ref = $2")
            .bind(case_id)
            .bind(party_ref)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(email.flatten().filter(|e| !e.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for c in [
            NoticeChannel::Vneid,
            NoticeChannel::Direct,
            NoticeChannel::Post,
            NoticeChannel::Email,
            NoticeChannel::Posting,
            NoticeChannel::Media,
        ] {
            assert_eq!(parse_channel(channel_name(c)), Some(c));
            let wire = serde_json::to_value(c).unwrap_or_default();
            assert_eq!(wire, channel_name(c), "matches the operation's wire name");
        }
        assert_eq!(paper_channel("posting"), Some(NoticeChannel::Posting));
        assert_eq!(paper_channel("email"), None, "e-mail is not paper service");
        assert_eq!(paper_channel("fax"), None);
    }

    #[test]
    fn e_mail_addresses_are_checked_and_normalised() {
        assert_eq!(
            normalise_email("  binh.tran@Example.VN ").as_deref(),
            Ok("binh.tran@example.vn")
        );
        for bad in [
            "",
            "binh",
            "binh@",
            "@example.vn",
            "a b@example.vn",
            "binh@localhost",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fallback_ids_share_the_notice_journey() {
        let id = fallback_bus_id("ntc-abc");
        assert_eq!(crate::bus::journey_id_of(&id), "ntc-abc");
        assert_ne!(id, "ntc-abc");
    }

    #[test]
    fn conflicts_are_recognised() {
        assert!(is_conflict(&sqlx::Error::Protocol(
            "case c1 changed while vneid was recorded; retrying".into()
        )));
        assert!(!is_conflict(&sqlx::Error::RowNotFound));
    }
}
