//! The command APDUs Kazasu sends to the card, one named constructor each, with the form the
//! spec gives (`shared/spec/jpki-card.md`). Nothing else in the client builds a command by bytes.

use crate::apdu::{Command, Ins, MAX_EXTENDED_LE};
use crate::error::CardError;
use crate::ids::{Aid, FileId};

/// The class of ISO commands, and the card's proprietary class for signatures.
const ISO: u8 = 0x00;
const PROPRIETARY: u8 = 0x80;

/// P2 `0C`: SELECT returns no FCI (the card answers `90 00` alone).
const NO_RESPONSE_DATA: u8 = 0x0C;

/// Which EF a VERIFY, CHANGE REFERENCE DATA or COMPUTE DIGITAL SIGNATURE is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The EF selected before (P2 = `80`).
    Current,
    /// The EF with this short identifier in the selected application (P2 = `80` + SFI).
    ShortId(u8),
}

impl Target {
    fn p2(self) -> u8 {
        match self {
            Target::Current => 0x80,
            Target::ShortId(sfi) => 0x80 | (sfi & 0x1F),
        }
    }
}

/// SELECT by DF name, no answer data: `00 A4 04 0C Lc AID` ("Applications").
pub fn select_application(aid: Aid) -> Command {
    Command::new(ISO, Ins::Select.code(), 0x04, NO_RESPONSE_DATA).with_data(aid.as_bytes())
}

/// SELECT EF by identifier: `00 A4 02 0C 02 FID` ("JPKI AP files").
pub fn select_file(file: FileId) -> Command {
    Command::new(ISO, Ins::Select.code(), 0x02, NO_RESPONSE_DATA).with_data(file.to_bytes())
}

/// READ BINARY of up to `le` bytes at `offset` in the current EF: `00 B0 P1P2=offset Le`
/// ("Commands"). Offsets stop at 32 767: P1 bit 8 means "short EF identifier".
pub fn read_binary(offset: usize, le: u32) -> Result<Command, CardError> {
    let offset = u16::try_from(offset)
        .ok()
        .filter(|o| *o <= 0x7FFF)
        .ok_or_else(|| CardError::Malformed {
            what: "file length",
            reason: format!("offset {offset} is beyond what READ BINARY can address"),
        })?;
    let [p1, p2] = offset.to_be_bytes();
    Ok(Command::new(ISO, Ins::ReadBinary.code(), p1, p2).with_le(le))
}

/// READ BINARY from the start of the EF with short identifier `sfi` (which becomes the current
/// EF): `00 B0 80+SFI 00 Le` ("Radio and link": short EF identifiers).
pub fn read_binary_by_short_id(sfi: u8, le: u32) -> Command {
    Command::new(ISO, Ins::ReadBinary.code(), 0x80 | (sfi & 0x1F), 0x00).with_le(le)
}

/// The longest READ BINARY: the whole of a short-identified EF in one extended-length command.
pub fn read_whole_by_short_id(sfi: u8) -> Command {
    read_binary_by_short_id(sfi, MAX_EXTENDED_LE)
}

/// VERIFY with no data: the tries left (`63 Cx`), without using one: `00 20 00 80`.
pub fn pin_status(target: Target) -> Command {
    Command::new(ISO, Ins::Verify.code(), 0x00, target.p2())
}

/// VERIFY with the PIN as ASCII: `00 20 00 80 Lc PIN`.
pub fn verify(target: Target, pin: &[u8]) -> Command {
    Command::new(ISO, Ins::Verify.code(), 0x00, target.p2()).with_data(pin)
}

/// CHANGE REFERENCE DATA after a VERIFY of the same PIN: `00 24 01 80 Lc NEW`.
pub fn change_reference_data(new: &[u8]) -> Command {
    Command::new(ISO, Ins::ChangeReferenceData.code(), 0x01, 0x80).with_data(new)
}

/// COMPUTE DIGITAL SIGNATURE with a key after its PIN: `80 2A 00 80 Lc DigestInfo 00`; the
/// card pads (PKCS#1 v1.5 type 1) and returns the 256-byte signature.
pub fn compute_signature(key: Target, digest_info: &[u8]) -> Command {
    Command::new(
        PROPRIETARY,
        Ins::ComputeDigitalSignature.code(),
        0x00,
        key.p2(),
    )
    .with_data(digest_info)
    .with_le(256)
}

/// The card-info application signing with its own key, no PIN: `80 2A 00 00 Lc DigestInfo 00`
/// ("Card-info input support AP"): how a client tells the card from a copy of its files.
pub fn application_signature(digest_info: &[u8]) -> Command {
    Command::new(PROPRIETARY, Ins::ComputeDigitalSignature.code(), 0x00, 0x00)
        .with_data(digest_info)
        .with_le(256)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::mynumber::{EF_AUTH_PIN, JPKI_AID};

    fn hex(c: &Command) -> String {
        hex::encode_upper(c.to_bytes().unwrap())
    }

    #[test]
    fn the_bytes_the_spec_gives() {
        assert_eq!(
            hex(&select_application(JPKI_AID)),
            "00A4040C0AD392F000260100000001"
        );
        assert_eq!(hex(&select_file(EF_AUTH_PIN)), "00A4020C020018");
        assert_eq!(hex(&read_binary(0x0100, 256).unwrap()), "00B0010000");
        assert_eq!(hex(&read_binary_by_short_id(0x0A, 256)), "00B08A0000");
        assert_eq!(hex(&read_whole_by_short_id(0x0A)), "00B08A00000000");
        assert_eq!(hex(&pin_status(Target::Current)), "00200080");
        assert_eq!(hex(&pin_status(Target::ShortId(0x18))), "00200098");
        assert_eq!(hex(&verify(Target::Current, b"1234")), "002000800431323334");
        assert_eq!(hex(&change_reference_data(b"5678")), "002401800435363738");
        assert_eq!(
            hex(&compute_signature(Target::ShortId(0x17), &[0xAB])),
            "802A009701AB00"
        );
        assert_eq!(hex(&application_signature(&[0xAB])), "802A000001AB00");
        assert!(
            read_binary(0x8000, 1).is_err(),
            "P1 bit 8 is for short identifiers"
        );
    }
}
