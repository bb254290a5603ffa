//! A small DOM over quick-xml that is safe on hostile input: size, depth, element and text
//! limits; no DTDs, so no entity expansion ("billion laughs") and no external entities (XXE);
//! UTF-8 only.

use quick_xml::escape::{resolve_xml_entity, unescape_with, EscapeError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Limits applied while parsing, so a partner cannot exhaust memory or stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted document in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting (the root is depth 1).
    pub max_depth: usize,
    /// Most elements in the document.
    pub max_elements: usize,
    /// Longest text (bytes, after unescaping) of one element or one attribute value.
    pub max_text_len: usize,
}

impl Default for Limits {
    /// 1 MiB, depth 32, 10 000 elements, 256 KiB of text per element.
    fn default() -> Self {
        Limits {
            max_bytes: 1024 * 1024,
            max_depth: 32,
            max_elements: 10_000,
            max_text_len: 256 * 1024,
        }
    }
}

/// Why a document was refused; positions are byte offsets into the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The document exceeds [`Limits::max_bytes`].
    #[error("the document is {size} bytes; at most {max} bytes are accepted")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A `<!DOCTYPE`; refused because DTDs declare entities (expansion bombs, external entities).
    #[error("DOCTYPE declarations are not allowed (at byte {position})")]
    DoctypeForbidden {
        /// Byte offset of the declaration.
        position: u64,
    },
    /// An entity other than `&lt; &gt; &amp; &apos; &quot;` and numeric character references.
    #[error("unknown entity &{entity}; at byte {position}; only the five XML entities and character references are allowed")]
    UnknownEntity {
        /// Name of the entity.
        entity: String,
        /// Byte offset of the text or tag holding it.
        position: u64,
    },
    /// Nesting deeper than [`Limits::max_depth`].
    #[error("elements are nested deeper than {max} levels (at byte {position})")]
    TooDeep {
        /// The limit.
        max: usize,
        /// Byte offset of the element that crossed it.
        position: u64,
    },
    /// More elements than [`Limits::max_elements`].
    #[error("the document has more than {max} elements (at byte {position})")]
    TooManyElements {
        /// The limit.
        max: usize,
        /// Byte offset of the element that crossed it.
        position: u64,
    },
    /// Text of one element or attribute longer than [`Limits::max_text_len`].
    #[error("text longer than {max} bytes (at byte {position})")]
    TextTooLong {
        /// The limit.
        max: usize,
        /// Byte offset of the text that crossed it.
        position: u64,
    },
    /// The bytes are not UTF-8, or the declaration names another encoding.
    #[error("the document must be UTF-8: {detail}")]
    NotUtf8 {
        /// What was wrong.
        detail: String,
        /// Byte offset of the problem.
        position: u64,
    },
    /// Not well-formed XML: mismatched tags, garbage, no root, several roots, trailing content.
    #[error("malformed XML: {0}")]
    Malformed(String),
}

/// One element of the parsed document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Namespace URI the element is in, if any.
    pub namespace: Option<String>,
    /// Local name (prefix removed).
    pub name: String,
    /// Attributes by local name with unescaped values; namespace declarations are left out.
    pub attributes: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Concatenated unescaped text and CDATA directly inside this element, not trimmed.
    pub text: String,
}

impl Element {
    /// First child with local name `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with local name `name`, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Value of the attribute with local name `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text with surrounding whitespace removed.
    pub fn text_trimmed(&self) -> &str {
        self.text.trim()
    }
}

/// Parses `bytes` into an [`Element`] tree within `limits`.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Element, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(XmlError::TooLarge {
            size: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let input = std::str::from_utf8(bytes).map_err(|e| XmlError::NotUtf8 {
        detail: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        position: e.valid_up_to() as u64,
    })?;
    let mut reader = NsReader::from_str(input);
    reader.config_mut().check_end_names = true;
    reader.config_mut().trim_text(false);

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    loop {
        let position = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(malformed(&e.to_string(), reader.error_position())),
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(malformed("more than one root element", position));
            }
            Event::Start(start) => {
                elements += 1;
                check_counts(elements, stack.len() + 1, limits, position)?;
                stack.push(open(&reader, &start, limits, position)?);
            }
            Event::Empty(start) => {
                elements += 1;
                check_counts(elements, stack.len() + 1, limits, position)?;
                let el = open(&reader, &start, limits, position)?;
                close(el, &mut stack, &mut root);
            }
            Event::End(_) => match stack.pop() {
                Some(el) => close(el, &mut stack, &mut root),
                None => return Err(malformed("closing tag without an opening tag", position)),
            },
            Event::Text(t) => {
                let raw = std::str::from_utf8(&t)
                    .map_err(|_| malformed("text is not UTF-8", position))?;
                let text = unescape_text(raw, position)?;
                append_text(&mut stack, root.is_some(), &text, limits, position)?;
            }
            Event::CData(c) => {
                let data = c.into_inner();
                let text = std::str::from_utf8(&data)
                    .map_err(|_| malformed("CDATA is not UTF-8", position))?;
                append_text(&mut stack, root.is_some(), text, limits, position)?;
            }
            Event::Decl(decl) => {
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|e| malformed(&e.to_string(), position))?;
                    if !enc.eq_ignore_ascii_case(b"utf-8") {
                        return Err(XmlError::NotUtf8 {
                            detail: format!(
                                "the declaration names encoding {:?}",
                                String::from_utf8_lossy(&enc)
                            ),
                            position,
                        });
                    }
                }
            }
            Event::DocType(_) => return Err(XmlError::DoctypeForbidden { position }),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(malformed(
                        &format!("unexpected end of document: <{}> is not closed", open.name),
                        position,
                    ));
                }
                return root.ok_or_else(|| malformed("no root element", position));
            }
        }
    }
}

fn malformed(what: &str, position: u64) -> XmlError {
    XmlError::Malformed(format!("{what} (at byte {position})"))
}

fn check_counts(
    elements: usize,
    depth: usize,
    limits: &Limits,
    position: u64,
) -> Result<(), XmlError> {
    if elements > limits.max_elements {
        return Err(XmlError::TooManyElements {
            max: limits.max_elements,
            position,
        });
    }
    if depth > limits.max_depth {
        return Err(XmlError::TooDeep {
            max: limits.max_depth,
            position,
        });
    }
    Ok(())
}

fn unescape_text(raw: &str, position: u64) -> Result<String, XmlError> {
    unescape_with(raw, resolve_xml_entity)
        .map(|c| c.into_owned())
        .map_err(|e| match e {
            EscapeError::UnrecognizedEntity(_, entity) => {
                XmlError::UnknownEntity { entity, position }
            }
            other => malformed(&other.to_string(), position),
        })
}

fn open(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    limits: &Limits,
    position: u64,
) -> Result<Element, XmlError> {
    let name = utf8(start.local_name().as_ref(), position)?;
    let (resolved, _) = reader.resolve_element(start.name());
    let namespace = match resolved {
        ResolveResult::Bound(ns) => Some(
            std::str::from_utf8(ns.as_ref())
                .map_err(|_| malformed("namespace is not UTF-8", position))?
                .to_owned(),
        ),
        ResolveResult::Unbound => None,
        ResolveResult::Unknown(prefix) => {
            return Err(malformed(
                &format!(
                    "undeclared namespace prefix {:?}",
                    String::from_utf8_lossy(&prefix)
                ),
                position,
            ))
        }
    };
    let mut attributes: Vec<(String, String)> = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(&e.to_string(), position))?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        if let (ResolveResult::Unknown(prefix), _) = reader.resolve_attribute(attr.key) {
            return Err(malformed(
                &format!(
                    "undeclared namespace prefix {:?}",
                    String::from_utf8_lossy(&prefix)
                ),
                position,
            ));
        }
        let key = utf8(attr.key.local_name().as_ref(), position)?;
        let raw = std::str::from_utf8(&attr.value)
            .map_err(|_| malformed("attribute value is not UTF-8", position))?;
        let value = unescape_text(raw, position)?;
        if value.len() > limits.max_text_len {
            return Err(XmlError::TextTooLong {
                max: limits.max_text_len,
                position,
            });
        }
        if attributes.iter().any(|(k, _)| *k == key) {
            return Err(malformed(&format!("duplicate attribute {key}"), position));
        }
        attributes.push((key, value));
    }
    Ok(Element {
        namespace,
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

/// Converts a local name, checking it is an XML `NCName` (quick-xml does not check names).
fn utf8(bytes: &[u8], position: u64) -> Result<String, XmlError> {
    let name = std::str::from_utf8(bytes).map_err(|_| malformed("name is not UTF-8", position))?;
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(is_name_start) && chars.all(is_name_char);
    if valid {
        Ok(name.to_owned())
    } else {
        Err(malformed(&format!("invalid name {name:?}"), position))
    }
}

/// `NameStartChar` of XML 1.0 (5th edition) without ':'.
fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// `NameChar` of XML 1.0 (5th edition) without ':'.
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn append_text(
    stack: &mut [Element],
    root_done: bool,
    text: &str,
    limits: &Limits,
    position: u64,
) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(el) => {
            if el.text.len() + text.len() > limits.max_text_len {
                return Err(XmlError::TextTooLong {
                    max: limits.max_text_len,
                    position,
                });
            }
            el.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None if root_done => Err(malformed(
            "trailing content after the root element",
            position,
        )),
        None => Err(malformed("text outside the root element", position)),
    }
}

#[cfg(test)]
mod tests;
