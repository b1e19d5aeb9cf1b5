//! The length-prefixed framing of vpcd (pcscd's virtual reader) and of Kazasu's TCP link to a
//! simulator: a 2-byte big-endian length, then the payload. One-byte payloads are control codes.

/// A control code: a one-byte payload instead of an APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Power the card off (no answer).
    PowerOff,
    /// Power the card on (no answer).
    PowerOn,
    /// Warm reset (no answer).
    Reset,
    /// Ask for the answer to reset (answered with the ATR).
    GetAtr,
}

impl Control {
    /// The control code's byte on the wire.
    pub fn code(self) -> u8 {
        match self {
            Control::PowerOff => 0x00,
            Control::PowerOn => 0x01,
            Control::Reset => 0x02,
            Control::GetAtr => 0x04,
        }
    }

    /// The control code for `byte`, if it is one.
    pub fn from_code(byte: u8) -> Option<Control> {
        Some(match byte {
            0x00 => Control::PowerOff,
            0x01 => Control::PowerOn,
            0x02 => Control::Reset,
            0x04 => Control::GetAtr,
            _ => return None,
        })
    }
}

/// The largest payload a frame can carry.
pub const MAX_PAYLOAD: usize = u16::MAX as usize;

/// Frames `payload` for the wire (in one buffer, so that it leaves in one segment).
///
/// # Panics
/// If `payload` is longer than [`MAX_PAYLOAD`]; no APDU a My Number Card exchanges comes near it.
pub fn encode(payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(payload.len()).expect("frame payload longer than 65535 bytes");
    let mut out = Vec::with_capacity(payload.len() + 2);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Collects bytes as they arrive and yields whole payloads, whatever the segment boundaries.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    pending: Vec<u8>,
}

impl FrameDecoder {
    /// A decoder with nothing buffered.
    pub fn new() -> FrameDecoder {
        FrameDecoder::default()
    }

    /// Adds bytes read from the link.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// The next whole payload, if one has arrived.
    pub fn next_frame(&mut self) -> Option<Vec<u8>> {
        let header: [u8; 2] = self.pending.get(..2)?.try_into().ok()?;
        let len = usize::from(u16::from_be_bytes(header));
        if self.pending.len() < 2 + len {
            return None;
        }
        let payload = self.pending[2..2 + len].to_vec();
        self.pending.drain(..2 + len);
        Some(payload)
    }

    /// Whether part of a frame is waiting for the rest.
    pub fn is_mid_frame(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_survive_any_segmentation() {
        let mut wire = encode(&[0x04]);
        wire.extend(encode(&[0x00, 0xA4, 0x04, 0x0C, 0x02, 0x3F, 0x00]));
        wire.extend(encode(&[]));
        for split in 0..wire.len() {
            let mut d = FrameDecoder::new();
            let mut frames = vec![];
            for chunk in [&wire[..split], &wire[split..]] {
                d.push(chunk);
                while let Some(f) = d.next_frame() {
                    frames.push(f);
                }
            }
            assert_eq!(frames.len(), 3, "split at {split}");
            assert_eq!(frames[0], [0x04]);
            assert_eq!(frames[1].len(), 7);
            assert!(frames[2].is_empty());
            assert!(!d.is_mid_frame());
        }
    }

    #[test]
    fn control_codes_round_trip() {
        for c in [
            Control::PowerOff,
            Control::PowerOn,
            Control::Reset,
            Control::GetAtr,
        ] {
            assert_eq!(Control::from_code(c.code()), Some(c));
        }
        assert_eq!(Control::from_code(0x03), None);
    }
}
