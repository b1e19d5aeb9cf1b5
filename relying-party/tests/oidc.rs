//! The OpenID Connect provider over real HTTP, with card assertions from the in-process
//! simulated card: the authorization page, the status that says only pending/done, the continue
//! URL that needs the browser's cookie, the token endpoint with client_secret_basic and
//! private_key_jwt (ES256), and the refusals a client library can meet.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{Server, Setup, card_login, now, verify_with_jwks};
use kazasu_core::login::Challenge;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const SECRET: &str = "demo-secret";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A config with a client_secret_basic client `web` and a private_key_jwt client `app` whose
/// ES256 key is returned.
fn config(setup: &Setup, extra: &str) -> (kazasu_rp::Config, jsonwebtoken::EncodingKey) {
    use p256::pkcs8::EncodePrivateKey;
    let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let der = key.to_pkcs8_der().unwrap();
    let encoding = jsonwebtoken::EncodingKey::from_ec_der(der.as_bytes());
    let mut jwk =
        jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding, jsonwebtoken::Algorithm::ES256)
            .unwrap();
    jwk.common.key_id = Some("app-key".into());
    std::fs::write(
        setup.path("app.jwks.json"),
        serde_json::to_string(&json!({ "keys": [jwk] })).unwrap(),
    )
    .unwrap();
    let hash = kazasu_rp::oidc::clients::secret_hash(SECRET);
    let text = format!(
        "{extra}\n[oidc]\npairwise_key = \"pairwise\"\n\n[[oidc.clients]]\nclient_id = \"web\"\nname = \"Web <demo>\"\n\
         redirect_uris = [\"{REDIRECT}\"]\npost_logout_redirect_uris = [\"http://127.0.0.1:9/bye\"]\n\
         token_endpoint_auth_method = \"client_secret_basic\"\nclient_secret_sha256 = \"{hash}\"\n\n\
         [[oidc.clients]]\nclient_id = \"app\"\nredirect_uris = [\"{REDIRECT}\"]\nsector = \"app.example\"\n\
         token_endpoint_auth_method = \"private_key_jwt\"\njwks_file = \"app.jwks.json\"\n"
    );
    (setup.config(&text), encoding)
}

fn authorize_url(server: &Server, client_id: &str, extra: &[(&str, &str)]) -> String {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let mut url = url::Url::parse(&server.at("/oidc/authorize")).unwrap();
    let base = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", "st-1"),
        ("nonce", "no-1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let mut pairs: Vec<(&str, &str)> = base
        .iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .copied()
        .collect();
    pairs.extend(extra.iter().filter(|(_, v)| !v.is_empty()));
    url.query_pairs_mut().extend_pairs(pairs);
    url.to_string()
}

/// Opens the authorization page: (nonce, cookie pair).
async fn open_page(server: &Server, client_id: &str) -> (String, String) {
    let r = http()
        .get(authorize_url(server, client_id, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let body = r.text().await.unwrap();
    let start = body.find("/v1/login/challenge/").unwrap() + "/v1/login/challenge/".len();
    let nonce = body[start..start + 43].to_owned();
    assert!(
        cookie.contains(&format!("Path=/oidc/continue/{nonce}")),
        "{cookie}"
    );
    assert!(body.contains("kazasu://login?url="), "the same-device link");
    assert!(body.contains("<svg"), "the QR code");
    (nonce, cookie.split(';').next().unwrap().to_owned())
}

/// The card logs in to the page's challenge.
async fn card(server: &Server, setup: &Setup, nonce: &str) {
    let (status, challenge) = server
        .get(&format!("/v1/login/challenge/{nonce}"), None)
        .await;
    assert_eq!(status, 200);
    let challenge: Challenge = serde_json::from_value(challenge).unwrap();
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, body) = server.finish("/v1/login/finish", nonce, &assertion).await;
    assert_eq!(status, 200, "{body}");
}

/// Continues with the cookie: the code from the redirect.
async fn code_from(server: &Server, nonce: &str, cookie: &str) -> String {
    let r = http()
        .get(server.at(&format!("/oidc/continue/{nonce}")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st-1");
    assert_eq!(q["iss"], server.url);
    q["code"].clone()
}

async fn token(
    server: &Server,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request = http()
        .post(server.at("/oidc/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some((id, secret)) = basic {
        request = request.header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let cache = r
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, r.json().await.unwrap_or(Value::Null), cache)
}

fn grant(code: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ]
}

fn assertion(server: &Server, key: &jsonwebtoken::EncodingKey, jti: &str, exp_in: i64) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("app-key".into());
    jsonwebtoken::encode(
        &header,
        &json!({ "iss": "app", "sub": "app", "aud": server.at("/oidc/token"), "jti": jti,
                 "iat": now(), "exp": now() + exp_in }),
        key,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_through_the_provider_gives_a_pairwise_id_token_to_the_browser_that_started() {
    let setup = Setup::new();
    let (config, _) = config(&setup, "");
    let server = Server::start(config).await;
    let (status, discovery) = server.get("/.well-known/openid-configuration", None).await;
    assert_eq!(status, 200);
    assert_eq!(discovery["issuer"], server.url);
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        json!(["S256"])
    );

    let (nonce, cookie) = open_page(&server, "web").await;
    let (status, _, body) = server
        .get_with_cookie(&format!("/oidc/status/{nonce}"), None)
        .await;
    assert_eq!((status, body), (200, json!({"state": "pending"})));
    card(&server, &setup, &nonce).await;
    // Anyone polling hears only "done": no code, no token.
    let (status, cache, body) = server
        .get_with_cookie(&format!("/oidc/status/{nonce}"), None)
        .await;
    assert_eq!((status, body), (200, json!({"state": "done"})));
    assert_eq!(cache, "no-store");
    // Someone who only saw the QR code (no cookie, or another browser's) cannot continue.
    for other in [None, Some("kazasu_oidc=forged")] {
        let mut r = http().get(server.at(&format!("/oidc/continue/{nonce}")));
        if let Some(c) = other {
            r = r.header("cookie", c);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert!(r.headers().get("location").is_none());
    }
    let code = code_from(&server, &nonce, &cookie).await;
    let (status, body, cache) = token(&server, &grant(&code), Some(("web", SECRET))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(cache, "no-store");
    let claims = verify_with_jwks(&server, body["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["iss"], server.url);
    assert_eq!(claims["aud"], "web");
    assert_eq!(claims["nonce"], "no-1");
    assert_eq!(claims["amr"], json!(["card"]));
    assert!(claims["auth_time"].as_i64().unwrap() <= now());
    let sub = claims["sub"].as_str().unwrap().to_owned();
    assert!(!sub.contains('#'), "sub names no certificate: {sub}");
    // Userinfo with the access token.
    let r = http()
        .get(server.at("/oidc/userinfo"))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "sub": sub }));
    // The code once only.
    let (status, body, _) = token(&server, &grant(&code), Some(("web", SECRET))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Same person, another sector: another sub; same sector again: the same.
    let (nonce, cookie) = open_page(&server, "app").await;
    card(&server, &setup, &nonce).await;
    let _ = code_from(&server, &nonce, &cookie).await;
    let (nonce, cookie) = open_page(&server, "web").await;
    card(&server, &setup, &nonce).await;
    let code = code_from(&server, &nonce, &cookie).await;
    let (status, body, _) = token(&server, &grant(&code), Some(("web", SECRET))).await;
    assert_eq!(status, 200, "{body}");
    let again = verify_with_jwks(&server, body["id_token"].as_str().unwrap()).await;
    assert_eq!(again["sub"], sub);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_key_jwt_is_verified_and_each_jti_used_once() {
    let setup = Setup::new();
    let (config, key) = config(&setup, "");
    let server = Server::start(config).await;
    let (nonce, cookie) = open_page(&server, "app").await;
    card(&server, &setup, &nonce).await;
    let code = code_from(&server, &nonce, &cookie).await;
    let type_ = (
        "client_assertion_type",
        kazasu_rp::oidc::clients::ASSERTION_TYPE,
    );
    // Too long-lived: refused, and the code is not touched (the client is checked first).
    let long = assertion(&server, &key, "j-long", 3600);
    let mut form = grant(&code);
    form.extend([type_, ("client_assertion", long.as_str())]);
    let (status, body, _) = token(&server, &form, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );
    let good = assertion(&server, &key, "j-1", 60);
    let mut form = grant(&code);
    form.extend([type_, ("client_assertion", good.as_str())]);
    let (status, body, _) = token(&server, &form, None).await;
    assert_eq!(status, 200, "{body}");
    let claims = verify_with_jwks(&server, body["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["aud"], "app");
    // The same assertion again: replayed.
    let (status, body, _) = token(&server, &form, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("replayed")
    );
    // A secret for a private_key_jwt client: not its method.
    let (status, body, _) = token(&server, &grant("x"), Some(("app", SECRET))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_oauth_errors_and_unregistered_uris_get_no_redirect() {
    let setup = Setup::new();
    let (config, _) = config(&setup, "");
    let server = Server::start(config).await;
    // Unknown client or unregistered redirect URI: an error page, never a redirect.
    for url in [
        authorize_url(&server, "nobody", &[]),
        authorize_url(
            &server,
            "web",
            &[("redirect_uri", "http://127.0.0.1:9/elsewhere")],
        ),
        authorize_url(
            &server,
            "web",
            &[("redirect_uri", "http://127.0.0.1:9/callback/")],
        ),
    ] {
        let r = http().get(&url).send().await.unwrap();
        assert_eq!(r.status(), 400, "{url}");
        assert!(r.headers().get("location").is_none(), "{url}");
    }
    // Other errors go back to the registered URI.
    for (extra, error) in [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("nonce", "")], "invalid_request"),
        (vec![("state", "")], "invalid_request"),
        (vec![("scope", "profile")], "invalid_scope"),
        (vec![("prompt", "none")], "login_required"),
    ] {
        let r = http()
            .get(authorize_url(&server, "web", &extra))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{extra:?}");
        let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(REDIRECT));
        let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
        assert_eq!(q["error"], error, "{extra:?}");
    }
    // Token endpoint: wrong secret, no auth, wrong grant type, not a form.
    let (status, body, _) = token(&server, &grant("x"), Some(("web", "wrong"))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body, _) = token(&server, &grant("x"), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body, _) = token(
        &server,
        &[("grant_type", "password")],
        Some(("web", SECRET)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let r = http()
        .post(server.at("/oidc/token"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Wrong verifier, then wrong redirect_uri: invalid_grant, and the code is used up.
    let (nonce, cookie) = open_page(&server, "web").await;
    card(&server, &setup, &nonce).await;
    let code = code_from(&server, &nonce, &cookie).await;
    let mut form = grant(&code);
    form[3] = (
        "code_verifier",
        "wrong-wrong-wrong-wrong-wrong-wrong-wrong-wrong",
    );
    let (status, body, _) = token(&server, &form, Some(("web", SECRET))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, body, _) = token(&server, &grant(&code), Some(("web", SECRET))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "used up"
    );
    // End session: only to registered URIs.
    let r = http()
        .get(server.at("/oidc/end_session?client_id=web&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fbye&state=s"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "http://127.0.0.1:9/bye?state=s");
    let r =
        http()
            .get(server.at(
                "/oidc/end_session?client_id=web&post_logout_redirect_uri=http%3A%2F%2Fevil%2F",
            ))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_is_refused() {
    let setup = Setup::new();
    let (mut config, _) = config(&setup, "");
    config.oidc.code_ttl_seconds = 1;
    let server = Server::start(config).await;
    let (nonce, cookie) = open_page(&server, "web").await;
    card(&server, &setup, &nonce).await;
    let code = code_from(&server, &nonce, &cookie).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, body, _) = token(&server, &grant(&code), Some(("web", SECRET))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
}
