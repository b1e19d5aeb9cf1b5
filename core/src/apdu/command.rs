//! Command APDUs (ISO 7816-4 cases 1–4, short and extended length).
//!
//! The same type serves both sides: clients encode commands with
//! [`Command::to_bytes`], the simulator parses them with [`Command::parse`].
//! Command data can hold a PIN, so it is wiped on drop and never printed.

use std::fmt;

use zeroize::Zeroize;

use super::ApduError;

/// Largest data field an extended-length command can carry.
pub const MAX_EXTENDED_DATA: usize = 65_535;
/// Largest data field a short command can carry.
pub const MAX_SHORT_DATA: usize = 255;
/// Largest Le a short command can ask for (encoded as `00`).
pub const MAX_SHORT_LE: u32 = 256;
/// Largest Le an extended command can ask for (encoded as `00 00`).
pub const MAX_EXTENDED_LE: u32 = 65_536;

/// The four header bytes of a command APDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// First parameter.
    pub p1: u8,
    /// Second parameter.
    pub p2: u8,
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02X} {:02X} {:02X} {:02X}",
            self.cla, self.ins, self.p1, self.p2
        )
    }
}

/// How the length fields of a command are written on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthEncoding {
    /// One-byte Lc/Le: at most 255 bytes of data and Le up to 256.
    Short,
    /// Three-byte Lc / two-byte Le: up to 65 535 bytes of data and Le up to 65 536.
    Extended,
}

/// A command APDU: header, optional data (Lc is its length) and optional Le.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    header: Header,
    data: Vec<u8>,
    le: Option<u32>,
}

impl Command {
    /// A case 1 command (header only).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            header: Header { cla, ins, p1, p2 },
            data: Vec::new(),
            le: None,
        }
    }

    /// Adds a data field (Lc is derived from its length).
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data.zeroize();
        self.data = data.into();
        self
    }

    /// Asks for up to `le` bytes of response data (1 to 65 536).
    pub fn with_le(mut self, le: u32) -> Self {
        self.le = Some(le);
        self
    }

    /// The header bytes.
    pub fn header(&self) -> Header {
        self.header
    }

    /// Class byte.
    pub fn cla(&self) -> u8 {
        self.header.cla
    }

    /// Instruction byte.
    pub fn ins(&self) -> u8 {
        self.header.ins
    }

    /// First parameter byte.
    pub fn p1(&self) -> u8 {
        self.header.p1
    }

    /// Second parameter byte.
    pub fn p2(&self) -> u8 {
        self.header.p2
    }

    /// P1 and P2 as one big-endian number (READ BINARY's offset).
    pub fn p1p2(&self) -> u16 {
        u16::from_be_bytes([self.header.p1, self.header.p2])
    }

    /// The data field (may be empty).
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The expected response length, if any (`Some(256)` for a short `Le = 00`).
    pub fn le(&self) -> Option<u32> {
        self.le
    }

    /// The ISO 7816-3 case: 1 (header only), 2 (Le), 3 (data), 4 (data and Le).
    pub fn case(&self) -> u8 {
        match (self.data.is_empty(), self.le.is_some()) {
            (true, false) => 1,
            (true, true) => 2,
            (false, false) => 3,
            (false, true) => 4,
        }
    }

    /// The shortest encoding that fits: short when data and Le allow it, extended otherwise.
    pub fn preferred_encoding(&self) -> LengthEncoding {
        let le_fits = self.le.is_none_or(|le| le <= MAX_SHORT_LE);
        if self.data.len() <= MAX_SHORT_DATA && le_fits {
            LengthEncoding::Short
        } else {
            LengthEncoding::Extended
        }
    }

    /// Encodes with the shortest length fields that fit.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        self.encode(self.preferred_encoding())
    }

    /// Encodes with the given length fields.
    pub fn encode(&self, encoding: LengthEncoding) -> Result<Vec<u8>, ApduError> {
        let (max_data, max_le) = match encoding {
            LengthEncoding::Short => (MAX_SHORT_DATA, MAX_SHORT_LE),
            LengthEncoding::Extended => (MAX_EXTENDED_DATA, MAX_EXTENDED_LE),
        };
        if self.data.len() > max_data {
            return Err(ApduError::DataTooLong {
                len: self.data.len(),
                max: max_data,
            });
        }
        if let Some(le) = self.le
            && !(1..=max_le).contains(&le)
        {
            return Err(ApduError::LeOutOfRange { le, max: max_le });
        }

        let Header { cla, ins, p1, p2 } = self.header;
        let mut out = Vec::with_capacity(4 + 3 + self.data.len() + 2);
        out.extend_from_slice(&[cla, ins, p1, p2]);
        match encoding {
            LengthEncoding::Short => {
                if !self.data.is_empty() {
                    out.push(self.data.len() as u8);
                    out.extend_from_slice(&self.data);
                }
                if let Some(le) = self.le {
                    // 256 wraps to 00 by design.
                    out.push(le as u8);
                }
            }
            LengthEncoding::Extended => {
                if !self.data.is_empty() {
                    out.push(0);
                    out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
                    out.extend_from_slice(&self.data);
                }
                if let Some(le) = self.le {
                    if self.data.is_empty() {
                        out.push(0);
                    }
                    // 65 536 wraps to 00 00 by design.
                    out.extend_from_slice(&(le as u16).to_be_bytes());
                }
            }
        }
        Ok(out)
    }

    /// Parses a command APDU as a card receives it (every case, short or extended).
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        let Some((head, body)) = bytes.split_first_chunk::<4>() else {
            return Err(ApduError::TooShort { len: bytes.len() });
        };
        let [cla, ins, p1, p2] = *head;
        let command = Self::new(cla, ins, p1, p2);
        let short_le = |b: u8| if b == 0 { 256 } else { u32::from(b) };
        let extended_le = |hi: u8, lo: u8| match u16::from_be_bytes([hi, lo]) {
            0 => 65_536,
            n => u32::from(n),
        };
        let inconsistent = || ApduError::Inconsistent { len: bytes.len() };

        match body {
            [] => Ok(command),
            [le] => Ok(command.with_le(short_le(*le))),
            [0, hi, lo] => Ok(command.with_le(extended_le(*hi, *lo))),
            [0, lc_hi, lc_lo, rest @ ..] => {
                let lc = usize::from(u16::from_be_bytes([*lc_hi, *lc_lo]));
                if lc == 0 {
                    return Err(inconsistent());
                }
                if rest.len() == lc {
                    Ok(command.with_data(rest))
                } else if rest.len() == lc + 2 {
                    let le = extended_le(rest[lc], rest[lc + 1]);
                    Ok(command.with_data(&rest[..lc]).with_le(le))
                } else {
                    Err(inconsistent())
                }
            }
            [lc, rest @ ..] if *lc != 0 => {
                let lc = usize::from(*lc);
                if rest.len() == lc {
                    Ok(command.with_data(rest))
                } else if rest.len() == lc + 1 {
                    Ok(command.with_data(&rest[..lc]).with_le(short_le(rest[lc])))
                } else {
                    Err(inconsistent())
                }
            }
            _ => Err(inconsistent()),
        }
    }
}

impl Drop for Command {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

/// Shows the header and lengths only: command data may be a PIN.
impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("header", &format_args!("{}", self.header))
            .field("lc", &self.data.len())
            .field("le", &self.le)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_cases() {
        let select = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data([0xD3, 0x92]);
        assert_eq!(
            select.to_bytes().unwrap(),
            [0, 0xA4, 4, 0x0C, 2, 0xD3, 0x92]
        );
        let read = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(256);
        assert_eq!(read.to_bytes().unwrap(), [0, 0xB0, 0, 0, 0]);
        let empty_verify = Command::new(0x00, 0x20, 0x00, 0x80);
        assert_eq!(empty_verify.to_bytes().unwrap(), [0, 0x20, 0, 0x80]);
    }

    #[test]
    fn extended_when_needed() {
        let big = Command::new(0x80, 0x2A, 0, 0x80)
            .with_data(vec![1; 300])
            .with_le(256);
        let bytes = big.to_bytes().unwrap();
        assert_eq!(&bytes[4..7], &[0, 0x01, 0x2C]);
        assert_eq!(&bytes[bytes.len() - 2..], &[0x01, 0x00]);
        assert_eq!(Command::parse(&bytes).unwrap(), big);
    }

    #[test]
    fn rejects_malformed() {
        assert!(Command::parse(&[0, 0xA4, 4]).is_err());
        // Lc says 3, two bytes follow.
        assert!(Command::parse(&[0, 0xA4, 4, 0x0C, 3, 1, 2]).is_err());
        // Extended Lc of zero is not a valid encoding.
        assert!(Command::parse(&[0, 0xA4, 4, 0x0C, 0, 0, 0, 1, 2]).is_err());
        assert!(
            Command::new(0, 0xB0, 0, 0)
                .with_le(257)
                .encode(LengthEncoding::Short)
                .is_err()
        );
        assert!(Command::new(0, 0xB0, 0, 0).with_le(0).to_bytes().is_err());
    }

    #[test]
    fn debug_never_shows_data() {
        let verify = Command::new(0, 0x20, 0, 0x80).with_data(*b"1234");
        let shown = format!("{verify:?}");
        assert!(
            !shown.contains("1234") && !shown.contains("31, 32"),
            "{shown}"
        );
        assert!(shown.contains("lc: 4"));
    }
}
