//! The text that names a reader's address, checked the same way wherever a person types it
//! (`kazasu --reader tcp:…`, the app's reader screen): a simulator's `HOST:PORT` and a libnfc
//! connection string.

/// A reader address that cannot be right; nothing was opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Not `HOST:PORT` with a port from 1 to 65535.
    #[error("{0:?} is not a simulator address: use HOST:PORT, e.g. 127.0.0.1:35970")]
    Tcp(String),
    /// Empty, or with spaces.
    #[error("{0:?} is not a libnfc connection string: it looks like pn532_uart:/dev/ttyUSB0")]
    Nfc(String),
}

/// Checks a simulator's `HOST:PORT` (the port 1 to 65535).
///
/// ```
/// use kazasu_core::transport::address::tcp_address;
/// assert!(tcp_address("127.0.0.1:35970").is_ok());
/// assert!(tcp_address("127.0.0.1").is_err());
/// ```
pub fn tcp_address(text: &str) -> Result<&str, AddressError> {
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
            Ok(text)
        }
        _ => Err(AddressError::Tcp(text.to_owned())),
    }
}

/// Checks a libnfc connection string (`pn532_uart:/dev/ttyUSB0`): not empty, no spaces.
pub fn nfc_connstring(text: &str) -> Result<&str, AddressError> {
    if text.trim().is_empty() || text.contains(char::is_whitespace) {
        return Err(AddressError::Nfc(text.to_owned()));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_host_and_a_real_port() {
        assert!(tcp_address("localhost:1").is_ok());
        for bad in ["", ":35970", "host:", "host:0", "host:65536", "host:x"] {
            assert!(tcp_address(bad).is_err(), "{bad:?}");
        }
        assert!(nfc_connstring("pn532_uart:/dev/pts/3").is_ok());
        for bad in ["", " ", "pn532_uart: /dev/x"] {
            assert!(nfc_connstring(bad).is_err(), "{bad:?}");
        }
    }
}
