//! The holder's attributes in the signing certificate: subjectAltName otherName entries under
//! `1.2.392.200149.8.5.5.{1..6}`, each value a string inside `[0] EXPLICIT`.

use der::asn1::Any;
use der::{Decode, Tag, Tagged};
use time::Date;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

use crate::card::Sex;

/// The OID arc under which JPKI puts the holder attributes (`.1` name … `.6` address alternative).
pub const HOLDER_ATTRIBUTE_ARC: &str = "1.2.392.200149.8.5.5";

/// Name, address, birth date and sex as the signing certificate states them.
///
/// Every field is optional: a certificate may omit any, and a value that cannot be read
/// (an unknown sex code, a malformed date) is left out rather than failing the whole certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct HolderAttributes {
    /// Name (`.1`).
    pub name: Option<String>,
    /// Name in an alternative form, e.g. for characters outside the common set (`.2`).
    pub name_alternative: Option<String>,
    /// Sex (`.3`).
    pub sex: Option<Sex>,
    /// Birth date (`.4`, `YYYYMMDD`).
    #[serde(serialize_with = "crate::serde_util::opt_ymd")]
    pub birth_date: Option<Date>,
    /// Address (`.5`).
    pub address: Option<String>,
    /// Address in an alternative form (`.6`).
    pub address_alternative: Option<String>,
}

pub(super) fn from_certificate(cert: &Certificate) -> Option<HolderAttributes> {
    let (_, san) = cert.tbs_certificate.get::<SubjectAltName>().ok()??;
    let arc: const_oid::ObjectIdentifier = HOLDER_ATTRIBUTE_ARC.parse().ok()?;
    let mut holder = HolderAttributes::default();
    let mut found = false;
    for name in &san.0 {
        let GeneralName::OtherName(other) = name else {
            continue;
        };
        if other.type_id.parent() != Some(arc) {
            continue;
        }
        let Some(last) = other.type_id.arcs().last() else {
            continue;
        };
        let Some(text) = any_text(&other.value, 1) else {
            continue;
        };
        found = true;
        match last {
            1 => holder.name = Some(text),
            2 => holder.name_alternative = Some(text),
            3 => holder.sex = Sex::from_code(&text),
            4 => holder.birth_date = crate::card::card_info::parse_ymd(text.trim().as_bytes()),
            5 => holder.address = Some(text),
            6 => holder.address_alternative = Some(text),
            _ => {}
        }
    }
    found.then_some(holder)
}

/// Reads a string value leniently: UTF8String, PrintableString, IA5String, VisibleString or
/// TeletexString; one extra `[0]` wrapper (seen in the wild) is looked through.
fn any_text(any: &Any, unwrap_depth: u8) -> Option<String> {
    match any.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::VisibleString
        | Tag::TeletexString => String::from_utf8(any.value().to_vec()).ok(),
        Tag::ContextSpecific {
            constructed: true, ..
        } if unwrap_depth > 0 => any_text(&Any::from_der(any.value()).ok()?, unwrap_depth - 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_string_types() {
        let utf8 = Any::from_der(&[0x0C, 0x02, b'h', b'i']).unwrap();
        assert_eq!(any_text(&utf8, 1).as_deref(), Some("hi"));
        let ia5 = Any::from_der(&[0x16, 0x01, b'x']).unwrap();
        assert_eq!(any_text(&ia5, 1).as_deref(), Some("x"));
        let wrapped = Any::from_der(&[0xA0, 0x03, 0x13, 0x01, b'9']).unwrap();
        assert_eq!(any_text(&wrapped, 1).as_deref(), Some("9"));
        let int = Any::from_der(&[0x02, 0x01, 0x05]).unwrap();
        assert_eq!(any_text(&int, 1), None);
    }
}
