//! Serde helpers shared by the output types: dates as `YYYY-MM-DD`.

use time::Date;
use time::macros::format_description;

const YMD: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// Serializes a date as `YYYY-MM-DD`.
pub(crate) fn ymd<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    let text = date.format(YMD).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

/// Serializes an optional date as `YYYY-MM-DD` or `null`.
pub(crate) fn opt_ymd<S: serde::Serializer>(
    date: &Option<Date>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => ymd(d, serializer),
        None => serializer.serialize_none(),
    }
}
