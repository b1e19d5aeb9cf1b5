//! The person a card is issued to: the four basic facts, their alternative forms and a My Number.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A card holder as the municipal office records them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderProfile {
    /// Name as printed on the card (e.g. kanji).
    pub name: String,
    /// Name in an alternative form (e.g. katakana or romaji).
    pub name_alt: String,
    /// `1` male, `2` female, `9` not applicable (the card's own codes).
    pub sex: char,
    /// Birth date.
    pub birth_date: Date,
    /// Address as printed on the card.
    pub address: String,
    /// Address in an alternative form.
    pub address_alt: String,
    /// The 12-digit individual number, check digit included.
    pub my_number: String,
}

impl HolderProfile {
    /// A sample holder: 電子 太郎, born 1990-03-15, living in Kawasaki.
    pub fn sample() -> HolderProfile {
        HolderProfile {
            name: "電子 太郎".to_owned(),
            name_alt: "デンシ タロウ".to_owned(),
            sex: '1',
            birth_date: Date::from_calendar_date(1990, Month::March, 15).expect("valid date"),
            address: "神奈川県川崎市中原区小杉町一丁目1番地".to_owned(),
            address_alt: "Kanagawa-ken Kawasaki-shi Nakahara-ku Kosugi-cho 1-1".to_owned(),
            my_number: with_check_digit("12345678901"),
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
