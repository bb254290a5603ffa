//! Reads the XML judgment courts push (`schemas/court/judgment-v1.xsd`) into a [`Judgment`],
//! collecting every field error with its XML path (`Judgment/Parties/Party[2]/Cccd`).

use super::judgment::{
    Court, Judgment, JudgmentError, Obligation, ObligationKind, Party, PartyKind, PartyRole,
    Period, JUDGMENT_NAMESPACE,
};
use super::rules::{self, Cross, Field, ObligationField, PartyField, Paths, Shape, XmlPaths};
use super::xml_fields::{child, in_ns, Reader};
use crate::cccd::Cccd;
use crate::money::Vnd;
use crate::office::OfficeCode;
use crate::text::{nfc, nfc_multiline, PersonalText};
use crate::validation::ValidationErrors;
use crate::xml::{self, Element, Limits};

const ROOT_CHILDREN: [&str; 12] = [
    "DocumentId",
    "Court",
    "Office",
    "JudgmentNumber",
    "JudgmentDate",
    "EffectiveDate",
    "CaseKind",
    "DocumentKind",
    "Amends",
    "Parties",
    "Obligations",
    "OperativeText",
];
const PARTY_CHILDREN: [&str; 4] = ["Name", "Cccd", "BirthYear", "Address"];
const OBLIGATION_CHILDREN: [&str; 2] = ["AmountVnd", "Description"];

/// Parses and validates a judgment document (XML, UTF-8, namespace [`JUDGMENT_NAMESPACE`]).
///
/// Hostile or malformed XML fails with [`JudgmentError::Xml`]; a wrong root or namespace with
/// [`JudgmentError::WrongRoot`] / [`JudgmentError::WrongNamespace`]; otherwise every field
/// error is collected into [`JudgmentError::Invalid`].
pub fn parse_judgment_xml(bytes: &[u8]) -> Result<Judgment, JudgmentError> {
    let root = xml::parse(bytes, &Limits::default())?;
    if root.name != "Judgment" {
        return Err(JudgmentError::WrongRoot { found: root.name });
    }
    if root.namespace.as_deref() != Some(JUDGMENT_NAMESPACE) {
        return Err(JudgmentError::WrongNamespace {
            found: root.namespace,
        });
    }
    let mut r = Reader {
        errors: ValidationErrors::new(),
    };
    r.read(&root)
}

impl Reader {
    /// Reads every field, runs the cross-field rules, and builds the judgment if nothing failed.
    fn read(&mut self, root: &Element) -> Result<Judgment, JudgmentError> {
        let p = XmlPaths;
        self.container(root, "Judgment", &ROOT_CHILDREN, &[], false);

        let path = p.root(Field::DocumentId);
        let document_id = self.required(root, "DocumentId", &path).and_then(|t| {
            self.keep(
                path,
                t.trim().to_owned(),
                rules::check_document_id(t.trim()),
            )
        });

        let court = self.court(root, &p);

        let path = p.root(Field::Office);
        let office = self.required(root, "Office", &path).and_then(|t| {
            OfficeCode::parse(t.trim())
                .map_err(|e| self.err(path, e.to_string()))
                .ok()
        });

        let path = p.root(Field::JudgmentNumber);
        let judgment_number = self.required(root, "JudgmentNumber", &path).and_then(|t| {
            self.keep(
                path,
                t.trim().to_owned(),
                rules::check_judgment_number(t.trim()),
            )
        });

        let judgment_date = self.date(root, "JudgmentDate", p.root(Field::JudgmentDate));
        let effective_date = self.date(root, "EffectiveDate", p.root(Field::EffectiveDate));

        let case_kind = self.case_kind(root, &p);
        let document_kind = self.document_kind(root, &p);
        let amends = self.amends(root, &p, document_id.as_deref());
        let annulment = amends
            .as_ref()
            .and_then(|a| a.as_ref())
            .is_some_and(|a| a.kind.is_annulment());
        let has_text = child(root, "OperativeText").is_some();
        let shape = Shape::of(annulment, has_text, child(root, "Obligations").is_none());

        let (parties, parties_complete) = self.parties(root, &p, judgment_date, shape);
        let (obligations, obligations_complete) = self.obligations(root, &p, shape);

        let path = p.root(Field::OperativeText);
        let operative_text = self.optional(root, "OperativeText", &path).and_then(|t| {
            let text = nfc_multiline(t);
            let verdict = rules::check_text(&text, usize::MAX);
            self.keep(path, text, verdict)
        });

        let party_refs: Vec<(usize, &Party)> = parties.iter().map(|(i, x)| (*i, x)).collect();
        let obligation_refs: Vec<(usize, &Obligation)> =
            obligations.iter().map(|(i, x)| (*i, x)).collect();
        let mut cross = ValidationErrors::new();
        rules::check_cross(
            &Cross {
                judgment_date,
                effective_date,
                parties: &party_refs,
                parties_complete,
                obligations: &obligation_refs,
                obligations_complete,
                shape,
            },
            &p,
            &mut cross,
        );
        // A field already rejected is not reported again by a rule that saw it missing.
        for e in cross.0 {
            if !self.errors.has_field(&e.field) {
                self.errors.0.push(e);
            }
        }

        let errors = std::mem::take(&mut self.errors);
        let (
            Some(document_id),
            Some(court),
            Some(office),
            Some(judgment_number),
            Some(judgment_date),
            Some(effective_date),
            true,
            true,
            true,
        ) = (
            document_id,
            court,
            office,
            judgment_number,
            judgment_date,
            effective_date,
            parties_complete,
            obligations_complete,
            !matches!(amends, Some(None)),
        )
        else {
            return Err(JudgmentError::Invalid(non_empty(errors)));
        };
        let judgment = Judgment {
            document_id,
            court,
            office,
            judgment_number,
            judgment_date,
            effective_date,
            case_kind,
            document_kind,
            amends: amends.flatten(),
            parties: parties.into_iter().map(|(_, x)| x).collect(),
            obligations: obligations.into_iter().map(|(_, x)| x).collect(),
            operative_text,
        };
        errors.into_result(judgment).map_err(JudgmentError::Invalid)
    }

    /// The `Court` element: name as text, `code` attribute.
    fn court(&mut self, root: &Element, p: &XmlPaths) -> Option<Court> {
        let path = p.root(Field::CourtName);
        let Some(el) = child(root, "Court") else {
            self.err(path, "is required");
            return None;
        };
        let text = self.leaf(el, &path, &["code"]);
        let name = nfc(text);
        let verdict = rules::check_text(&name, rules::MAX_NAME_CHARS);
        let name = self.keep(path, name, verdict);
        let code_path = p.root(Field::CourtCode);
        let code = self
            .required_attr(el, "code", code_path.clone())
            .and_then(|c| self.keep(code_path, c.to_owned(), rules::check_court_code(c)));
        Some(Court {
            code: code?,
            name: name?,
        })
    }

    /// A required `YYYY-MM-DD` element.
    fn date(&mut self, root: &Element, name: &str, path: String) -> Option<time::Date> {
        let text = self.required(root, name, &path)?;
        rules::parse_date(text.trim())
            .map_err(|e| self.err(path, e))
            .ok()
    }

    /// The `Parties` list; the flag is false when some party could not be built.
    fn parties(
        &mut self,
        root: &Element,
        p: &XmlPaths,
        judgment_date: Option<time::Date>,
        shape: Shape,
    ) -> (Vec<(usize, Party)>, bool) {
        let path = p.root(Field::Parties);
        let Some(list) = child(root, "Parties") else {
            if shape.parties_optional() {
                return (Vec::new(), true);
            }
            self.err(path, "is required");
            return (Vec::new(), false);
        };
        self.container(list, &path, &["Party"], &[], true);
        let items: Vec<&Element> = list.children_named("Party").filter(|c| in_ns(c)).collect();
        if items.is_empty() {
            self.err(path, "at least one Party is required");
            return (Vec::new(), false);
        }
        let mut out = Vec::new();
        let mut complete = true;
        for (i, el) in items.into_iter().enumerate() {
            match self.party(i, el, p, judgment_date) {
                Some(party) => out.push((i, party)),
                None => complete = false,
            }
        }
        (out, complete)
    }

    /// One `Party`; `None` when its id or role is unusable (other errors are recorded only).
    fn party(
        &mut self,
        i: usize,
        el: &Element,
        p: &XmlPaths,
        judgment_date: Option<time::Date>,
    ) -> Option<Party> {
        let base = format!("Judgment/Parties/Party[{}]", i + 1);
        self.container(el, &base, &PARTY_CHILDREN, &["id", "role", "kind"], false);
        let path = p.party(i, PartyField::Id);
        let id = self
            .required_attr(el, "id", path.clone())
            .and_then(|v| self.keep(path, v.to_owned(), rules::check_party_id(v)));
        let path = p.party(i, PartyField::Role);
        let role = self.required_attr(el, "role", path.clone()).and_then(|v| {
            let role = PartyRole::from_wire(v);
            if role.is_none() {
                self.err(path, "must be one of creditor, debtor, interested");
            }
            role
        });
        let kind = match el.attr("kind") {
            None => PartyKind::Person,
            Some(v) => PartyKind::from_wire(v).unwrap_or_else(|| {
                self.err(
                    p.party(i, PartyField::Kind),
                    "must be person or organisation",
                );
                PartyKind::Person
            }),
        };
        let path = p.party(i, PartyField::Name);
        let name = self
            .required(el, "Name", &path)
            .map(nfc)
            .unwrap_or_default();
        if child(el, "Name").is_some() {
            let verdict = rules::check_text(&name, rules::MAX_NAME_CHARS);
            self.keep(path, (), verdict);
        }
        let path = p.party(i, PartyField::Cccd);
        let cccd = self.optional(el, "Cccd", &path).and_then(|t| {
            Cccd::parse(t)
                .map_err(|e| self.err(path, e.to_string()))
                .ok()
        });
        let path = p.party(i, PartyField::BirthYear);
        let birth_year = self.optional(el, "BirthYear", &path).and_then(|t| {
            let t = t.trim();
            match t.parse::<u16>() {
                Ok(y) if t.len() == 4 => {
                    self.keep(path, y, rules::check_birth_year(y, judgment_date))
                }
                _ => {
                    self.err(path, "must be a four-digit year");
                    None
                }
            }
        });
        let path = p.party(i, PartyField::Address);
        let address = self.optional(el, "Address", &path).and_then(|t| {
            let a = nfc(t);
            let verdict = rules::check_text(&a, rules::MAX_LONG_CHARS);
            self.keep(path, PersonalText::new(&a), verdict)
        });
        Some(Party {
            id: id?,
            role: role?,
            kind,
            name: PersonalText::new(&name),
            cccd,
            birth_year,
            address,
        })
    }

    /// The `Obligations` list; the flag is false when some obligation could not be built.
    fn obligations(
        &mut self,
        root: &Element,
        p: &XmlPaths,
        shape: Shape,
    ) -> (Vec<(usize, Obligation)>, bool) {
        let path = p.root(Field::Obligations);
        let Some(list) = child(root, "Obligations") else {
            if shape != Shape::Full {
                return (Vec::new(), true);
            }
            self.err(
                path,
                "is required (or send OperativeText alone for the hub to extract)",
            );
            return (Vec::new(), false);
        };
        self.container(list, &path, &["Obligation"], &[], true);
        let mut out = Vec::new();
        let mut complete = true;
        let items: Vec<&Element> = list
            .children_named("Obligation")
            .filter(|c| in_ns(c))
            .collect();
        for (i, el) in items.into_iter().enumerate() {
            match self.obligation(i, el, p) {
                Some(ob) => out.push((i, ob)),
                None => complete = false,
            }
        }
        (out, complete)
    }

    /// One `Obligation`; `None` when its kind or debtor is unusable.
    fn obligation(&mut self, i: usize, el: &Element, p: &XmlPaths) -> Option<Obligation> {
        let base = format!("Judgment/Obligations/Obligation[{}]", i + 1);
        self.container(
            el,
            &base,
            &OBLIGATION_CHILDREN,
            &["kind", "debtor", "creditor", "period"],
            false,
        );
        let path = p.obligation(i, ObligationField::Kind);
        let kind = self.required_attr(el, "kind", path.clone()).and_then(|v| {
            let kind = ObligationKind::from_wire(v);
            if kind.is_none() {
                let names: Vec<&str> = ObligationKind::ALL.iter().map(|k| k.as_str()).collect();
                self.err(path, format!("must be one of {}", names.join(", ")));
            }
            kind
        });
        let path = p.obligation(i, ObligationField::Debtor);
        let debtor = self
            .required_attr(el, "debtor", path.clone())
            .and_then(|v| self.keep(path, v.to_owned(), rules::check_party_id(v)));
        let path = p.obligation(i, ObligationField::Creditor);
        let creditor = el
            .attr("creditor")
            .and_then(|v| self.keep(path, v.to_owned(), rules::check_party_id(v)));
        let path = p.obligation(i, ObligationField::Amount);
        let amount = self.optional(el, "AmountVnd", &path).and_then(|t| {
            Vnd::parse(t)
                .map_err(|e| self.err(path, e.to_string()))
                .ok()
        });
        let path = p.obligation(i, ObligationField::Period);
        let period = el.attr("period").and_then(|v| {
            let period = Period::from_wire(v);
            if period.is_none() {
                self.err(path, "must be one of monthly, quarterly, yearly");
            }
            period
        });
        let path = p.obligation(i, ObligationField::Description);
        let description = self.optional(el, "Description", &path).and_then(|t| {
            let d = nfc(t);
            let verdict = rules::check_text(&d, rules::MAX_LONG_CHARS);
            self.keep(path, d, verdict)
        });
        Some(Obligation {
            kind: kind?,
            debtor: debtor?,
            creditor,
            amount,
            period,
            description,
        })
    }
}

/// Guards the (unreachable) case of incomplete data without any recorded error.
fn non_empty(mut errors: ValidationErrors) -> ValidationErrors {
    if errors.is_empty() {
        errors.push("Judgment", "the document is incomplete");
    }
    errors
}
