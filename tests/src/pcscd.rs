//! A pcscd for the duration of a test, with vsmartcard's virtual readers.
//!
//! There is one pcscd per machine, so tests that use it run one at a time (the `pcscd` test
//! group in `.config/nextest.toml`, and a lock within one test process). An already running
//! pcscd is used as it is and left running; one started here is stopped when dropped.

use std::fs::File;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use kazasu_core::transport::pcsc::{ReaderInfo, list_readers};

/// The virtual reader `kazasu-sim serve --vpcd` plugs into by default.
pub const VIRTUAL_READER: &str = "Virtual PCD 00 00";

const PATIENCE: Duration = Duration::from_secs(15);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A pcscd serving this test.
pub struct Pcscd {
    child: Option<Child>,
    log: std::path::PathBuf,
    _turn: MutexGuard<'static, ()>,
}

impl Pcscd {
    /// Starts pcscd (unless one is running) and waits until the virtual readers are listed.
    ///
    /// # Panics
    /// If pcscd cannot be started or shows no virtual reader: install `pcscd vsmartcard-vpcd`
    /// (`scripts/install-deps`).
    pub fn start() -> Pcscd {
        let turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let log = std::env::temp_dir().join(format!("kazasu-pcscd-{}.log", std::process::id()));
        let mut pcscd = Pcscd {
            child: None,
            log,
            _turn: turn,
        };
        if list_readers().is_err() {
            pcscd.spawn();
        }
        pcscd.wait_for_readers();
        pcscd
    }

    fn spawn(&mut self) {
        let child = Command::new("pcscd")
            .args(["--foreground", "--apdu"])
            .stdout(Stdio::null())
            .stderr(File::create(&self.log).expect("pcscd log"))
            .spawn()
            .expect("start pcscd (install it with scripts/install-deps)");
        self.child = Some(child);
    }

    fn wait_for_readers(&mut self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if list_readers().is_ok_and(|rs| rs.iter().any(|r| r.name == VIRTUAL_READER)) {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("pcscd exited ({status}); its log: {}", self.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "pcscd shows no {VIRTUAL_READER:?} (is vsmartcard-vpcd installed?); its log: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops pcscd and starts it again, as a system update or a crash would.
    ///
    /// # Panics
    /// If this pcscd was already running before the test (it is not ours to restart).
    pub fn restart(&mut self) {
        assert!(self.child.is_some(), "this test did not start pcscd");
        self.stop();
        self.spawn();
        self.wait_for_readers();
    }

    /// The virtual reader as pcscd sees it now.
    pub fn reader(&self) -> ReaderInfo {
        list_readers()
            .expect("pcscd answers")
            .into_iter()
            .find(|r| r.name == VIRTUAL_READER)
            .expect("the virtual reader is listed")
    }

    /// Waits until pcscd sees a card in the virtual reader (`present`) or sees none.
    pub fn wait_for_card(&self, present: bool) {
        let deadline = Instant::now() + PATIENCE;
        while self.reader().card_present != present {
            assert!(
                Instant::now() < deadline,
                "pcscd never saw the card {}",
                if present { "inserted" } else { "removed" }
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets pcscd remove its socket; fall back to SIGKILL.
            if let Ok(pid) = i32::try_from(child.id()) {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGTERM,
                );
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(&self.log);
    }
}
