//! Tests of the legacy converters: every Vietnamese letter with every tone in both cases, the
//! usual phrases of old judgments, detection, and round trips Unicode → legacy → Unicode.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;

/// The 67 lowercase Vietnamese letters beyond ASCII (every vowel with every tone, and đ).
fn lowercase_letters() -> Vec<char> {
    vni::TABLE
        .iter()
        .map(|(u, _)| *u)
        .filter(|u| u.is_lowercase())
        .collect()
}

fn upper(c: char) -> char {
    c.to_uppercase().next().unwrap()
}

#[test]
fn the_tables_cover_every_vowel_with_every_tone_and_d() {
    let lower = lowercase_letters();
    assert_eq!(lower.len(), 67);
    let vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"];
    let tones = ['\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'];
    let mut expected = vec!['đ'];
    for v in vowels {
        let base: String = v.nfc().collect();
        if !base.is_ascii() {
            expected.push(base.chars().next().unwrap());
        }
        for t in tones {
            let toned: String = format!("{base}{t}").nfc().collect();
            assert_eq!(toned.chars().count(), 1, "{v}{t} has a precomposed form");
            expected.push(toned.chars().next().unwrap());
        }
    }
    expected.sort_unstable();
    let mut have = lower.clone();
    have.sort_unstable();
    assert_eq!(have, expected);
    // Uppercase entries are the uppercase of the lowercase ones, marks included.
    for (u, v) in vni::TABLE.iter().filter(|(u, _)| u.is_lowercase()) {
        let (uu, vu) = vni::TABLE.iter().find(|(x, _)| *x == upper(*u)).unwrap();
        assert_eq!(*vu, v.to_uppercase(), "{u} / {uu}");
    }
    // TCVN3 has a code for every lowercase letter and the seven uppercase bases.
    for c in &lower {
        assert!(tcvn3::TABLE.iter().any(|(_, u)| u == c), "TCVN3 lacks {c}");
    }
    let mut codes: Vec<u8> = tcvn3::TABLE.iter().map(|(b, _)| *b).collect();
    codes.dedup();
    assert_eq!(codes.len(), tcvn3::TABLE.len(), "TCVN3 codes are unique");
}

#[test]
fn vni_round_trips_every_letter_in_both_cases() {
    for c in lowercase_letters() {
        for letter in [c, upper(c)] {
            for text in [
                letter.to_string(),
                format!("t{letter}n"),
                format!("T{letter}N"),
            ] {
                let legacy = from_unicode(&text, Encoding::Vni);
                assert!(legacy.chars().all(|x| u32::from(x) <= 0xFF), "{legacy}");
                assert_eq!(to_unicode(&legacy, Encoding::Vni), text, "{letter}");
            }
        }
    }
}

#[test]
fn tcvn3_round_trips_every_letter_in_words_of_its_case() {
    for c in lowercase_letters() {
        let lower = format!("t{c}n");
        let legacy = from_unicode(&lower, Encoding::Tcvn3);
        assert!(legacy.chars().all(|x| u32::from(x) <= 0xFF), "{legacy}");
        assert_eq!(to_unicode(&legacy, Encoding::Tcvn3), lower);
        let upper_word = format!("T{}N", upper(c));
        let legacy = from_unicode(&upper_word, Encoding::Tcvn3);
        assert_eq!(to_unicode(&legacy, Encoding::Tcvn3), upper_word);
        // A word of toned letters alone takes the case of its line.
        let line = format!("{} NAM", upper(c));
        let legacy = from_unicode(&line, Encoding::Tcvn3);
        assert_eq!(to_unicode(&legacy, Encoding::Tcvn3), line);
        let line = format!("{c} nam");
        let legacy = from_unicode(&line, Encoding::Tcvn3);
        assert_eq!(to_unicode(&legacy, Encoding::Tcvn3), line);
    }
}

#[test]
fn old_judgment_phrases_convert() {
    let tcvn3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam\nQUYÕT §ÞNH:\nBuéc bµ TrÇn ThÞ B×nh ph¶i tr¶ 150.000.000 ®ång.";
    assert_eq!(
        to_unicode(tcvn3, Encoding::Tcvn3),
        "Cộng hoà xã hội chủ nghĩa Việt Nam\nQUYẾT ĐỊNH:\nBuộc bà Trần Thị Bình phải trả 150.000.000 đồng."
    );
    let vni = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nQUYEÁT ÑÒNH:\nBuoäc baø Traàn Thò Bình phaûi traû 150.000.000 ñoàng.";
    assert_eq!(
        to_unicode(vni, Encoding::Vni),
        "Cộng hòa xã hội chủ nghĩa Việt Nam\nQUYẾT ĐỊNH:\nBuộc bà Trần Thị Bình phải trả 150.000.000 đồng."
    );
    // A lowercase mark after an uppercase base, as some typists left it.
    assert_eq!(to_unicode("Aù", Encoding::Vni), "Á");
}

#[test]
fn detection_tells_the_encodings_apart() {
    let text = "Buộc bà Trần Thị Bình phải trả cho ông Nguyễn Văn An số tiền 150.000.000 đồng.";
    assert_eq!(detect(text).encoding, Encoding::Unicode);
    assert_eq!(
        detect("Court fee 7,500,000 VND").encoding,
        Encoding::Unicode
    );
    let tcvn3 = from_unicode(text, Encoding::Tcvn3);
    let d = detect(&tcvn3);
    assert_eq!(d.encoding, Encoding::Tcvn3, "{d:?}");
    let vni = from_unicode(text, Encoding::Vni);
    let d = detect(&vni);
    assert_eq!(d.encoding, Encoding::Vni, "{d:?}");
    // Latin-1 text that is plain French is not taken for a legacy encoding.
    assert_eq!(detect("Le café à côté").encoding, Encoding::Unicode);
}

#[test]
fn bytes_that_are_not_utf8_are_read_as_legacy_or_refused() {
    let text = "Bà Trần Thị Bình phải chịu 7.500.000 đồng án phí dân sự sơ thẩm.";
    let bytes: Vec<u8> = from_unicode(text, Encoding::Tcvn3)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    assert!(std::str::from_utf8(&bytes).is_err());
    let (read, encoding) = decode(&bytes, EncodingChoice::Auto).unwrap();
    assert_eq!((read.as_str(), encoding), (text, Encoding::Tcvn3));
    let bytes: Vec<u8> = from_unicode(text, Encoding::Vni)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let (read, encoding) = decode(&bytes, EncodingChoice::Auto).unwrap();
    assert_eq!((read.as_str(), encoding), (text, Encoding::Vni));
    assert!(decode(&[0x00, 0xff, 0xfe, 0x80], EncodingChoice::Auto).is_none());
    assert!(decode(&[b'a', 0xff], EncodingChoice::Fixed(Encoding::Unicode)).is_none());
    assert_eq!(
        "TCVN3".parse::<EncodingChoice>().unwrap(),
        EncodingChoice::Fixed(Encoding::Tcvn3)
    );
    assert!("koi8".parse::<EncodingChoice>().is_err());
}

/// A letter of either case, and whether its case is stated by TCVN3 (ASCII letters and the
/// seven bases with their own codes) rather than restored from the word.
fn letters(upper_case: bool) -> (Vec<char>, Vec<char>) {
    let mut all: Vec<char> = ('a'..='z').chain(lowercase_letters()).collect();
    let mut decisive: Vec<char> = ('a'..='z').chain("ăâêôơưđ".chars()).collect();
    if upper_case {
        all = all.into_iter().map(upper).collect();
        decisive = decisive.into_iter().map(upper).collect();
    }
    (all, decisive)
}

/// A word in one case (or capitalised with a stated initial) that has a letter stating its
/// case after the first: what TCVN3 keeps.
fn tcvn3_word() -> impl Strategy<Value = String> {
    (
        0..3u8,
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<prop::sample::Index>(), 0..5),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(style, first, body, stated, at)| {
            let (lower_all, lower_stated) = letters(false);
            let (upper_all, upper_stated) = letters(true);
            let (first_char, pool, stated_pool) = match style {
                0 => (*first.get(&lower_all), &lower_all, &lower_stated),
                1 => (*first.get(&upper_all), &upper_all, &upper_stated),
                _ => (*first.get(&upper_stated), &lower_all, &lower_stated),
            };
            let mut rest: Vec<char> = body.iter().map(|i| *i.get(pool)).collect();
            let pos = at.index(rest.len() + 1);
            rest.insert(pos, *stated.get(stated_pool));
            std::iter::once(first_char).chain(rest).collect()
        })
}

fn vni_text() -> impl Strategy<Value = String> {
    let mut alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    alphabet.extend(vni::TABLE.iter().map(|(u, _)| *u));
    alphabet.extend(" .,;:-()/\n".chars());
    prop::collection::vec(prop::sample::select(alphabet), 0..80)
        .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn vni_round_trips_any_vietnamese_text(text in vni_text()) {
        let legacy = from_unicode(&text, Encoding::Vni);
        prop_assert_eq!(to_unicode(&legacy, Encoding::Vni), text);
    }

    #[test]
    fn tcvn3_round_trips_words_in_one_case(
        words in prop::collection::vec(tcvn3_word(), 1..8),
        seps in prop::collection::vec(prop::sample::select(vec![" ", ", ", " - ", "\n", ": ", " 12 "]), 8),
    ) {
        let mut text = String::new();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                text.push_str(seps[i]);
            }
            text.push_str(w);
        }
        let legacy = from_unicode(&text, Encoding::Tcvn3);
        prop_assert!(legacy.chars().all(|c| u32::from(c) <= 0xFF));
        prop_assert_eq!(to_unicode(&legacy, Encoding::Tcvn3), text);
    }

    #[test]
    fn decoding_never_panics_and_unicode_stays(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode(&bytes, EncodingChoice::Auto);
        let _ = detect(&chars_of(&bytes));
        if let Ok(s) = std::str::from_utf8(&bytes) {
            if s.chars().any(|c| u32::from(c) > 0xFF && is_vietnamese_unicode_letter(c)) {
                prop_assert_eq!(detect(s).encoding, Encoding::Unicode);
            }
        }
    }
}
