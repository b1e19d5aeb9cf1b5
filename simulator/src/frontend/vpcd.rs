//! The card behind pcscd's virtual reader (vsmartcard's vpcd): the card connects to vpcd as a
//! TCP client; a closed connection is a removed card, a new one an inserted card.

use std::io::ErrorKind;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::framed::{self, POLL, SessionEnd};
use super::slot::{SharedSlot, lock};

/// Where vpcd listens for its first reader (`Virtual PCD 00 00`).
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:35963";

/// How long a removed card stays out before it may be plugged in again: pcscd polls every
/// 400 ms and misses a removal shorter than that, then keeps the reader stuck on "no card".
const MIN_ABSENCE: Duration = Duration::from_millis(1000);

/// Keeps the card plugged into vpcd at `address` until `stop` is set: connects while the card is
/// present, disconnects when it is removed, and reconnects when pcscd restarts.
pub fn run(address: &str, slot: &SharedSlot, stop: &AtomicBool) {
    let mut waiting_logged = false;
    let mut removed_at: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        let settling = removed_at.is_some_and(|t| t.elapsed() < MIN_ABSENCE);
        if settling || !lock(slot).is_present() {
            std::thread::sleep(POLL);
            continue;
        }
        let connected = address
            .to_socket_addrs()
            .and_then(|mut addrs| {
                addrs.next().ok_or_else(|| {
                    std::io::Error::new(ErrorKind::NotFound, "the address resolves to nothing")
                })
            })
            // A full backlog (another card in this reader) would block a plain connect forever.
            .and_then(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)));
        let mut stream = match connected {
            Ok(s) => s,
            Err(e) => {
                if !waiting_logged {
                    tracing::info!(%address, %e, "waiting for pcscd's vpcd reader");
                    waiting_logged = true;
                }
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
        };
        waiting_logged = false;
        tracing::info!(%address, "card inserted in the virtual reader");
        match framed::serve(&mut stream, slot, stop, true) {
            SessionEnd::Stopped => break,
            SessionEnd::CardRemoved => {
                tracing::info!("card taken out of the virtual reader");
                let _ = stream.shutdown(std::net::Shutdown::Both);
                removed_at = Some(Instant::now());
            }
            SessionEnd::PeerClosed => {
                tracing::info!("pcscd closed the reader; reconnecting");
                std::thread::sleep(Duration::from_millis(200));
            }
            SessionEnd::Io(e) => {
                tracing::warn!(%e, "virtual reader link failed; reconnecting");
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}
