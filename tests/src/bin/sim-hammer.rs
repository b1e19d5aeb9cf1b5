//! Test helper: works a simulated card as fast as it can, printing one line per answer.
//!
//! The kill-anywhere test kills this process at random instants and then checks the card's files:
//! they must always load, and must agree with every answer already printed.
//!
//! - `sim-hammer CARD verify WRONG_PIN`: presents a wrong signing PIN forever (the card locks it
//!   after 5; the parent has the office unlock it between rounds). Prints the status word.
//! - `sim-hammer CARD change PIN_A PIN_B`: verifies the signing PIN and changes it to the other
//!   one, back and forth. Prints `V <sw>` and `C <sw> <new PIN>`.
//! - `sim-hammer CARD office PIN_A PIN_B`: the municipal office resets the signing PIN, records a
//!   move (which revokes the signing certificate) and issues a new one, round after round.
//!   Prints `U <pin>`, `M <revoked serial>` and `R <new serial>` once each act is on disk.

use std::io::Write;

use kazasu_core::apdu::{Command, Response};
use kazasu_core::ids::mynumber::{EF_SIGN_PIN, JPKI_AID};
use kazasu_core::pin::PinKind;
use kazasu_core::transport::Transport;
use kazasu_sim::{CaKind, Office, SimTransport};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [_, card, "verify", wrong] => verify(card, wrong),
        [_, card, "change", a, b] => change(card, [a, b]),
        [_, card, "office", a, b] => office(card, [a, b]),
        _ => {
            eprintln!(
                "usage: sim-hammer CARD verify WRONG_PIN | change PIN_A PIN_B | office PIN_A PIN_B"
            );
            2
        }
    };
    std::process::exit(code);
}

/// One line, flushed: the parent trusts only what it has read.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").expect("stdout");
    out.flush().expect("stdout");
}

fn open_sign_pin(card: &str) -> SimTransport {
    let mut sim = SimTransport::open(std::path::Path::new(card)).expect("open card");
    send(
        &mut sim,
        Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(JPKI_AID.as_bytes()),
    );
    send(
        &mut sim,
        Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(EF_SIGN_PIN.to_bytes()),
    );
    sim
}

fn verify(card: &str, wrong: &str) -> i32 {
    let mut sim = open_sign_pin(card);
    loop {
        let r = send(
            &mut sim,
            Command::new(0x00, 0x20, 0x00, 0x80).with_data(wrong.as_bytes()),
        );
        say(&format!("{:04X}", r.status().to_u16()));
    }
}

fn change(card: &str, pins: [&str; 2]) -> i32 {
    let mut sim = open_sign_pin(card);
    // Start from whichever of the two the card holds now.
    let mut current = usize::from(sim.state().pin(PinKind::Sign) == pins[1]);
    loop {
        let next = 1 - current;
        let r = send(
            &mut sim,
            Command::new(0x00, 0x20, 0x00, 0x80).with_data(pins[current].as_bytes()),
        );
        say(&format!("V {:04X}", r.status().to_u16()));
        let r = send(
            &mut sim,
            Command::new(0x00, 0x24, 0x01, 0x80).with_data(pins[next].as_bytes()),
        );
        say(&format!("C {:04X} {}", r.status().to_u16(), pins[next]));
        if r.status().is_success() {
            current = next;
        } else {
            return 1;
        }
    }
}

fn office(card: &str, pins: [&str; 2]) -> i32 {
    let path = std::path::Path::new(card);
    for round in 0usize.. {
        let mut office = Office::open(path).expect("the office opens the card");
        let pin = pins[round % 2];
        office.unlock_pin(PinKind::Sign, pin).expect("unlock");
        say(&format!("U {pin}"));
        let revoked = office.card().serial(CaKind::Sign).to_owned();
        let address = format!("東京都千代田区千代田{} 番", round % 9 + 1);
        office
            .move_address(&address, &format!("トウキョウト {round}"))
            .expect("move");
        say(&format!("M {revoked}"));
        office.reissue_sign_cert().expect("reissue");
        say(&format!("R {}", office.card().serial(CaKind::Sign)));
    }
    0
}

fn send(sim: &mut SimTransport, cmd: Command) -> Response {
    let bytes = cmd.to_bytes().expect("encodable command");
    let raw = sim.transmit(&bytes).expect("transmit");
    Response::parse(&raw).expect("response")
}
