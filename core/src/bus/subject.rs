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
    fn replay_ids_keep_their_journey_id() {
        use crate::bus::{journey_id_of, replay_msg_id};
        assert_eq!(journey_id_of("ntc-abc"), "ntc-abc");
        assert_eq!(replay_msg_id("ntc-abc", 7), "ntc-abc~r7");
        assert_eq!(journey_id_of(&replay_msg_id("ntc-abc", 7)), "ntc-abc");
    }

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
