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
            needs: None,
        })
    };
    match fid {
        EF_TOKEN_INFO => free(Content::TokenInfo),
        EF_AUTH_CERT => free(Content::Cert(CertKind::Auth)),
        EF_AUTH_CA_CERT => free(Content::Cert(CertKind::AuthCa)),
        EF_SIGN_CERT => Some(Ef::Binary {
            content: Content::Cert(CertKind::Sign),
            needs: Some(PinKind::Sign),
        }),
        EF_SIGN_CA_CERT => free(Content::Cert(CertKind::SignCa)),
        EF_AUTH_KEY => Some(Ef::Key(CaKind::Auth)),
        EF_AUTH_PIN => Some(Ef::Pin(PinKind::Auth)),
        EF_SIGN_KEY => Some(Ef::Key(CaKind::Sign)),
        EF_SIGN_PIN => Some(Ef::Pin(PinKind::Sign)),
        _ => None,
    }
}

/// EF 0006: the token label, space-padded to 32 bytes.
pub(super) fn token_info(label: &str) -> Vec<u8> {
    let mut bytes = label.as_bytes().to_vec();
    bytes.resize(32.max(bytes.len()), b' ');
    bytes
}
