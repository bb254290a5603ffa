//! The text of a notice as citizens read it: the case's data loaded from the database into a
//! template context and rendered with the notice kind's template. When a kind has no template
//! or rendering fails, the text the case system composed (the command's title and body) is used,
//! so a notice is never held back by its wording.

use sqlx::Row;
use thads_core::db::Tx;
use thads_core::deadlines::rules::{Step, Unit};
use thads_core::deadlines::store::{vietnam_date, Schedule};
use thads_schemas::money::Vnd;
use thads_schemas::notice::NoticeCommand;
use time::OffsetDateTime;

use crate::templates::{self, Context, Rendered};

/// The role as the law names it.
fn role_name(role: &str) -> &'static str {
    match role {
        "creditor" => "người được thi hành án",
        "debtor" => "người phải thi hành án",
        _ => "người có quyền lợi, nghĩa vụ liên quan",
    }
}

/// An ISO date as Vietnamese documents write it: `2026-03-12` → `12/03/2026`.
fn vn_date(iso: &str) -> String {
    let mut parts = iso.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) if y.len() == 4 => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// How long the voluntary period is and its legal basis, for the regime in force today.
fn voluntary_period(schedule: &Schedule) -> (String, String) {
    let today = vietnam_date(OffsetDateTime::now_utc());
    let rules = &schedule.rules;
    let limit = rules
        .limits(rules.regime_for(today))
        .limit(Step::VoluntaryPeriod);
    let unit = match limit.unit {
        Unit::WorkingDays => "ngày làm việc",
        Unit::Days => "ngày",
        Unit::Months => "tháng",
        Unit::Hours => "giờ",
    };
    (format!("{} {unit}", limit.count), limit.legal_basis.clone())
}

/// The template context of `cmd`: the case, the party, what the party owes, and the payment
/// reference when the notice asks for money.
pub async fn context(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    cmd: &NoticeCommand,
) -> Result<Context, sqlx::Error> {
    let mut ctx = Context::new();
    ctx.insert("office", cmd.office.as_str().to_string());
    ctx.insert("case_id", cmd.case_id.clone());
    ctx.insert("notice_id", cmd.notice_id.clone());
    ctx.insert("party_name", cmd.recipient.name.as_str().to_string());
    if let Some(case) = sqlx::query(
        "SELECT judgment_number, judgment_date, court_name, decision_number, decision_on \
         FROM cases WHERE id = $1",
    )
    .bind(&cmd.case_id)
    .fetch_optional(&mut **tx)
    .await?
    {
        ctx.insert("judgment_number", case.try_get("judgment_number")?);
        let date: String = case.try_get("judgment_date")?;
        ctx.insert("judgment_date", vn_date(&date));
        ctx.insert("court_name", case.try_get("court_name")?);
        if let Some(n) = case.try_get::<Option<String>, _>("decision_number")? {
            ctx.insert("decision_number", n);
        }
        if let Some(d) = case.try_get::<Option<String>, _>("decision_on")? {
            ctx.insert("decision_date", vn_date(&d));
        }
    }
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM case_parties WHERE case_id = $1 AND party_ref = $2")
            .bind(&cmd.case_id)
            .bind(&cmd.recipient.party_ref)
            .fetch_optional(&mut **tx)
            .await?;
    let role = role.unwrap_or_default();
    ctx.insert("party_role", role_name(&role).to_string());
    if role == "debtor" {
        ctx.insert("debtor", "1".to_string());
    }
    let (period, basis) = voluntary_period(schedule);
    ctx.insert("voluntary_period", period);
    ctx.insert("voluntary_basis", basis);
    let amounts: Vec<Option<i64>> = sqlx::query_scalar(
        "SELECT amount_vnd FROM case_obligations WHERE case_id = $1 AND debtor_ref = $2 \
         ORDER BY position",
    )
    .bind(&cmd.case_id)
    .bind(&cmd.recipient.party_ref)
    .fetch_all(&mut **tx)
    .await?;
    let owed: Vec<String> = amounts
        .into_iter()
        .flatten()
        .filter_map(|a| Vnd::new(a).ok())
        .map(|a| format!("{a} ({})", a.in_words()))
        .collect();
    if !owed.is_empty() {
        ctx.insert("obligations", owed.join("; "));
    }
    if let Some(reference) = &cmd.payment_reference {
        ctx.insert("payment_reference", reference.clone());
    }
    Ok(ctx)
}

/// The notice's title and text: its kind's template rendered with the case's data, or the
/// command's own text when there is no template or it cannot be rendered.
pub fn notice_text(cmd: &NoticeCommand, ctx: &Context) -> Rendered {
    match templates::render_notice(cmd.kind, ctx) {
        Some(Ok(mut rendered)) => {
            if let Some(reference) = &cmd.payment_reference {
                // The payment reference goes into every notice that asks for money.
                if !rendered.body.contains(reference.as_str()) {
                    rendered.body.push_str(&format!(
                        "\n\nKhi nộp tiền, ghi nội dung chuyển khoản: {reference}."
                    ));
                }
            }
            rendered
        }
        Some(Err(e)) => {
            tracing::warn!(notice_id = %cmd.notice_id, kind = cmd.kind.as_str(), error = %e,
                "notice template failed; sending the case system's text");
            own_text(cmd)
        }
        None => own_text(cmd),
    }
}

fn own_text(cmd: &NoticeCommand) -> Rendered {
    Rendered {
        title: cmd.title.clone(),
        body: cmd.body.clone(),
    }
}

/// Loads the context and renders the notice in one go (the paper-service listing uses it).
pub async fn load_notice_text(
    tx: &mut Tx<'_>,
    schedule: &Schedule,
    cmd: &NoticeCommand,
) -> Result<(Rendered, Context), sqlx::Error> {
    let ctx = context(tx, schedule, cmd).await?;
    Ok((notice_text(cmd, &ctx), ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_roles_read_as_in_documents() {
        assert_eq!(vn_date("2026-03-12"), "12/03/2026");
        assert_eq!(vn_date("garbled"), "garbled");
        assert_eq!(role_name("debtor"), "người phải thi hành án");
        assert_eq!(role_name("creditor"), "người được thi hành án");
        assert_eq!(
            role_name("interested"),
            "người có quyền lợi, nghĩa vụ liên quan"
        );
    }
}
