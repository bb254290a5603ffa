//! Which steps the journey's state machine allows.

use super::MessageState::*;
use super::*;

#[test]
fn inbound_path_is_allowed() {
    assert!(Received.can_move_to(Accepted));
    assert!(Accepted.can_move_to(Handled));
    assert!(Received.can_move_to(Rejected));
}

#[test]
fn outbound_path_with_retries_is_allowed() {
    for (a, b) in [
        (Emitted, Sending),
        (Sending, WaitingRetry),
        (WaitingRetry, Sending),
        (Sending, Delivered),
        (Sending, DeadLettered),
        (DeadLettered, Replayed),
        (DeadLettered, Discarded),
        (Replayed, Sending),
    ] {
        assert!(a.can_move_to(b), "{a:?} -> {b:?}");
    }
}

#[test]
fn final_states_do_not_move_on_their_own() {
    for next in [Accepted, Handled, Sending, Delivered, WaitingRetry] {
        assert!(!Delivered.can_move_to(next));
        assert!(!Rejected.can_move_to(next));
        assert!(!Handled.can_move_to(next));
    }
    assert!(!Emitted.can_move_to(Delivered), "must be sent first");
}

#[test]
fn notices_are_served_then_read() {
    for from in [
        Emitted,
        Sending,
        WaitingRetry,
        Delivered,
        Failed,
        DeadLettered,
        Replayed,
    ] {
        assert!(from.can_move_to(Served), "{from:?}");
    }
    assert!(Served.can_move_to(Read));
    assert!(
        Delivered.can_move_to(Failed),
        "a failed receipt after the API accepted"
    );
    assert!(!Delivered.can_move_to(Read), "read only once served");
    assert!(!Served.can_move_to(Served) && !Read.can_move_to(Served));
    assert!(
        !Served.can_move_to(Replayed),
        "a served notice is not replayed"
    );
    assert!(Served.is_final() && Read.is_final());
}

#[test]
fn names_round_trip() {
    for s in [
        Received,
        Rejected,
        Accepted,
        Handled,
        Emitted,
        Sending,
        WaitingRetry,
        Delivered,
        Failed,
        DeadLettered,
        Replayed,
        Discarded,
        Served,
        Read,
    ] {
        assert_eq!(MessageState::parse(s.as_str()), Some(s));
    }
}
