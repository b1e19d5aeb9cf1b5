//! Printing results: plain text for people, JSON for scripts.

use anyhow::Result;
use serde::Serialize;
use time::Date;
use time::macros::format_description;

/// Prints a line on standard output with control characters escaped ([`escape_controls`]).
/// Every line that carries text from a certificate, a PDF or a card goes through it.
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::output::escape_controls(&format!($($arg)*)))
    };
}
pub(crate) use say;

/// `text` with every control character (C0, DEL, C1) written as `\u{…}`: names and fields
/// taken from certificates, PDFs and cards cannot move the cursor, retitle the terminal or
/// hide what follows (terminal escape injection). Plain text passes unchanged.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

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

/// Writes `bytes` to `path` through a temporary file in the same directory, then renames it over:
/// a failure half-way never leaves a truncated file where a good one was.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn control_characters_from_documents_cannot_reach_the_terminal_raw() {
        assert_eq!(escape_controls("電子　太郎 (C=JP)"), "電子　太郎 (C=JP)");
        let hostile = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\r\nVALID";
        let shown = escape_controls(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert!(shown.contains("\\u{1b}]0;pwned"), "{shown}");
    }
}
