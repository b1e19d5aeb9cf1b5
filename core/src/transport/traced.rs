//! A transport wrapper that counts what crosses the link: how we measure ourselves.

use std::time::{Duration, Instant};

use super::{Transport, TransportError};
use crate::apdu::{Command, Response};

/// What a [`Traced`] transport has seen since it was made or last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TraceStats {
    /// Command APDUs sent (including failed ones).
    pub apdus: u64,
    /// Bytes sent to the card.
    pub bytes_sent: u64,
    /// Bytes received from the card, status words included.
    pub bytes_received: u64,
    /// Time spent waiting on the card.
    #[serde(serialize_with = "serialize_millis")]
    pub elapsed: Duration,
}

fn serialize_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// Wraps a transport, counting APDUs and bytes each way and logging each exchange's
/// header, lengths and status word with `tracing` (never the data: it may be a PIN).
#[derive(Debug)]
pub struct Traced<T> {
    inner: T,
    stats: TraceStats,
}

impl<T: Transport> Traced<T> {
    /// Starts counting from zero.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            stats: TraceStats::default(),
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> TraceStats {
        self.stats
    }

    /// Returns the counts so far and starts again from zero.
    pub fn take_stats(&mut self) -> TraceStats {
        std::mem::take(&mut self.stats)
    }

    /// The wrapped transport.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for Traced<T> {
    fn carries_extended_length(&self) -> bool {
        self.inner.carries_extended_length()
    }

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let start = Instant::now();
        let result = self.inner.transmit(apdu);
        let elapsed = start.elapsed();
        self.stats.apdus += 1;
        self.stats.bytes_sent += apdu.len() as u64;
        self.stats.elapsed += elapsed;
        let micros = elapsed.as_micros() as u64;
        let header = Command::parse(apdu)
            .map(|c| (c.header().to_string(), c.data().len(), c.le()))
            .unwrap_or_else(|_| ("malformed".to_owned(), apdu.len(), None));
        match &result {
            Ok(bytes) => {
                self.stats.bytes_received += bytes.len() as u64;
                let status = Response::parse(bytes)
                    .map(|r| r.status().to_string())
                    .unwrap_or_else(|_| "malformed".to_owned());
                tracing::debug!(
                    target: "kazasu::apdu",
                    header = %header.0, lc = header.1, le = ?header.2,
                    response_len = bytes.len().saturating_sub(2), %status, micros,
                    "apdu"
                );
            }
            Err(error) => tracing::debug!(
                target: "kazasu::apdu",
                header = %header.0, lc = header.1, le = ?header.2, %error, micros,
                "apdu failed"
            ),
        }
        result
    }
}
