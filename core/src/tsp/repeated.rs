//! Timestamp tokens that carry one certificate twice. OpenSSL's TSA does so when its `certs`
//! chain file holds its own certificate too (it adds the signer's on certReq anyway), and DER's
//! SET OF forbids it, so the `der` crate refuses the whole token. The certificates are not
//! signed: reading the token with the copies dropped changes nothing the signature covers.

use super::request::tlv;

/// One TLV of `input` (definite lengths up to 4 bytes, low tag numbers): its tag, its
/// contents and what follows it; `None` if it is not that.
fn split(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7F => (usize::from(first), rest),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7F);
            let (digits, rest) = (rest.get(..n)?, rest.get(n..)?);
            (
                digits
                    .iter()
                    .fold(0usize, |a, &b| (a << 8) | usize::from(b)),
                rest,
            )
        }
        _ => return None,
    };
    Some((tag, rest.get(..len)?, rest.get(len..)?))
}

/// Every TLV in `input`, whole; `None` if they do not fill it exactly.
fn elements(mut input: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (_, _, rest) = split(input)?;
        out.push(&input[..input.len() - rest.len()]);
        input = rest;
    }
    Some(out)
}

/// `der` (a ContentInfo holding SignedData) with each certificate in its certificates field
/// kept once; `None` when none repeats or the structure is not that (the decoder then says
/// what is wrong). Input bounded by the caller ([`super::MAX_TOKEN_SIZE`]).
pub(super) fn without_repeated_certificates(der: &[u8]) -> Option<Vec<u8>> {
    let (0x30, info, []) = split(der)? else {
        return None;
    };
    let [oid, explicit] = elements(info)?[..] else {
        return None;
    };
    let (0xA0, signed_data, []) = split(explicit)? else {
        return None;
    };
    let (0x30, fields, []) = split(signed_data)? else {
        return None;
    };
    let mut fields = elements(fields)?;
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
