//! Printing results: plain text for people, JSON for scripts.

use anyhow::Result;
use serde::Serialize;
use time::Date;
use time::macros::format_description;

/// Parses `YYYY-MM-DD` for `--at`.
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("expected a date as YYYY-MM-DD: {e}"))
}

/// Formats a date as `YYYY-MM-DD`.
pub fn ymd(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| date.to_string())
}

/// Prints `value` as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
