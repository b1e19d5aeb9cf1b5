//! ISO 7816-4 status words (SW1 SW2) with the meanings real cards give them.
//!
//! Past the response parser nothing in Kazasu handles a raw `u16`: every answer
//! is a [`StatusWord`], and the conversion is lossless in both directions.

use std::fmt;

/// The two trailing bytes of every response APDU, decoded.
///
/// `StatusWord::from(u16)` followed by [`StatusWord::to_u16`] gives back the
/// same value for every input; status words without a named meaning are kept
/// in [`StatusWord::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusWord {
    /// `90 00`: the command completed.
    Success,
    /// `61 xx`: more response data is waiting; fetch it with GET RESPONSE (`00` means 256 bytes).
    MoreAvailable(u8),
    /// `62 81`: part of the returned data may be corrupted.
    CorruptedData,
    /// `62 82`: end of file reached before reading Le bytes.
    EndOfFileReached,
    /// `63 Cx`: verification failed (or, for an empty VERIFY, not yet done); `x` tries remain.
    RemainingRetries(u8),
    /// `65 81`: the card could not write its memory.
    MemoryFailure,
    /// `67 00`: wrong length (Lc or Le).
    WrongLength,
    /// `68 81`: logical channel not supported.
    LogicalChannelNotSupported,
    /// `68 82`: secure messaging not supported.
    SecureMessagingNotSupported,
    /// `69 81`: command incompatible with the file structure.
    IncompatibleFileStructure,
    /// `69 82`: security status not satisfied (a PIN must be verified first).
    SecurityStatusNotSatisfied,
    /// `69 83`: authentication method blocked (PIN locked).
    AuthenticationMethodBlocked,
    /// `69 84`: reference data not usable (some cards use it for a locked PIN).
    ReferenceDataNotUsable,
    /// `69 85`: conditions of use not satisfied.
    ConditionsOfUseNotSatisfied,
    /// `69 86`: command not allowed (no current EF).
    NoCurrentEf,
    /// `6A 80`: incorrect parameters in the data field.
    IncorrectData,
    /// `6A 81`: function not supported.
    FunctionNotSupported,
    /// `6A 82`: file or application not found.
    FileNotFound,
    /// `6A 84`: not enough memory space in the file.
    NotEnoughMemory,
    /// `6A 86`: incorrect P1-P2.
    IncorrectP1P2,
    /// `6A 88`: referenced data not found.
    ReferencedDataNotFound,
    /// `6B 00`: wrong parameters (offset outside the file).
    WrongParameters,
    /// `6C xx`: wrong Le; `xx` is the exact number of bytes available (`00` means 256).
    WrongLe(u8),
    /// `6D 00`: instruction not supported.
    InstructionNotSupported,
    /// `6E 00`: class not supported.
    ClassNotSupported,
    /// `6F 00`: no precise diagnosis.
    UnknownError,
    /// Any status word without a meaning of its own here, kept as received.
    Other(u16),
}

impl StatusWord {
    /// Builds a status word from SW1 and SW2.
    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        Self::from(u16::from_be_bytes([sw1, sw2]))
    }

    /// The status word as the card sends it.
    pub fn to_u16(self) -> u16 {
        match self {
            Self::Success => 0x9000,
            Self::MoreAvailable(n) => 0x6100 | u16::from(n),
            Self::CorruptedData => 0x6281,
            Self::EndOfFileReached => 0x6282,
            Self::RemainingRetries(n) => 0x63C0 | u16::from(n & 0x0F),
            Self::MemoryFailure => 0x6581,
            Self::WrongLength => 0x6700,
            Self::LogicalChannelNotSupported => 0x6881,
            Self::SecureMessagingNotSupported => 0x6882,
            Self::IncompatibleFileStructure => 0x6981,
            Self::SecurityStatusNotSatisfied => 0x6982,
            Self::AuthenticationMethodBlocked => 0x6983,
            Self::ReferenceDataNotUsable => 0x6984,
            Self::ConditionsOfUseNotSatisfied => 0x6985,
            Self::NoCurrentEf => 0x6986,
            Self::IncorrectData => 0x6A80,
            Self::FunctionNotSupported => 0x6A81,
            Self::FileNotFound => 0x6A82,
            Self::NotEnoughMemory => 0x6A84,
            Self::IncorrectP1P2 => 0x6A86,
            Self::ReferencedDataNotFound => 0x6A88,
            Self::WrongParameters => 0x6B00,
            Self::WrongLe(n) => 0x6C00 | u16::from(n),
            Self::InstructionNotSupported => 0x6D00,
            Self::ClassNotSupported => 0x6E00,
            Self::UnknownError => 0x6F00,
            Self::Other(sw) => sw,
        }
    }

    /// The two bytes in transmission order.
    pub fn to_bytes(self) -> [u8; 2] {
        self.to_u16().to_be_bytes()
    }

    /// True for `90 00` only.
    pub fn is_success(self) -> bool {
        self == Self::Success
    }

    /// True for every answer a JPKI card is known to give for a locked PIN
    /// (`69 83`, `69 84` and `63 C0`): clients treat them alike.
    pub fn is_pin_blocked(self) -> bool {
        matches!(
            self,
            Self::AuthenticationMethodBlocked
                | Self::ReferenceDataNotUsable
                | Self::RemainingRetries(0)
        )
    }

    /// What the status word means, in words a person can read.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::MoreAvailable(_) => "more response data available",
            Self::CorruptedData => "returned data may be corrupted",
            Self::EndOfFileReached => "end of file reached before the requested length",
            Self::RemainingRetries(_) => "verification failed",
            Self::MemoryFailure => "the card could not write its memory",
            Self::WrongLength => "wrong length",
            Self::LogicalChannelNotSupported => "logical channel not supported",
            Self::SecureMessagingNotSupported => "secure messaging not supported",
            Self::IncompatibleFileStructure => "command incompatible with the file structure",
            Self::SecurityStatusNotSatisfied => "security status not satisfied (PIN required)",
            Self::AuthenticationMethodBlocked => "authentication method blocked",
            Self::ReferenceDataNotUsable => "reference data not usable",
            Self::ConditionsOfUseNotSatisfied => "conditions of use not satisfied",
            Self::NoCurrentEf => "command not allowed: no file selected",
            Self::IncorrectData => "incorrect data",
            Self::FunctionNotSupported => "function not supported",
            Self::FileNotFound => "file or application not found",
            Self::NotEnoughMemory => "not enough memory",
            Self::IncorrectP1P2 => "incorrect parameters P1-P2",
            Self::ReferencedDataNotFound => "referenced data not found",
            Self::WrongParameters => "wrong parameters (offset outside the file)",
            Self::WrongLe(_) => "wrong expected length",
            Self::InstructionNotSupported => "instruction not supported",
            Self::ClassNotSupported => "class not supported",
            Self::UnknownError => "no precise diagnosis",
            Self::Other(_) => "unrecognised status",
        }
    }
}

impl From<u16> for StatusWord {
    fn from(sw: u16) -> Self {
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Success,
            (0x61, n) => Self::MoreAvailable(n),
            (0x62, 0x81) => Self::CorruptedData,
            (0x62, 0x82) => Self::EndOfFileReached,
            (0x63, n) if n & 0xF0 == 0xC0 => Self::RemainingRetries(n & 0x0F),
            (0x65, 0x81) => Self::MemoryFailure,
            (0x67, 0x00) => Self::WrongLength,
            (0x68, 0x81) => Self::LogicalChannelNotSupported,
            (0x68, 0x82) => Self::SecureMessagingNotSupported,
            (0x69, 0x81) => Self::IncompatibleFileStructure,
            (0x69, 0x82) => Self::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Self::AuthenticationMethodBlocked,
            (0x69, 0x84) => Self::ReferenceDataNotUsable,
            (0x69, 0x85) => Self::ConditionsOfUseNotSatisfied,
            (0x69, 0x86) => Self::NoCurrentEf,
            (0x6A, 0x80) => Self::IncorrectData,
            (0x6A, 0x81) => Self::FunctionNotSupported,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x84) => Self::NotEnoughMemory,
            (0x6A, 0x86) => Self::IncorrectP1P2,
            (0x6A, 0x88) => Self::ReferencedDataNotFound,
            (0x6B, 0x00) => Self::WrongParameters,
            (0x6C, n) => Self::WrongLe(n),
            (0x6D, 0x00) => Self::InstructionNotSupported,
            (0x6E, 0x00) => Self::ClassNotSupported,
            (0x6F, 0x00) => Self::UnknownError,
            _ => Self::Other(sw),
        }
    }
}

impl From<StatusWord> for u16 {
    fn from(sw: StatusWord) -> u16 {
        sw.to_u16()
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [sw1, sw2] = self.to_bytes();
        write!(f, "{sw1:02X} {sw2:02X} ({})", self.meaning())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_word_round_trips() {
        for sw in 0..=u16::MAX {
            assert_eq!(StatusWord::from(sw).to_u16(), sw, "{sw:04X}");
        }
    }

    #[test]
    fn retries_and_blocked() {
        assert_eq!(StatusWord::from(0x63C2), StatusWord::RemainingRetries(2));
        assert!(StatusWord::from(0x63C0).is_pin_blocked());
        assert!(StatusWord::from(0x6983).is_pin_blocked());
        assert!(StatusWord::from(0x6984).is_pin_blocked());
        assert!(!StatusWord::from(0x63C1).is_pin_blocked());
        // 63 00 is "verification failed" without a counter: not the same thing.
        assert_eq!(StatusWord::from(0x6300), StatusWord::Other(0x6300));
    }

    #[test]
    fn display_names_bytes_and_meaning() {
        assert_eq!(
            StatusWord::FileNotFound.to_string(),
            "6A 82 (file or application not found)"
        );
    }
}
