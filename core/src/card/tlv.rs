//! A minimal BER-TLV reader for the card's files: one- to three-byte tags (`30`, `FF 20`,
//! `DF 21`) and definite lengths up to four bytes (`81 xx`, `82 xx xx`, ...).
//!
//! `der` handles certificates themselves, but it cannot read the card-info files: their tags
//! (`FF 10`, `DF 21`) use the multi-byte tag form DER libraries reject. This reader only splits
//! bytes into tag, length and value; meaning is left to the caller.

/// Why bytes are not a well-formed TLV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlvError {
    /// The bytes end inside a tag or length field, or before the value ends.
    #[error("data ends early: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes the TLV says it spans (at least).
        needed: usize,
        /// Bytes actually present.
        available: usize,
    },
    /// A tag longer than three bytes.
    #[error("tag longer than 3 bytes")]
    TagTooLong,
    /// An indefinite length (`80`) or a length field longer than four bytes.
    #[error("unsupported length encoding {first_byte:02X}")]
    UnsupportedLength {
        /// The first length byte.
        first_byte: u8,
    },
}

/// Where a TLV's parts are, as read from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlvHeader {
    /// The tag, its bytes big-endian in one number (`0xFF20`, `0xDF21`, `0x30`).
    pub tag: u32,
    /// Bytes of tag plus length field.
    pub header_len: usize,
    /// Bytes of value.
    pub value_len: usize,
}

impl TlvHeader {
    /// Reads the tag and length at the start of `bytes` (the value need not be present yet).
    ///
    /// This is what lets a client read a file's first chunk and then exactly what is left.
    ///
    /// ```
    /// use kazasu_core::card::tlv::TlvHeader;
    /// let h = TlvHeader::parse(&[0x30, 0x82, 0x04, 0x1F, 0x30]).unwrap();
    /// assert_eq!((h.tag, h.header_len, h.total_len()), (0x30, 4, 0x41F + 4));
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<Self, TlvError> {
        let truncated = |needed: usize| TlvError::Truncated {
            needed,
            available: bytes.len(),
        };
        let first = *bytes.first().ok_or(truncated(2))?;
        let mut tag = u32::from(first);
        let mut pos = 1;
        if first & 0x1F == 0x1F {
            loop {
                let b = *bytes.get(pos).ok_or(truncated(pos + 2))?;
                tag = (tag << 8) | u32::from(b);
                pos += 1;
                if b & 0x80 == 0 {
                    break;
                }
                if pos >= 3 {
                    return Err(TlvError::TagTooLong);
                }
            }
        }
        let len_byte = *bytes.get(pos).ok_or(truncated(pos + 1))?;
        pos += 1;
        let value_len = match len_byte {
            0x00..=0x7F => usize::from(len_byte),
            0x81..=0x84 => {
                let n = usize::from(len_byte & 0x7F);
                let field = bytes.get(pos..pos + n).ok_or(truncated(pos + n))?;
                pos += n;
                field
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
            }
            first_byte => return Err(TlvError::UnsupportedLength { first_byte }),
        };
        Ok(Self {
            tag,
            header_len: pos,
            value_len,
        })
    }

    /// Header plus value: how many bytes the whole TLV spans.
    pub fn total_len(&self) -> usize {
        self.header_len + self.value_len
    }
}

/// One TLV borrowed from a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag, big-endian in one number.
    pub tag: u32,
    /// The value bytes.
    pub value: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Reads the TLV at the start of `bytes`; returns it and the bytes after it.
    ///
    /// ```
    /// use kazasu_core::card::tlv::Tlv;
    /// let (tlv, rest) = Tlv::parse(&[0xDF, 0x25, 0x01, b'1', 0xAA]).unwrap();
    /// assert_eq!((tlv.tag, tlv.value, rest), (0xDF25, &b"1"[..], &[0xAA][..]));
    /// ```
    pub fn parse(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), TlvError> {
        let header = TlvHeader::parse(bytes)?;
        let end = header.total_len();
        if bytes.len() < end {
            return Err(TlvError::Truncated {
                needed: end,
                available: bytes.len(),
            });
        }
        let value = &bytes[header.header_len..end];
        Ok((
            Self {
                tag: header.tag,
                value,
            },
            &bytes[end..],
        ))
    }

    /// The TLVs inside this one's value, in order.
    pub fn children(&self) -> TlvIter<'a> {
        TlvIter::new(self.value)
    }
}

/// Iterates over consecutive TLVs; stops after the first error.
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> TlvIter<'a> {
    /// Iterates over the TLVs that make up `bytes`. Trailing `00`/`FF` padding ends the iteration.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            rest: bytes,
            failed: false,
        }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        // Files are often padded to their allocated size with 00 or FF after the data.
        if self.failed || self.rest.iter().all(|b| *b == 0x00 || *b == 0xFF) {
            return None;
        }
        match Tlv::parse(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Iterates over the TLVs that fill `bytes` exactly (a record's fields: no padding allowed),
/// each with the bytes of the whole object, as signatures over fields need them. Stops after the
/// first error.
///
/// ```
/// use kazasu_core::card::tlv::objects;
/// let bytes = [0xDF, 0x22, 0x01, b'a', 0xDF, 0x23, 0x00];
/// let all: Vec<_> = objects(&bytes).map(Result::unwrap).collect();
/// assert_eq!(all[0].1, &bytes[..4]);
/// assert_eq!(all[1].0.tag, 0xDF23);
/// ```
pub fn objects(bytes: &[u8]) -> Objects<'_> {
    Objects {
        rest: bytes,
        failed: false,
    }
}

/// See [`objects`].
#[derive(Debug, Clone)]
pub struct Objects<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Iterator for Objects<'a> {
    type Item = Result<(Tlv<'a>, &'a [u8]), TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        match Tlv::parse(self.rest) {
            Ok((tlv, after)) => {
                let whole = &self.rest[..self.rest.len() - after.len()];
                self.rest = after;
                Some(Ok((tlv, whole)))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Encodes one BER-TLV with a definite length (short form, or the `81`/`82` long forms): the
/// inverse of [`Tlv::parse`], for whoever writes card data (the simulator, test fixtures).
///
/// ```
/// use kazasu_core::card::tlv::{Tlv, encode};
/// let bytes = encode(&[0xFF, 0x10], b"123456789018");
/// assert_eq!(&bytes[..3], &[0xFF, 0x10, 0x0C]);
/// assert_eq!(Tlv::parse(&bytes).unwrap().0.value, b"123456789018");
/// ```
///
/// # Panics
/// If `value` is longer than 65,535 bytes (no card file is).
pub fn encode(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    match value.len() {
        n @ 0..=0x7F => out.push(n as u8),
        n @ 0x80..=0xFF => out.extend([0x81, n as u8]),
        n => {
            let n = u16::try_from(n).expect("TLV values are at most 65,535 bytes");
            out.push(0x82);
            out.extend(n.to_be_bytes());
        }
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_two_and_three_byte_tags() {
        assert_eq!(TlvHeader::parse(&[0x30, 0x03]).unwrap().tag, 0x30);
        assert_eq!(TlvHeader::parse(&[0xFF, 0x10, 0x0C]).unwrap().tag, 0xFF10);
        assert_eq!(TlvHeader::parse(&[0xDF, 0x21, 0x00]).unwrap().tag, 0xDF21);
        assert_eq!(
            TlvHeader::parse(&[0x5F, 0x81, 0x01, 0x00]).unwrap().tag,
            0x5F8101
        );
        assert_eq!(
            TlvHeader::parse(&[0x5F, 0x81, 0x81, 0x01, 0x00]),
            Err(TlvError::TagTooLong)
        );
    }

    #[test]
    fn short_and_long_lengths() {
        let h = TlvHeader::parse(&[0x30, 0x7F]).unwrap();
        assert_eq!((h.header_len, h.value_len), (2, 0x7F));
        let h = TlvHeader::parse(&[0x30, 0x81, 0xFC]).unwrap();
        assert_eq!((h.header_len, h.total_len()), (3, 255));
        let h = TlvHeader::parse(&[0xFF, 0x20, 0x82, 0x01, 0x2C]).unwrap();
        assert_eq!((h.header_len, h.value_len), (5, 300));
        assert_eq!(
            TlvHeader::parse(&[0x30, 0x80]),
            Err(TlvError::UnsupportedLength { first_byte: 0x80 })
        );
        assert!(matches!(
            TlvHeader::parse(&[0x30, 0x82, 0x01]),
            Err(TlvError::Truncated { .. })
        ));
        assert!(matches!(
            TlvHeader::parse(&[]),
            Err(TlvError::Truncated { .. })
        ));
    }

    #[test]
    fn nested_values_and_padding() {
        let bytes = [
            0xFF, 0x20, 0x09, 0xDF, 0x22, 0x02, b'A', b'B', 0xDF, 0x25, 0x01, b'2', 0xFF, 0xFF,
        ];
        let (outer, rest) = Tlv::parse(&bytes).unwrap();
        assert_eq!(outer.tag, 0xFF20);
        assert_eq!(rest, [0xFF, 0xFF]);
        let children: Vec<_> = outer.children().collect::<Result<_, _>>().unwrap();
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].value, b"AB");
        assert_eq!(children[1].tag, 0xDF25);
        assert_eq!(TlvIter::new(rest).count(), 0, "padding is not a TLV");
    }

    #[test]
    fn value_overrunning_the_buffer_is_an_error() {
        assert!(matches!(
            Tlv::parse(&[0xDF, 0x22, 0x05, b'A']),
            Err(TlvError::Truncated {
                needed: 8,
                available: 4
            })
        ));
        let mut it = TlvIter::new(&[0xDF, 0x22, 0x05, b'A']);
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
