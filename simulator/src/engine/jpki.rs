//! The JPKI application's files (公的個人認証AP): token info, four certificates, two keys, two PINs.

use kazasu_core::ids::FileId;
use kazasu_core::ids::mynumber::*;
use kazasu_core::pin::PinKind;

use super::{Content, Ef};
use crate::card_state::CertKind;
use crate::jlis::CaKind;

/// The file `fid` in the JPKI application, if there is one.
pub(super) fn file(fid: FileId) -> Option<Ef> {
    let free = |content| {
        Some(Ef::Binary {
            content,
            needs: &[],
        })
    };
    match fid {
        EF_TOKEN_INFO => free(Content::TokenInfo),
        EF_AUTH_CERT => free(Content::Cert(CertKind::Auth)),
        EF_AUTH_CA_CERT => free(Content::Cert(CertKind::AuthCa)),
        EF_SIGN_CERT => Some(Ef::Binary {
            content: Content::Cert(CertKind::Sign),
            needs: &[PinKind::Sign],
        }),
        EF_SIGN_CA_CERT => free(Content::Cert(CertKind::SignCa)),
        EF_CERT_PRESENCE => free(Content::CertPresence),
        EF_AUTH_KEY => Some(Ef::Key(CaKind::Auth)),
        EF_AUTH_PIN => Some(Ef::Pin(PinKind::Auth)),
        EF_SIGN_KEY => Some(Ef::Key(CaKind::Sign)),
        EF_SIGN_PIN => Some(Ef::Pin(PinKind::Sign)),
        _ => None,
    }
}

/// Size of EF 0006, the token information: a PKCS#11 `CK_TOKEN_INFO` with 4-byte integers.
pub const TOKEN_INFO_SIZE: usize = 160;

/// EF 0008: which certificates the card carries (as read on cards: both key pairs present).
pub(super) const CERT_PRESENCE: [u8; 3] = [0x8F, 0x8F, 0x00];

/// EF 0006: a `CK_TOKEN_INFO`-shaped record, [`TOKEN_INFO_SIZE`] bytes. Clients read only the
/// space-padded 32-byte label at its start; the rest is filled in the structure's layout
/// (manufacturer, model, serial, flags and counters big-endian, versions, time) so that its size
/// and shape match a card's.
pub(super) fn token_info(label: &str) -> Vec<u8> {
    fn padded(text: &str, len: usize) -> Vec<u8> {
        let mut bytes = text.as_bytes().to_vec();
        bytes.resize(len, b' ');
        bytes.truncate(len);
        bytes
    }
    const CKF_LOGIN_REQUIRED: u32 = 0x0004;
    const CKF_USER_PIN_INITIALIZED: u32 = 0x0008;
    const CKF_TOKEN_INITIALIZED: u32 = 0x0400;
    const CK_UNAVAILABLE_INFORMATION: u32 = 0xFFFF_FFFF;
    let mut out = padded(label, 32);
    out.extend(padded("J-LIS (Kazasu simulator)", 32));
    out.extend(padded("JPKI", 16));
    out.extend(padded("0000000000000000", 16));
    let numbers: [u32; 11] = [
        CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED,
        1,  // max sessions
        0,  // sessions
        1,  // max read-write sessions
        0,  // read-write sessions
        16, // max PIN length
        4,  // min PIN length
        CK_UNAVAILABLE_INFORMATION,
        CK_UNAVAILABLE_INFORMATION,
        CK_UNAVAILABLE_INFORMATION,
        CK_UNAVAILABLE_INFORMATION,
    ];
    for n in numbers {
        out.extend(n.to_be_bytes());
    }
    out.extend([1, 0, 1, 0]); // hardware and firmware versions
    out.extend(padded("", 16)); // no clock
    debug_assert_eq!(out.len(), TOKEN_INFO_SIZE);
    out
}
