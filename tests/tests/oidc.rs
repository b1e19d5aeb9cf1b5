//! kazasu-rp as an OpenID Connect provider, seen through a real client library: Authlib (PyPI)
//! makes the authorization requests and the token requests (client_secret_basic and
//! private_key_jwt, ES256 and RS256) and checks the ID tokens; Redis and two kazasu-rp
//! instances share the state (codes made on one are redeemed on the other); the phone is
//! `kazasu login <QR URL>` with the simulated card; the browser's steps are plain HTTP here
//! (`oidc_browser.rs` drives a real browser).

#![allow(clippy::unwrap_used)]

use kazasu_tests::bins::{run_sim, text};
use kazasu_tests::oidc::{
    DEMO_CLIENT, ES_CLIENT, OidcBench, PIN, RS_CLIENT, get, open, query_of, wait_done,
};
use serde_json::Value;

/// A code for `client`: Authlib's authorization URL opened on instance A, the card logged in
/// through the QR URL, the browser continuing on instance B with its cookie. Returns the
/// Authlib start (`state`, `nonce`, `code_verifier`) and the code.
fn code_for(bench: &OidcBench, client: &str) -> (Value, String) {
    let start = bench.authlib("start", client, &[]);
    let opened = open(start["url"].as_str().unwrap());
    let out = bench.phone(&opened.challenge_url, PIN);
    assert!(
        out.status.success(),
        "kazasu login: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(wait_done(&bench.other, &opened.nonce)["state"], "done");
    let next = get(
        &format!("{}/oidc/continue/{}", bench.other, opened.nonce),
        Some(&opened.cookie),
    );
    assert_eq!(next.status, 303, "{}\n{}", next.body, bench.logs());
    let location = next.location.unwrap();
    assert!(location.starts_with(&bench.redirect_uri), "{location}");
    let q = query_of(&location);
    assert_eq!(q["state"], start["state"].as_str().unwrap());
    assert_eq!(q["iss"], bench.issuer);
    (start, q["code"].clone())
}

fn token(bench: &OidcBench, client: &str, code: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--code", code];
    args.extend_from_slice(extra);
    bench.authlib("token", client, &args)
}

fn refused(answer: &Value, error: &str) {
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(answer["error"], error, "{answer}");
}

#[test]
fn authlib_logs_in_and_every_wrong_token_request_is_refused() {
    let bench = OidcBench::start("", |_| {});
    let secret = bench.secret.clone();
    let basic = ["--secret", secret.as_str()];

    // A good login: ID token verified by Authlib (signature from the JWKS, iss, aud, exp, the
    // nonce this client sent), token response not cached, userinfo answers the same sub.
    let (start, code) = code_for(&bench, DEMO_CLIENT);
    let verifier = start["code_verifier"].as_str().unwrap();
    let nonce = start["nonce"].as_str().unwrap();
    let good = [&basic[..], &["--code-verifier", verifier, "--nonce", nonce]].concat();
    let answer = token(&bench, DEMO_CLIENT, &code, &good);
    assert_eq!(answer["ok"], true, "{answer}\n{}", bench.logs());
    let claims = &answer["claims"];
    assert_eq!(claims["nonce"], nonce, "the nonce is echoed");
    assert_eq!(claims["amr"], serde_json::json!(["card"]));
    assert_eq!(claims["iss"], bench.issuer);
    assert_eq!(claims["aud"], DEMO_CLIENT);
    assert!(claims["auth_time"].is_i64() && claims["acr"].is_string());
    assert_eq!(answer["cache_control"], "no-store");
    assert_eq!(answer["userinfo"]["sub"], claims["sub"]);
    let sub = claims["sub"].as_str().unwrap().to_owned();

    // Code replay (here at the other instance: the store is shared).
    let replay = token(&bench, DEMO_CLIENT, &code, &good);
    refused(&replay, "invalid_grant");

    // Missing verifier, then a wrong one: each code is used up by the attempt.
    let (start, code) = code_for(&bench, DEMO_CLIENT);
    refused(&token(&bench, DEMO_CLIENT, &code, &basic), "invalid_grant");
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let right = [&basic[..], &["--code-verifier", &v]].concat();
    refused(&token(&bench, DEMO_CLIENT, &code, &right), "invalid_grant");
    let (_, code) = code_for(&bench, DEMO_CLIENT);
    let wrong_verifier = "x".repeat(48);
    let wrong = [&basic[..], &["--code-verifier", &wrong_verifier]].concat();
    refused(&token(&bench, DEMO_CLIENT, &code, &wrong), "invalid_grant");

    // A wrong redirect_uri at the token endpoint.
    let (start, code) = code_for(&bench, DEMO_CLIENT);
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let out = bench.authlib(
        "token",
        DEMO_CLIENT,
        &["--code", &code, "--secret", &secret, "--code-verifier", &v],
    );
    assert_eq!(
        out["ok"], true,
        "the same request with the right URI works: {out}"
    );
    let (start, code) = code_for(&bench, DEMO_CLIENT);
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let answer = std::process::Command::new("python3")
        .arg("client_calls.py")
        .arg("token")
        .arg(format!("--issuer={}", bench.issuer))
        .arg(format!("--client-id={DEMO_CLIENT}"))
        .arg(format!("--redirect-uri={}/elsewhere", bench.demo))
        .arg(format!("--code={code}"))
        .arg(format!("--secret={secret}"))
        .arg(format!("--code-verifier={v}"))
        .current_dir(kazasu_tests::oidc::demo_dir())
        .output()
        .unwrap();
    refused(
        &serde_json::from_slice(&answer.stdout).unwrap(),
        "invalid_grant",
    );

    // Wrong client credentials.
    let (start, code) = code_for(&bench, DEMO_CLIENT);
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let wrong_secret = ["--secret", "not-the-secret", "--code-verifier", &v];
    refused(
        &token(&bench, DEMO_CLIENT, &code, &wrong_secret),
        "invalid_client",
    );
    // The code was not touched by an unauthenticated request: the right secret still works.
    let right = [&basic[..], &["--code-verifier", &v]].concat();
    assert_eq!(token(&bench, DEMO_CLIENT, &code, &right)["ok"], true);

    // private_key_jwt, ES256 then RS256; the same client assertion (jti) twice is refused.
    let es_key = bench.path("es256.pem");
    let es_key = es_key.to_str().unwrap();
    let (start, code) = code_for(&bench, ES_CLIENT);
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let n = start["nonce"].as_str().unwrap().to_owned();
    let jwt = [
        "--key",
        es_key,
        "--jti",
        "fixed-jti-1",
        "--code-verifier",
        &v,
        "--nonce",
        &n,
    ];
    let answer = token(&bench, ES_CLIENT, &code, &jwt);
    assert_eq!(answer["ok"], true, "{answer}\n{}", bench.logs());
    assert_eq!(
        answer["claims"]["sub"], sub,
        "same sector (127.0.0.1), same person: same sub"
    );
    let (start, code) = code_for(&bench, ES_CLIENT);
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let replayed = [
        "--key",
        es_key,
        "--jti",
        "fixed-jti-1",
        "--code-verifier",
        &v,
    ];
    let answer = token(&bench, ES_CLIENT, &code, &replayed);
    refused(&answer, "invalid_client");
    assert!(
        answer["description"].as_str().unwrap().contains("replayed"),
        "{answer}"
    );
    let rs_key = bench.path("rs256.pem");
    let (start, code) = code_for(&bench, RS_CLIENT);
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let answer = token(
        &bench,
        RS_CLIENT,
        &code,
        &["--key", rs_key.to_str().unwrap(), "--code-verifier", &v],
    );
    assert_eq!(answer["ok"], true, "{answer}");
    // Another client's key for this client: refused.
    let (start, code) = code_for(&bench, RS_CLIENT);
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let answer = token(
        &bench,
        RS_CLIENT,
        &code,
        &["--key", es_key, "--code-verifier", &v],
    );
    refused(&answer, "invalid_client");

    // The nonce check is Authlib's: an ID token for another nonce is refused by the library.
    let (start, code) = code_for(&bench, DEMO_CLIENT);
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let other_nonce = [
        &basic[..],
        &["--code-verifier", &v, "--nonce", "another-nonce"],
    ]
    .concat();
    let answer = token(&bench, DEMO_CLIENT, &code, &other_nonce);
    refused(&answer, "id_token_invalid");

    // An unregistered redirect_uri: an error page, never a redirect.
    let start = bench.authlib("start", DEMO_CLIENT, &[]);
    let url = start["url"]
        .as_str()
        .unwrap()
        .replace("%2Fcallback", "%2Fevil");
    let page = get(&url, None);
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.location.is_none());
}

#[test]
fn an_expired_code_is_refused_through_authlib() {
    let bench = OidcBench::start("[oidc]\ncode_ttl_seconds = 1\n", |_| {});
    let (start, code) = code_for(&bench, DEMO_CLIENT);
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let v = start["code_verifier"].as_str().unwrap().to_owned();
    let secret = bench.secret.clone();
    let answer = token(
        &bench,
        DEMO_CLIENT,
        &code,
        &["--secret", &secret, "--code-verifier", &v],
    );
    refused(&answer, "invalid_grant");
}

#[test]
fn a_revoked_certificate_gets_access_denied_and_no_code() {
    let bench = OidcBench::start("", |card| {
        let out = run_sim(card.path(), &["office", "revoke", "--auth"]);
        assert!(out.status.success(), "office revoke: {}", text(&out.stderr));
    });
    let start = bench.authlib("start", DEMO_CLIENT, &[]);
    let opened = open(start["url"].as_str().unwrap());
    let out = bench.phone(&opened.challenge_url, PIN);
    assert!(
        !out.status.success(),
        "a revoked card logs in: {}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("revoked"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(wait_done(&bench.issuer, &opened.nonce)["state"], "done");
    let next = get(
        &format!("{}/oidc/continue/{}", bench.issuer, opened.nonce),
        Some(&opened.cookie),
    );
    assert_eq!(next.status, 303);
    let q = query_of(&next.location.unwrap());
    assert_eq!(q["error"], "access_denied");
    assert!(q["error_description"].contains("revoked"), "{q:?}");
    assert!(!q.contains_key("code"));
}

#[test]
fn a_wrong_pin_uses_one_try_and_releases_nothing() {
    let bench = OidcBench::start("", |_| {});
    let tries = || {
        bench
            .card
            .state()
            .tries_left(kazasu_core::pin::PinKind::Auth)
    };
    let before = tries();
    let start = bench.authlib("start", DEMO_CLIENT, &[]);
    let opened = open(start["url"].as_str().unwrap());
    let out = bench.phone(&opened.challenge_url, "9999");
    assert!(!out.status.success());
    assert_eq!(tries(), before - 1, "one try used");
    // Nothing was signed: the login is still pending, and the browser gets no code.
    let status = get(
        &format!("{}/oidc/status/{}", bench.issuer, opened.nonce),
        None,
    );
    assert_eq!(status.body, r#"{"state":"pending"}"#);
    let next = get(
        &format!("{}/oidc/continue/{}", bench.issuer, opened.nonce),
        Some(&opened.cookie),
    );
    assert_eq!(next.status, 409);
    assert!(next.location.is_none());
    // The right PIN then finishes the same login.
    let out = bench.phone(&opened.challenge_url, PIN);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(tries(), before, "the counter is reset by the right PIN");
    let next = get(
        &format!("{}/oidc/continue/{}", bench.issuer, opened.nonce),
        Some(&opened.cookie),
    );
    assert!(query_of(&next.location.unwrap()).contains_key("code"));
}
