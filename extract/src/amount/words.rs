//! The grammar of Vietnamese number words ("một trăm năm mươi triệu", "hai tỷ rưỡi"),
//! the inverse of `thads_schemas::money::Vnd::in_words` and more lenient than it: it also reads
//! "lẻ" for "linh", "tư" for four, "nhăm" for five, "chục" for "mươi", "ngàn" for "nghìn",
//! "tỉ" for "tỷ" and "rưỡi" (a half of the scale before it).

/// One number word, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberWord {
    /// A digit 0..=9 (không, một, hai, ..., tư, lăm, mốt).
    Digit(u64),
    /// Mười: ten.
    Ten,
    /// Mươi / chục: the tens marker after a digit.
    Tens,
    /// Trăm: hundred.
    Hundred,
    /// Linh / lẻ: zero tens between hundreds and units.
    Zero,
    /// Nghìn / ngàn, triệu, tỷ / tỉ.
    Scale(u64),
    /// Rưỡi: half of the preceding scale.
    Half,
}

/// Classifies a folded (lower-case) word.
pub(crate) fn classify(word: &str) -> Option<NumberWord> {
    use NumberWord::*;
    Some(match word {
        "không" => Digit(0),
        "một" | "mốt" => Digit(1),
        "hai" => Digit(2),
        "ba" => Digit(3),
        "bốn" | "tư" => Digit(4),
        "năm" | "lăm" | "nhăm" => Digit(5),
        "sáu" => Digit(6),
        "bảy" | "bẩy" => Digit(7),
        "tám" => Digit(8),
        "chín" => Digit(9),
        "mười" => Ten,
        "mươi" | "chục" => Tens,
        "trăm" => Hundred,
        "linh" | "lẻ" => Zero,
        "nghìn" | "ngàn" => Scale(1_000),
        "triệu" => Scale(1_000_000),
        "tỷ" | "tỉ" => Scale(1_000_000_000),
        "rưỡi" => Half,
        _ => return None,
    })
}

/// Reads a whole sequence of number words; `None` when it is not a well-formed number.
pub(crate) fn parse(words: &[NumberWord]) -> Option<u64> {
    if words.is_empty() {
        return None;
    }
    parse_scaled(words)
}

/// Splits at the last "tỷ": everything before counts billions (recursively, "một nghìn tỷ").
fn parse_scaled(words: &[NumberWord]) -> Option<u64> {
    const BILLION: u64 = 1_000_000_000;
    let Some(i) = words.iter().rposition(|w| *w == NumberWord::Scale(BILLION)) else {
        return parse_below_billion(words);
    };
    let high = parse_scaled(&words[..i])?;
    if high == 0 {
        return None;
    }
    let mut rest = &words[i + 1..];
    let mut value = high.checked_mul(BILLION)?;
    if rest.first() == Some(&NumberWord::Half) {
        value = value.checked_add(BILLION / 2)?;
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return Some(value);
    }
    value.checked_add(parse_below_billion(rest)?)
}

/// Reads `[group triệu] [group nghìn] [group]`, each group below a thousand.
fn parse_below_billion(words: &[NumberWord]) -> Option<u64> {
    let mut rest = words;
    let mut value = 0u64;
    let mut any = false;
    for scale in [1_000_000u64, 1_000] {
        let Some(i) = rest.iter().position(|w| *w == NumberWord::Scale(scale)) else {
            continue;
        };
        let group = parse_group(&rest[..i])?;
        if group == 0 {
            return None;
        }
        value += group * scale;
        rest = &rest[i + 1..];
        if rest.first() == Some(&NumberWord::Half) {
            value += scale / 2;
            rest = &rest[1..];
        }
        any = true;
    }
    if rest.is_empty() {
        return any.then_some(value);
    }
    Some(value + parse_group(rest)?)
}

/// Reads one group below a thousand: "X trăm [linh Z | Y mươi [Z] | mười [Z] | Z]",
/// "Y mươi [Z]", "mười [Z]", "Z", "X trăm rưỡi".
fn parse_group(words: &[NumberWord]) -> Option<u64> {
    use NumberWord::*;
    match words {
        [Digit(h), Hundred, rest @ ..] => {
            let tail = match rest {
                [] => 0,
                [Half] => 50,
                [Zero, Digit(u)] if *u > 0 => *u,
                _ => parse_tens(rest)?,
            };
            Some(h * 100 + tail)
        }
        _ => parse_tens(words),
    }
}

/// Reads a number below a hundred.
fn parse_tens(words: &[NumberWord]) -> Option<u64> {
    use NumberWord::*;
    match words {
        [Digit(u)] => Some(*u),
        [Ten] => Some(10),
        [Ten, Digit(u)] if *u > 0 => Some(10 + u),
        [Digit(t), Tens] if *t >= 2 => Some(t * 10),
        [Digit(t), Tens, Digit(u)] if *t >= 2 && *u > 0 => Some(t * 10 + u),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Option<u64> {
        let words: Option<Vec<NumberWord>> = s.split_whitespace().map(classify).collect();
        parse(&words?)
    }

    #[test]
    fn reads_official_forms() {
        assert_eq!(read("một trăm năm mươi triệu"), Some(150_000_000));
        assert_eq!(read("bảy triệu năm trăm nghìn"), Some(7_500_000));
        assert_eq!(read("hai mươi triệu"), Some(20_000_000));
        assert_eq!(read("ba trăm linh năm nghìn"), Some(305_000));
        assert_eq!(
            read("một tỷ không trăm linh một nghìn"),
            Some(1_000_001_000)
        );
        assert_eq!(read("hai mươi mốt triệu"), Some(21_000_000));
        assert_eq!(read("mười lăm triệu"), Some(15_000_000));
        assert_eq!(read("một nghìn tỷ"), Some(1_000_000_000_000));
    }

    #[test]
    fn reads_colloquial_forms() {
        assert_eq!(read("hai mươi tư triệu"), Some(24_000_000));
        assert_eq!(read("một tỷ rưỡi"), Some(1_500_000_000));
        assert_eq!(read("ba triệu rưỡi"), Some(3_500_000));
        assert_eq!(read("hai chục triệu"), Some(20_000_000));
        assert_eq!(read("năm trăm ngàn"), Some(500_000));
        assert_eq!(read("hai tỉ ba trăm triệu"), Some(2_300_000_000));
        assert_eq!(read("một trăm lẻ tám nghìn"), Some(108_000));
    }

    #[test]
    fn rejects_malformed_sequences() {
        assert_eq!(read("triệu"), None);
        assert_eq!(read("năm năm"), None);
        assert_eq!(read("mươi triệu"), None);
        assert_eq!(read("một mươi"), None);
    }
}
