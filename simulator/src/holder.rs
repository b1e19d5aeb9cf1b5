//! The person a card is issued to: the four basic facts, their alternative forms and a My Number.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// What a real signing certificate carries as the name alternative when none applies
/// (`core/tests/fixtures/real-card/jpki-sign-cert.der`).
pub const NAME_ALT_PLACEHOLDER: &str = "00000";
/// What a real signing certificate carries as the address alternative when none applies.
pub const ADDRESS_ALT_PLACEHOLDER: &str = "000000000000000000";

/// The municipality that registered the holder, as certificates name it: the signing
/// certificate's subject (`L=<prefecture>, L=<municipality>`), both certificates' CRL
/// distribution point and the code inside their common names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Municipality {
    /// Prefecture in romaji, as the subject writes it (`Kanagawa-ken`, `Tokyo-to`).
    pub prefecture: String,
    /// Municipality in romaji (`Kawasaki-shi`, `Kiyose-shi`).
    pub name: String,
    /// The five-digit local government code (全国地方公共団体コード without check digit).
    pub code: String,
}

impl Default for Municipality {
    /// Nakahara ward of Kawasaki, where the sample holder lives (and cards issued before this
    /// field existed).
    fn default() -> Self {
        Municipality {
            prefecture: "Kanagawa-ken".to_owned(),
            name: "Kawasaki-shi".to_owned(),
            code: "14133".to_owned(),
        }
    }
}

/// A card holder as the municipal office records them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderProfile {
    /// Name as printed on the card (e.g. kanji), family and given name separated by U+3000.
    pub name: String,
    /// Name in an alternative form, for characters a system may not have; empty when none
    /// applies (the certificate then carries [`NAME_ALT_PLACEHOLDER`], as real cards do).
    pub name_alt: String,
    /// `1` male, `2` female, `9` not applicable (the card's own codes).
    pub sex: char,
    /// Birth date.
    pub birth_date: Date,
    /// Address as printed on the card.
    pub address: String,
    /// Address in an alternative form; empty when none applies (the certificate then carries
    /// [`ADDRESS_ALT_PLACEHOLDER`]).
    pub address_alt: String,
    /// The 12-digit individual number, check digit included.
    pub my_number: String,
    /// The municipality that registered the holder (Kawasaki for cards issued before it existed).
    #[serde(default)]
    pub municipality: Municipality,
}

impl HolderProfile {
    /// A sample holder: 電子　太郎, born 1990-03-15, living in Kawasaki; written as a real card
    /// writes a holder (U+3000 in the name, full-width digits in the address, no alternative
    /// forms).
    pub fn sample() -> HolderProfile {
        HolderProfile {
            name: "電子\u{3000}太郎".to_owned(),
            name_alt: String::new(),
            sex: '1',
            birth_date: Date::from_calendar_date(1990, Month::March, 15).expect("valid date"),
            address: "神奈川県川崎市中原区小杉町一丁目１番地".to_owned(),
            address_alt: String::new(),
            my_number: with_check_digit("12345678901"),
            municipality: Municipality::default(),
        }
    }

    /// The name alternative as the signing certificate carries it: the placeholder when none.
    pub fn name_alt_or_placeholder(&self) -> &str {
        if self.name_alt.trim().is_empty() {
            NAME_ALT_PLACEHOLDER
        } else {
            &self.name_alt
        }
    }

    /// The address alternative as the signing certificate carries it: the placeholder when none.
    pub fn address_alt_or_placeholder(&self) -> &str {
        if self.address_alt.trim().is_empty() {
            ADDRESS_ALT_PLACEHOLDER
        } else {
            &self.address_alt
        }
    }

    /// The birth date as the card and the signing certificate write it: `YYYYMMDD`.
    pub fn birth_date_yyyymmdd(&self) -> String {
        let d = self.birth_date;
        format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day())
    }

    /// Checks what the card and certificates will carry: a valid sex code and My Number, non-empty names.
    pub fn validate(&self) -> Result<(), crate::SimError> {
        let err = |m: &str| Err(crate::SimError::Holder(m.to_owned()));
        if !matches!(self.sex, '1' | '2' | '9') {
            return err("sex must be 1 (male), 2 (female) or 9 (not applicable)");
        }
        if self.name.trim().is_empty() || self.address.trim().is_empty() {
            return err("name and address must not be empty");
        }
        if kazasu_core::mynumber::MyNumber::parse(&self.my_number).is_err() {
            return err("the My Number must be 12 digits with a valid check digit");
        }
        Ok(())
    }
}

/// A date as the card's birth-date keys write it: `YYMMDD` with the year of the Japanese era
/// (令和 from 2019-05-01, 平成 from 1989-01-08, 昭和 from 1926-12-25, 大正 before).
pub fn era_yymmdd(date: Date) -> String {
    let ymd = (date.year(), date.month() as u8, date.day());
    let era_start = if ymd >= (2019, 5, 1) {
        2019
    } else if ymd >= (1989, 1, 8) {
        1989
    } else if ymd >= (1926, 12, 25) {
        1926
    } else {
        1912
    };
    format!("{:02}{:02}{:02}", date.year() - era_start + 1, ymd.1, ymd.2)
}

/// Appends the check digit to 11 digits, making a valid My Number.
///
/// # Panics
/// If `first_eleven` is not 11 ASCII digits.
pub fn with_check_digit(first_eleven: &str) -> String {
    let digits: [u8; 11] = first_eleven
        .bytes()
        .map(|b| {
            assert!(b.is_ascii_digit(), "digits only");
            b - b'0'
        })
        .collect::<Vec<_>>()
        .try_into()
        .expect("exactly 11 digits");
    format!(
        "{first_eleven}{}",
        kazasu_core::mynumber::check_digit(&digits)
    )
}

/// The same day `years` later; 29 February becomes 28 February in a common year.
pub fn anniversary(date: Date, years: i32) -> Date {
    let year = date.year() + years;
    let day = date.day().min(date.month().length(year));
    Date::from_calendar_date(year, date.month(), day).expect("day clamped to month length")
}

/// The holder's `n`th birthday strictly after `issued` (the date validity is counted from).
pub fn nth_birthday_after(birth: Date, issued: Date, n: i32) -> Date {
    let mut years = issued.year() - birth.year();
    if anniversary(birth, years) <= issued {
        years += 1;
    }
    anniversary(birth, years + n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn era_dates() {
        assert_eq!(era_yymmdd(date!(1990 - 03 - 15)), "020315"); // 平成2年
        assert_eq!(era_yymmdd(date!(1989 - 01 - 07)), "640107"); // 昭和64年
        assert_eq!(era_yymmdd(date!(1989 - 01 - 08)), "010108"); // 平成元年
        assert_eq!(era_yymmdd(date!(2019 - 05 - 01)), "010501"); // 令和元年
        assert_eq!(era_yymmdd(date!(1980 - 02 - 17)), "550217"); // 昭和55年
    }

    #[test]
    fn sample_is_valid() {
        HolderProfile::sample().validate().unwrap();
    }

    #[test]
    fn fifth_birthday_after_issue() {
        let b = date!(1990 - 03 - 15);
        assert_eq!(
            nth_birthday_after(b, date!(2026 - 04 - 01), 5),
            date!(2031 - 03 - 15)
        );
        assert_eq!(
            nth_birthday_after(b, date!(2026 - 03 - 14), 5),
            date!(2030 - 03 - 15)
        );
        // Issued on the birthday itself: the next one counts as the first.
        assert_eq!(
            nth_birthday_after(b, date!(2026 - 03 - 15), 5),
            date!(2031 - 03 - 15)
        );
    }

    #[test]
    fn leap_day_birthdays_fall_on_28_february_in_common_years() {
        let b = date!(2000 - 02 - 29);
        assert_eq!(
            nth_birthday_after(b, date!(2026 - 04 - 01), 5),
            date!(2031 - 02 - 28)
        );
        assert_eq!(
            nth_birthday_after(b, date!(2027 - 04 - 01), 5),
            date!(2032 - 02 - 29)
        );
    }
}
