//! Certificates as a card hands them over: parsing, the holder's facts, key usage and the
//! summary `kazasu status` prints never panic, whatever the bytes.
#![no_main]

use kazasu_core::CertSlot;
use kazasu_core::cert::CardCertificate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(cert) = CardCertificate::from_der(data) else {
        return;
    };
    let _ = cert.subject();
    let _ = cert.issuer();
    let _ = cert.serial_hex();
    let _ = cert.key_usage();
    let _ = cert.holder();
    let _ = cert.signer_name();
    let _ = cert.to_pem();
    let _ = cert.summary(CertSlot::Sign, time::macros::date!(2026 - 12 - 03));
    let _ = cert.is_signed_by(&cert);
});
