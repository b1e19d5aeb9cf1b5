//! Getting PINs from the person: typed without echo, or one per line on stdin for scripts.
//!
//! A PIN is never taken from the command line (it would land in shell history and `ps`).
//! Input is checked against the PIN rules here, so a malformed PIN never reaches the card.

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use kazasu_core::pin::{Pin, PinKind};
use zeroize::Zeroizing;

/// Where PINs come from for this run.
pub struct PinSource {
    from_stdin: bool,
}

/// Interactive prompts allow this many format mistakes before giving up (they cost no try).
const FORMAT_ATTEMPTS: usize = 3;

impl PinSource {
    pub fn new(from_stdin: bool) -> Self {
        Self { from_stdin }
    }

    /// Reads one PIN of `kind`, asking with `prompt` when interactive.
    ///
    /// A PIN that breaks the rule is refused here: on stdin it is an error; at a prompt
    /// the person is told why and asked again (nothing was sent to the card).
    pub fn read(&mut self, kind: PinKind, prompt: &str) -> Result<Pin> {
        if self.from_stdin {
            let raw =
                read_stdin_line().with_context(|| format!("reading the {kind} from stdin"))?;
            return finish(Pin::parse(kind, &raw)?);
        }
        for attempt in 1..=FORMAT_ATTEMPTS {
            let raw = Zeroizing::new(
                rpassword::prompt_password(format!("{prompt} ({}): ", kind.rule()))
                    .context("no terminal to type the PIN on: pass --pin-stdin and write it to standard input")?,
            );
            match Pin::parse(kind, raw.trim_end_matches(['\r', '\n'])) {
                Ok(pin) => return finish(pin),
                Err(e) if attempt < FORMAT_ATTEMPTS => eprintln!("{e}"),
                Err(e) => return Err(e.into()),
            }
        }
        unreachable!("the loop returns on its last attempt")
    }

    /// Reads a new PIN, typed twice at a prompt so a typo cannot lock the person out.
    pub fn read_new(&mut self, kind: PinKind) -> Result<Pin> {
        let first = self.read(kind, &format!("New {kind}"))?;
        if !self.from_stdin {
            let again = self.read(kind, &format!("New {kind} again"))?;
            if again.as_bytes() != first.as_bytes() {
                bail!("the two new PINs differ; nothing was changed");
            }
        }
        Ok(first)
    }
}

fn finish(pin: Pin) -> Result<Pin> {
    if pin.was_uppercased() {
        eprintln!(
            "note: the {} uses uppercase letters only; lowercase letters were converted",
            pin.kind()
        );
    }
    Ok(pin)
}

fn read_stdin_line() -> Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    let n = std::io::stdin().lock().read_line(&mut line)?;
    if n == 0 {
        bail!("standard input ended before a PIN was given");
    }
    let trimmed = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned());
    Ok(trimmed)
}
