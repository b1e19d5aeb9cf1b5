//! Response APDUs: data followed by a status word.

use std::fmt;

use super::{ApduError, StatusWord};

/// A response APDU split into its data and its [`StatusWord`].
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    data: Vec<u8>,
    status: StatusWord,
}

impl Response {
    /// A response with data.
    pub fn new(data: impl Into<Vec<u8>>, status: StatusWord) -> Self {
        Self {
            data: data.into(),
            status,
        }
    }

    /// A response with no data, only a status word.
    pub fn status_only(status: StatusWord) -> Self {
        Self::new(Vec::new(), status)
    }

    /// `90 00` with data.
    pub fn success(data: impl Into<Vec<u8>>) -> Self {
        Self::new(data, StatusWord::Success)
    }

    /// Splits received bytes into data and status word.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        match bytes.split_last_chunk::<2>() {
            Some((data, [sw1, sw2])) => Ok(Self::new(data, StatusWord::from_bytes(*sw1, *sw2))),
            None => Err(ApduError::ResponseTooShort { len: bytes.len() }),
        }
    }

    /// The bytes as sent by the card.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.status.to_bytes());
        out
    }

    /// The response data (without the status word).
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Takes the response data.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// The status word.
    pub fn status(&self) -> StatusWord {
        self.status
    }

    /// True when the status word is `90 00`.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }
}

/// Shows the length and status only: response data can be personal data.
impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("len", &self.data.len())
            .field("status", &self.status)
            .finish()
    }
}
