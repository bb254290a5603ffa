//! Reads the elements that say what a court document is and what it changes: `CaseKind`,
//! `DocumentKind` and `Amends` (corrections and annulments of an earlier document).

use super::judgment::{Amendment, AmendmentKind, DocumentKind};
use super::kind::JudgmentKind;
use super::rules::{self, Field, Paths, XmlPaths};
use super::xml_fields::{child, Reader};
use crate::text::nfc;
use crate::xml::Element;

impl Reader {
    /// The optional `CaseKind` element (civil, criminal, ...).
    pub(super) fn case_kind(&mut self, root: &Element, p: &XmlPaths) -> Option<JudgmentKind> {
        let path = p.root(Field::CaseKind);
        let text = self.optional(root, "CaseKind", &path)?.trim();
        let kind = JudgmentKind::parse(text);
        if kind.is_none() {
            let names: Vec<&str> = JudgmentKind::ALL.iter().map(|k| k.as_str()).collect();
            self.err(path, format!("must be one of {}", names.join(", ")));
        }
        kind
    }

    /// The optional `DocumentKind` element; a judgment when absent.
    pub(super) fn document_kind(&mut self, root: &Element, p: &XmlPaths) -> DocumentKind {
        let path = p.root(Field::DocumentKind);
        let Some(text) = self.optional(root, "DocumentKind", &path) else {
            return DocumentKind::Judgment;
        };
        DocumentKind::from_wire(text.trim()).unwrap_or_else(|| {
            self.err(path, "must be one of judgment, decision, interim_measure");
            DocumentKind::Judgment
        })
    }

    /// The optional `Amends` element: `kind` and `documentId` attributes, the reason as text.
    /// The outer `None` means absent; `Some(None)` means present but unusable (errors recorded).
    pub(super) fn amends(
        &mut self,
        root: &Element,
        p: &XmlPaths,
        this_document: Option<&str>,
    ) -> Option<Option<Amendment>> {
        let el = child(root, "Amends")?;
        let path = p.root(Field::AmendsReason);
        let text = self.leaf(el, &path, &["kind", "documentId"]);
        let kind_path = p.root(Field::AmendsKind);
        let kind = self
            .required_attr(el, "kind", kind_path.clone())
            .and_then(|v| {
                let kind = AmendmentKind::from_wire(v);
                if kind.is_none() {
                    self.err(
                        kind_path,
                        "must be one of correction, annulment, partial_annulment",
                    );
                }
                kind
            });
        let id_path = p.root(Field::AmendsDocumentId);
        let document_id = self
            .required_attr(el, "documentId", id_path.clone())
            .and_then(|v| {
                let verdict = rules::check_amended_document(v, this_document.unwrap_or(""));
                self.keep(id_path, v.to_owned(), verdict)
            });
        let reason = if text.trim().is_empty() {
            None
        } else {
            let r = nfc(text);
            let verdict = rules::check_text(&r, rules::MAX_LONG_CHARS);
            self.keep(path, r, verdict)
        };
        Some(match (kind, document_id) {
            (Some(kind), Some(document_id)) => Some(Amendment {
                kind,
                document_id,
                reason,
            }),
            _ => None,
        })
    }
}
