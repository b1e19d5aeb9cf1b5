//! Which card to talk to, from `--reader`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A parsed `--reader` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderSpec {
    /// The in-process software card stored at this path (default path when `None`).
    Sim(Option<PathBuf>),
}

impl FromStr for ReaderSpec {
    type Err = ReaderSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, rest) = match s.split_once(':') {
            Some((kind, rest)) => (kind, Some(rest)),
            None => (s, None),
        };
        match (kind, rest) {
            ("sim", None) => Ok(ReaderSpec::Sim(None)),
            ("sim", Some("")) => Err(ReaderSpecError(s.to_owned())),
            ("sim", Some(path)) => Ok(ReaderSpec::Sim(Some(PathBuf::from(path)))),
            _ => Err(ReaderSpecError(s.to_owned())),
        }
    }
}

impl fmt::Display for ReaderSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReaderSpec::Sim(None) => f.write_str("sim"),
            ReaderSpec::Sim(Some(path)) => write!(f, "sim:{}", path.display()),
        }
    }
}

/// A `--reader` value that names no known kind of reader.
#[derive(Debug, thiserror::Error)]
#[error("unknown reader {0:?}: use `sim` or `sim:PATH`")]
pub struct ReaderSpecError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sim_specs() {
        assert_eq!("sim".parse::<ReaderSpec>().unwrap(), ReaderSpec::Sim(None));
        assert_eq!(
            "sim:/tmp/c.json".parse::<ReaderSpec>().unwrap(),
            ReaderSpec::Sim(Some("/tmp/c.json".into()))
        );
        assert!("sim:".parse::<ReaderSpec>().is_err());
        assert!("floppy".parse::<ReaderSpec>().is_err());
    }
}
