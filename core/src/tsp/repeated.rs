//! Timestamp tokens that carry one certificate twice. OpenSSL's TSA does so when its `certs`
//! chain file holds its own certificate too (it adds the signer's on certReq anyway), and DER's
//! SET OF forbids it, so the `der` crate refuses the whole token. The certificates are not
//! signed: reading the token with the copies dropped changes nothing the signature covers.

use super::raw::{elements, signed_data_fields, split};
use super::request::tlv;

/// `der` (a ContentInfo holding SignedData) with each certificate in its certificates field
/// kept once; `None` when none repeats or the structure is not that (the decoder then says
/// what is wrong). Input bounded by the caller ([`super::MAX_TOKEN_SIZE`]).
pub(super) fn without_repeated_certificates(der: &[u8]) -> Option<Vec<u8>> {
    let (oid, mut fields) = signed_data_fields(der)?;
    let at = fields.iter().position(|f| f.first() == Some(&0xA0))?;
    let (_, certificates, _) = split(fields[at])?;
    let all = elements(certificates)?;
    // The linear checks before allow no more; this keeps the search below small regardless.
    if all.len() > crate::cms::limits::MAX_CERTIFICATES {
        return None;
    }
    let mut kept: Vec<&[u8]> = Vec::with_capacity(all.len());
    for certificate in all {
        if !kept.contains(&certificate) {
            kept.push(certificate);
        }
    }
    if kept.len() == elements(certificates)?.len() {
        return None;
    }
    let certificates = tlv(0xA0, &kept.concat());
    fields[at] = &certificates;
    let signed_data = tlv(0x30, &fields.concat());
    Some(tlv(0x30, &[oid, &tlv(0xA0, &signed_data)].concat()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(certificates: &[&[u8]]) -> Vec<u8> {
        let fields = [
            tlv(0x02, &[3]),
            tlv(0x31, &[]),
            tlv(0x30, &tlv(0x06, &[0x2A])),
            tlv(0xA0, &certificates.concat()),
            tlv(0x31, &[]),
        ];
        tlv(
            0x30,
            &[tlv(0x06, &[0x2A]), tlv(0xA0, &tlv(0x30, &fields.concat()))].concat(),
        )
    }

    #[test]
    fn a_repeated_certificate_is_kept_once_and_nothing_else_changes() {
        let (a, b) = (tlv(0x30, &[1; 200]), tlv(0x30, &[2; 3]));
        assert_eq!(
            without_repeated_certificates(&token(&[&a, &b, &a, &b])),
            Some(token(&[&a, &b]))
        );
        assert_eq!(without_repeated_certificates(&token(&[&a, &b])), None);
        assert_eq!(without_repeated_certificates(&[0x30, 0x81]), None);
        assert_eq!(without_repeated_certificates(&[]), None);
    }
}
