//! "Log in with My Number Card" as an OpenID Connect provider, through the app's commands on
//! Tauri's mock runtime: the Authlib demo starts an authorization asking for personal data, the
//! consent is allowed, and the page's `kazasu://` link is handed to the app. `login_request` names
//! the client and the claims (no card, no PIN); `login` refuses to start without the signing PIN
//! (no try used); with both PINs the demo gets its code and the claims from the signing
//! certificate. Real Redis, `kazasu-rp` and Authlib (`kazasu_tests::oidc`).

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::sync::Arc;

use kazasu_app_lib::reader::{Link, Opener};
use kazasu_app_lib::trust::TrustDir;
use kazasu_app_lib::{AppError, AppState, Reader};
use kazasu_core::pin::PinKind;
use kazasu_tests::oidc::{
    DEMO_CLIENT, OidcBench, Opened, get, open, open_with_consent, query_of, wait_done,
};
use kazasu_tests::{AUTH_PIN, SIGN_PIN};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// Where the signing CA and CRL are (claims come from a verified signing certificate).
const SIGNING: &str = "[oidc]\nsign_trust_anchors = [\"{trust}/sign-ca.pem\"]\nsign_crls = [\"{trust}/sign-crl.pem\"]\n";
const SCOPE: &str = "openid name birthdate";
const LISTED: [&str; 2] = ["your name", "your date of birth"];

/// The app on the mock runtime, its readers all reaching the bench's simulated card.
fn app(bench: &OidcBench) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let path = bench.card.path().to_owned();
    let opener: Opener = Arc::new(move |_reader: &Reader| -> Result<Link, AppError> {
        Ok(Box::new(
            kazasu_sim::SimTransport::open(&path).expect("open the card"),
        ))
    });
    let app = kazasu_app_lib::with_commands(mock_builder())
        .manage(AppState::new(opener, TrustDir(None), false))
        .build(mock_context(noop_assets()))
        .expect("the app builds on the mock runtime");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("a window");
    invoke(
        &window,
        "choose_reader",
        json!({"reader": {"kind": "simulator", "address": "127.0.0.1:35970"}}),
    )
    .expect("the simulator is a valid reader");
    (app, window)
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("JSON"))
}

/// The same-device link the authorization page offers for this login.
fn app_link(opened: &Opened) -> String {
    let mut link = url::Url::parse("kazasu://login").unwrap();
    link.query_pairs_mut()
        .append_pair("url", &opened.challenge_url);
    link.to_string()
}

/// The browser's side once the app logged in: the code, exchanged by Authlib.
fn token(bench: &OidcBench, start: &Value, opened: &Opened) -> Value {
    assert_eq!(wait_done(&bench.issuer, &opened.nonce)["state"], "done");
    let next = get(
        &format!("{}/oidc/continue/{}", bench.issuer, opened.nonce),
        Some(&opened.cookie),
    );
    let code = query_of(&next.location.expect("a redirect to the demo"))["code"].clone();
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
    answer
}

#[test]
fn the_app_shows_who_asks_for_what_and_releases_the_claims_with_both_pins() {
    let bench = OidcBench::start(SIGNING, |_| {});
    let (_app, window) = app(&bench);
    let holder = kazasu_sim::HolderProfile::sample();

    let start = bench.authlib("start", DEMO_CLIENT, &["--scope", SCOPE]);
    let opened = open_with_consent(start["url"].as_str().unwrap(), &LISTED, true);
    let link = app_link(&opened);

    // Who asks and for what, before any PIN.
    let asked = invoke(&window, "login_request", json!({"url": link})).expect("the request");
    assert_eq!(asked["origin"], bench.issuer.as_str(), "{asked}");
    assert!(
        asked["client"].as_str().is_some_and(|c| !c.is_empty()),
        "{asked}"
    );
    assert_eq!(asked["claims"], json!(["name", "birthdate"]), "{asked}");

    // Claims asked and no signing PIN: refused before the card, no try used.
    let err = invoke(&window, "login", json!({"url": link, "pin": AUTH_PIN})).unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    let state = bench.card.state();
    assert_eq!(
        (
            state.tries_left(PinKind::Auth),
            state.tries_left(PinKind::Sign)
        ),
        (3, 5)
    );

    let done = invoke(
        &window,
        "login",
        json!({"url": link, "pin": AUTH_PIN, "sign_pin": SIGN_PIN}),
    )
    .expect("logged in with both PINs");
    assert_eq!(done["origin"], bench.issuer.as_str());

    let answer = token(&bench, &start, &opened);
    assert_eq!(answer["claims"]["name"], holder.name.as_str(), "{answer}");
    assert_eq!(
        answer["claims"]["birthdate"],
        holder.birth_date.to_string(),
        "{answer}"
    );
    assert!(answer["claims"].get("address").is_none(), "{answer}");
}

#[test]
fn an_authentication_only_login_asks_no_claims_and_no_signing_pin() {
    let bench = OidcBench::start("", |_| {});
    let (_app, window) = app(&bench);

    let start = bench.authlib("start", DEMO_CLIENT, &[]);
    let opened = open(start["url"].as_str().unwrap());
    let link = app_link(&opened);

    let asked = invoke(&window, "login_request", json!({"url": link})).expect("the request");
    assert_eq!(asked["claims"], json!([]), "{asked}");
    assert!(asked["client"].as_str().is_some(), "{asked}");

    invoke(&window, "login", json!({"url": link, "pin": AUTH_PIN}))
        .expect("logged in with the authentication PIN only");
    let answer = token(&bench, &start, &opened);
    assert!(answer["claims"]["sub"].as_str().is_some(), "{answer}");
    assert!(answer["claims"].get("name").is_none(), "{answer}");
    assert_eq!(bench.card.state().tries_left(PinKind::Sign), 5);
}

#[test]
fn a_plain_service_url_names_no_client_and_no_claims() {
    let bench = OidcBench::start("", |_| {});
    let (_app, window) = app(&bench);
    let asked =
        invoke(&window, "login_request", json!({"url": bench.issuer})).expect("the request");
    assert_eq!(
        asked,
        json!({"origin": bench.issuer, "client": null, "claims": []})
    );
    let err = invoke(
        &window,
        "login_request",
        json!({"url": "ftp://example.org"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_url", "{err}");
}
