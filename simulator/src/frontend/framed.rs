//! The card's side of a length-framed link (vpcd's protocol), shared by the vpcd and TCP front-ends.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kazasu_core::transport::framing::{self, Control, FrameDecoder};

use super::slot::{SharedSlot, exchange, lock};

/// How often a waiting front-end looks at the slot and the stop flag.
pub(crate) const POLL: Duration = Duration::from_millis(50);

/// How long a vpcd link may stay silent before we say so (vpcd polls every 400 ms).
const SILENCE: Duration = Duration::from_secs(3);

/// Why a framed session ended.
#[derive(Debug)]
pub(crate) enum SessionEnd {
    /// The server is shutting down.
    Stopped,
    /// The card was taken away: the link was closed, as vpcd expects.
    CardRemoved,
    /// The reader side closed the link (pcscd stopped, the phone app went away).
    PeerClosed,
    /// The link failed.
    Io(std::io::Error),
}

/// Answers the reader on `stream` until the card is removed, the peer leaves or `stop` is set.
///
/// With `quickack`, `TCP_QUICKACK` is re-armed before every read: vpcd sends the length and the
/// payload in two segments without `TCP_NODELAY`, and a delayed ACK would cost ~40 ms per APDU.
pub(crate) fn serve(
    stream: &mut TcpStream,
    slot: &SharedSlot,
    stop: &AtomicBool,
    quickack: bool,
) -> SessionEnd {
    if let Err(e) = stream
        .set_nodelay(true)
        .and_then(|()| stream.set_read_timeout(Some(POLL)))
    {
        return SessionEnd::Io(e);
    }
    let mut decoder = FrameDecoder::new();
    let mut buf = [0u8; 4096];
    let mut last_heard = Instant::now();
    let mut silence_reported = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            return SessionEnd::Stopped;
        }
        if !lock(slot).is_present() {
            return SessionEnd::CardRemoved;
        }
        if quickack {
            // Not fatal: only latency depends on it.
            let _ = socket2::SockRef::from(&*stream).set_quickack(true);
        }
        match stream.read(&mut buf) {
            Ok(0) => return SessionEnd::PeerClosed,
            Ok(n) => {
                decoder.push(&buf[..n]);
                last_heard = Instant::now();
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                // vpcd asks for the ATR every 400 ms; silence means it never took us as its card.
                if quickack && !silence_reported && last_heard.elapsed() > SILENCE {
                    tracing::warn!(
                        "the reader has not spoken for {} s: is another card already in this virtual reader?",
                        SILENCE.as_secs()
                    );
                    silence_reported = true;
                }
                continue;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return SessionEnd::PeerClosed,
            Err(e) => return SessionEnd::Io(e),
        }
        while let Some(frame) = decoder.next_frame() {
            let answer = match answer(slot, &frame) {
                Answer::Nothing => continue,
                Answer::Bytes(bytes) => bytes,
                Answer::Removed => return SessionEnd::CardRemoved,
            };
            if let Err(e) = stream.write_all(&framing::encode(&answer)) {
                return match e.kind() {
                    ErrorKind::BrokenPipe | ErrorKind::ConnectionReset => SessionEnd::PeerClosed,
                    _ => SessionEnd::Io(e),
                };
            }
        }
    }
}

enum Answer {
    Nothing,
    Bytes(Vec<u8>),
    Removed,
}

fn answer(shared: &SharedSlot, frame: &[u8]) -> Answer {
    let code = match frame {
        [] => return Answer::Nothing,
        [code] => *code,
        apdu => {
            return match exchange(shared, apdu) {
                Some(r) => Answer::Bytes(r),
                None => Answer::Removed,
            };
        }
    };
    let mut slot = lock(shared);
    match Control::from_code(code) {
        Some(Control::PowerOff) => {
            slot.power_off();
            Answer::Nothing
        }
        Some(Control::PowerOn | Control::Reset) => {
            slot.power_on();
            Answer::Nothing
        }
        Some(Control::GetAtr) => Answer::Bytes(slot.atr().to_vec()),
        None => {
            tracing::warn!(code, "unknown control code ignored");
            Answer::Nothing
        }
    }
}
