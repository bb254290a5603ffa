//! Vietnamese amounts in words ("Một trăm năm mươi triệu đồng"), as official documents write them.
//!
//! Rules: groups of three digits read as "X trăm Y mươi Z"; "linh" for a zero tens digit after
//! hundreds; "không trăm" for an inner group whose hundreds digit is zero; "mốt" for 1 after
//! "mươi", "lăm" for 5 after "mười"/"mươi", "bốn" everywhere for 4; scales nghìn, triệu, tỷ,
//! and above a billion the count of tỷ read recursively ("một nghìn tỷ").

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];
const BILLION: u64 = 1_000_000_000;

/// Writes `n` đồng in words with a capital first letter and the unit " đồng".
pub(super) fn in_words(n: u64) -> String {
    let mut words = Vec::new();
    if n == 0 {
        words.push("không");
    } else {
        push_number(n, false, &mut words);
    }
    let text = words.join(" ");
    let mut chars = text.chars();
    let mut out = String::with_capacity(text.len() + 8);
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
    out.push_str(" đồng");
    out
}

/// Pushes the words of `n > 0`; `inner` means a higher, non-zero part was already read, so the
/// leading group must be read in full ("không trăm linh một").
fn push_number(n: u64, inner: bool, out: &mut Vec<&'static str>) {
    let high = n / BILLION;
    let low = n % BILLION;
    let mut inner = inner;
    if high > 0 {
        push_number(high, inner, out);
        out.push("tỷ");
        inner = true;
    }
    if low > 0 {
        push_below_billion(low, inner, out);
    }
}

/// Pushes the words of `0 < n < 10^9`.
fn push_below_billion(n: u64, inner: bool, out: &mut Vec<&'static str>) {
    let groups = [
        (n / 1_000_000, "triệu"),
        ((n / 1000) % 1000, "nghìn"),
        (n % 1000, ""),
    ];
    let mut seen = inner;
    for (group, scale) in groups {
        if group == 0 {
            continue;
        }
        push_group(group, seen, out);
        if !scale.is_empty() {
            out.push(scale);
        }
        seen = true;
    }
}

/// Pushes the words of one group `0 < g < 1000`; `full` forces "không trăm" / "linh".
fn push_group(g: u64, full: bool, out: &mut Vec<&'static str>) {
    // Indices below are all < 10, so indexing DIGITS cannot go out of bounds.
    let h = (g / 100) as usize;
    let t = ((g / 10) % 10) as usize;
    let u = (g % 10) as usize;
    let hundreds_read = full || h > 0;
    if hundreds_read {
        out.push(DIGITS[h]);
        out.push("trăm");
    }
    match t {
        0 => {
            if u > 0 && hundreds_read {
                out.push("linh");
            }
        }
        1 => out.push("mười"),
        _ => {
            out.push(DIGITS[t]);
            out.push("mươi");
        }
    }
    match u {
        0 => {}
        1 if t >= 2 => out.push("mốt"),
        5 if t >= 1 => out.push("lăm"),
        _ => out.push(DIGITS[u]),
    }
}
