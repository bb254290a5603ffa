//! Subject matching with NATS wildcards (`*` one token, `>` the rest), used by the embedded
//! queue to route published messages to consumers exactly as JetStream filters would.

/// Whether `subject` matches `filter`.
pub fn matches(filter: &str, subject: &str) -> bool {
    let mut f = filter.split('.');
    let mut s = subject.split('.');
    loop {
        match (f.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards_behave_like_nats() {
        assert!(matches("in.court.judgment", "in.court.judgment"));
        assert!(matches("in.>", "in.court.judgment"));
        assert!(matches("in.*.judgment", "in.court.judgment"));
        assert!(!matches("in.>", "in"));
        assert!(!matches("in.*", "in.court.judgment"));
        assert!(!matches("out.>", "in.court.judgment"));
        assert!(!matches("in.court", "in.court.judgment"));
        assert!(!matches("in.court.judgment.x", "in.court.judgment"));
    }
}
