//! Per-key handling order across every hub process. Some subjects carry work whose order
//! matters for one case (two payments of a case, the notices of one case to one party, a
//! freeze before its release): their messages carry an order key (usually the case id), and all the hubs
//! together handle the messages of one key one at a time, in the order they were published.
//!
//! On JetStream the key is hashed into one of [`PARTITIONS`] partitions, which becomes the
//! last subject token (`in.bank.payment.p07`); each partition has its own durable consumer
//! with at most one unacknowledged message, shared by every hub, so a partition moves one
//! message at a time whichever hub holds it, and a message being retried holds back the
//! later ones of its partition until it is handled or dead-lettered. The embedded queue keeps
//! the key in a column and never hands out a message while an earlier one of the same key is
//! still unsettled for that consumer.
//!
//! The subjects and the partition count are part of the wire format: every hub of a
//! deployment must agree on them, so they are constants rather than settings.

use thads_schemas::subjects;

/// Header carrying a message's order key on the bus (kept on dead letters, so a replay keeps
/// its key too).
pub const HEADER_ORDER_KEY: &str = "Thads-Order-Key";

/// How many partitions an ordered subject is split into on JetStream: the most messages of
/// one ordered consumer that can be in flight at once across all hubs.
pub const PARTITIONS: u32 = 16;

/// The subjects whose consumers handle each key's messages in publishing order.
pub const ORDERED_SUBJECTS: [&str; 6] = [
    subjects::IN_COURT_JUDGMENT,
    subjects::IN_BANK_PAYMENT,
    subjects::OUT_VNEID_NOTIFY,
    subjects::OUT_BANK_ORDER,
    subjects::OUT_TREASURY_TRANSFER,
    subjects::OUT_COURT_REPORT,
];

/// Whether messages on `subject` (a plain subject, or a consumer's exact filter) are ordered
/// by key.
pub fn is_ordered(subject: &str) -> bool {
    ORDERED_SUBJECTS.contains(&subject)
}

/// The partition of an order key: FNV-1a, fixed forever because hubs of different versions
/// must put one key in the same partition.
pub fn partition(key: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % PARTITIONS
}

/// The subject token of a partition (`p07`).
pub fn partition_token(partition: u32) -> String {
    format!("p{partition:02}")
}

/// The subject a message travels on: `<subject>.p<NN>` for an ordered subject (partitioned by
/// `key`, or by the message id when it has none), the subject itself otherwise.
pub fn wire_subject(subject: &str, key: Option<&str>, msg_id: &str) -> String {
    if !is_ordered(subject) {
        return subject.to_string();
    }
    let p = partition(key.unwrap_or(msg_id));
    format!("{subject}.{}", partition_token(p))
}

/// The plain subject of a message received on `wire` (the partition token removed).
pub fn plain_subject(wire: &str) -> &str {
    match wire.rsplit_once('.') {
        Some((subject, token)) if is_ordered(subject) && is_partition_token(token) => subject,
        _ => wire,
    }
}

fn is_partition_token(token: &str) -> bool {
    token.len() == 3
        && token.starts_with('p')
        && token[1..]
            .parse::<u32>()
            .is_ok_and(|n| n < PARTITIONS && token[1..].bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordered_subjects_get_a_partition_token_and_others_do_not() {
        let wire = wire_subject(subjects::IN_BANK_PAYMENT, Some("TH-79-000123"), "pay-1");
        assert!(wire.starts_with("in.bank.payment.p"), "{wire}");
        assert_eq!(plain_subject(&wire), subjects::IN_BANK_PAYMENT);
        assert_eq!(
            wire_subject("case.79.c-1", Some("c-1"), "m"),
            "case.79.c-1",
            "case events are not partitioned"
        );
        assert_eq!(plain_subject("in.bank.payment"), "in.bank.payment");
        assert_eq!(plain_subject("in.bank.payment.x1"), "in.bank.payment.x1");
        assert_eq!(plain_subject("case.79.p01"), "case.79.p01");
        assert_eq!(plain_subject("in.bank.payment.p16"), "in.bank.payment.p16");
    }

    #[test]
    fn the_partition_function_is_fixed() {
        // A change here would split one key over two partitions during a rolling upgrade.
        assert_eq!(partition(""), 0x811c_9dc5 % PARTITIONS);
        assert_eq!(partition("a"), 0xe40c_292c % PARTITIONS);
        assert_eq!(partition("case-1"), partition("case-1"));
    }

    #[test]
    fn without_a_key_the_message_id_decides() {
        assert_eq!(
            wire_subject(subjects::OUT_COURT_REPORT, None, "ev-1"),
            wire_subject(subjects::OUT_COURT_REPORT, Some("ev-1"), "other"),
        );
    }

    proptest! {
        #[test]
        fn every_key_lands_in_a_partition_and_round_trips(key in ".{0,40}", id in "[a-z0-9-]{1,20}") {
            prop_assert!(partition(&key) < PARTITIONS);
            for subject in ORDERED_SUBJECTS {
                let wire = wire_subject(subject, Some(&key), &id);
                prop_assert_eq!(plain_subject(&wire), subject);
            }
        }
    }
}
