//! RFC 3161 timestamps: any bytes as a TSA's response to a request (`check_response`) and as a
//! timestamp token read from a signature (`TimestampToken::parse`, then `verify` against an
//! empty trust store) must give an answer or an error, within the module's bounds.
#![no_main]

use kazasu_core::cms::{DigestAlgorithm, TrustStore};
use kazasu_core::tsp::{TimestampRequest, TimestampToken, check_response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let imprint = DigestAlgorithm::Sha256.digest(b"the signature value");
    let request = TimestampRequest::new(DigestAlgorithm::Sha256, &imprint);
    let _ = check_response(data, &request);
    if let Ok(token) = TimestampToken::parse(data) {
        let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let _ = token.verify(&imprint, &TrustStore::new(), now);
        let _ = (token.tsa_certificate(), token.serial_hex(), token.policy());
    }
});
