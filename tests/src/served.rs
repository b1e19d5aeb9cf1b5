//! `kazasu-sim serve` as a child process: the card behind vpcd, a PN532 pty or TCP, with its
//! control input (`remove`, `insert`, `tear …`) at hand. Killed when dropped.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::bins::bin;

/// How long the server may take to start or to acknowledge a control line.
const PATIENCE: Duration = Duration::from_secs(20);

/// A running `kazasu-sim serve`.
pub struct Served {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    tcp: Option<String>,
    pn532: Option<String>,
}

impl Served {
    /// Serves the card at `card` with the front-end `args` (e.g. `["--vpcd"]`); returns once it is
    /// ready. Its log goes to `serve.log` beside the card.
    pub fn start(card: &Path, args: &[&str]) -> Served {
        let log = card.with_file_name("serve.log");
        let mut child = Command::new(bin("kazasu-sim"))
            .arg("--card")
            .arg(card)
            .arg("serve")
            .args(args)
            .env("KAZASU_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("serve log"))
            .spawn()
            .expect("start kazasu-sim serve");
        let stdin = child.stdin.take().expect("stdin was piped");
        let lines = crate::child::lines_of(&mut child);
        let mut served = Served {
            child,
            stdin,
            lines,
            tcp: None,
            pn532: None,
        };
        loop {
            let line = served.next_line("the server to start");
            if let Some(addr) = line.strip_prefix("tcp: listening on ") {
                served.tcp = Some(addr.to_owned());
            } else if let Some(conn) = line.strip_prefix("pn532: pn532_uart:") {
                served.pn532 = Some(format!("pn532_uart:{conn}"));
            } else if line.starts_with("ready:") {
                return served;
            }
        }
    }

    /// The address of the TCP front-end (`host:port`).
    pub fn tcp_address(&self) -> &str {
        self.tcp.as_deref().expect("served with --tcp")
    }

    /// The libnfc connection string of the emulated PN532 (`pn532_uart:/dev/pts/N`).
    pub fn pn532_connstring(&self) -> &str {
        self.pn532.as_deref().expect("served with --pn532")
    }

    /// Sends a control line (`remove`, `insert`, `tear verify`…) and returns the server's `ok: …` answer.
    ///
    /// # Panics
    /// If the server answers with an error.
    pub fn control(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").expect("write to the server");
        self.stdin.flush().expect("flush to the server");
        let answer = self.next_line(command);
        assert!(answer.starts_with("ok:"), "{command}: {answer}");
        answer
    }

    fn next_line(&mut self, waiting_for: &str) -> String {
        match self.lines.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(_) => {
                let status = self.child.try_wait();
                panic!(
                    "no answer from kazasu-sim serve while waiting for {waiting_for} (exit: {status:?}); see serve.log beside the card"
                );
            }
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
