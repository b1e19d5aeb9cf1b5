//! Test helper: presents PINs to a simulated card as fast as it can, printing each answer.
//!
//! The persistence test kills this process at random instants and then checks the card file:
//! it must always load, and must never have given back a try whose answer was already printed.
//! Usage: `sim-hammer CARD WRONG_PIN` — presents the wrong signing PIN forever (the card locks it
//! after 5; the parent has the office unlock it between rounds).

use std::io::Write;

use kazasu_core::apdu::{Command, Response};
use kazasu_core::ids::mynumber::{EF_SIGN_PIN, JPKI_AID};
use kazasu_core::transport::Transport;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, card, wrong] = args.as_slice() else {
        eprintln!("usage: sim-hammer CARD WRONG_PIN");
        std::process::exit(2);
    };
    let mut sim = kazasu_sim::SimTransport::open(std::path::Path::new(card)).expect("open card");
    send(
        &mut sim,
        Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(JPKI_AID.as_bytes()),
    );
    send(
        &mut sim,
        Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(EF_SIGN_PIN.to_bytes()),
    );
    let mut out = std::io::stdout().lock();
    loop {
        let r = send(
            &mut sim,
            Command::new(0x00, 0x20, 0x00, 0x80).with_data(wrong.as_bytes()),
        );
        // One line per answer, flushed: the parent trusts only what it has read.
        writeln!(out, "{:04X}", r.status().to_u16()).expect("stdout");
        out.flush().expect("stdout");
    }
}

fn send(sim: &mut kazasu_sim::SimTransport, cmd: Command) -> Response {
    let bytes = cmd.to_bytes().expect("encodable command");
    let raw = sim.transmit(&bytes).expect("transmit");
    Response::parse(&raw).expect("response")
}
