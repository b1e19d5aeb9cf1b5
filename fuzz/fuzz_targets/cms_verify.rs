//! Detached CMS signatures (`.p7s`) checked by `kazasu verify`: any bytes as the signature,
//! over a fixed document, against an empty trust store, must give a verdict or an error.
#![no_main]

use kazasu_core::cms::TrustStore;
use kazasu_core::documents::verify_detached;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let trust = TrustStore::new();
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let _ = verify_detached(data, &b"the signed document"[..], &trust, now, |_| {});
});
