//! Limits on the DER that Kazasu reads from others (signatures, CRLs, certificates), checked
//! by one linear walk over the bytes before the `der` crate decodes them.
//!
//! Why: `der` 0.7 sorts every `SET OF` it decodes (`SetOfVec`) with an insertion sort, and
//! the `cms` crate compares certificates by re-encoding them; a SET OF whose elements arrive
//! out of order therefore costs time quadratic in their number (an 80 KB signature took
//! 19 s). The walk refuses a SET OF with more elements than its limit, and one that is not
//! already in DER order unless it is tiny, so the sort that follows does linear work.

use std::cmp::Ordering;

/// The largest CMS signature read (a detached `.p7s` or a PDF's `/Contents`). A CAdES-BES
/// signature with a JPKI certificate chain is under 10 KiB.
pub const MAX_SIGNATURE_SIZE: usize = 1024 * 1024;
/// The largest CRL read. JPKI's CRLs list every certificate revoked since the CA began, and
/// J-LIS's are several MiB; kazasu-rp's download limit is lower.
pub const MAX_CRL_SIZE: usize = 64 * 1024 * 1024;
/// The largest certificate read (JPKI's are under 2 KiB).
pub const MAX_CERTIFICATE_SIZE: usize = 64 * 1024;
/// How deep constructed DER values may nest (a CMS signature needs about 15 levels).
pub const MAX_DEPTH: usize = 40;
/// Elements of any SET OF not limited below (attribute values, the parts of a name, digest
/// algorithms…).
pub const MAX_SET_ELEMENTS: usize = 64;
/// A SET OF must arrive in DER order unless it has at most this many elements (some encoders
/// do not sort; sorting so few costs nothing).
pub const MAX_UNSORTED_SET_ELEMENTS: usize = 16;
/// Certificates carried in one SignedData (a signer, its CAs, perhaps a timestamp's chain).
pub const MAX_CERTIFICATES: usize = 32;
/// CRLs carried in one SignedData.
pub const MAX_CMS_CRLS: usize = 16;
/// Signer infos in one SignedData (Kazasu checks signatures with exactly one).
pub const MAX_SIGNER_INFOS: usize = 8;
/// Signed, or unsigned, attributes of one signer (CAdES-BES needs four).
pub const MAX_ATTRIBUTES: usize = 32;
/// Entries of one CRL (JPKI's signing CA revokes a certificate at every move).
pub const MAX_CRL_ENTRIES: usize = 4_000_000;

/// Why DER bytes were refused before decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// Too many bytes.
    #[error("the {what} is {size} bytes, more than the {max} Kazasu reads")]
    TooLarge {
        /// What was read.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Too many elements in a SET OF or SEQUENCE OF.
    #[error("it has more than {max} {what}, more than Kazasu accepts")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// Nested too deep.
    #[error("its DER nests more than {max} levels deep")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A large SET OF not in DER order.
    #[error(
        "it is not DER: a SET OF with {count} elements is not sorted (only sets of up to {max} may be)"
    )]
    Unsorted {
        /// The elements in the set.
        count: usize,
        /// [`MAX_UNSORTED_SET_ELEMENTS`].
        max: usize,
    },
    /// Not DER at all.
    #[error("it is not valid DER: {0}")]
    Malformed(&'static str),
}

/// One TLV: its tag octet, its contents, and its whole encoding.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    whole: &'a [u8],
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OCTET_STRING: u8 = 0x04;
const CONTEXT_0: u8 = 0xA0;
const CONTEXT_1: u8 = 0xA1;
/// id-signedData, the OID's contents octets.
const SIGNED_DATA_OID: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];

/// Reads the first TLV of `input` (definite lengths, low tag numbers, as DER requires).
fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), LimitError> {
    let (&tag, rest) = input
        .split_first()
        .ok_or(LimitError::Malformed("a value is cut short"))?;
    if tag & 0x1F == 0x1F {
        return Err(LimitError::Malformed("tag numbers above 30 are not used"));
    }
    let (&first, rest) = rest
        .split_first()
        .ok_or(LimitError::Malformed("a length is missing"))?;
    let (len, rest) = match first {
        0..=0x7F => (usize::from(first), rest),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7F);
            if rest.len() < n {
                return Err(LimitError::Malformed("a length is cut short"));
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, &rest[n..])
        }
        _ => return Err(LimitError::Malformed("indefinite or oversized length")),
    };
    if rest.len() < len {
        return Err(LimitError::Malformed(
            "a value is longer than what contains it",
        ));
    }
    let header = input.len() - rest.len();
    Ok((
        Tlv {
            tag,
            content: &rest[..len],
            whole: &input[..header + len],
        },
        &rest[len..],
    ))
}

/// The TLVs one after another in `input`.
fn children(input: &[u8]) -> impl Iterator<Item = Result<Tlv<'_>, LimitError>> {
    let mut rest = input;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match read_tlv(rest) {
            Ok((tlv, next)) => {
                rest = next;
                Some(Ok(tlv))
            }
            Err(e) => {
                rest = &[];
                Some(Err(e))
            }
        }
    })
}

/// Checks a SET OF's contents: at most `max` elements, in DER order unless there are few.
fn check_set(content: &[u8], max: usize, what: &'static str) -> Result<(), LimitError> {
    let mut count = 0usize;
    let mut sorted = true;
    let mut previous: Option<&[u8]> = None;
    for element in children(content) {
        let element = element?;
        count += 1;
        if count > max {
            return Err(LimitError::TooMany { what, max });
        }
        // X.690 §11.6: ascending order of the encodings compared as octet strings.
        if previous.is_some_and(|p| p.cmp(element.whole) != Ordering::Less) {
            sorted = false;
        }
        previous = Some(element.whole);
    }
    if !sorted && count > MAX_UNSORTED_SET_ELEMENTS {
        return Err(LimitError::Unsorted {
            count,
            max: MAX_UNSORTED_SET_ELEMENTS,
        });
    }
    Ok(())
}

/// Walks every constructed value in `input`: depth, and every universal SET OF. OCTET STRINGs
/// that hold DER (certificate extensions) are walked too; ones that do not are skipped.
fn walk(input: &[u8], depth: usize) -> Result<(), LimitError> {
    for tlv in children(input) {
        let tlv = tlv?;
        if tlv.tag & 0x20 != 0 {
            if depth >= MAX_DEPTH {
                return Err(LimitError::TooDeep { max: MAX_DEPTH });
            }
            if tlv.tag == SET {
                check_set(tlv.content, MAX_SET_ELEMENTS, "elements in a SET OF")?;
            }
            walk(tlv.content, depth + 1)?;
        } else if tlv.tag == OCTET_STRING && !tlv.content.is_empty() && depth < MAX_DEPTH {
            match walk(tlv.content, depth + 1) {
                Ok(()) | Err(LimitError::Malformed(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Exactly one TLV in `input`.
fn single(input: &[u8]) -> Result<Tlv<'_>, LimitError> {
    let (tlv, rest) = read_tlv(input)?;
    if !rest.is_empty() {
        return Err(LimitError::Malformed("bytes follow the value"));
    }
    Ok(tlv)
}

fn size(what: &'static str, input: &[u8], max: usize) -> Result<(), LimitError> {
    if input.len() > max {
        return Err(LimitError::TooLarge {
            what,
            size: input.len(),
            max,
        });
    }
    Ok(())
}

/// Malformed DER is left to the decoder, which says precisely what is wrong; the walk stops
/// there, and so will the decoder.
fn defer_malformed(result: Result<(), LimitError>) -> Result<(), LimitError> {
    match result {
        Err(LimitError::Malformed(_)) => Ok(()),
        other => other,
    }
}

/// Checks a CMS `ContentInfo` before it is decoded: its size, and for SignedData the number
/// of certificates, CRLs, signer infos and attributes and their order, then every SET OF.
pub fn check_cms(der: &[u8]) -> Result<(), LimitError> {
    size("signature", der, MAX_SIGNATURE_SIZE)?;
    defer_malformed(cms_structure(der))
}

fn cms_structure(der: &[u8]) -> Result<(), LimitError> {
    let info = single(der)?;
    let mut parts = children(info.content);
    let oid = parts.next().transpose()?;
    let explicit = parts.next().transpose()?;
    if let (Some(oid), Some(explicit)) = (oid, explicit)
        && oid.content == SIGNED_DATA_OID
        && explicit.tag == CONTEXT_0
    {
        let signed_data = single(explicit.content)?;
        for field in children(signed_data.content) {
            let field = field?;
            match field.tag {
                CONTEXT_0 => check_set(field.content, MAX_CERTIFICATES, "certificates")?,
                CONTEXT_1 => check_set(field.content, MAX_CMS_CRLS, "CRLs")?,
                SET if field.content.first() == Some(&SEQUENCE)
                    && field.whole.len() > 2
                    && is_signer_infos(field.content) =>
                {
                    check_set(field.content, MAX_SIGNER_INFOS, "signers")?;
                    for signer in children(field.content) {
                        for part in children(signer?.content) {
                            let part = part?;
                            match part.tag {
                                CONTEXT_0 => {
                                    check_set(part.content, MAX_ATTRIBUTES, "signed attributes")?
                                }
                                CONTEXT_1 => {
                                    check_set(part.content, MAX_ATTRIBUTES, "unsigned attributes")?
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    walk(der, 0)
}

/// True when a SET's first element looks like a SignerInfo (a SEQUENCE starting with its
/// version INTEGER), not an AlgorithmIdentifier (starting with an OID).
fn is_signer_infos(content: &[u8]) -> bool {
    children(content)
        .next()
        .and_then(Result::ok)
        .and_then(|first| children(first.content).next().and_then(Result::ok))
        .is_some_and(|version| version.tag == 0x02)
}

/// Checks a DER CRL before it is decoded: its size, its number of entries, every SET OF.
pub fn check_crl(der: &[u8]) -> Result<(), LimitError> {
    size("CRL", der, MAX_CRL_SIZE)?;
    defer_malformed(crl_structure(der))
}

fn crl_structure(der: &[u8]) -> Result<(), LimitError> {
    let list = single(der)?;
    if let Some(tbs) = children(list.content).next().transpose()? {
        // version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] ext
        let mut seen_time = false;
        for field in children(tbs.content) {
            let field = field?;
            match field.tag {
                0x17 | 0x18 => seen_time = true,
                SEQUENCE if seen_time && children(field.content).nth(MAX_CRL_ENTRIES).is_some() => {
                    return Err(LimitError::TooMany {
                        what: "entries in a CRL",
                        max: MAX_CRL_ENTRIES,
                    });
                }
                _ => {}
            }
        }
    }
    walk(der, 0)
}

/// Checks a DER OCSP response before it is decoded: its size (at most `max`, the OCSP
/// module's limit) and every SET OF in it, including those of the BasicOCSPResponse inside.
pub fn check_ocsp_response(der: &[u8], max: usize) -> Result<(), LimitError> {
    size("OCSP response", der, max)?;
    defer_malformed(single(der).and_then(|_| walk(der, 0)))
}

/// Checks a DER certificate before it is decoded: its size and every SET OF in it.
pub fn check_certificate(der: &[u8]) -> Result<(), LimitError> {
    size("certificate", der, MAX_CERTIFICATE_SIZE)?;
    defer_malformed(single(der).and_then(|_| walk(der, 0)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// DER TLV with a definite length.
    pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    #[test]
    fn a_sorted_set_passes_and_a_large_unsorted_one_does_not() {
        let ints: Vec<Vec<u8>> = (1..=40u8).map(|i| tlv(0x02, &[i])).collect();
        let sorted = tlv(SET, &ints.concat());
        assert_eq!(walk(&sorted, 0), Ok(()));
        let reversed: Vec<u8> = ints.iter().rev().flatten().copied().collect();
        assert_eq!(
            walk(&tlv(SET, &reversed), 0),
            Err(LimitError::Unsorted {
                count: 40,
                max: MAX_UNSORTED_SET_ELEMENTS
            })
        );
        let few: Vec<u8> = ints[..5].iter().rev().flatten().copied().collect();
        assert_eq!(walk(&tlv(SET, &few), 0), Ok(()));
    }

    #[test]
    fn too_many_elements_or_levels_are_refused() {
        let many: Vec<u8> = (0..=MAX_SET_ELEMENTS as u16)
            .flat_map(|i| tlv(0x02, &[0x01, (i >> 8) as u8, i as u8]))
            .collect();
        assert!(matches!(
            walk(&tlv(SET, &many), 0),
            Err(LimitError::TooMany { .. })
        ));
        let mut deep = tlv(0x05, &[]);
        for _ in 0..=MAX_DEPTH {
            deep = tlv(SEQUENCE, &deep);
        }
        assert_eq!(walk(&deep, 0), Err(LimitError::TooDeep { max: MAX_DEPTH }));
    }

    #[test]
    fn der_inside_an_octet_string_is_walked_and_other_bytes_skipped() {
        let reversed: Vec<u8> = (1..=40u8).rev().flat_map(|i| tlv(0x02, &[i])).collect();
        let hidden = tlv(OCTET_STRING, &tlv(SET, &reversed));
        assert!(matches!(
            walk(&tlv(SEQUENCE, &hidden), 0),
            Err(LimitError::Unsorted { .. })
        ));
        let opaque = tlv(OCTET_STRING, &[0x31, 0xFF, 0x00]);
        assert_eq!(walk(&tlv(SEQUENCE, &opaque), 0), Ok(()));
    }

    #[test]
    fn malformed_lengths_are_refused() {
        assert!(matches!(
            single(&[0x30, 0x80, 0, 0]),
            Err(LimitError::Malformed(_))
        ));
        assert!(matches!(
            single(&[0x30, 0x05, 1]),
            Err(LimitError::Malformed(_))
        ));
        assert!(matches!(
            single(&[0x1F, 0x30, 0x00]),
            Err(LimitError::Malformed(_))
        ));
    }
}
