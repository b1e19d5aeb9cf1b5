//! Progress for slow work (hashing large files), on standard error and only on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Below this size hashing takes well under a second: no bar.
const WORTH_SHOWING: u64 = 64 << 20;

/// A byte-count bar for `total` bytes, hidden for small files and when stderr is not a terminal.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    if total < WORTH_SHOWING {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_owned());
    bar
}
