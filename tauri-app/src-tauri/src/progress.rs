//! What the card is doing right now, sent to the front end as `card-progress` events so that
//! slow work (hashing a large file, an RSA signature on the card) never looks frozen.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

/// The event's name.
pub const EVENT: &str = "card-progress";

/// A step of a card command, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Opening the reader and finding the card.
    Connecting,
    /// Reading from the card or the file.
    Reading,
    /// Reading a PIN's tries left (no try used).
    CheckingPin,
    /// The card is checking the PIN.
    VerifyingPin,
    /// Hashing a large file.
    Hashing,
    /// The card is signing.
    Signing,
    /// Talking to the login service.
    ContactingService,
    /// Writing the signed copy.
    Writing,
    /// Checking the new signature.
    Verifying,
    /// Finished.
    Done,
}

/// One `card-progress` event.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Event {
    /// The step begun.
    pub step: Step,
    /// 0..1 while hashing a large file.
    pub fraction: Option<f64>,
}

/// Reports progress; cheap to clone and to call from the worker thread.
#[derive(Clone)]
pub struct Progress {
    sink: Arc<dyn Fn(Event) + Send + Sync>,
    /// The last whole percentage sent, so hashing sends at most ~100 events.
    last_percent: Arc<AtomicU32>,
}

impl Progress {
    /// Progress that goes to `sink`.
    pub fn new(sink: impl Fn(Event) + Send + Sync + 'static) -> Progress {
        Progress {
            sink: Arc::new(sink),
            last_percent: Arc::new(AtomicU32::new(u32::MAX)),
        }
    }

    /// Progress sent to the app's windows as `card-progress` events.
    pub fn emitter<R: Runtime>(app: AppHandle<R>) -> Progress {
        Progress::new(move |event| {
            if let Err(e) = app.emit(EVENT, event) {
                tracing::warn!(error = %e, "could not send a progress event");
            }
        })
    }

    /// A new step has started.
    pub fn step(&self, step: Step) {
        (self.sink)(Event {
            step,
            fraction: None,
        });
    }

    /// `done` of `total` bytes hashed; sent when the whole percentage changes.
    pub fn hashed(&self, done: u64, total: u64) {
        let fraction = if total == 0 {
            1.0
        } else {
            done as f64 / total as f64
        };
        let percent = (fraction * 100.0) as u32;
        if self.last_percent.swap(percent, Ordering::Relaxed) != percent {
            (self.sink)(Event {
                step: Step::Hashing,
                fraction: Some(fraction.min(1.0)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn hashing_a_large_file_sends_one_event_per_percent() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let progress = Progress::new(move |e| sink.lock().unwrap().push(e));
        let total = 1 << 30;
        for done in (0..=total).step_by(1 << 20) {
            progress.hashed(done, total);
        }
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 101);
        assert_eq!(seen.last().unwrap().fraction, Some(1.0));
    }
}
