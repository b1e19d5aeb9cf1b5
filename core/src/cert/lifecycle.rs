//! Validity as the card holder lives it: dates in Japan time, renewal from 3 months before expiry.

use time::{Date, OffsetDateTime, UtcOffset};

/// Japan Standard Time (UTC+9, no daylight saving): certificate dates are told in it.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+09:00 is a valid offset"),
};

/// Today's calendar day in Japan, the day certificate validity and renewal are counted in.
/// The one place the front ends ask for it.
pub fn today_in_japan() -> Date {
    OffsetDateTime::now_utc().to_offset(JST).date()
}

/// Where a certificate stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Lifecycle {
    /// Before its first valid day.
    NotYetValid,
    /// Valid, and renewal is not open yet.
    Valid,
    /// Still valid, and the municipal office can renew it (since `opens_on`).
    RenewalWindow {
        /// First day renewal is possible.
        #[serde(serialize_with = "crate::serde_util::ymd")]
        opens_on: Date,
    },
    /// Past its last valid day: it no longer works and must be reissued at the municipal office.
    Expired,
}

impl Lifecycle {
    /// True while the certificate can be used (valid or in the renewal window).
    pub fn is_usable(self) -> bool {
        matches!(self, Lifecycle::Valid | Lifecycle::RenewalWindow { .. })
    }
}

/// The first day renewal is possible for a certificate whose last valid day is `expires_on`:
/// the same day of the month three calendar months earlier, or that month's last day if shorter.
///
/// ```
/// use kazasu_core::cert::renewal_opens_on;
/// use time::macros::date;
/// assert_eq!(renewal_opens_on(date!(2031-03-15)), date!(2030-12-15));
/// assert_eq!(renewal_opens_on(date!(2031-05-31)), date!(2031-02-28));
/// ```
pub fn renewal_opens_on(expires_on: Date) -> Date {
    let month = expires_on.month().nth_prev(3);
    let year = if (expires_on.month() as u8) <= 3 {
        expires_on.year() - 1
    } else {
        expires_on.year()
    };
    let day = expires_on.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).expect("day clamped to the month's length")
}

/// Where a certificate valid from `not_before` to `not_after` stands on `today` (a Japan-time date).
///
/// Dates are compared in JST: a certificate whose `notAfter` is 2031-03-15T14:59:59Z
/// (23:59:59 JST) is usable all of 15 March and expired on the 16th.
pub fn lifecycle(not_before: OffsetDateTime, not_after: OffsetDateTime, today: Date) -> Lifecycle {
    let first_day = not_before.to_offset(JST).date();
    let last_day = not_after.to_offset(JST).date();
    if today < first_day {
        Lifecycle::NotYetValid
    } else if today > last_day {
        Lifecycle::Expired
    } else {
        let opens_on = renewal_opens_on(last_day);
        if today >= opens_on {
            Lifecycle::RenewalWindow { opens_on }
        } else {
            Lifecycle::Valid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const FROM: OffsetDateTime = datetime!(2026-03-15 00:00:00 UTC);
    const UNTIL: OffsetDateTime = datetime!(2031-03-15 14:59:59 UTC);

    #[test]
    fn boundaries_around_the_renewal_window_and_expiry() {
        let at = |d| lifecycle(FROM, UNTIL, d);
        assert_eq!(at(date!(2026 - 03 - 14)), Lifecycle::NotYetValid);
        assert_eq!(at(date!(2026 - 03 - 15)), Lifecycle::Valid);
        assert_eq!(
            at(date!(2030 - 12 - 14)),
            Lifecycle::Valid,
            "day before the window"
        );
        let window = Lifecycle::RenewalWindow {
            opens_on: date!(2030 - 12 - 15),
        };
        assert_eq!(at(date!(2030 - 12 - 15)), window, "first day of the window");
        assert_eq!(
            at(date!(2031 - 03 - 15)),
            window,
            "expiry day is still usable"
        );
        assert_eq!(at(date!(2031 - 03 - 16)), Lifecycle::Expired, "day after");
        assert!(window.is_usable() && !Lifecycle::Expired.is_usable());
    }

    #[test]
    fn expiry_day_is_counted_in_japan_time() {
        // 15:00 UTC on the 15th is already the 16th in Japan.
        let late = datetime!(2031-03-15 15:00:00 UTC);
        assert_eq!(
            lifecycle(FROM, late, date!(2031 - 03 - 16)),
            Lifecycle::RenewalWindow {
                opens_on: date!(2030 - 12 - 16)
            }
        );
        // 23:59 on 14 March UTC+0 is 08:59 on the 15th in Japan: not yet valid on the 14th.
        let start = datetime!(2026-03-14 23:59:00 UTC);
        assert_eq!(
            lifecycle(start, UNTIL, date!(2026 - 03 - 14)),
            Lifecycle::NotYetValid
        );
    }

    #[test]
    fn renewal_opening_clamps_to_short_months() {
        assert_eq!(
            renewal_opens_on(date!(2031 - 01 - 31)),
            date!(2030 - 10 - 31)
        );
        assert_eq!(
            renewal_opens_on(date!(2031 - 05 - 31)),
            date!(2031 - 02 - 28)
        );
        assert_eq!(
            renewal_opens_on(date!(2032 - 05 - 30)),
            date!(2032 - 02 - 29)
        );
        assert_eq!(
            renewal_opens_on(date!(2031 - 07 - 31)),
            date!(2031 - 04 - 30)
        );
        assert_eq!(
            renewal_opens_on(date!(2031 - 03 - 01)),
            date!(2030 - 12 - 01)
        );
        assert_eq!(
            renewal_opens_on(date!(2031 - 04 - 01)),
            date!(2031 - 01 - 01)
        );
    }

    #[test]
    fn serializes_with_a_state_tag() {
        let v = serde_json::to_value(Lifecycle::RenewalWindow {
            opens_on: date!(2030 - 12 - 15),
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"state": "renewal_window", "opens_on": "2030-12-15"})
        );
        assert_eq!(
            serde_json::to_value(Lifecycle::Expired).unwrap(),
            serde_json::json!({"state": "expired"})
        );
    }
}
