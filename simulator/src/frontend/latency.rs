//! How long a real card takes to answer, so that reader and phone timeouts are tested against
//! a realistic card rather than an instant one.
//!
//! Figures for a My Number Card over NFC at 106 kbit/s: an RSA-2048 signature takes about a
//! second (readers see waiting-time extensions), a short command a few milliseconds, and moving
//! 256 bytes over the air a few milliseconds more.

use std::time::Duration;

/// The card's answering times; [`Latency::CARD`] is a My Number Card's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latency {
    /// Any command: the card's turnaround.
    pub command: Duration,
    /// Each 256 bytes of command plus response, on the air.
    pub per_256_bytes: Duration,
    /// A COMPUTE DIGITAL SIGNATURE (instruction `2A`) with data: the RSA private-key operation.
    pub signature: Duration,
}

impl Latency {
    /// A My Number Card over NFC: 3 ms a command, 5 ms per 256 bytes, 900 ms a signature.
    pub const CARD: Latency = Latency {
        command: Duration::from_millis(3),
        per_256_bytes: Duration::from_millis(5),
        signature: Duration::from_millis(900),
    };

    /// How long the card takes over `command` when it answers `response_len` bytes.
    pub fn of(&self, command: &[u8], response_len: usize) -> Duration {
        let blocks = (command.len() + response_len).div_ceil(256) as u32;
        let signing = command.get(1) == Some(&0x2A) && command.len() > 5;
        self.command
            + self.per_256_bytes * blocks
            + if signing {
                self.signature
            } else {
                Duration::ZERO
            }
    }
}

/// Parses a `--latency` value: `card` (a My Number Card's) or `none`.
pub fn parse(text: &str) -> Result<Option<Latency>, String> {
    match text {
        "card" => Ok(Some(Latency::CARD)),
        "none" => Ok(None),
        other => Err(format!("unknown latency model {other:?}: use card or none")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_takes_about_a_second_and_a_read_a_few_milliseconds() {
        let sign = [0x80, 0x2A, 0x00, 0x80, 0x33]
            .iter()
            .copied()
            .chain([0u8; 0x33])
            .collect::<Vec<_>>();
        let read = [0x00, 0xB0, 0x00, 0x00, 0x00];
        assert_eq!(
            Latency::CARD.of(&sign, 258),
            Duration::from_millis(3 + 10 + 900)
        );
        assert_eq!(Latency::CARD.of(&read, 258), Duration::from_millis(3 + 10));
        // An empty "sign" (no data) is not an RSA operation.
        assert_eq!(
            Latency::CARD.of(&[0x80, 0x2A, 0x00, 0x80], 2),
            Duration::from_millis(8)
        );
        assert_eq!(parse("card"), Ok(Some(Latency::CARD)));
        assert_eq!(parse("none"), Ok(None));
        assert!(parse("slow").is_err());
    }
}
