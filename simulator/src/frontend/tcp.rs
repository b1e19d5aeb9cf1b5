//! A TCP server for phones and emulators in development: the reader (the core's `tcp:`
//! transport) connects and speaks vpcd's framing. One reader at a time, as with a real card.

use std::io::ErrorKind;
use std::net::{Shutdown, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};

use super::framed::{self, POLL, SessionEnd};
use super::slot::{SharedSlot, lock};

/// Serves the card to readers connecting on `listener` until `stop` is set.
///
/// While the card is out of the field a reader is accepted and closed at once (it sees no card).
pub fn run(listener: &TcpListener, slot: &SharedSlot, stop: &AtomicBool) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    while !stop.load(Ordering::Relaxed) {
        let (mut stream, peer) = match listener.accept() {
            Ok(conn) => conn,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(POLL);
                continue;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        stream.set_nonblocking(false)?;
        if !lock(slot).is_present() {
            tracing::info!(%peer, "reader connected, but no card is in the field");
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        tracing::info!(%peer, "reader connected");
        match framed::serve(&mut stream, slot, stop, false) {
            SessionEnd::Stopped => break,
            SessionEnd::CardRemoved => {
                tracing::info!(%peer, "card taken away from the reader");
                let _ = stream.shutdown(Shutdown::Both);
            }
            SessionEnd::PeerClosed => tracing::info!(%peer, "reader disconnected"),
            SessionEnd::Io(e) => tracing::warn!(%peer, %e, "link failed"),
        }
        // A new session starts from a reset card, as a new tap would.
        lock(slot).power_on();
    }
    Ok(())
}
