//! Serves a [`Pn532`] on a pseudo-terminal, so libnfc opens the slave side (`/dev/pts/N`, or a
//! stable symlink to it) as if it were a PN532 on a USB-serial adapter.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl, open};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::pty::{PtyMaster, grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::stat::Mode;
use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

use super::Pn532;

/// How often [`PtyLink::serve`] looks at its stop flag.
const POLL_INTERVAL_MS: u16 = 100;
/// A frame still incomplete after this long is dropped, so a bogus length read from line
/// noise cannot swallow the host's next commands.
const PARTIAL_FRAME_TIMEOUT: Duration = Duration::from_secs(1);

/// A pseudo-terminal pair whose slave side plays the PN532's serial port.
pub struct PtyLink {
    master: PtyMaster,
    /// Held open so the line stays up (and keeps its raw mode) between host sessions.
    _slave: OwnedFd,
    slave_path: PathBuf,
    link: Option<PathBuf>,
}

impl PtyLink {
    /// Opens a pty pair, puts the slave in raw mode and keeps the slave open; if `link` is given, creates a symlink there to the slave path (replacing an existing symlink, refusing to replace a regular file).
    pub fn open(link: Option<&Path>) -> io::Result<PtyLink> {
        let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let slave_path = PathBuf::from(ptsname_r(&master)?);
        let slave = open(
            &slave_path,
            OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        let mut termios = tcgetattr(&slave)?;
        cfmakeraw(&mut termios);
        tcsetattr(&slave, SetArg::TCSANOW, &termios)?;
        let flags = OFlag::from_bits_truncate(fcntl(&master, FcntlArg::F_GETFL)?);
        fcntl(&master, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
        let link = match link {
            Some(link) => {
                make_symlink(link, &slave_path)?;
                Some(link.to_owned())
            }
            None => None,
        };
        tracing::debug!(slave = %slave_path.display(), "pn532 pty opened");
        Ok(PtyLink {
            master,
            _slave: slave,
            slave_path,
            link,
        })
    }

    /// The slave device (`/dev/pts/N`) to give libnfc as `pn532_uart:<path>`.
    pub fn slave_path(&self) -> &Path {
        &self.slave_path
    }

    /// Serves the emulator until `stop` becomes true (poll with a short timeout so it can be stopped), reading from the master and writing replies.
    pub fn serve(&self, emulator: &mut Pn532, stop: &AtomicBool) -> io::Result<()> {
        let mut buf = [0u8; 1024];
        let mut partial_since: Option<Instant> = None;
        while !stop.load(Ordering::Relaxed) {
            if !self.wait(PollFlags::POLLIN)? {
                if let Some(since) = partial_since
                    && since.elapsed() >= PARTIAL_FRAME_TIMEOUT
                {
                    emulator.discard_partial_frame();
                    partial_since = None;
                }
                continue;
            }
            let n = match nix::unistd::read(self.master.as_fd(), &mut buf) {
                Ok(n) => n,
                Err(Errno::EAGAIN | Errno::EINTR) => continue,
                // No slave side open: cannot happen while we hold it, but do not spin.
                Err(Errno::EIO) => {
                    std::thread::sleep(Duration::from_millis(u64::from(POLL_INTERVAL_MS)));
                    continue;
                }
                Err(err) => return Err(err.into()),
            };
            let mut written = Ok(());
            emulator.feed_into(&buf[..n], &mut |bytes| {
                if written.is_ok() {
                    written = self.write_all(bytes, stop);
                }
            });
            written?;
            partial_since = if emulator.has_partial_frame() {
                partial_since.or_else(|| Some(Instant::now()))
            } else {
                None
            };
        }
        Ok(())
    }

    /// Waits up to one poll interval for `events` on the master; true if ready.
    fn wait(&self, events: PollFlags) -> io::Result<bool> {
        let mut fds = [PollFd::new(self.master.as_fd(), events)];
        match poll(&mut fds, PollTimeout::from(POLL_INTERVAL_MS)) {
            Ok(0) | Err(Errno::EINTR) => Ok(false),
            Ok(_) => Ok(fds[0].revents().is_some_and(|r| r.intersects(events))),
            Err(err) => Err(err.into()),
        }
    }

    /// Writes all of `bytes`, waiting while the line is full (the host not reading) unless stopped.
    fn write_all(&self, mut bytes: &[u8], stop: &AtomicBool) -> io::Result<()> {
        while !bytes.is_empty() {
            match nix::unistd::write(self.master.as_fd(), bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(Errno::EAGAIN | Errno::EINTR) => {
                    if stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    self.wait(PollFlags::POLLOUT)?;
                }
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }
}

impl Drop for PtyLink {
    fn drop(&mut self) {
        // Only remove the link if it still points at our slave.
        if let Some(link) = &self.link
            && std::fs::read_link(link).is_ok_and(|target| target == self.slave_path)
            && let Err(err) = std::fs::remove_file(link)
        {
            tracing::warn!(link = %link.display(), %err, "could not remove the pty symlink");
        }
    }
}

/// Points `link` at `target`, replacing an existing symlink but nothing else.
fn make_symlink(link: &Path, target: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(link) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::remove_file(link)?,
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a symlink", link.display()),
            ));
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    std::os::unix::fs::symlink(target, link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlink_is_made_replaced_and_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let link = dir.path().join("pn532");
        std::os::unix::fs::symlink("/nonexistent", &link).expect("stale link");
        let pty = PtyLink::open(Some(&link)).expect("open pty");
        assert!(pty.slave_path().starts_with("/dev/pts"));
        assert_eq!(std::fs::read_link(&link).expect("link"), pty.slave_path());
        drop(pty);
        assert!(std::fs::symlink_metadata(&link).is_err(), "link removed");

        let file = dir.path().join("regular");
        std::fs::write(&file, b"keep me").expect("write");
        assert!(PtyLink::open(Some(&file)).is_err());
        assert_eq!(std::fs::read(&file).expect("read"), b"keep me");
    }
}
