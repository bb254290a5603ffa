//! Structural helpers for reading the judgment XML: allowed children and attributes, leaf text,
//! required and optional elements, each recording field errors with their XML path.

use super::judgment::JUDGMENT_NAMESPACE;
use crate::validation::ValidationErrors;
use crate::xml::Element;

/// Collects the field errors of one document while it is read.
pub(super) struct Reader {
    pub(super) errors: ValidationErrors,
}

/// True when `el` is in the judgment namespace.
pub(super) fn in_ns(el: &Element) -> bool {
    el.namespace.as_deref() == Some(JUDGMENT_NAMESPACE)
}

/// First child named `name` in the judgment namespace.
pub(super) fn child<'a>(el: &'a Element, name: &str) -> Option<&'a Element> {
    el.children.iter().find(|c| c.name == name && in_ns(c))
}

impl Reader {
    /// Records one field error.
    pub(super) fn err(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(field, reason);
    }

    /// Records a validator's verdict; returns the value when it passed.
    pub(super) fn keep<T>(
        &mut self,
        field: String,
        value: T,
        verdict: Result<(), String>,
    ) -> Option<T> {
        match verdict {
            Ok(()) => Some(value),
            Err(reason) => {
                self.err(field, reason);
                None
            }
        }
    }

    /// Checks that `el` holds only the `allowed` children (each once unless `repeatable`), only
    /// the `attrs` attributes, and no text of its own.
    pub(super) fn container(
        &mut self,
        el: &Element,
        path: &str,
        allowed: &[&str],
        attrs: &[&str],
        repeatable: bool,
    ) {
        self.attributes(el, path, attrs);
        if !el.text.trim().is_empty() {
            self.err(
                path,
                "unexpected text content; this element holds elements only",
            );
        }
        let mut reported: Vec<&str> = Vec::new();
        for c in &el.children {
            let name = c.name.as_str();
            if !in_ns(c) {
                let ns = c.namespace.as_deref().unwrap_or("no namespace");
                self.err(
                    format!("{path}/{name}"),
                    format!("unexpected element (namespace {ns})"),
                );
            } else if !allowed.contains(&name) {
                self.err(format!("{path}/{name}"), "unexpected element");
            } else if !repeatable
                && !reported.contains(&name)
                && el.children_named(name).filter(|x| in_ns(x)).count() > 1
            {
                reported.push(name);
                self.err(format!("{path}/{name}"), "appears more than once");
            }
        }
    }

    /// Reports every attribute not in `attrs` as unexpected.
    pub(super) fn attributes(&mut self, el: &Element, path: &str, attrs: &[&str]) {
        for (k, _) in &el.attributes {
            if !attrs.contains(&k.as_str()) {
                self.err(format!("{path}/@{k}"), "unexpected attribute");
            }
        }
    }

    /// The text of a leaf element (no children, only the `attrs` attributes).
    pub(super) fn leaf<'a>(&mut self, el: &'a Element, path: &str, attrs: &[&str]) -> &'a str {
        self.attributes(el, path, attrs);
        if !el.children.is_empty() {
            self.err(path, "must contain text only, not elements");
        }
        &el.text
    }

    /// Text of the required leaf `name` under `parent`, or "is required".
    pub(super) fn required<'a>(
        &mut self,
        parent: &'a Element,
        name: &str,
        path: &str,
    ) -> Option<&'a str> {
        match child(parent, name) {
            Some(el) => Some(self.leaf(el, path, &[])),
            None => {
                self.err(path, "is required");
                None
            }
        }
    }

    /// Text of the optional leaf `name` under `parent`, if present.
    pub(super) fn optional<'a>(
        &mut self,
        parent: &'a Element,
        name: &str,
        path: &str,
    ) -> Option<&'a str> {
        child(parent, name).map(|el| self.leaf(el, path, &[]))
    }

    /// Value of the required attribute `name`, or "is required" at `path`.
    pub(super) fn required_attr<'a>(
        &mut self,
        el: &'a Element,
        name: &str,
        path: String,
    ) -> Option<&'a str> {
        let value = el.attr(name);
        if value.is_none() {
            self.err(path, "is required");
        }
        value
    }
}
