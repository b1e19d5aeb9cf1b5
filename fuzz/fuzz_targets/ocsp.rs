//! OCSP responses (fetched from a responder, given to a trust store, read from a PDF's DSS):
//! any bytes must give an answer or an error within the module's bounds, checked against a
//! real JPKI certificate and its CA, and as trust-store evidence.
#![no_main]

use kazasu_core::cert::CardCertificate;
use kazasu_core::cms::TrustStore;
use kazasu_core::ocsp;
use libfuzzer_sys::fuzz_target;

const CERT: &[u8] = include_bytes!("../../core/tests/fixtures/real-card/jpki-auth-cert.der");
const CA: &[u8] = include_bytes!("../../core/tests/fixtures/real-card/jpki-auth-ca-cert.der");

fuzz_target!(|data: &[u8]| {
    let (Ok(cert), Ok(ca)) = (CardCertificate::from_der(CERT), CardCertificate::from_der(CA))
    else {
        return;
    };
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let _ = ocsp::check(data, &cert, &ca, Some(&[7; 16]), now);
    let mut store = TrustStore::new();
    if store.add_anchors(CA).is_ok() && store.add_ocsp_response(data).is_ok() {
        let _ = store.revocation(&cert, &ca, now);
        let _ = store.evidence_for(&cert, &ca, now);
    }
});
