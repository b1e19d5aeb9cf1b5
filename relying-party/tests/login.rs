//! kazasu-rp over real HTTP on a loopback port, with card assertions made by the core over an
//! in-process simulated card.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Server, Setup, card_login, client, device_key, now, verify_with_jwks};
use kazasu_core::login::{Assertion, ClientData, LoginKind};
use kazasu_sim::{CaKind, CardState, CertKind, Office};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_login_issues_a_token_that_verifies_against_the_jwks() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let challenge = server.challenge().await;
    assert_eq!(challenge.origin, common::ORIGIN);
    assert_eq!(challenge.rp_id, "rp.example");
    assert_eq!(challenge.expires_at - challenge.issued_at, 120);
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200, "{body}");
    let serial = CardState::load(&setup.card())
        .unwrap()
        .serial(CaKind::Auth)
        .to_owned();
    assert_eq!(
        body["serial"].as_str().unwrap().to_lowercase(),
        serial.to_lowercase()
    );
    assert_eq!(body["device_id"], Value::Null);
    let token = body["token"].as_str().unwrap();
    let claims = verify_with_jwks(&server, token).await;
    assert_eq!(claims["iss"], "rp.example");
    assert_eq!(claims["aud"], "rp.example");
    // The subject names the issuing CA and the serial: a serial is unique within one CA only.
    assert_eq!(claims["sub"], body["sub"]);
    let sub = claims["sub"].as_str().unwrap();
    let (issuer, sub_serial) = sub.rsplit_once('#').expect("issuer#serial");
    assert_eq!(sub_serial, body["serial"].as_str().unwrap());
    assert!(issuer.contains("O=JPKI"), "{sub}");
    assert_eq!(claims["amr"], json!(["card"]));
    assert_eq!(claims["exp"], body["expires_at"]);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert!(claims["jti"].is_string());

    let (status, ha) = server.get("/v1/high-assurance", Some(token)).await;
    assert_eq!(status, 200, "{ha}");
    assert_eq!(
        ha,
        json!({ "ok": true, "sub": body["sub"], "serial": body["serial"] })
    );
    let (status, _) = server.get("/v1/high-assurance", None).await;
    assert_eq!(status, 401);
    let mut forged = token.to_owned();
    forged.push('A');
    let (status, _) = server.get("/v1/high-assurance", Some(&forged)).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_assertion_is_refused_and_never_gets_a_second_token() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (first, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(first, 200);
    for _ in 0..3 {
        let (status, body) = server
            .finish("/v1/login/finish", &challenge.nonce, &assertion)
            .await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(
            body,
            json!({ "error": "unknown or already used challenge" })
        );
    }
    // The same assertion against a fresh challenge: the signed nonce is the old one.
    let other = server.challenge().await;
    let (status, body) = server
        .finish("/v1/login/finish", &other.nonce, &assertion)
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(body.get("token").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_challenge_is_refused() {
    let setup = Setup::new();
    let server = Server::start(setup.config("challenge_ttl_seconds = 1")).await;
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, _) = server
        .get(&format!("/v1/login/challenge/{}", challenge.nonce), None)
        .await;
    assert_eq!(status, 404, "an expired challenge is no longer offered");
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 410, "{body}");
    assert_eq!(body["error"], "the challenge has expired; start again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_for_another_origin_is_refused() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    // A phishing page relays our challenge but the app signs the origin it really talks to.
    let challenge = server.challenge().await;
    let assertion =
        common::card_login_from(&setup.card(), &challenge, "https://rp.example.evil", None).await;
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"].as_str().unwrap().starts_with("wrong origin"),
        "{body}"
    );
    // Nor can a challenge be asked for an origin that is not allowed.
    let (status, body) = server
        .post_json(
            "/v1/login/challenge",
            &json!({ "origin": "https://rp.example.evil" }),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = server
        .post_json("/v1/login/challenge", &json!({ "origin": common::ORIGIN }))
        .await;
    assert_eq!(status, 201);
}

/// A card-login assertion made with the signing key and certificate instead of the
/// authentication ones (the app would never do this; an attacker might).
fn signing_certificate_assertion(
    card: &std::path::Path,
    challenge: &kazasu_core::login::Challenge,
) -> Assertion {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    let state = CardState::load(card).unwrap();
    let certificate = state.certificate_der(CertKind::Sign).to_vec();
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(state.sign_key_pkcs8_pem()).unwrap();
    let data = ClientData {
        v: 1,
        kind: LoginKind::Card,
        nonce: challenge.nonce.clone(),
        origin: challenge.origin.clone(),
        rp_id: challenge.rp_id.clone(),
        issued_at: challenge.issued_at,
        signed_at: now(),
        cert_sha256: Some(URL_SAFE_NO_PAD.encode(Sha256::digest(&certificate))),
        device_key: None,
        links: None,
    };
    let bytes = data.to_bytes();
    let signature = rsa::pkcs1v15::SigningKey::<Sha256>::new(key).sign(&bytes);
    Assertion {
        client_data: URL_SAFE_NO_PAD.encode(&bytes),
        signature: URL_SAFE_NO_PAD.encode(signature.to_vec()),
        certificate: Some(URL_SAFE_NO_PAD.encode(&certificate)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signing_certificate_is_refused() {
    let setup = Setup::new();
    setup.export(CaKind::Auth, "auth");
    setup.export(CaKind::Sign, "sign");
    // Even a server that (wrongly) trusts the signing CA too refuses the signing certificate.
    let config = setup.config_with(
        "trust_anchors = [\"auth-ca.der\", \"sign-ca.der\"]\ncrls = [\"auth-crl.der\", \"sign-crl.der\"]\n",
        "",
    );
    let server = Server::start(config).await;
    let (challenge, cookie, _) = server.browser_challenge().await;
    let assertion = signing_certificate_assertion(&setup.card(), &challenge);
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("signing certificate"),
        "{body}"
    );
    // The status the browser polls says so too (validly signed by a trusted CA's certificate,
    // the refusal used the challenge up).
    let (_, _, st) = server
        .get_with_cookie(
            &format!("/v1/login/status/{}", challenge.nonce),
            Some(&cookie),
        )
        .await;
    assert_eq!(st["state"], "failed");
    assert_eq!(st["reason"], body["error"]);
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 404, "a signed refusal used the challenge up");

    // The usual server, trusting the authentication CA only: not even its issuer is trusted.
    let strict = Server::start(setup.config("")).await;
    let challenge = strict.challenge().await;
    let assertion = signing_certificate_assertion(&setup.card(), &challenge);
    let (status, body) = strict
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_certificate_is_refused_after_the_crl_refresh() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let card = setup.card();
    // A device bound before the revocation stops working with it.
    let (key, spki) = device_key();
    let challenge = server.challenge().await;
    let assertion = card_login(&card, &challenge, Some(spki)).await;
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200, "{body}");
    let device_login = async |server: &Server| server.device_login(&key).await;
    let (status, device) = device_login(&server).await;
    assert_eq!(status, 200);
    let device_token = device["token"].as_str().unwrap().to_owned();
    // Accepted as a session (a device session may not do high-assurance operations: 403).
    assert_eq!(
        server
            .get("/v1/high-assurance", Some(&device_token))
            .await
            .0,
        403
    );
    let login = async |server: &Server| {
        let challenge = server.challenge().await;
        let assertion = card_login(&card, &challenge, None).await;
        server
            .finish("/v1/login/finish", &challenge.nonce, &assertion)
            .await
    };
    assert_eq!(login(&server).await.0, 200);

    // A CRL that cannot be read keeps the previous one.
    std::fs::write(setup.path("auth-crl.der"), b"not a CRL").unwrap();
    server.app.refresh_crls().await;
    assert_eq!(login(&server).await.0, 200);
    std::fs::remove_file(setup.path("auth-crl.der")).unwrap();
    server.app.refresh_crls().await;
    assert_eq!(login(&server).await.0, 200);

    // The holder revokes the authentication certificate at the office; J-LIS publishes a CRL.
    let mut office = Office::open(&setup.card()).unwrap();
    office.revoke(Some(CaKind::Auth)).unwrap();
    std::fs::write(
        setup.path("auth-crl.der"),
        office.crl(CaKind::Auth).unwrap(),
    )
    .unwrap();
    server.app.refresh_crls().await;
    let (status, body) = login(&server).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    let (status, body) = device_login(&server).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("revoked"),
        "the bound device stops with the card: {body}"
    );
    // And so does the device session issued before the revocation.
    let (status, body) = server.get("/v1/high-assurance", Some(&device_token)).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_crl_logins_are_refused() {
    let setup = Setup::new();
    let mut config = setup.config("");
    config.crls.clear();
    let server = Server::start(config).await;
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["error"],
        "revocation cannot be checked (no current CRL)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_a_foreign_ca_is_refused() {
    let setup = Setup::new();
    // A server that trusts another CA (here the card's signing CA, a different key and name).
    setup.export(CaKind::Sign, "other");
    let config = setup.config_with(
        "trust_anchors = [\"other-ca.der\"]\ncrls = [\"other-crl.der\"]\n",
        "",
    );
    let server = Server::start(config).await;
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["error"],
        "the certificate is not from a trusted authentication CA"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_4xx_and_leave_the_challenge_usable() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let nonce = challenge.nonce.clone();
    let good = json!({ "nonce": nonce, "assertion": assertion });
    let finish = server.at("/v1/login/finish");

    let raw = |body: Vec<u8>, content_type: Option<&'static str>| {
        let finish = finish.clone();
        async move {
            let mut r = client().post(finish).body(body);
            if let Some(ct) = content_type {
                r = r.header("content-type", ct);
            }
            let r = r.send().await.unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    let json_ct = Some("application/json");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, Option<&'static str>, u16)> = vec![
        ("not JSON", b"{nonce".to_vec(), json_ct, 400),
        ("empty body", Vec::new(), json_ct, 400),
        (
            "no content type",
            serde_json::to_vec(&good).unwrap(),
            None,
            415,
        ),
        (
            "wrong content type",
            serde_json::to_vec(&good).unwrap(),
            Some("text/plain"),
            415,
        ),
        (
            "oversized",
            {
                let mut v = good.clone();
                v["padding"] = json!("x".repeat(20 * 1024));
                serde_json::to_vec(&v).unwrap()
            },
            json_ct,
            413,
        ),
        (
            "unknown field",
            with(&|v| v["extra"] = json!(1)),
            json_ct,
            422,
        ),
        (
            "unknown assertion field",
            with(&|v| v["assertion"]["extra"] = json!(1)),
            json_ct,
            422,
        ),
        (
            "missing field",
            with(&|v| {
                v.as_object_mut().unwrap().remove("assertion");
            }),
            json_ct,
            422,
        ),
        (
            "wrong type",
            with(&|v| v["assertion"]["signature"] = json!(5)),
            json_ct,
            422,
        ),
        (
            "bad base64 signature",
            with(&|v| v["assertion"]["signature"] = json!("!!not base64!!")),
            json_ct,
            400,
        ),
        (
            "bad base64 client data",
            with(&|v| v["assertion"]["client_data"] = json!("a+b/c=")),
            json_ct,
            400,
        ),
        (
            "oversized certificate",
            with(&|v| v["assertion"]["certificate"] = json!("A".repeat(12_000))),
            json_ct,
            400,
        ),
        (
            "not a nonce",
            with(&|v| v["nonce"] = json!("abc")),
            json_ct,
            400,
        ),
        ("array", b"[]".to_vec(), json_ct, 422),
        (
            "deep nesting",
            format!("{{\"nonce\":{}", "[".repeat(5000)).into_bytes(),
            json_ct,
            0,
        ),
    ];
    for (what, body, ct, expected) in cases {
        let (status, reply) = raw(body, ct).await;
        if expected == 0 {
            assert!((400..500).contains(&status), "{what}: {status} {reply}");
        } else {
            assert_eq!(status, expected, "{what}: {reply}");
        }
        let reason = reply["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no reason: {reply}"));
        assert!(!reason.is_empty() && reason.len() < 260, "{what}: {reason}");
    }
    // A well-formed assertion for another challenge, sent with this nonce: refused, untouched.
    let other = server.challenge().await;
    let other_assertion = card_login(&setup.card(), &other, None).await;
    let (status, reply) = server
        .finish("/v1/login/finish", &nonce, &other_assertion)
        .await;
    assert_eq!(status, 401, "{reply}");
    assert_eq!(reply["error"], "the signed data is for another challenge");
    let (status, _) = server
        .finish("/v1/device/finish", &nonce, &other_assertion)
        .await;
    assert_eq!(status, 401);

    // The challenge was never touched: still pending, and it can be finished.
    let (status, _) = server
        .get(&format!("/v1/login/challenge/{nonce}"), None)
        .await;
    assert_eq!(status, 200);
    let (_, st) = server.get(&format!("/v1/login/status/{nonce}"), None).await;
    assert_eq!(st, json!({ "state": "pending" }));
    let (status, body) = server.finish("/v1/login/finish", &nonce, &assertion).await;
    assert_eq!(status, 200, "{body}");

    // Garbage elsewhere: 4xx, never a 500.
    for (method, path) in [
        ("GET", "/v1/login/status/short".to_owned()),
        ("GET", "/v1/login/challenge/%FF%FE".to_owned()),
        (
            "GET",
            format!("/v1/login/challenge/{}/qr.svg", "A".repeat(43)),
        ),
        ("GET", "/nope".to_owned()),
        ("DELETE", "/v1/devices/whatever".to_owned()),
        ("POST", "/v1/device/finish".to_owned()),
    ] {
        let r = client()
            .request(method.parse().unwrap(), server.at(&path))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_client_error(),
            "{method} {path}: {}",
            r.status()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_goes_pending_then_logged_in_once_then_done() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let (challenge, cookie, _) = server.browser_challenge().await;
    let status_path = format!("/v1/login/status/{}", challenge.nonce);
    let (status, cache, st) = server.get_with_cookie(&status_path, Some(&cookie)).await;
    assert_eq!(status, 200);
    assert_eq!(cache, "no-store");
    assert_eq!(st, json!({ "state": "pending" }));
    // The phone reads the challenge through its URL (not consumed by reading).
    let (status, c) = server
        .get(&format!("/v1/login/challenge/{}", challenge.nonce), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(c, serde_json::to_value(&challenge).unwrap());
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, finished) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200);
    let (_, cache, st) = server.get_with_cookie(&status_path, Some(&cookie)).await;
    assert_eq!(cache, "no-store");
    assert_eq!(st["state"], "logged_in");
    assert_eq!(st["serial"], finished["serial"]);
    assert_eq!(st["token"], finished["token"]);
    for _ in 0..2 {
        let (_, _, st) = server.get_with_cookie(&status_path, Some(&cookie)).await;
        assert_eq!(st, json!({ "state": "done" }));
    }
    let (status, _) = server
        .get(&format!("/v1/login/challenge/{}", challenge.nonce), None)
        .await;
    assert_eq!(status, 404);
    let (status, cache, _) = server
        .get_with_cookie(&format!("/v1/login/status/{}", "B".repeat(43)), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(cache, "no-store");
}

/// The relay the review reproduced: someone who read the nonce off the QR code polls the status
/// and must never get the session; only the browser that asked for the challenge does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoever_knows_the_nonce_does_not_get_the_token() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let (challenge, cookie, set_cookie) = server.browser_challenge().await;
    // The secret is a cookie the page's script cannot read, for this login's status only, and
    // it is not in what the QR code shows.
    let attributes: Vec<String> = set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attributes.contains(&"httponly".to_owned()), "{set_cookie}");
    assert!(
        attributes.contains(&"samesite=strict".to_owned()),
        "{set_cookie}"
    );
    assert!(
        attributes
            .contains(&format!("path=/v1/login/status/{}", challenge.nonce).to_ascii_lowercase()),
        "{set_cookie}"
    );
    assert!(
        !attributes.contains(&"secure".to_owned()),
        "http server: {set_cookie}"
    );
    let secret = cookie.split_once('=').unwrap().1;
    assert!(secret.len() >= 43 && !challenge.nonce.contains(secret));
    let (_, page_view) = server
        .get(&format!("/v1/login/challenge/{}", challenge.nonce), None)
        .await;
    assert!(!page_view.to_string().contains(secret));

    let status_path = format!("/v1/login/status/{}", challenge.nonce);
    let wrong = format!("kazasu_login={}", "A".repeat(43));
    for onlooker in [None, Some(wrong.as_str())] {
        let (status, _, st) = server.get_with_cookie(&status_path, onlooker).await;
        assert_eq!((status, st), (200, json!({ "state": "pending" })));
    }
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200);
    // The onlooker polls first, again and again: done, never a token, not even the serial.
    for onlooker in [None, Some(wrong.as_str()), None] {
        let (status, cache, st) = server.get_with_cookie(&status_path, onlooker).await;
        assert_eq!((status, st), (200, json!({ "state": "done" })));
        assert_eq!(cache, "no-store");
    }
    // The browser that started the login still gets its token.
    let (_, _, st) = server.get_with_cookie(&status_path, Some(&cookie)).await;
    assert_eq!(st["state"], "logged_in");
    assert!(st["token"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_the_login_cookie_is_secure() {
    let setup = Setup::new();
    let server = Server::start(setup.config("public_url = \"https://rp.example\"")).await;
    let r = client()
        .post(server.at("/v1/login/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("secure")),
        "{set_cookie}"
    );
}

/// What an onlooker can post without the card: garbage, a broken signature, a certificate no
/// trusted CA issued. None of it may use up the pending challenge; the card's own finish then
/// works, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_finish_does_not_burn_the_challenge() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let (challenge, cookie, _) = server.browser_challenge().await;
    let good = card_login(&setup.card(), &challenge, None).await;
    let mut bad_signature = good.clone();
    let mut sig = URL_SAFE_NO_PAD.decode(&good.signature).unwrap();
    sig[10] ^= 1;
    bad_signature.signature = URL_SAFE_NO_PAD.encode(&sig);
    let mut short_signature = good.clone();
    short_signature.signature = URL_SAFE_NO_PAD.encode(b"garbage");
    // The card's signing certificate: a real card, a CA the server does not trust.
    let foreign = signing_certificate_assertion(&setup.card(), &challenge);
    let mut no_certificate = good.clone();
    no_certificate.certificate = None;
    for (what, assertion) in [
        ("a flipped signature bit", &bad_signature),
        ("a garbage signature", &short_signature),
        ("an untrusted certificate", &foreign),
        ("no certificate", &no_certificate),
    ] {
        let (status, body) = server
            .finish("/v1/login/finish", &challenge.nonce, assertion)
            .await;
        assert!((400..500).contains(&status), "{what}: {status} {body}");
        assert_ne!(status, 404, "{what}: {body}");
        let (status, _) = server
            .get(&format!("/v1/login/challenge/{}", challenge.nonce), None)
            .await;
        assert_eq!(status, 200, "{what} used the challenge up");
        let (_, _, st) = server
            .get_with_cookie(
                &format!("/v1/login/status/{}", challenge.nonce),
                Some(&cookie),
            )
            .await;
        assert_eq!(st, json!({ "state": "pending" }), "{what}");
    }
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &good)
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &good)
        .await;
    assert_eq!(status, 404, "replayed");

    // A validly signed refusal (the card signed for another origin) does use it up.
    let challenge = server.challenge().await;
    let elsewhere =
        common::card_login_from(&setup.card(), &challenge, "https://evil.example", None).await;
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &elsewhere)
        .await;
    assert_eq!(status, 401);
    let good = card_login(&setup.card(), &challenge, None).await;
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &good)
        .await;
    assert_eq!(status, 404);

    // A device finish signed by a key that is not the bound one burns nothing either.
    let (key, spki) = device_key();
    let challenge = server.challenge().await;
    let bind = card_login(&setup.card(), &challenge, Some(spki)).await;
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &bind)
        .await;
    assert_eq!(status, 200);
    let challenge = server.device_challenge().await;
    let mut forged = common::device_login(&key, &challenge);
    let mut sig = URL_SAFE_NO_PAD.decode(&forged.signature).unwrap();
    sig[40] ^= 1;
    forged.signature = URL_SAFE_NO_PAD.encode(&sig);
    let (status, _) = server
        .finish("/v1/device/finish", &challenge.nonce, &forged)
        .await;
    assert_eq!(status, 401);
    let (status, body) = server
        .finish(
            "/v1/device/finish",
            &challenge.nonce,
            &common::device_login(&key, &challenge),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// A flood of challenge requests: the memory store stops at its limit with a 503 that says
/// why, instead of growing until the process runs out of memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_challenges_is_refused_at_the_limit() {
    let setup = Setup::new();
    let store = std::sync::Arc::new(kazasu_rp::MemoryStore::with_limits(
        kazasu_rp::store::Limits {
            challenges: 20,
            ..Default::default()
        },
    ));
    let server = Server::start_with_store(setup.config(""), store.clone()).await;
    let mut created = 0;
    let mut refused = Vec::new();
    for _ in 0..60 {
        let r = client()
            .post(server.at("/v1/login/challenge"))
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            201 => created += 1,
            status => refused.push((status, r.json::<Value>().await.unwrap())),
        }
    }
    assert_eq!(created, 20);
    assert_eq!(refused.len(), 40);
    assert!(refused.iter().all(|(status, _)| *status == 503));
    assert_eq!(
        refused[0].1["error"],
        "too many logins are in progress; try again in a minute"
    );
    assert_eq!(store.counts().await.0, 20);
}

/// Made-up certificates (distinct, parseable, not issued by a trusted CA) are not remembered:
/// the parsed-certificate cache holds only the trusted ones, so strangers cannot fill memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_distinct_certificates_are_not_remembered() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let (challenge, _, _) = server.browser_challenge().await;
    let good = card_login(&setup.card(), &challenge, None).await;
    let der = URL_SAFE_NO_PAD
        .decode(good.certificate.as_deref().unwrap())
        .unwrap();
    let data =
        ClientData::parse_strict(&URL_SAFE_NO_PAD.decode(&good.client_data).unwrap()).unwrap();
    for i in 0..300u16 {
        // A different certificate each time: its own signature's last bytes changed.
        let mut fake = der.clone();
        let n = fake.len();
        fake[n - 2..].copy_from_slice(&i.to_be_bytes());
        let mut data = data.clone();
        data.cert_sha256 = Some(URL_SAFE_NO_PAD.encode(Sha256::digest(&fake)));
        let assertion = Assertion {
            client_data: URL_SAFE_NO_PAD.encode(data.to_bytes()),
            signature: good.signature.clone(),
            certificate: Some(URL_SAFE_NO_PAD.encode(&fake)),
        };
        let (status, body) = server
            .finish("/v1/login/finish", &challenge.nonce, &assertion)
            .await;
        assert_eq!(status, 401, "{body}");
    }
    let remembered = || server.app.state().trust.policy().remembered.size().0;
    assert_eq!(remembered(), 0);
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &good)
        .await;
    assert_eq!(status, 200);
    assert_eq!(remembered(), 1);
}

/// Every response, the page, the JSON API, the QR code, errors, carries the headers that keep
/// it out of frames and sniffing, and sends no referrer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_the_security_headers() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let challenge = server.challenge().await;
    for (method, path) in [
        ("GET", "/".to_owned()),
        ("GET", "/healthz".to_owned()),
        ("GET", "/.well-known/jwks.json".to_owned()),
        ("POST", "/v1/login/challenge".to_owned()),
        ("GET", format!("/v1/login/challenge/{}", challenge.nonce)),
        (
            "GET",
            format!("/v1/login/challenge/{}/qr.svg", challenge.nonce),
        ),
        ("GET", format!("/v1/login/status/{}", challenge.nonce)),
        ("POST", "/v1/login/finish".to_owned()),
        ("GET", "/v1/high-assurance".to_owned()),
        ("GET", "/nope".to_owned()),
    ] {
        let r = client()
            .request(method.parse().unwrap(), server.at(&path))
            .send()
            .await
            .unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bound_device_logs_in_again_until_it_is_revoked() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let (key, spki) = device_key();
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, Some(spki.clone())).await;
    let (status, card) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200, "{card}");
    let device_id = card["device_id"].as_str().unwrap().to_owned();
    assert_eq!(device_id, kazasu_core::login::device_key_id(&spki));
    let card_token = card["token"].as_str().unwrap().to_owned();
    assert_eq!(
        verify_with_jwks(&server, &card_token).await["device_id"],
        json!(device_id)
    );

    let device_login = async |server: &Server| server.device_login(&key).await;
    let (status, device) = device_login(&server).await;
    assert_eq!(status, 200, "{device}");
    assert_eq!(device["serial"], card["serial"]);
    assert_eq!(device["device_id"], json!(device_id));
    let device_token = device["token"].as_str().unwrap().to_owned();
    let claims = verify_with_jwks(&server, &device_token).await;
    assert_eq!(claims["amr"], json!(["device"]));
    assert_eq!(claims["sub"], card["sub"]);

    // High-assurance operations still need the card.
    let (status, body) = server.get("/v1/high-assurance", Some(&device_token)).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"], "this operation needs the card");

    // A key that was never bound, and a device signature for another key: refused.
    let (stranger, _) = device_key();
    let challenge = server.device_challenge().await;
    let (status, body) = server
        .finish(
            "/v1/device/finish",
            &challenge.nonce,
            &common::device_login(&stranger, &challenge),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unknown or revoked device");

    // A card assertion is not a device login.
    let challenge = server.device_challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, _) = server
        .finish("/v1/device/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 400);

    // Revoking needs a valid token of the same card.
    let revoke = |token: Option<String>, id: String| {
        let url = server.at(&format!("/v1/devices/{id}"));
        async move {
            let mut r = client().delete(url);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            r.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(revoke(None, device_id.clone()).await, 401);
    assert_eq!(revoke(Some("x.y.z".into()), device_id.clone()).await, 401);
    assert_eq!(revoke(Some(card_token.clone()), "C".repeat(43)).await, 404);
    assert_eq!(
        revoke(Some(device_token.clone()), device_id.clone()).await,
        204
    );

    let (status, body) = device_login(&server).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unknown or revoked device");

    // A later card login cannot bind the revoked key again.
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, Some(spki)).await;
    let (status, again) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["device_id"], Value::Null);
    assert_eq!(device_login(&server).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_the_qr_code_and_health() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let r = client().get(server.at("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    for needle in [
        "id=\"status\"",
        "id=\"qr\"",
        "id=\"challenge-url\"",
        "Waiting for the card…",
        "Logged in",
        "/v1/login/status/",
        "qr.svg",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );

    let challenge = server.challenge().await;
    let qr = format!("/v1/login/challenge/{}/qr.svg", challenge.nonce);
    let r = client().get(server.at(&qr)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.text().await.unwrap().contains("<svg"));

    let (status, _) = server.get("/healthz", None).await;
    assert_eq!(status, 200);
    let (status, body) = server.get("/does/not/exist", None).await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({ "error": "not found" }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_a_key_file_accept_each_others_tokens() {
    let setup = Setup::new();
    let a = Server::start(setup.config("")).await;
    let b = Server::start(setup.config("")).await;
    let (_, jwks_a) = a.get("/.well-known/jwks.json", None).await;
    let (_, jwks_b) = b.get("/.well-known/jwks.json", None).await;
    assert_eq!(jwks_a, jwks_b);
    let challenge = a.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (_, body) = a
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    let (status, _) = b.get("/v1/high-assurance", body["token"].as_str()).await;
    assert_eq!(status, 200);
    // With the in-memory store, B does not know A's challenges.
    let challenge = a.challenge().await;
    let (status, _) = b
        .get(&format!("/v1/login/challenge/{}", challenge.nonce), None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crls_can_come_from_an_http_url() {
    let setup = Setup::new();
    setup.export(CaKind::Auth, "auth");
    let crl = std::fs::read(setup.path("auth-crl.der")).unwrap();
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let crl_server = tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/auth.crl",
            axum::routing::get(move || {
                let crl = crl.clone();
                async move { crl }
            }),
        );
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await
    });
    let config = setup.config_with(
        &format!("trust_anchors = [\"auth-ca.der\"]\ncrls = [\"http://{addr}/auth.crl\"]\n"),
        "",
    );
    let server = Server::start(config).await;
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200, "{body}");
    // The CRL server gone (connections closed), the CRL read before is kept.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), crl_server)
        .await
        .expect("the CRL server stops")
        .unwrap()
        .unwrap();
    server.app.refresh_crls().await;
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200, "{body}");
}

/// `(r, n−s)` verifies wherever `(r, s)` does; the protocol takes low-S only, so a device
/// login with its twin high-S signature is refused (and does not use up the challenge).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_high_s_device_signature_is_refused() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let (key, spki) = device_key();
    let challenge = server.challenge().await;
    let bind = card_login(&setup.card(), &challenge, Some(spki)).await;
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &bind)
        .await;
    assert_eq!(status, 200);
    let challenge = server.device_challenge().await;
    let good = common::device_login(&key, &challenge);
    let high = common::high_s(&good.signature);
    let twin = Assertion {
        signature: high,
        ..good.clone()
    };
    let (status, body) = server
        .finish("/v1/device/finish", &challenge.nonce, &twin)
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "the signature does not verify");
    let (status, body) = server
        .finish("/v1/device/finish", &challenge.nonce, &good)
        .await;
    assert_eq!(status, 200, "{body}");
}
