//! The one seam between Kazasu and a card: a synchronous [`Transport`].
//!
//! Everything that reaches a card (PC/SC, libnfc, a phone's NFC stack, the
//! simulator) implements `transmit`; everything above it speaks [`Command`]s
//! through [`TransportExt::exchange`].

pub mod address;
pub mod framing;
#[cfg(feature = "libnfc")]
pub mod libnfc;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod remote;
mod traced;

pub use traced::{TraceStats, Traced};

use crate::apdu::{ApduError, Command, Ins, MAX_EXTENDED_LE, Response, StatusWord};

/// Sends one command APDU and blocks until the card answers.
pub trait Transport {
    /// Sends `apdu` (a whole command APDU) and returns the whole response APDU (data + SW1 SW2).
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Whether this link can carry extended-length APDUs (a whole certificate in one answer).
    ///
    /// PC/SC readers and phones can; a PN532 frame carries about 260 bytes, so it cannot. When
    /// true, the application clients read a file in one extended READ BINARY addressed by its
    /// short EF identifier, and fall back to SELECT and 256-byte reads if the card refuses.
    fn carries_extended_length(&self) -> bool {
        false
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu)
    }

    fn carries_extended_length(&self) -> bool {
        (**self).carries_extended_length()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu)
    }

    fn carries_extended_length(&self) -> bool {
        (**self).carries_extended_length()
    }
}

/// Why an APDU did not make it to the card and back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The card left the reader (or the phone) before answering.
    #[error("the card was removed: hold it still against the reader and try again")]
    CardRemoved,
    /// Another program reset the card: whatever was selected or verified is gone.
    #[error("the card was reset by another program; start again")]
    CardReset,
    /// No card is in or on the reader.
    #[error("no card found: place your My Number Card on the reader")]
    NoCard,
    /// The reader could not be opened.
    #[error("reader {reader:?} is not available: {reason}")]
    ReaderUnavailable {
        /// The reader as named.
        reader: String,
        /// Why it cannot be opened.
        reason: String,
    },
    /// The card did not answer in time (`millis` is 0 when the reader does not say how long it waited).
    #[error("the card did not answer in time ({millis} ms); hold it still against the reader")]
    Timeout {
        /// How long was waited, in milliseconds.
        millis: u64,
    },
    /// The reader or link answered with something that is not an APDU.
    #[error("the reader sent a malformed answer: {0}")]
    Malformed(#[from] ApduError),
    /// The card or reader kept chaining `61 xx` GET RESPONSE answers past what any command
    /// can legitimately return: a faulty or hostile reader (or card). Nothing more is read.
    #[error(
        "the card or reader sent more than {max} bytes for one command (endless GET RESPONSE \
         chaining); it is faulty or not a My Number Card: try another reader"
    )]
    ResponseTooLong {
        /// The limit, [`MAX_RESPONSE_DATA`].
        max: usize,
    },
    /// The card answered `6C xx` ("send it again with another Le") to a command carrying a PIN or
    /// data to sign. Kazasu never sends such a command twice by itself, so nothing was resent.
    #[error(
        "the card asked for the command {ins:02X} (which carries a PIN or data to sign) to be \
         sent again (6C {exact:02X}); Kazasu never resends it by itself: check the card and the \
         reader, then try once more"
    )]
    RefusedResend {
        /// The instruction byte of the command (`20` VERIFY, `24` CHANGE REFERENCE DATA,
        /// `2A` COMPUTE DIGITAL SIGNATURE).
        ins: u8,
        /// The Le the card asked for.
        exact: u8,
    },
    /// An I/O failure underneath the transport.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
}

/// The most response data one command may return, GET RESPONSE chaining included: the largest
/// Le an extended APDU can ask for (64 KiB), far above the largest EF on a My Number Card (the
/// card-surface face image file, a few KiB) plus its framing. A chain going past it is a faulty
/// or hostile card or reader: the exchange fails with [`TransportError::ResponseTooLong`]
/// instead of growing memory without end.
pub const MAX_RESPONSE_DATA: usize = MAX_EXTENDED_LE as usize;

/// The most GET RESPONSE commands one exchange sends: [`MAX_RESPONSE_DATA`] in the smallest
/// chunks a reader plausibly hands out (64 bytes). Bounds a chain of `61 xx` answers that
/// carry no data, which would otherwise loop for ever without growing memory.
pub const MAX_GET_RESPONSES: usize = MAX_RESPONSE_DATA / 64;

/// Instructions whose command data is a secret or a signature input: VERIFY (`20`, a PIN),
/// CHANGE REFERENCE DATA (`24`, two PINs) and COMPUTE DIGITAL SIGNATURE (`2A`). A `6C xx`
/// answer to them is an error, never a reason to send the PIN or the data again.
pub const NEVER_RESENT_INS: [u8; 3] = [
    Ins::Verify.code(),
    Ins::ChangeReferenceData.code(),
    Ins::ComputeDigitalSignature.code(),
];

/// Typed exchanges on top of any [`Transport`].
pub trait TransportExt: Transport {
    /// Sends a command and parses the answer, following `61 xx` with GET RESPONSE (at most
    /// [`MAX_RESPONSE_DATA`] bytes in all) and repeating a command once with the exact Le a
    /// `6C xx` answer asks for, unless it carries a PIN or data to sign ([`NEVER_RESENT_INS`]):
    /// then the `6C xx` is [`TransportError::RefusedResend`].
    fn exchange(&mut self, command: &Command) -> Result<Response, TransportError> {
        let mut response = Response::parse(&self.transmit(&command.to_bytes()?)?)?;
        if let StatusWord::WrongLe(exact) = response.status() {
            if NEVER_RESENT_INS.contains(&command.ins()) {
                return Err(TransportError::RefusedResend {
                    ins: command.ins(),
                    exact,
                });
            }
            let le = if exact == 0 { 256 } else { u32::from(exact) };
            let retry = command.clone().with_le(le);
            response = Response::parse(&self.transmit(&retry.to_bytes()?)?)?;
        }
        let too_long = || TransportError::ResponseTooLong {
            max: MAX_RESPONSE_DATA,
        };
        if response.data().len() > MAX_RESPONSE_DATA {
            return Err(too_long());
        }
        let mut data = Vec::new();
        let mut rounds = 0;
        while let StatusWord::MoreAvailable(n) = response.status() {
            data.extend_from_slice(response.data());
            rounds += 1;
            if data.len() > MAX_RESPONSE_DATA || rounds > MAX_GET_RESPONSES {
                return Err(too_long());
            }
            let le = if n == 0 { 256 } else { u32::from(n) };
            let get_response =
                Command::new(command.cla() & 0x03, Ins::GetResponse.code(), 0, 0).with_le(le);
            response = Response::parse(&self.transmit(&get_response.to_bytes()?)?)?;
        }
        if data.is_empty() {
            Ok(response)
        } else {
            data.extend_from_slice(response.data());
            if data.len() > MAX_RESPONSE_DATA {
                return Err(too_long());
            }
            Ok(Response::new(data, response.status()))
        }
    }
}

impl<T: Transport + ?Sized> TransportExt for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// Answers from a script and records what it was sent.
    struct Scripted {
        answers: VecDeque<Vec<u8>>,
        sent: Vec<Vec<u8>>,
    }

    impl Transport for Scripted {
        fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.sent.push(apdu.to_vec());
            self.answers.pop_front().ok_or(TransportError::CardRemoved)
        }
    }

    #[test]
    fn follows_get_response_chains() {
        let mut t = Scripted {
            answers: [vec![1, 2, 0x61, 0x02], vec![3, 4, 0x90, 0x00]].into(),
            sent: vec![],
        };
        let r = t
            .exchange(&Command::new(0, 0xB0, 0, 0).with_le(256))
            .unwrap();
        assert_eq!(r.data(), [1, 2, 3, 4]);
        assert!(r.is_success());
        assert_eq!(t.sent[1], [0x00, 0xC0, 0, 0, 0x02]);
    }

    /// Answers every command with 256 bytes and `61 00`, for ever, and counts what it was sent.
    struct EndlessChain {
        sent: usize,
    }

    impl Transport for EndlessChain {
        fn transmit(&mut self, _apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.sent += 1;
            let mut answer = vec![0xAB; 256];
            answer.extend([0x61, 0x00]);
            Ok(answer)
        }
    }

    #[test]
    fn endless_get_response_chaining_stops_at_the_cap() {
        let mut t = EndlessChain { sent: 0 };
        let err = t
            .exchange(&Command::new(0, 0xB0, 0, 0).with_le(256))
            .unwrap_err();
        assert!(
            matches!(err, TransportError::ResponseTooLong { max } if max == MAX_RESPONSE_DATA),
            "{err:?}"
        );
        assert!(t.sent <= MAX_RESPONSE_DATA / 256 + 2, "{} APDUs", t.sent);
        assert!(err.to_string().contains("another reader"), "{err}");

        // 61 xx answers without data cannot loop for ever either.
        let mut t = Scripted {
            answers: std::iter::repeat_n(vec![0x61, 0x10], MAX_GET_RESPONSES + 10).collect(),
            sent: vec![],
        };
        let err = t
            .exchange(&Command::new(0, 0xB0, 0, 0).with_le(256))
            .unwrap_err();
        assert!(
            matches!(err, TransportError::ResponseTooLong { .. }),
            "{err:?}"
        );
        assert_eq!(t.sent.len(), MAX_GET_RESPONSES + 1);
    }

    #[test]
    fn a_6c_answer_never_resends_a_pin_or_a_signature_input() {
        for command in [
            Command::new(0, 0x20, 0, 0x80).with_data(*b"1234"),
            Command::new(0, 0x24, 1, 0x80).with_data(*b"5678"),
            Command::new(0x80, 0x2A, 0, 0x80)
                .with_data(vec![0x30; 51])
                .with_le(256),
        ] {
            let mut t = Scripted {
                answers: [vec![0x6C, 0x04], vec![0x90, 0x00]].into(),
                sent: vec![],
            };
            let err = t.exchange(&command).unwrap_err();
            assert!(
                matches!(err, TransportError::RefusedResend { ins, exact: 4 } if ins == command.ins()),
                "{err:?}"
            );
            assert_eq!(t.sent.len(), 1, "sent once, never again: {command:?}");
            assert!(err.to_string().contains("never resends"), "{err}");
        }
    }

    #[test]
    fn repeats_once_with_the_exact_le() {
        let mut t = Scripted {
            answers: [vec![0x6C, 0x10], vec![9, 0x90, 0x00]].into(),
            sent: vec![],
        };
        let r = t
            .exchange(&Command::new(0, 0xB0, 0, 0).with_le(256))
            .unwrap();
        assert_eq!(r.data(), [9]);
        assert_eq!(t.sent[1], [0, 0xB0, 0, 0, 0x10]);
    }
}
