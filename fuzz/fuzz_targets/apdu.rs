//! Command and response APDUs: parsing never panics, and what parses encodes back to bytes
//! that parse to the same command (the simulator parses what readers send it with this code).
#![no_main]

use kazasu_core::apdu::{Command, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(command) = Command::parse(data) {
        let again = command.to_bytes().expect("a parsed command encodes");
        let reparsed = Command::parse(&again).expect("an encoded command parses");
        assert_eq!(reparsed.header(), command.header());
        assert_eq!(reparsed.data(), command.data());
        assert_eq!(reparsed.le(), command.le());
    }
    if let Ok(response) = Response::parse(data) {
        assert_eq!(
            response.to_bytes(),
            data,
            "a response is its data and status word"
        );
        let _ = response.status().meaning();
    }
});
