//! Tests of the hostile-input-safe XML DOM: one per refusal, plus the happy path.
#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

fn p(s: &str) -> Result<Element, XmlError> {
    parse(s.as_bytes(), &Limits::default())
}

#[test]
fn parses_namespaces_attributes_text_and_cdata() {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<?pi ignored?>
<j:Root xmlns:j="urn:x" xmlns="urn:default" a="1 &amp; 2" j:b='&#x41;&#66;'>
  <Child>Tòa &lt;án&gt; <![CDATA[<raw>&]]></Child>
  <Child/>
  <Other xmlns="">plain</Other>
</j:Root>"#;
    let root = p(doc).unwrap();
    assert_eq!(root.name, "Root");
    assert_eq!(root.namespace.as_deref(), Some("urn:x"));
    assert_eq!(root.attr("a"), Some("1 & 2"));
    assert_eq!(root.attr("b"), Some("AB"));
    assert_eq!(root.attributes.len(), 2);
    assert_eq!(root.children_named("Child").count(), 2);
    let child = root.child("Child").unwrap();
    assert_eq!(child.namespace.as_deref(), Some("urn:default"));
    assert_eq!(child.text, "Tòa <án> <raw>&");
    let other = root.child("Other").unwrap();
    assert_eq!(other.namespace, None);
    assert_eq!(other.text_trimmed(), "plain");
    assert!(root.child("Missing").is_none());
}

#[test]
fn utf8_bom_is_accepted() {
    let root = parse(b"\xEF\xBB\xBF<a>x</a>", &Limits::default()).unwrap();
    assert_eq!(root.text, "x");
}

#[test]
fn too_large() {
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    assert_eq!(
        parse(b"<a>0123456789</a>", &limits).unwrap_err(),
        XmlError::TooLarge { size: 17, max: 10 }
    );
}

#[test]
fn doctype_is_forbidden() {
    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"#;
    assert!(matches!(
        p(bomb).unwrap_err(),
        XmlError::DoctypeForbidden { position: 22 }
    ));
    let xxe = r#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
    assert!(matches!(
        p(xxe).unwrap_err(),
        XmlError::DoctypeForbidden { .. }
    ));
    assert!(matches!(
        p("<!DOCTYPE r><r/>").unwrap_err(),
        XmlError::DoctypeForbidden { .. }
    ));
}

#[test]
fn unknown_entity() {
    let e = p("<a>x &nbsp; y</a>").unwrap_err();
    assert!(
        matches!(&e, XmlError::UnknownEntity { entity, .. } if entity == "nbsp"),
        "{e:?}"
    );
    let e = p(r#"<a b="&ext;"/>"#).unwrap_err();
    assert!(
        matches!(&e, XmlError::UnknownEntity { entity, .. } if entity == "ext"),
        "{e:?}"
    );
    assert!(matches!(
        p("<a>&#xZZ;</a>").unwrap_err(),
        XmlError::Malformed(_)
    ));
}

#[test]
fn too_deep() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    assert!(parse(b"<a><b><c/></b></a>", &limits).is_ok());
    assert!(matches!(
        parse(b"<a><b><c><d/></c></b></a>", &limits).unwrap_err(),
        XmlError::TooDeep { max: 3, .. }
    ));
    let deep = "<a>".repeat(100_000);
    assert!(matches!(
        p(&deep).unwrap_err(),
        XmlError::TooDeep { max: 32, .. }
    ));
}

#[test]
fn too_many_elements() {
    let limits = Limits {
        max_elements: 3,
        ..Limits::default()
    };
    assert!(parse(b"<a><b/><b/></a>", &limits).is_ok());
    assert!(matches!(
        parse(b"<a><b/><b/><b/></a>", &limits).unwrap_err(),
        XmlError::TooManyElements { max: 3, .. }
    ));
}

#[test]
fn text_too_long() {
    let limits = Limits {
        max_text_len: 8,
        ..Limits::default()
    };
    assert!(parse(b"<a>12345678</a>", &limits).is_ok());
    assert!(matches!(
        parse(b"<a>1234<![CDATA[56789]]></a>", &limits).unwrap_err(),
        XmlError::TextTooLong { max: 8, .. }
    ));
    assert!(matches!(
        parse(b"<a b='123456789'/>", &limits).unwrap_err(),
        XmlError::TextTooLong { .. }
    ));
}

#[test]
fn not_utf8() {
    let e = parse(b"<a>\xC3\x28</a>", &Limits::default()).unwrap_err();
    assert!(matches!(e, XmlError::NotUtf8 { position: 3, .. }), "{e:?}");
    let e = p(r#"<?xml version="1.0" encoding="ISO-8859-1"?><a/>"#).unwrap_err();
    assert!(matches!(e, XmlError::NotUtf8 { .. }), "{e:?}");
    let utf16 = b"\xFF\xFE<\x00a\x00/\x00>\x00";
    assert!(matches!(
        parse(utf16, &Limits::default()).unwrap_err(),
        XmlError::NotUtf8 { .. }
    ));
    assert!(p(r#"<?xml version="1.0" encoding="utf-8"?><a/>"#).is_ok());
}

#[test]
fn malformed_documents() {
    for bad in [
        "",
        "   ",
        "<a><b></a></b>",
        "<a>",
        "</a>",
        "<a/><b/>",
        "<a/>trailing",
        "garbage<a/>",
        "<a b='1' b='2'/>",
        "<x:a/>",
        "<a x:b='1'/>",
        "<a><b>",
        "<<a/>",
    ] {
        let e = p(bad).unwrap_err();
        assert!(matches!(e, XmlError::Malformed(_)), "{bad:?} gave {e:?}");
    }
    assert!(p("<a/>\n  <!-- c -->\n").is_ok());
}

proptest! {
    #[test]
    fn random_input_never_panics(s in "\\PC{0,200}") {
        let _ = p(&s);
    }

    #[test]
    fn random_markup_never_panics(s in "[<>/a-c =\"'&;#!\\[\\]?x-]{0,80}") {
        let _ = p(&s);
    }

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse(&b, &Limits::default());
    }
}

#[test]
fn invalid_character_references_are_refused() {
    for bad in [
        "<a>&#0;</a>",
        "<a>&#xD800;</a>",
        "<a>&#x110000;</a>",
        "<a>&;</a>",
        "<a>& b</a>",
    ] {
        assert!(p(bad).is_err(), "{bad:?} was accepted");
    }
}
