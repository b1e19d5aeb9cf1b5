//! CRLs and CA certificates handed to a trust store (files given with `--crl` and `--trust`,
//! fetched by kazasu-rp): DER or PEM, any bytes.
#![no_main]

use kazasu_core::cms::TrustStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut store = TrustStore::new();
    let _ = store.add_crls(data);
    let _ = store.add_anchors(data);
});
