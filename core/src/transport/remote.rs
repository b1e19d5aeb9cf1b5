//! `tcp:HOST:PORT`: a card served over TCP by `kazasu-sim serve --tcp`, for phones and emulators
//! in development. The link uses vpcd's framing ([`super::framing`]) with Kazasu as the reader.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::framing::{self, Control, FrameDecoder};
use super::{Transport, TransportError};

/// How long to wait for the simulator to answer one APDU (an RSA signature included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to a card served over TCP.
#[derive(Debug)]
pub struct TcpTransport {
    stream: TcpStream,
    peer: String,
    atr: Vec<u8>,
    timeout: Duration,
    decoder: FrameDecoder,
}

impl TcpTransport {
    /// Connects to `address` (`host:port`), checks that a card is there and resets it.
    pub fn connect(address: &str, timeout: Duration) -> Result<TcpTransport, TransportError> {
        let unavailable = |reason: String| TransportError::ReaderUnavailable {
            reader: format!("tcp:{address}"),
            reason,
        };
        let addrs: Vec<SocketAddr> = address
            .to_socket_addrs()
            .map_err(|e| unavailable(format!("cannot resolve the address: {e}")))?
            .collect();
        let mut last = None;
        let stream = addrs
            .iter()
            .find_map(|a| match TcpStream::connect_timeout(a, timeout) {
                Ok(s) => Some(s),
                Err(e) => {
                    last = Some(e);
                    None
                }
            })
            .ok_or_else(|| match last {
                Some(e) => unavailable(format!(
                    "cannot connect ({e}); is `kazasu-sim serve --tcp` running?"
                )),
                None => unavailable("the address resolves to nothing".to_owned()),
            })?;
        stream
            .set_nodelay(true)
            .and_then(|()| stream.set_read_timeout(Some(timeout)))
            .map_err(|e| unavailable(format!("cannot configure the socket: {e}")))?;
        let mut transport = TcpTransport {
            stream,
            peer: address.to_owned(),
            atr: Vec::new(),
            timeout,
            decoder: FrameDecoder::new(),
        };
        transport.atr = transport
            .request(&[Control::GetAtr.code()])
            .map_err(|e| match e {
                TransportError::CardRemoved => TransportError::NoCard,
                other => other,
            })?;
        transport.send(&[Control::Reset.code()])?;
        tracing::debug!(peer = %transport.peer, atr_len = transport.atr.len(), "connected");
        Ok(transport)
    }

    /// The card's answer to reset, as the server reported it.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    fn send(&mut self, payload: &[u8]) -> Result<(), TransportError> {
        self.stream
            .write_all(&framing::encode(payload))
            .map_err(|e| self.io_error(e))
    }

    fn request(&mut self, payload: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.send(payload)?;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(frame) = self.decoder.next_frame() {
                return Ok(frame);
            }
            match self.stream.read(&mut buf) {
                Ok(0) => return Err(TransportError::CardRemoved),
                Ok(n) => self.decoder.push(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
    }

    fn io_error(&self, e: std::io::Error) -> TransportError {
        match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => TransportError::Timeout {
                millis: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            },
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof => TransportError::CardRemoved,
            _ => TransportError::Io {
                context: format!("tcp:{}", self.peer),
                source: e,
            },
        }
    }
}

impl Transport for TcpTransport {
    /// A frame carries up to 64 KiB: extended APDUs fit.
    fn carries_extended_length(&self) -> bool {
        true
    }

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        if apdu.len() < 4 {
            return Err(crate::apdu::ApduError::TooShort { len: apdu.len() }.into());
        }
        if apdu.len() > framing::MAX_PAYLOAD {
            return Err(crate::apdu::ApduError::DataTooLong {
                len: apdu.len(),
                max: framing::MAX_PAYLOAD,
            }
            .into());
        }
        let _span = tracing::trace_span!("tcp", len = apdu.len()).entered();
        self.request(apdu)
    }
}
