//! The instructions the My Number Card answers, as both sides of Kazasu name them: the client's
//! command constructors (`card::commands`) and the simulated card's dispatch use this one list.

/// An instruction byte (INS) of the card's command set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ins {
    /// `A4` SELECT (ISO 7816-4 §11.2.2): an application by DF name, or an EF by identifier.
    Select,
    /// `B0` READ BINARY (§11.3.3): a transparent EF from an offset, or by short EF identifier.
    ReadBinary,
    /// `20` VERIFY (§11.5.6): a PIN, or with no data the tries left.
    Verify,
    /// `24` CHANGE REFERENCE DATA (§11.5.7): a new PIN after the old one.
    ChangeReferenceData,
    /// `2A` PERFORM SECURITY OPERATION: COMPUTE DIGITAL SIGNATURE, sent with the card's
    /// proprietary class `80` (`jpki-card.md`, Commands).
    ComputeDigitalSignature,
    /// `C0` GET RESPONSE (§11.7.1): the rest of an answer announced by `61 xx`.
    GetResponse,
}

impl Ins {
    /// Every instruction, for tables and tests.
    pub const ALL: [Ins; 6] = [
        Ins::Select,
        Ins::ReadBinary,
        Ins::Verify,
        Ins::ChangeReferenceData,
        Ins::ComputeDigitalSignature,
        Ins::GetResponse,
    ];

    /// The byte on the wire.
    pub const fn code(self) -> u8 {
        match self {
            Ins::Select => 0xA4,
            Ins::ReadBinary => 0xB0,
            Ins::Verify => 0x20,
            Ins::ChangeReferenceData => 0x24,
            Ins::ComputeDigitalSignature => 0x2A,
            Ins::GetResponse => 0xC0,
        }
    }

    /// The instruction a byte names, if it is one of these.
    pub fn from_code(code: u8) -> Option<Ins> {
        Ins::ALL.into_iter().find(|ins| ins.code() == code)
    }

    /// Whether a command with this instruction carries a PIN or data to sign, and so must never
    /// be sent twice by anything but the person (a `6C xx` retry included).
    pub const fn carries_a_secret_or_signature(self) -> bool {
        matches!(
            self,
            Ins::Verify | Ins::ChangeReferenceData | Ins::ComputeDigitalSignature
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for ins in Ins::ALL {
            assert_eq!(Ins::from_code(ins.code()), Some(ins));
        }
        assert_eq!(Ins::from_code(0xCA), None);
    }
}
