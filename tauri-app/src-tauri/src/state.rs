//! What the app remembers between commands (the chosen reader, the trust folder), and the one
//! way card work is run: on a blocking worker thread, one operation at a time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::AppError;
use crate::progress::{Progress, Step};
use crate::reader::{Link, Opener, Reader};
use crate::trust::TrustDir;

/// The app's state, managed by Tauri.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    reader: Mutex<Option<Reader>>,
    busy: AtomicBool,
    opener: Opener,
    trust: TrustDir,
    phone: bool,
}

/// The card, for work running on the worker thread: opened only when the work needs it, so that
/// hashing a file or checking a PIN's format happens before the card must be on the reader.
pub struct Card {
    reader: Reader,
    opener: Opener,
    progress: Progress,
}

impl Card {
    /// Opens the link to the card.
    pub fn connect(&self) -> Result<Link, AppError> {
        self.progress.step(Step::Connecting);
        (self.opener)(&self.reader)
    }

    /// The reader, for messages.
    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    /// Where the work reports its steps.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }
}

/// Marks the card as in use; released when dropped, even when the work panics.
struct Busy(Arc<Shared>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.store(false, Ordering::Release);
    }
}

impl AppState {
    /// A state whose readers are opened by `opener`; `phone` says whether this device can read the
    /// card by NFC.
    pub fn new(opener: Opener, trust: TrustDir, phone: bool) -> AppState {
        AppState {
            shared: Arc::new(Shared {
                reader: Mutex::new(None),
                busy: AtomicBool::new(false),
                opener,
                trust,
                phone,
            }),
        }
    }

    /// The reader chosen, if any.
    pub fn reader(&self) -> Option<Reader> {
        self.shared
            .reader
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Remembers the reader to use from now on.
    pub fn choose(&self, reader: Reader) {
        *self.shared.reader.lock().unwrap_or_else(|e| e.into_inner()) = Some(reader);
    }

    /// The trust folder.
    pub fn trust(&self) -> &TrustDir {
        &self.shared.trust
    }

    /// Whether this device reads the card by NFC itself.
    pub fn phone(&self) -> bool {
        self.shared.phone
    }

    /// Runs `work` on a blocking worker thread with the chosen reader's card. Refuses with `busy`
    /// while another card operation runs, and with `no_reader` before a reader is chosen.
    pub async fn with_card<T: Send + 'static>(
        &self,
        progress: Progress,
        work: impl FnOnce(&Card) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let reader = self
            .reader()
            .ok_or_else(|| AppError::new("no_reader", "choose a card reader first"))?;
        if self.shared.busy.swap(true, Ordering::AcqRel) {
            return Err(AppError::new(
                "busy",
                "another card operation is still running; wait for it to finish",
            ));
        }
        let busy = Busy(self.shared.clone());
        let card = Card {
            reader,
            opener: self.shared.opener.clone(),
            progress: progress.clone(),
        };
        let outcome = tauri::async_runtime::spawn_blocking(move || {
            let _busy = busy;
            let result = work(&card);
            progress.step(Step::Done);
            result
        })
        .await;
        outcome.unwrap_or_else(|e| {
            Err(
                AppError::new("internal", "the card operation stopped unexpectedly")
                    .reason(e.to_string()),
            )
        })
    }
}
