//! Which card to talk to, from `--reader`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use kazasu_core::transport::address;
use kazasu_core::transport::pcsc::ReaderChoice;

/// A parsed `--reader` value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReaderSpec {
    /// The PC/SC reader that has a card on it; an error naming the choices when none has.
    #[default]
    Auto,
    /// A PC/SC reader (pcscd): by index, by name, or the first with a card.
    Pcsc(ReaderChoice),
    /// A libnfc device by connection string (e.g. `pn532_uart:/dev/ttyUSB0`), or libnfc's default.
    Nfc(Option<String>),
    /// A card served over TCP by `kazasu-sim serve --tcp`.
    Tcp(String),
    /// The in-process software card stored at this path (default path when `None`).
    Sim(Option<PathBuf>),
}

impl FromStr for ReaderSpec {
    type Err = ReaderSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ReaderSpecError(s.to_owned());
        let (kind, rest) = match s.split_once(':') {
            Some((kind, rest)) => (kind, Some(rest)),
            None => (s, None),
        };
        match (kind, rest) {
            ("auto", None) => Ok(ReaderSpec::Auto),
            ("pcsc", None) => Ok(ReaderSpec::Pcsc(ReaderChoice::Auto)),
            ("pcsc", Some(name)) if !name.is_empty() => {
                Ok(ReaderSpec::Pcsc(ReaderChoice::parse(name)))
            }
            ("nfc", None) => Ok(ReaderSpec::Nfc(None)),
            ("nfc", Some(conn)) => address::nfc_connstring(conn)
                .map(|c| ReaderSpec::Nfc(Some(c.to_owned())))
                .map_err(|_| bad()),
            ("tcp", Some(addr)) => address::tcp_address(addr)
                .map(|a| ReaderSpec::Tcp(a.to_owned()))
                .map_err(|_| bad()),
            ("sim", None) => Ok(ReaderSpec::Sim(None)),
            ("sim", Some(path)) if !path.is_empty() => {
                Ok(ReaderSpec::Sim(Some(PathBuf::from(path))))
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for ReaderSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReaderSpec::Auto => f.write_str("auto"),
            ReaderSpec::Pcsc(ReaderChoice::Auto) => f.write_str("pcsc"),
            ReaderSpec::Pcsc(ReaderChoice::Index(i)) => write!(f, "pcsc:{i}"),
            ReaderSpec::Pcsc(ReaderChoice::Name(n)) => write!(f, "pcsc:{n}"),
            ReaderSpec::Nfc(None) => f.write_str("nfc"),
            ReaderSpec::Nfc(Some(c)) => write!(f, "nfc:{c}"),
            ReaderSpec::Tcp(a) => write!(f, "tcp:{a}"),
            ReaderSpec::Sim(None) => f.write_str("sim"),
            ReaderSpec::Sim(Some(path)) => write!(f, "sim:{}", path.display()),
        }
    }
}

/// A `--reader` value that names no known kind of reader.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown reader {0:?}: use auto, pcsc[:NAME|INDEX], nfc[:CONNSTRING], tcp:HOST:PORT, sim or sim:PATH"
)]
pub struct ReaderSpecError(String);

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ReaderSpec {
        s.parse().unwrap()
    }

    #[test]
    fn parses_every_kind() {
        assert_eq!(parse("auto"), ReaderSpec::Auto);
        assert_eq!(parse("pcsc"), ReaderSpec::Pcsc(ReaderChoice::Auto));
        assert_eq!(parse("pcsc:1"), ReaderSpec::Pcsc(ReaderChoice::Index(1)));
        assert_eq!(
            parse("pcsc:Virtual PCD 00 00"),
            ReaderSpec::Pcsc(ReaderChoice::Name("Virtual PCD 00 00".into()))
        );
        assert_eq!(parse("nfc"), ReaderSpec::Nfc(None));
        assert_eq!(
            parse("nfc:pn532_uart:/dev/pts/3"),
            ReaderSpec::Nfc(Some("pn532_uart:/dev/pts/3".into()))
        );
        assert_eq!(
            parse("tcp:127.0.0.1:35970"),
            ReaderSpec::Tcp("127.0.0.1:35970".into())
        );
        assert_eq!(
            parse("tcp:[::1]:35970"),
            ReaderSpec::Tcp("[::1]:35970".into())
        );
        assert_eq!(parse("sim"), ReaderSpec::Sim(None));
        assert_eq!(
            parse("sim:/tmp/c.json"),
            ReaderSpec::Sim(Some("/tmp/c.json".into()))
        );
    }

    #[test]
    fn rejects_incomplete_specs() {
        for bad in [
            "sim:",
            "pcsc:",
            "nfc:",
            "tcp:",
            "tcp:host",
            "tcp:host:port",
            "tcp::1",
            "floppy",
        ] {
            assert!(bad.parse::<ReaderSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "auto",
            "pcsc",
            "pcsc:2",
            "nfc:pn532_uart:/dev/pts/3",
            "tcp:localhost:1",
            "sim:/x",
        ] {
            assert_eq!(parse(s).to_string(), s);
        }
    }
}
