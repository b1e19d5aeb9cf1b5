//! Logins verified per second: one card assertion (made once with the simulated card) checked by
//! the relying party's verifier, every check included (strict parse, chain, validity, CRL, key
//! usage, RSA signature). `scripts/bench-login` runs it beside `openssl speed rsa2048`.

#![allow(missing_docs, clippy::unwrap_used)] // a benchmark: criterion generates its entry points

use criterion::{Criterion, criterion_group, criterion_main};
use kazasu_core::cms::TrustStore;
use kazasu_core::login::{self, Challenge, Policy};
use kazasu_core::pin::{Pin, PinKind};
use kazasu_sim::{CaKind, Jlis};
use kazasu_tests::{AUTH_PIN, TestCard};

fn verify(c: &mut Criterion) {
    let card = TestCard::new();
    let jlis = Jlis::for_card(card.path()).expect("the card's test CA");
    let mut trust = TrustStore::new();
    trust.add_anchors(jlis.ca_cert_der(CaKind::Auth)).unwrap();
    trust
        .add_crls(&jlis.crl_der(CaKind::Auth).unwrap())
        .unwrap();
    let origin = "https://login.example.jp";
    let policy = Policy {
        rp_id: "login.example.jp".to_owned(),
        allowed_origins: vec![origin.to_owned()],
        trust,
        max_skew: 60,
        remembered: Default::default(),
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let challenge = Challenge::new("login.example.jp", origin, now, 120);
    let pin = Pin::parse(PinKind::Auth, AUTH_PIN).unwrap();
    let assertion =
        login::card_assertion(card.transport(), &pin, &challenge, origin, now, None).unwrap();
    let decoded = assertion.decode().unwrap();
    policy
        .verify_card(&challenge, &challenge.nonce, &decoded, now)
        .expect("the assertion verifies");
    // The floor: the one RSA verification every login needs.
    let cert =
        kazasu_core::cert::CardCertificate::from_der(decoded.certificate.as_deref().unwrap())
            .unwrap();
    c.bench_function("login/rsa_verify_only", |b| {
        b.iter(|| assert!(cert.verify_sha256_message(&decoded.client_data, &decoded.signature)))
    });
    c.bench_function("login/parse_client_data", |b| {
        b.iter(|| kazasu_core::login::ClientData::parse_strict(&decoded.client_data).unwrap())
    });
    c.bench_function("login/verify_card", |b| {
        b.iter(|| {
            policy
                .verify_card(&challenge, &challenge.nonce, &decoded, now)
                .unwrap()
        })
    });
}

criterion_group!(benches, verify);
criterion_main!(benches);
