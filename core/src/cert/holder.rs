//! The holder's attributes in the signing certificate: subjectAltName otherName entries under
//! `1.2.392.200149.8.5.5.{1..6}`, each value a string inside `[0] EXPLICIT`.
//!
//! Read as a real card writes them (`core/tests/fixtures/real-card/jpki-sign-cert.der`): every
//! value a UTF8String; the name with U+3000 between family and given name; the birth date as an
//! era digit then the Gregorian `YYYYMMDD` (`319800217`); an alternative form that does not apply
//! written as a run of `0` (`00000`, eighteen `0`s), which means "none", not a value.

use der::asn1::Any;
use der::{Decode, Tag, Tagged};
use time::{Date, Month};
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

use crate::vocabulary::Sex;

/// The OID arc under which JPKI puts the holder attributes (`.1` name … `.6` address alternative).
pub const HOLDER_ATTRIBUTE_ARC: &str = "1.2.392.200149.8.5.5";

/// Name, address, birth date and sex as the signing certificate states them.
///
/// Every field is optional: a certificate may omit any, a placeholder (`00000`) is no value, and
/// a value that cannot be read (an unknown sex code, a malformed date) is left out rather than
/// failing the whole certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct HolderAttributes {
    /// Name (`.1`), family and given name separated by U+3000 on real cards.
    pub name: Option<String>,
    /// Name in an alternative form, e.g. for characters outside the common set (`.2`);
    /// `None` when the card writes its placeholder (`00000`).
    pub name_alternative: Option<String>,
    /// Sex (`.3`).
    pub sex: Option<Sex>,
    /// Birth date (`.4`: an era digit then `YYYYMMDD`, see [`parse_birth_date`]).
    #[serde(serialize_with = "crate::serde_util::opt_ymd")]
    pub birth_date: Option<Date>,
    /// Address (`.5`).
    pub address: Option<String>,
    /// Address in an alternative form (`.6`); `None` when the card writes its placeholder
    /// (eighteen `0`s).
    pub address_alternative: Option<String>,
}

/// The Japanese era (元号) a date falls in, with the one-digit code the resident registry
/// (住民基本台帳) uses and the signing certificate puts before the birth date.
///
/// The real test card's `319800217` is era 3 (Shōwa) and 1980-02-17, Shōwa 55: the digits after
/// the era are the Gregorian date, not the year of the era.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JapaneseEra {
    /// 明治, code `1` (to 1912-07-29).
    Meiji,
    /// 大正, code `2` (1912-07-30 to 1926-12-24).
    Taisho,
    /// 昭和, code `3` (1926-12-25 to 1989-01-07).
    Showa,
    /// 平成, code `4` (1989-01-08 to 2019-04-30).
    Heisei,
    /// 令和, code `5` (from 2019-05-01).
    Reiwa,
}

impl JapaneseEra {
    /// The era `date` falls in (dates before Taishō count as Meiji).
    pub fn of(date: Date) -> JapaneseEra {
        let starts = |y, m, d| Date::from_calendar_date(y, m, d).expect("era start is a date");
        if date >= starts(2019, Month::May, 1) {
            JapaneseEra::Reiwa
        } else if date >= starts(1989, Month::January, 8) {
            JapaneseEra::Heisei
        } else if date >= starts(1926, Month::December, 25) {
            JapaneseEra::Showa
        } else if date >= starts(1912, Month::July, 30) {
            JapaneseEra::Taisho
        } else {
            JapaneseEra::Meiji
        }
    }

    /// The one-digit code (`1` Meiji … `5` Reiwa).
    pub fn code(self) -> char {
        match self {
            JapaneseEra::Meiji => '1',
            JapaneseEra::Taisho => '2',
            JapaneseEra::Showa => '3',
            JapaneseEra::Heisei => '4',
            JapaneseEra::Reiwa => '5',
        }
    }

    /// The era of a code; `None` for anything but `1`–`5`.
    pub fn from_code(code: char) -> Option<JapaneseEra> {
        Some(match code {
            '1' => JapaneseEra::Meiji,
            '2' => JapaneseEra::Taisho,
            '3' => JapaneseEra::Showa,
            '4' => JapaneseEra::Heisei,
            '5' => JapaneseEra::Reiwa,
            _ => return None,
        })
    }
}

/// The birth date as the signing certificate writes it: the era digit and the Gregorian date,
/// `319800217` for 1980-02-17 (Shōwa).
pub fn birth_date_value(date: Date) -> String {
    format!(
        "{}{:04}{:02}{:02}",
        JapaneseEra::of(date).code(),
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Reads a certificate birth date: an era digit then `YYYYMMDD` (real cards), or a bare
/// `YYYYMMDD` (certificates made by older Kazasu simulators).
///
/// The date is taken from the Gregorian digits; the era digit must be a known code (`1`–`5`) but
/// is not held against the date, which already says everything.
pub fn parse_birth_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let ymd = match text.len() {
        9 => {
            JapaneseEra::from_code(text.chars().next()?)?;
            &text[1..]
        }
        8 => text,
        _ => return None,
    };
    if !ymd.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = ymd[0..4].parse().ok()?;
    let month: u8 = ymd[4..6].parse().ok()?;
    let day: u8 = ymd[6..8].parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// True for what a card writes where a value does not apply: nothing, or only `0`s (ASCII or
/// full-width), as in the real card's `00000` name alternative.
pub fn is_placeholder(text: &str) -> bool {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .chars()
        .all(|c| c == '0' || c == '０')
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
        // The certificate is a signing certificate even when a field holds its placeholder.
        found = true;
        if is_placeholder(&text) {
            continue;
        }
        match last {
            1 => holder.name = Some(text),
            2 => holder.name_alternative = Some(text),
            3 => holder.sex = Sex::from_code(&text),
            4 => holder.birth_date = parse_birth_date(&text),
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
    use time::macros::date;

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

    #[test]
    fn birth_dates_with_and_without_the_era_digit() {
        assert_eq!(parse_birth_date("319800217"), Some(date!(1980 - 02 - 17)));
        assert_eq!(parse_birth_date("19800217"), Some(date!(1980 - 02 - 17)));
        assert_eq!(parse_birth_date("520240229"), Some(date!(2024 - 02 - 29)));
        // Not an era code, not a date, not the right length.
        assert_eq!(parse_birth_date("019800217"), None);
        assert_eq!(parse_birth_date("A19800217"), None);
        assert_eq!(parse_birth_date("319800230"), None);
        assert_eq!(parse_birth_date("3198002171"), None);
        assert_eq!(parse_birth_date(""), None);
    }

    #[test]
    fn era_codes_follow_the_era_boundaries() {
        for (day, era, code) in [
            (date!(1912 - 07 - 29), JapaneseEra::Meiji, '1'),
            (date!(1912 - 07 - 30), JapaneseEra::Taisho, '2'),
            (date!(1926 - 12 - 25), JapaneseEra::Showa, '3'),
            (date!(1989 - 01 - 07), JapaneseEra::Showa, '3'),
            (date!(1989 - 01 - 08), JapaneseEra::Heisei, '4'),
            (date!(2019 - 04 - 30), JapaneseEra::Heisei, '4'),
            (date!(2019 - 05 - 01), JapaneseEra::Reiwa, '5'),
        ] {
            assert_eq!(JapaneseEra::of(day), era, "{day}");
            assert_eq!(era.code(), code);
            assert_eq!(JapaneseEra::from_code(code), Some(era));
        }
        assert_eq!(birth_date_value(date!(1980 - 02 - 17)), "319800217");
        assert_eq!(birth_date_value(date!(1990 - 03 - 15)), "419900315");
        let value = birth_date_value(date!(2019 - 05 - 01));
        assert_eq!(parse_birth_date(&value), Some(date!(2019 - 05 - 01)));
    }

    #[test]
    fn placeholders_are_no_value() {
        assert!(is_placeholder("00000"));
        assert!(is_placeholder("000000000000000000"));
        assert!(is_placeholder("０００"));
        assert!(is_placeholder(""));
        assert!(!is_placeholder("デンシ　タロウ"));
        assert!(!is_placeholder("10"));
    }
}
