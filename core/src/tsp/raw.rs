//! Reading a token's DER as the TSA sent it, where the decoder's view differs: `der` 0.7
//! sorts every SET OF it decodes, but a signature covers the signed attributes in the order
//! they were sent (RFC 5652 §5.4; OpenSSL verifies them that way too).

/// One TLV of `input` (definite lengths up to 4 bytes, low tag numbers): its tag, its
/// contents and what follows it; `None` if it is not that.
pub(super) fn split(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
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
pub(super) fn elements(mut input: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (_, _, rest) = split(input)?;
        out.push(&input[..input.len() - rest.len()]);
        input = rest;
    }
    Some(out)
}

/// The fields of the SignedData in the ContentInfo `der`, and the ContentInfo's OID.
pub(super) fn signed_data_fields(der: &[u8]) -> Option<(&[u8], Vec<&[u8]>)> {
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
    Some((oid, elements(fields)?))
}

/// The one signer's signed attributes as sent, tagged as the SET OF they are hashed as
/// (RFC 5652 §5.4: the `[0] IMPLICIT` tag replaced by SET); `None` when the token is not
/// that shape or has no signed attributes.
pub(super) fn signed_attributes_as_sent(der: &[u8]) -> Option<Vec<u8>> {
    let (_, fields) = signed_data_fields(der)?;
    let (0x31, signers, []) = split(fields.last()?)? else {
        return None;
    };
    let [signer] = elements(signers)?[..] else {
        return None;
    };
    let (0x30, signer, []) = split(signer)? else {
        return None;
    };
    let attributes = elements(signer)?
        .into_iter()
        .find(|f| f.first() == Some(&0xA0))?;
    Some([&[0x31][..], &attributes[1..]].concat())
}
