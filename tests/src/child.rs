//! Child processes a test starts and must not leave behind: killed when dropped, their output
//! read line by line as it comes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// A child process killed (and reaped) when dropped. With [`Killed::group`] its whole process
/// group goes, for wrappers such as `xvfb-run` that start helpers of their own.
pub struct Killed {
    child: Child,
    group: bool,
}

impl Killed {
    /// Kills only the child itself when dropped.
    pub fn new(child: Child) -> Killed {
        Killed {
            child,
            group: false,
        }
    }

    /// Kills the child's process group when dropped: start it with
    /// `std::os::unix::process::CommandExt::process_group(0)`.
    pub fn group(child: Child) -> Killed {
        Killed { child, group: true }
    }

    /// The child.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Its exit status, waiting at most `patience`; `None` if it is still running then.
    pub fn wait_for(&mut self, patience: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for a child") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        if self.group {
            use nix::sys::signal::{Signal, killpg};
            use nix::unistd::Pid;
            let group = Pid::from_raw(self.child.id() as i32);
            let _ = killpg(group, Signal::SIGTERM);
            if self.wait_for(Duration::from_secs(5)).is_none() {
                let _ = killpg(group, Signal::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines a child writes on stdout, as they come.
pub fn lines_of(child: &mut Child) -> Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The first line starting with `prefix` (the rest of it), within `patience`; `Err` says why not.
pub fn line_with(
    lines: &Receiver<String>,
    prefix: &str,
    patience: Duration,
) -> Result<String, String> {
    let deadline = Instant::now() + patience;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix(prefix) {
                    return Ok(rest.trim().to_owned());
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!("no {prefix:?} line within {patience:?}"));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(format!("stdout closed before a {prefix:?} line"));
            }
        }
    }
}

/// A file's text, for failure messages.
pub fn log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("({}: {e})", path.display()))
}

/// The target directory the running test was built in: target/<profile>/deps/<test> → target/.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .expect("target directory")
        .to_path_buf()
}

/// A TCP port nothing listens on now.
pub fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// `N` different TCP ports nothing listens on now (all held open while choosing, so that the
/// system cannot hand out the same port twice).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<std::net::TcpListener> = (0..N)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port"))
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().expect("its address").port())
}
