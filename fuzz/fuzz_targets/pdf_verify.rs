//! Signed PDFs checked by `kazasu verify`: any bytes must give a verdict or "this PDF is
//! malformed", never a hang, a crash or an allocation out of proportion to the file.
#![no_main]

use kazasu_core::cms::TrustStore;
use kazasu_core::documents::verify_pdf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let trust = TrustStore::new();
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let _ = verify_pdf(data, &trust, now);
});
