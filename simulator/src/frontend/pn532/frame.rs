//! The PN532 host-interface frame format (UART/HSU): information frames, ACK/NACK, the syntax
//! error frame, and a decoder that finds frames in a byte stream that may hold wake-up bytes,
//! postambles and garbage.
//!
//! An information frame is `00 00 FF LEN LCS TFI data… DCS 00` (LEN counts TFI and data, LCS
//! makes LEN + LCS ≡ 0, DCS makes TFI + data + DCS ≡ 0), or the extended form
//! `00 00 FF FF FF LENm LENl LCS TFI data… DCS 00` for longer payloads.

/// The ACK frame both sides send: "your frame arrived intact".
pub const ACK: [u8; 6] = [0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00];
/// The NACK frame the host sends to ask for the last response again.
pub const NACK: [u8; 6] = [0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00];
/// The application-level error frame (syntax error) the chip sends for a command it cannot run.
pub const ERROR_FRAME: [u8; 8] = [0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00];
/// Frame identifier of host-to-chip frames.
pub const TFI_HOST: u8 = 0xD4;
/// Frame identifier of chip-to-host frames.
pub const TFI_CHIP: u8 = 0xD5;
/// The largest LEN (TFI + command code + 264 bytes) accepted; libnfc never builds a longer frame.
pub const MAX_LEN: usize = 266;
/// The largest LEN a normal (non-extended) frame can carry.
pub const MAX_NORMAL_LEN: usize = 255;

/// One thing found in the byte stream from the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// An ACK frame (the host aborts the running command with it).
    Ack,
    /// A NACK frame: resend the last response.
    Nack,
    /// An information frame with intact checksums.
    Frame {
        /// Frame identifier (`D4` from a host).
        tfi: u8,
        /// Command code and parameters.
        data: Vec<u8>,
    },
    /// Something that started like a frame but whose length or data checksum is wrong; the chip
    /// ignores it (no ACK), so the host times out and resends.
    Corrupt,
}

/// Encodes an information frame, in the extended form when `data` does not fit a normal one.
pub fn encode(tfi: u8, data: &[u8]) -> Vec<u8> {
    let len = data.len() + 1;
    let mut frame = Vec::with_capacity(len + 11);
    frame.extend_from_slice(&[0x00, 0x00, 0xFF]);
    if len <= MAX_NORMAL_LEN {
        let len = len as u8;
        frame.extend_from_slice(&[len, len.wrapping_neg()]);
    } else {
        let [hi, lo] = u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes();
        frame.extend_from_slice(&[0xFF, 0xFF, hi, lo, hi.wrapping_add(lo).wrapping_neg()]);
    }
    frame.push(tfi);
    frame.extend_from_slice(data);
    frame.push(checksum(tfi, data));
    frame.push(0x00);
    frame
}

/// The data checksum DCS: the byte that makes TFI + data + DCS ≡ 0 (mod 256).
pub fn checksum(tfi: u8, data: &[u8]) -> u8 {
    data.iter()
        .fold(tfi, |sum, b| sum.wrapping_add(*b))
        .wrapping_neg()
}

/// Splits the host's byte stream into frames, skipping whatever precedes a start code.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    /// An empty decoder.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Appends bytes read from the host.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes held back waiting for the rest of a frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Drops a partial frame (e.g. after the host went quiet in the middle of one).
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// The next complete item, or `None` until more bytes arrive.
    pub fn next_item(&mut self) -> Option<Incoming> {
        let Some(start) = self.buf.windows(2).position(|w| w == [0x00, 0xFF]) else {
            // Keep a trailing 00: it may be the first half of a start code.
            let keep = usize::from(self.buf.last() == Some(&0x00));
            self.buf.drain(..self.buf.len() - keep);
            return None;
        };
        self.buf.drain(..start);
        let b = &self.buf;
        if b.len() < 4 {
            return None;
        }
        let (len, header) = match (b[2], b[3]) {
            (0x00, 0xFF) => {
                self.buf.drain(..4);
                return Some(Incoming::Ack);
            }
            (0xFF, 0x00) => {
                self.buf.drain(..4);
                return Some(Incoming::Nack);
            }
            (0xFF, 0xFF) => {
                if b.len() < 7 {
                    return None;
                }
                let len = usize::from(u16::from_be_bytes([b[4], b[5]]));
                if b[4].wrapping_add(b[5]).wrapping_add(b[6]) != 0 {
                    return Some(self.corrupt());
                }
                (len, 7)
            }
            (len, lcs) => {
                if len.wrapping_add(lcs) != 0 {
                    return Some(self.corrupt());
                }
                (usize::from(len), 4)
            }
        };
        if len == 0 || len > MAX_LEN {
            return Some(self.corrupt());
        }
        if b.len() < header + len + 1 {
            return None;
        }
        let body = &b[header..header + len];
        if checksum(body[0], &body[1..]) != b[header + len] {
            return Some(self.corrupt());
        }
        let item = Incoming::Frame {
            tfi: body[0],
            data: body[1..].to_vec(),
        };
        self.buf.drain(..header + len + 1);
        Some(item)
    }

    /// Skips the start code of a bad frame so the search resumes right after it.
    fn corrupt(&mut self) -> Incoming {
        self.buf.drain(..2);
        Incoming::Corrupt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> Vec<Incoming> {
        let mut decoder = Decoder::new();
        decoder.push(bytes);
        std::iter::from_fn(|| decoder.next_item()).collect()
    }

    #[test]
    fn normal_frame_round_trips() {
        let frame = encode(TFI_HOST, &[0x4A, 0x01, 0x03, 0x00]);
        assert_eq!(
            frame,
            [
                0x00, 0x00, 0xFF, 0x05, 0xFB, 0xD4, 0x4A, 0x01, 0x03, 0x00, 0xDE, 0x00
            ]
        );
        assert_eq!(
            decode_all(&frame),
            [Incoming::Frame {
                tfi: TFI_HOST,
                data: vec![0x4A, 0x01, 0x03, 0x00]
            }]
        );
    }

    #[test]
    fn extended_frame_round_trips() {
        let mut data = vec![0x40, 0x01];
        data.extend((0..262).map(|i| i as u8));
        let frame = encode(TFI_HOST, &data);
        assert_eq!(
            &frame[..8],
            [0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0x09, 0xF6]
        );
        assert_eq!(frame.len(), data.len() + 11);
        assert_eq!(
            decode_all(&frame),
            [Incoming::Frame {
                tfi: TFI_HOST,
                data
            }]
        );
        // The largest normal frame stays normal.
        let frame = encode(TFI_CHIP, &[0u8; 254]);
        assert_eq!(&frame[3..5], [0xFF, 0x01]);
        assert_eq!(decode_all(&frame).len(), 1);
    }

    #[test]
    fn ack_nack_and_garbage() {
        let mut stream = vec![0x55, 0x55, 0x00, 0x00, 0x00, 0x00, 0x13, 0x37];
        stream.extend_from_slice(&ACK);
        stream.extend_from_slice(&NACK);
        stream.extend_from_slice(&encode(TFI_HOST, &[0x02]));
        assert_eq!(
            decode_all(&stream),
            [
                Incoming::Ack,
                Incoming::Nack,
                Incoming::Frame {
                    tfi: TFI_HOST,
                    data: vec![0x02]
                }
            ]
        );
    }

    #[test]
    fn frames_split_across_reads() {
        let frame = encode(TFI_HOST, &[0x14, 0x01]);
        let mut decoder = Decoder::new();
        for byte in &frame[..frame.len() - 2] {
            decoder.push(&[*byte]);
            assert_eq!(decoder.next_item(), None);
        }
        decoder.push(&frame[frame.len() - 2..]);
        assert!(matches!(decoder.next_item(), Some(Incoming::Frame { .. })));
        assert_eq!(decoder.next_item(), None);
    }

    #[test]
    fn checksum_failures_are_reported_and_skipped() {
        let mut bad_dcs = encode(TFI_HOST, &[0x02]);
        let n = bad_dcs.len();
        bad_dcs[n - 2] ^= 0x01;
        let mut bad_lcs = encode(TFI_HOST, &[0x02]);
        bad_lcs[4] ^= 0x10;
        let mut stream = bad_dcs;
        stream.extend_from_slice(&bad_lcs);
        stream.extend_from_slice(&encode(TFI_HOST, &[0x04]));
        assert_eq!(
            decode_all(&stream),
            [
                Incoming::Corrupt,
                Incoming::Corrupt,
                Incoming::Frame {
                    tfi: TFI_HOST,
                    data: vec![0x04]
                }
            ]
        );
        // An absurd extended length is not waited for.
        let mut huge = vec![0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x10, 0x00, 0xF0];
        huge.extend_from_slice(&encode(TFI_HOST, &[0x02]));
        assert_eq!(decode_all(&huge)[0], Incoming::Corrupt);
        assert!(matches!(decode_all(&huge)[1], Incoming::Frame { .. }));
    }
}
