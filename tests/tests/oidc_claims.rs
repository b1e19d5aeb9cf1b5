//! Scopes `name address birthdate gender`: a consent screen lists exactly what the service asks;
//! allowed, the phone (`kazasu login <QR URL>`) shows it and asks the signing PIN, and the claims
//! — read from the signing certificate, proven with the signing key — reach the service through
//! Authlib (ID token and userinfo); refused, only the authentication PIN is asked and no claim is
//! released. Without those scopes (`oidc.rs`) the phone never asks the signing PIN.

#![allow(clippy::unwrap_used)]

use kazasu_tests::bins::text;
use kazasu_tests::oidc::{DEMO_CLIENT, OidcBench, get, open_with_consent, query_of, wait_done};
use kazasu_tests::{AUTH_PIN, SIGN_PIN};
use serde_json::{Value, json};

/// Where the signing CA and CRL are (claims come from a verified signing certificate).
const SIGNING: &str = "[oidc]\nsign_trust_anchors = [\"{trust}/sign-ca.pem\"]\nsign_crls = [\"{trust}/sign-crl.pem\"]\n";
const SCOPE: &str = "openid name address birthdate gender";
const LISTED: [&str; 4] = [
    "your name",
    "your address",
    "your date of birth",
    "your gender",
];

/// A login asking for SCOPE with the consent answered `allow`, the phone fed `stdin`: the
/// phone's stderr and Authlib's token answer.
fn login(bench: &OidcBench, allow: bool, stdin: &str) -> (String, Value) {
    let start = bench.authlib("start", DEMO_CLIENT, &["--scope", SCOPE]);
    let opened = open_with_consent(start["url"].as_str().unwrap(), &LISTED, allow);
    let out = bench.phone_with(bench.card.path(), &opened.challenge_url, &[], stdin);
    let stderr = text(&out.stderr);
    assert!(
        out.status.success(),
        "kazasu login: {stderr}\n{}",
        bench.logs()
    );
    assert_eq!(wait_done(&bench.issuer, &opened.nonce)["state"], "done");
    let next = get(
        &format!("{}/oidc/continue/{}", bench.other, opened.nonce),
        Some(&opened.cookie),
    );
    let code = query_of(&next.location.unwrap())["code"].clone();
    let answer = bench.authlib(
        "token",
        DEMO_CLIENT,
        &[
            "--code",
            &code,
            "--secret",
            &bench.secret,
            "--code-verifier",
            start["code_verifier"].as_str().unwrap(),
            "--nonce",
            start["nonce"].as_str().unwrap(),
        ],
    );
    assert_eq!(answer["ok"], true, "{answer}");
    (stderr, answer)
}

#[test]
fn consented_claims_come_from_the_signing_certificate_and_refused_ones_do_not() {
    let bench = OidcBench::start(SIGNING, |_| {});
    let holder = kazasu_sim::HolderProfile::sample();

    // Allowed: the phone says what is asked and takes both PINs.
    let (stderr, answer) = login(&bench, true, &format!("{AUTH_PIN}\n{SIGN_PIN}\n"));
    assert!(
        stderr.contains("asks for: name, address, birthdate, gender"),
        "{stderr}"
    );
    let claims = &answer["claims"];
    assert_eq!(claims["name"], holder.name.as_str());
    assert_eq!(claims["birthdate"], holder.birth_date.to_string());
    assert_eq!(claims["address"], json!({ "formatted": holder.address }));
    let gender = match holder.sex {
        '1' => "male",
        '2' => "female",
        _ => "not_applicable",
    };
    assert_eq!(claims["gender"], gender);
    assert_eq!(answer["userinfo"]["name"], holder.name.as_str());
    assert_eq!(answer["userinfo"]["sub"], claims["sub"]);

    // Refused: the authentication PIN only (one line on stdin: a signing PIN asked for would
    // find none), and no claim is released.
    let (stderr, answer) = login(&bench, false, &format!("{AUTH_PIN}\n"));
    assert!(!stderr.contains("asks for"), "{stderr}");
    for claim in ["name", "address", "birthdate", "gender"] {
        assert!(answer["claims"].get(claim).is_none(), "{claim}: {answer}");
        assert!(answer["userinfo"].get(claim).is_none(), "{claim}: {answer}");
    }
    assert_eq!(answer["claims"]["sub"], claims["sub"], "the same person");
}

#[test]
fn the_card_is_not_asked_before_the_consent_is_answered() {
    let bench = OidcBench::start(SIGNING, |_| {});
    let start = bench.authlib("start", DEMO_CLIENT, &["--scope", SCOPE]);
    let page = get(start["url"].as_str().unwrap(), None);
    assert_eq!(page.status, 200);
    let marker = "action=\"/oidc/continue/";
    let at = page.body.find(marker).unwrap() + marker.len();
    let nonce = &page.body[at..at + 43];
    let url = format!("{}/v1/login/challenge/{nonce}", bench.issuer);
    let out = bench.phone(&url, AUTH_PIN);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("consent"),
        "{}",
        text(&out.stderr)
    );
    let tries = bench
        .card
        .state()
        .tries_left(kazasu_core::pin::PinKind::Auth);
    assert_eq!(tries, 3, "no PIN was tried");
}
