//! The APDU layer: command and response encoding, status words (ISO 7816-4).

mod command;
mod ins;
mod response;
mod status;

pub use command::{
    Command, Header, LengthEncoding, MAX_EXTENDED_DATA, MAX_EXTENDED_LE, MAX_SHORT_DATA,
    MAX_SHORT_LE,
};
pub use ins::Ins;
pub use response::Response;
pub use status::StatusWord;

/// Bytes that are not a well-formed APDU, or a command that cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApduError {
    /// Fewer than the four header bytes.
    #[error("command APDU too short: {len} bytes, at least 4 needed")]
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// Lc/Le do not match the number of bytes received.
    #[error("command APDU of {len} bytes has length fields that do not match its size")]
    Inconsistent {
        /// Bytes received.
        len: usize,
    },
    /// A response must end with the two status bytes.
    #[error("response APDU too short: {len} bytes, at least 2 needed")]
    ResponseTooShort {
        /// Bytes received.
        len: usize,
    },
    /// The data field does not fit the chosen encoding.
    #[error("command data of {len} bytes does not fit (at most {max})")]
    DataTooLong {
        /// Bytes of data.
        len: usize,
        /// The most the encoding carries.
        max: usize,
    },
    /// Le outside 1..=max for the chosen encoding.
    #[error("expected length {le} is out of range (1 to {max})")]
    LeOutOfRange {
        /// The expected length asked for.
        le: u32,
        /// The most the encoding carries.
        max: u32,
    },
}
