//! The one seam between Kazasu and a card: a synchronous [`Transport`].
//!
//! Everything that reaches a card (PC/SC, libnfc, a phone's NFC stack, the
//! simulator) implements `transmit`; everything above it speaks [`Command`]s
//! through [`TransportExt::exchange`].

pub mod framing;
#[cfg(feature = "libnfc")]
pub mod libnfc;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod remote;
mod traced;

pub use traced::{TraceStats, Traced};

use crate::apdu::{ApduError, Command, Response, StatusWord};

/// Sends one command APDU and blocks until the card answers.
pub trait Transport {
    /// Sends `apdu` (a whole command APDU) and returns the whole response APDU (data + SW1 SW2).
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu)
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
    ReaderUnavailable { reader: String, reason: String },
    /// The card did not answer in time (`millis` is 0 when the reader does not say how long it waited).
    #[error("the card did not answer in time ({millis} ms); hold it still against the reader")]
    Timeout { millis: u64 },
    /// The reader or link answered with something that is not an APDU.
    #[error("the reader sent a malformed answer: {0}")]
    Malformed(#[from] ApduError),
    /// An I/O failure underneath the transport.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// Typed exchanges on top of any [`Transport`].
pub trait TransportExt: Transport {
    /// Sends a command and parses the answer, following `61 xx` with GET RESPONSE and
    /// repeating a command once with the exact Le a `6C xx` answer asks for.
    fn exchange(&mut self, command: &Command) -> Result<Response, TransportError> {
        let mut response = Response::parse(&self.transmit(&command.to_bytes()?)?)?;
        if let StatusWord::WrongLe(exact) = response.status() {
            let le = if exact == 0 { 256 } else { u32::from(exact) };
            let retry = command.clone().with_le(le);
            response = Response::parse(&self.transmit(&retry.to_bytes()?)?)?;
        }
        let mut data = Vec::new();
        while let StatusWord::MoreAvailable(n) = response.status() {
            data.extend_from_slice(response.data());
            let le = if n == 0 { 256 } else { u32::from(n) };
            let get_response = Command::new(command.cla() & 0x03, 0xC0, 0, 0).with_le(le);
            response = Response::parse(&self.transmit(&get_response.to_bytes()?)?)?;
        }
        if data.is_empty() {
            Ok(response)
        } else {
            data.extend_from_slice(response.data());
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
