//! The simulated card's engine under any command stream, from any state a stream can reach.
//! Invariants a real card keeps, checked after every command:
//! - a PIN's or access code's tries left only go up on a `90 00` answer (a right one resets its
//!   counter);
//! - a blocked PIN or code stays blocked (only the municipal office can reset it);
//! - a stored PIN changes only on a `90 00` answer to CHANGE REFERENCE DATA; a code never does.
//!
//! Input: a stream of records `[n][n bytes of APDU]`; `n = 0xFF` powers the card off and on.
#![no_main]

use kazasu_core::pin::PinKind;
use kazasu_fuzz::card;
use kazasu_sim::{CardState, SimTransport};
use libfuzzer_sys::fuzz_target;

const KINDS: [PinKind; 8] = [
    PinKind::Auth,
    PinKind::Sign,
    PinKind::CardInfo,
    PinKind::CardInfoCodeA,
    PinKind::CardInfoCodeB,
    PinKind::SurfaceBirthDate,
    PinKind::SurfaceCodeA,
    PinKind::SurfaceCodeB,
];
/// Commands per input: enough to lock every PIN and more.
const MAX_COMMANDS: usize = 64;

struct Snapshot {
    tries: [u8; 8],
    blocked: [bool; 8],
    values: [String; 8],
}

fn snapshot(state: &CardState) -> Snapshot {
    Snapshot {
        tries: KINDS.map(|k| state.tries_left(k)),
        blocked: KINDS.map(|k| state.is_blocked(k)),
        values: KINDS.map(|k| state.expected(k).unwrap_or_else(|| state.pin(k).to_owned())),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut sim = SimTransport::in_memory(card().clone());
    let mut rest = data;
    for _ in 0..MAX_COMMANDS {
        let Some((&n, tail)) = rest.split_first() else {
            break;
        };
        if n == 0xFF {
            sim.power_cycle();
            rest = tail;
            continue;
        }
        let n = usize::from(n).min(tail.len());
        let (apdu, tail) = tail.split_at(n);
        rest = tail;
        let before = snapshot(sim.state());
        let answer = sim.process(apdu);
        assert!(answer.len() >= 2, "every answer ends in a status word");
        let ok = answer[answer.len() - 2..] == [0x90, 0x00];
        let after = snapshot(sim.state());
        for i in 0..KINDS.len() {
            if after.tries[i] > before.tries[i] {
                assert!(
                    ok,
                    "tries went up without a 90 00: {apdu:02X?} → {answer:02X?}"
                );
            }
            if before.blocked[i] {
                assert!(
                    after.blocked[i],
                    "a blocked PIN was unblocked by {apdu:02X?}"
                );
            }
            if after.values[i] != before.values[i] {
                assert!(
                    KINDS[i].is_holder_pin() && ok && apdu.get(1) == Some(&0x24),
                    "a PIN changed without CHANGE REFERENCE DATA succeeding: {apdu:02X?}"
                );
            }
        }
    }
});
