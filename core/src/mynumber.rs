//! The 12-digit individual number (マイナンバー), validated by its public check digit.
//!
//! A [`MyNumber`] prints masked (`********1234`) in `Debug` and `Display`, so logs and error
//! reports never leak it; the full value is only available through [`MyNumber::reveal`] or the
//! explicit serde helper [`MyNumber::serialize_revealed`].

use std::fmt;

use zeroize::Zeroize;

/// Why a string is not a valid My Number. Never contains the number itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MyNumberError {
    /// Not exactly 12 characters.
    #[error("a My Number has 12 digits, not {len}")]
    Length {
        /// Characters found.
        len: usize,
    },
    /// A character that is not an ASCII digit (position counted from 1).
    #[error("a My Number has only digits; character {position} is not one")]
    NotDigit {
        /// Position of the first bad character, from 1.
        position: usize,
    },
    /// The 12th digit does not match the first eleven.
    #[error("the check digit does not match: the number is mistyped or corrupted")]
    CheckDigit,
}

/// A 12-digit My Number whose check digit is correct. Wiped on drop, masked when printed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MyNumber {
    digits: [u8; 12],
}

impl MyNumber {
    /// Parses 12 ASCII digits and checks the last one against the first eleven.
    ///
    /// ```
    /// use kazasu_core::mynumber::MyNumber;
    /// let n = MyNumber::parse("123456789018").unwrap();
    /// assert_eq!(n.to_string(), "********9018");
    /// assert_eq!(n.reveal(), "123456789018");
    /// assert!(MyNumber::parse("123456789012").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Self, MyNumberError> {
        Self::from_ascii(input.as_bytes())
    }

    /// Like [`MyNumber::parse`], from the ASCII bytes the card stores.
    pub fn from_ascii(bytes: &[u8]) -> Result<Self, MyNumberError> {
        if let Some(i) = bytes.iter().position(|b| !b.is_ascii_digit()) {
            // Report length first when it is also wrong, as a person would count characters first.
            if bytes.len() != 12 {
                return Err(MyNumberError::Length { len: bytes.len() });
            }
            return Err(MyNumberError::NotDigit { position: i + 1 });
        }
        let digits: [u8; 12] = bytes
            .try_into()
            .map_err(|_| MyNumberError::Length { len: bytes.len() })?;
        let mut first = [0u8; 11];
        for (d, b) in first.iter_mut().zip(&digits) {
            *d = b - b'0';
        }
        if check_digit(&first) != digits[11] - b'0' {
            return Err(MyNumberError::CheckDigit);
        }
        Ok(Self { digits })
    }

    /// The full 12 digits. Call it only where showing the number is the point.
    pub fn reveal(&self) -> &str {
        // Only ASCII digits get in.
        std::str::from_utf8(&self.digits).expect("ASCII digits")
    }

    /// The last four digits, which is all `Display` shows.
    pub fn last_four(&self) -> &str {
        &self.reveal()[8..]
    }

    /// Serializes the full number: opt in per field with
    /// `#[serde(serialize_with = "MyNumber::serialize_revealed")]`; `MyNumber` itself is not `Serialize`.
    pub fn serialize_revealed<S: serde::Serializer>(
        number: &MyNumber,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(number.reveal())
    }

    /// [`MyNumber::serialize_revealed`] for an optional field (`None` is `null`).
    pub fn serialize_revealed_opt<S: serde::Serializer>(
        number: &Option<MyNumber>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match number {
            Some(number) => serializer.serialize_str(number.reveal()),
            None => serializer.serialize_none(),
        }
    }
}

/// The check digit for the first eleven digits (each 0–9), as the My Number law defines it.
///
/// With `p(n)` the n-th digit from the right (n = 1..11) and `q(n)` = n + 1 for n ≤ 6 and
/// n − 5 for n ≥ 7, `r` = Σ p(n)·q(n) mod 11 and the check digit is 0 if r ≤ 1, else 11 − r.
pub fn check_digit(first_eleven: &[u8; 11]) -> u8 {
    let sum: u32 = (1..=11u32)
        .map(|n| {
            let p = u32::from(first_eleven[11 - n as usize]);
            let q = if n <= 6 { n + 1 } else { n - 5 };
            p * q
        })
        .sum();
    match sum % 11 {
        0 | 1 => 0,
        r => (11 - r) as u8,
    }
}

impl Drop for MyNumber {
    fn drop(&mut self) {
        self.digits.zeroize();
    }
}

/// Masked: `MyNumber(********1234)`.
impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MyNumber(********{})", self.last_four())
    }
}

/// Masked: `********1234`. Use [`MyNumber::reveal`] to show the whole number.
impl fmt::Display for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "********{}", self.last_four())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first: &str) -> String {
        let mut d = [0u8; 11];
        for (x, c) in d.iter_mut().zip(first.bytes()) {
            *x = c - b'0';
        }
        format!("{first}{}", check_digit(&d))
    }

    #[test]
    fn known_numbers() {
        // Worked by hand: Σ = 212, 212 mod 11 = 3, check digit 11 - 3 = 8.
        assert!(MyNumber::parse("123456789018").is_ok());
        // All zeros: Σ = 0, r = 0 → 0.
        assert!(MyNumber::parse("000000000000").is_ok());
        // 10000000000x: p(11) = 1, q(11) = 6 → r = 6 → 5.
        assert!(MyNumber::parse("100000000005").is_ok());
        // 00000000001x: p(1) = 1, q(1) = 2 → r = 2 → 9.
        assert!(MyNumber::parse("000000000019").is_ok());
        // 00000000010x: p(2) = 1, q(2) = 3 → r = 3 → 8.
        assert!(MyNumber::parse("000000000108").is_ok());
        // 00000040000x: p(5) = 4, q(5) = 6 → 24 mod 11 = 2 → 9.
        assert!(MyNumber::parse("000000400009").is_ok());
        // 00000100000x: p(6) = 1, q(6) = 7 → 4; 00001000000x: p(7) = 1, q(7) = 2 (the weights restart) → 9.
        assert!(MyNumber::parse("000001000004").is_ok());
        assert!(MyNumber::parse("000010000009").is_ok());
    }

    #[test]
    fn r_of_one_gives_zero() {
        // p(1) = 6, q = 2 → 12 mod 11 = 1 → check digit 0.
        assert!(MyNumber::parse("000000000060").is_ok());
        assert_eq!(
            MyNumber::parse("000000000061").err(),
            Some(MyNumberError::CheckDigit)
        );
    }

    #[test]
    fn every_wrong_check_digit_is_refused() {
        for first in ["12345678901", "98765432109", "31415926535", "27182818284"] {
            let good = with_check(first);
            assert!(MyNumber::parse(&good).is_ok(), "{good}");
            for d in 0..10u8 {
                let candidate = format!("{first}{d}");
                if candidate != good {
                    assert_eq!(
                        MyNumber::parse(&candidate).err(),
                        Some(MyNumberError::CheckDigit)
                    );
                }
            }
        }
    }

    #[test]
    fn shape_errors() {
        assert_eq!(
            MyNumber::parse("12345678901").err(),
            Some(MyNumberError::Length { len: 11 })
        );
        assert_eq!(
            MyNumber::parse("12345678901a").err(),
            Some(MyNumberError::NotDigit { position: 12 })
        );
        assert_eq!(
            MyNumber::parse("１２３４５６７８９０１８").err(),
            Some(MyNumberError::Length { len: 36 })
        );
    }

    #[test]
    fn printing_masks_all_but_the_last_four() {
        let n = MyNumber::parse("123456789018").unwrap();
        assert_eq!(format!("{n}"), "********9018");
        assert_eq!(format!("{n:?}"), "MyNumber(********9018)");
        assert!(!format!("{n:?}").contains("12345678"));
    }

    #[test]
    fn explicit_serialization_reveals() {
        #[derive(serde::Serialize)]
        struct Shown {
            #[serde(serialize_with = "MyNumber::serialize_revealed")]
            n: MyNumber,
        }
        let s = serde_json::to_string(&Shown {
            n: MyNumber::parse("123456789018").unwrap(),
        })
        .unwrap();
        assert_eq!(s, r#"{"n":"123456789018"}"#);
    }
}
