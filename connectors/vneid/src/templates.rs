//! Vietnamese notice templates, one per notice kind (files in `connectors/vneid/templates/`,
//! compiled in), and the e-mail around a notice. The syntax is deliberately tiny: `{{name}}`
//! inserts a value, `{{#name}}…{{/name}}` keeps its content only when the value is non-empty;
//! an unknown name is an error, so a typo cannot silently drop the payment reference.

use std::collections::BTreeMap;

use thads_schemas::notice::NoticeKind;

/// The values a template is rendered with.
pub type Context = BTreeMap<&'static str, String>;

/// The template of each notice kind that has one; other kinds keep the case system's text.
const TEMPLATES: &[(NoticeKind, &str)] = &[
    (
        NoticeKind::CaseOpened,
        include_str!("../templates/case_opened.vi.txt"),
    ),
    (
        NoticeKind::DecisionIssued,
        include_str!("../templates/decision_issued.vi.txt"),
    ),
];

/// The e-mail around a notice (subject line, then the body).
const EMAIL: &str = include_str!("../templates/email.vi.txt");

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template uses a name the context does not have.
    #[error("the template uses {{{{{0}}}}}, which has no value")]
    Unknown(String),
    /// A section is not closed.
    #[error("the section {{{{#{0}}}}} is not closed")]
    Unclosed(String),
    /// A tag is malformed (no `}}`, or a stray closing tag).
    #[error("malformed tag near {0:?}")]
    Malformed(String),
    /// The file lacks the `---` line between title and body.
    #[error("the template has no '---' line between title and body")]
    NoTitle,
}

/// A rendered notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The title (the e-mail subject).
    pub title: String,
    /// The text.
    pub body: String,
}

/// Renders `template` with `ctx`.
pub fn render(template: &str, ctx: &Context) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| TemplateError::Malformed(excerpt(&rest[open..])))?;
        let tag = after[..close].trim();
        rest = &after[close + 2..];
        if let Some(name) = tag.strip_prefix('#') {
            let end_tag = format!("{{{{/{name}}}}}");
            let end = rest
                .find(&end_tag)
                .ok_or_else(|| TemplateError::Unclosed(name.to_string()))?;
            let inner = &rest[..end];
            rest = &rest[end + end_tag.len()..];
            if ctx.get(name).is_some_and(|v| !v.is_empty()) {
                out.push_str(&render(inner, ctx)?);
            } else {
                // Checked even when hidden, so a typo inside a rare section is caught too.
                check_names(inner, ctx)?;
            }
        } else if tag.starts_with('/') || tag.is_empty() {
            return Err(TemplateError::Malformed(tag.to_string()));
        } else {
            let value = ctx
                .get(tag)
                .ok_or_else(|| TemplateError::Unknown(tag.to_string()))?;
            out.push_str(value);
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Names a template may use even when they have no value in this context (they only gate
/// or fill optional sections).
const OPTIONAL: &[&str] = &[
    "payment_reference",
    "obligations",
    "debtor",
    "decision_number",
    "decision_date",
];

fn check_names(template: &str, ctx: &Context) -> Result<(), TemplateError> {
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| TemplateError::Malformed(excerpt(&rest[open..])))?;
        let tag = after[..close].trim();
        let name = tag.trim_start_matches(['#', '/']);
        if !ctx.contains_key(name) && !OPTIONAL.contains(&name) {
            return Err(TemplateError::Unknown(name.to_string()));
        }
        rest = &after[close + 2..];
    }
    Ok(())
}

fn excerpt(s: &str) -> String {
    s.chars().take(24).collect()
}

/// Splits a template file into its title and body templates.
fn split(file: &str) -> Result<(&str, &str), TemplateError> {
    let (title, body) = file.split_once("\n---\n").ok_or(TemplateError::NoTitle)?;
    Ok((title.trim(), body.trim()))
}

/// Whether a notice kind has a template.
pub fn has_template(kind: NoticeKind) -> bool {
    TEMPLATES.iter().any(|(k, _)| *k == kind)
}

/// Renders the notice of `kind`; `None` when the kind has no template.
pub fn render_notice(kind: NoticeKind, ctx: &Context) -> Option<Result<Rendered, TemplateError>> {
    let file = TEMPLATES.iter().find(|(k, _)| *k == kind)?.1;
    Some(render_file(file, ctx))
}

fn render_file(file: &str, ctx: &Context) -> Result<Rendered, TemplateError> {
    let (title, body) = split(file)?;
    Ok(Rendered {
        title: render(title, ctx)?.trim().to_string(),
        body: render(body, ctx)?.trim().to_string(),
    })
}

/// The e-mail carrying `notice`: its subject and plain-text body.
pub fn render_email(notice: &Rendered, ctx: &Context) -> Result<Rendered, TemplateError> {
    let mut ctx = ctx.clone();
    ctx.insert("title", notice.title.clone());
    ctx.insert("body", notice.body.clone());
    render_file(EMAIL, &ctx)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn full() -> Context {
        let mut c = Context::new();
        for (k, v) in [
            ("office", "HCM-KV01"),
            ("case_id", "c-123"),
            ("notice_id", "ntc-abc"),
            ("party_name", "Trần Thị Bình"),
            ("party_role", "người phải thi hành án"),
            ("judgment_number", "215/2026/DS-ST"),
            ("judgment_date", "12/03/2026"),
            (
                "court_name",
                "Tòa án nhân dân khu vực 1 - Thành phố Hồ Chí Minh",
            ),
            ("decision_number", "12/QĐ-THADS"),
            ("decision_date", "20/04/2026"),
            (
                "obligations",
                "150.000.000 đồng (Một trăm năm mươi triệu đồng)",
            ),
            ("payment_reference", "THA7K2M9Q"),
            ("debtor", "1"),
            ("voluntary_period", "10 ngày"),
            ("voluntary_basis", "Điều 45 Luật Thi hành án dân sự"),
        ] {
            c.insert(k, v.to_string());
        }
        c
    }

    fn without(mut c: Context, keys: &[&'static str]) -> Context {
        for k in keys {
            c.remove(k);
        }
        c
    }

    #[test]
    fn every_kind_has_a_template_that_renders() {
        for kind in [NoticeKind::CaseOpened, NoticeKind::DecisionIssued] {
            assert!(has_template(kind), "{kind:?}");
            let r = render_notice(kind, &full()).unwrap().unwrap();
            assert!(!r.title.is_empty());
            assert!(
                !r.body.contains("{{") && !r.body.contains("}}"),
                "{}",
                r.body
            );
            assert!(r.body.contains("215/2026/DS-ST") && r.body.contains("c-123"));
            assert!(r.body.contains("Trần Thị Bình"));
        }
    }

    #[test]
    fn notices_asking_for_money_carry_the_payment_reference() {
        for kind in [NoticeKind::CaseOpened, NoticeKind::DecisionIssued] {
            let r = render_notice(kind, &full()).unwrap().unwrap();
            assert!(
                r.body
                    .contains("Khi nộp tiền, ghi nội dung chuyển khoản: THA7K2M9Q."),
                "{kind:?}: {}",
                r.body
            );
            assert!(r.body.contains("150.000.000 đồng"), "{}", r.body);
            // A party who owes nothing gets no payment sentence.
            let creditor = without(full(), &["payment_reference", "obligations", "debtor"]);
            let r = render_notice(kind, &creditor).unwrap().unwrap();
            assert!(!r.body.contains("chuyển khoản"), "{}", r.body);
            assert!(!r.body.contains("THA7K2M9Q"));
        }
    }

    #[test]
    fn the_decision_notice_tells_the_debtor_the_voluntary_period() {
        let r = render_notice(NoticeKind::DecisionIssued, &full())
            .unwrap()
            .unwrap();
        assert_eq!(r.title, "Thông báo quyết định thi hành án");
        assert!(r.body.contains("12/QĐ-THADS ngày 20/04/2026"), "{}", r.body);
        assert!(
            r.body
                .contains("Ông/Bà có 10 ngày kể từ ngày nhận được thông báo này"),
            "{}",
            r.body
        );
        assert!(r.body.contains("(Điều 45 Luật Thi hành án dân sự)"));
        let creditor = without(full(), &["debtor", "payment_reference", "obligations"]);
        let r = render_notice(NoticeKind::DecisionIssued, &creditor)
            .unwrap()
            .unwrap();
        assert!(!r.body.contains("tự nguyện"), "{}", r.body);
    }

    #[test]
    fn the_email_wraps_the_notice() {
        let notice = render_notice(NoticeKind::DecisionIssued, &full())
            .unwrap()
            .unwrap();
        let mail = render_email(&notice, &full()).unwrap();
        assert_eq!(
            mail.title,
            "[THADS HCM-KV01] Thông báo quyết định thi hành án"
        );
        assert!(mail.body.starts_with("Kính gửi Ông/Bà Trần Thị Bình,"));
        assert!(mail.body.contains(&notice.body));
        assert!(mail.body.contains("Mã thông báo: ntc-abc"));
        assert!(mail.body.contains("THA7K2M9Q"));
    }

    #[test]
    fn mistakes_are_errors_not_silence() {
        let ctx = full();
        assert_eq!(
            render("a {{nope}} b", &ctx),
            Err(TemplateError::Unknown("nope".into()))
        );
        assert_eq!(
            render("{{#debtor}} open", &ctx),
            Err(TemplateError::Unclosed("debtor".into()))
        );
        assert!(matches!(
            render("{{office", &ctx),
            Err(TemplateError::Malformed(_))
        ));
        assert!(matches!(
            render("{{/debtor}}", &ctx),
            Err(TemplateError::Malformed(_))
        ));
        // A typo in a hidden section is caught as well.
        let no_debtor = without(full(), &["debtor"]);
        assert_eq!(
            render("{{#debtor}}{{typo}}{{/debtor}}", &no_debtor),
            Err(TemplateError::Unknown("typo".into()))
        );
        assert_eq!(
            render("x{{#debtor}}[{{office}}]{{/debtor}}y", &ctx).unwrap(),
            "x[HCM-KV01]y"
        );
        assert_eq!(split("no title here"), Err(TemplateError::NoTitle));
    }

    #[test]
    fn a_missing_required_value_is_an_error() {
        let ctx = without(full(), &["court_name"]);
        let e = render_notice(NoticeKind::CaseOpened, &ctx)
            .unwrap()
            .unwrap_err();
        assert_eq!(e, TemplateError::Unknown("court_name".into()));
    }
}
