//! The app's Tauri commands, invoked as the front end invokes them (IPC from `tauri://localhost`)
//! on Tauri's mock runtime, against a simulated card: what a person sees on each screen, and that
//! the card's rules hold (tries, locks, nothing sent for a malformed PIN, card pulled away).

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::sync::{Arc, Mutex};

use kazasu_app_lib::reader::{Link, Opener};
use kazasu_app_lib::trust::TrustDir;
use kazasu_app_lib::{AppError, AppState, Reader};
use kazasu_core::pin::PinKind;
use kazasu_core::transport::{Transport, TransportError};
use kazasu_tests::bins::run_sim;
use kazasu_tests::pdf_fixture::sample_pdf;
use kazasu_tests::rp::RelyingParty;
use kazasu_tests::tsa::Tsa;
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};
use serde_json::{Value, json};
use tauri::Listener;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// A simulated card behind every reader, optionally pulled away as the card gets a given instruction.
struct Bench {
    card: TestCard,
    /// INS byte at which the card "leaves the reader" (the command is never delivered).
    pull_at: Arc<Mutex<Option<u8>>>,
    /// Every APDU's INS the card received.
    seen: Arc<Mutex<Vec<u8>>>,
}

struct Watched {
    inner: Box<dyn Transport>,
    pull_at: Arc<Mutex<Option<u8>>>,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Transport for Watched {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let ins = apdu.get(1).copied().unwrap_or_default();
        if *self.pull_at.lock().unwrap() == Some(ins) {
            return Err(TransportError::CardRemoved);
        }
        self.seen.lock().unwrap().push(ins);
        self.inner.transmit(apdu)
    }
}

/// INS of VERIFY (PIN checks and tries-left queries).
const VERIFY: u8 = 0x20;
/// INS of PERFORM SECURITY OPERATION (the signature).
const SIGN: u8 = 0x2A;

impl Bench {
    fn new() -> Bench {
        Bench {
            card: TestCard::new(),
            pull_at: Arc::default(),
            seen: Arc::default(),
        }
    }

    fn opener(&self) -> Opener {
        let (path, pull_at, seen) = (
            self.card.path().to_owned(),
            self.pull_at.clone(),
            self.seen.clone(),
        );
        Arc::new(move |reader: &Reader| -> Result<Link, AppError> {
            assert!(matches!(reader, Reader::Simulator { .. }), "{reader:?}");
            Ok(Box::new(Watched {
                inner: Box::new(kazasu_sim::SimTransport::open(&path).expect("open the card")),
                pull_at: pull_at.clone(),
                seen: seen.clone(),
            }))
        })
    }

    fn app(
        &self,
        trust: Option<std::path::PathBuf>,
    ) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app = kazasu_app_lib::with_commands(mock_builder())
            .manage(AppState::new(self.opener(), TrustDir(trust), false))
            .build(mock_context(noop_assets()))
            .expect("the app builds on the mock runtime");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("a window");
        (app, window)
    }

    /// A running `kazasu-rp` that trusts this card's test J-LIS.
    fn service(&self) -> RelyingParty {
        run_sim(self.card.path(), &["office", "export-trust", "trust"]);
        RelyingParty::start(self.card.dir(), &self.card.dir().join("trust"), "")
    }

    fn tries_left(&self, kind: PinKind) -> u8 {
        self.card.state().tries_left(kind)
    }
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

fn choose_simulator(window: &WebviewWindow<MockRuntime>) {
    invoke(
        window,
        "choose_reader",
        json!({"reader": {"kind": "simulator", "address": "127.0.0.1:35970"}}),
    )
    .expect("the simulator is a valid reader");
}

fn code(error: &Value) -> &str {
    error["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an AppError: {error}"))
}

#[test]
fn the_overview_shows_certificates_expiry_and_tries_without_using_one() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    let before = invoke(&window, "card_overview", json!({})).unwrap_err();
    assert_eq!(code(&before), "no_reader");

    choose_simulator(&window);
    let overview = invoke(&window, "card_overview", json!({})).expect("overview");
    assert_eq!(overview["reader"], "simulator at 127.0.0.1:35970");
    let auth = &overview["certificates"][0];
    assert_eq!(auth["slot"], "auth");
    assert_eq!(auth["summary"]["lifecycle"]["state"], "valid");
    assert!(auth["summary"]["expires_on"].as_str().unwrap().len() == 10);
    assert_eq!(overview["certificates"][2]["needs_pin"], "sign");
    let pins: Vec<(String, u64)> = overview["pins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["pin"].as_str().unwrap().to_owned(),
                p["status"]["tries_left"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pins,
        [
            ("auth".into(), 3),
            ("sign".into(), 5),
            ("card_info".into(), 3)
        ]
    );
    assert_eq!(bench.tries_left(PinKind::Auth), 3);
}

#[test]
fn progress_events_reach_the_window_while_the_card_works() {
    let bench = Bench::new();
    let (app, window) = bench.app(None);
    choose_simulator(&window);
    let steps = Arc::new(Mutex::new(Vec::new()));
    let sink = steps.clone();
    app.listen_any("card-progress", move |event| {
        let v: Value = serde_json::from_str(event.payload()).unwrap();
        sink.lock()
            .unwrap()
            .push(v["step"].as_str().unwrap().to_owned());
    });
    invoke(&window, "card_overview", json!({})).expect("overview");
    assert_eq!(*steps.lock().unwrap(), ["connecting", "reading", "done"]);
}

#[test]
fn a_malformed_pin_never_reaches_the_card() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);
    for (kind, pin) in [
        ("auth", "12a4"),
        ("auth", "12345"),
        ("sign", "abc"),
        ("sign", "ONLYLETTERS"),
        ("card_info", ""),
    ] {
        let err = invoke(
            &window,
            "change_pin",
            json!({"kind": kind, "current": pin, "new": pin}),
        )
        .unwrap_err();
        assert_eq!(code(&err), "invalid_pin", "{kind} {pin}: {err}");
        assert_eq!(err["pin"], kind);
        assert!(!err["message"].as_str().unwrap().contains(pin) || pin.is_empty());
    }
    let err = invoke(
        &window,
        "login",
        json!({"url": "http://127.0.0.1:9", "pin": "99"}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "invalid_pin");
    assert!(bench.seen.lock().unwrap().is_empty(), "no APDU at all");
}

#[test]
fn a_wrong_pin_says_how_many_tries_are_left_and_the_last_one_locks() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);
    for left in [2, 1] {
        let err = invoke(
            &window,
            "change_pin",
            json!({"kind": "auth", "current": "0000", "new": "1111"}),
        )
        .unwrap_err();
        assert_eq!(code(&err), "wrong_pin");
        assert_eq!(err["tries_left"], left);
        let status = invoke(&window, "pin_status", json!({"kind": "auth"})).unwrap();
        assert_eq!(status, json!({"state": "remaining", "tries_left": left}));
    }
    let err = invoke(
        &window,
        "change_pin",
        json!({"kind": "auth", "current": "0000", "new": "1111"}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "pin_locked", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("municipal office")
    );
    // Locked: the right PIN is now refused without being sent.
    bench.seen.lock().unwrap().clear();
    let err = invoke(
        &window,
        "change_pin",
        json!({"kind": "auth", "current": AUTH_PIN, "new": "1111"}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "pin_locked");
    assert_eq!(bench.tries_left(PinKind::Auth), 0);
}

#[test]
fn changing_the_signing_pin_takes_the_new_one_from_then_on() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);
    // Lowercase letters are the same PIN as uppercase ones, as on the card.
    invoke(
        &window,
        "change_pin",
        json!({"kind": "sign", "current": SIGN_PIN.to_lowercase(), "new": "NEWPIN42"}),
    )
    .expect("changed");
    let err = invoke(
        &window,
        "change_pin",
        json!({"kind": "sign", "current": SIGN_PIN, "new": "OTHER42"}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "wrong_pin");
    assert_eq!(err["tries_left"], 4);
    invoke(
        &window,
        "change_pin",
        json!({"kind": "sign", "current": "NEWPIN42", "new": SIGN_PIN}),
    )
    .expect("changed back");
}

#[test]
fn signing_a_pdf_saves_a_signed_copy_and_checks_it_against_the_trusted_ca() {
    let bench = Bench::new();
    run_sim(bench.card.path(), &["office", "export-trust", "trust"]);
    let (_app, window) = bench.app(Some(bench.card.dir().join("trust")));
    choose_simulator(&window);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("contract.pdf");
    std::fs::write(&input, sample_pdf(2)).unwrap();

    let suggestion = invoke(&window, "suggest_output", json!({"input": input})).unwrap();
    assert_eq!(suggestion["pdf"], true);
    let output = suggestion["output"].as_str().unwrap().to_owned();
    assert!(output.ends_with("contract-signed.pdf"), "{output}");

    let signed = invoke(
        &window,
        "sign_document",
        json!({"input": input, "output": output, "pin": SIGN_PIN, "visible": true, "overwrite": false}),
    )
    .expect("signed");
    assert_eq!(signed["format"], "pades");
    assert_eq!(signed["verification"]["valid"], true, "{signed}");
    assert_eq!(signed["verification"]["trusted"], true, "{signed}");
    assert!(std::fs::read(&output).unwrap().starts_with(b"%PDF-"));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        sample_pdf(2),
        "the original is untouched"
    );

    // The next suggestion keeps the first signed copy.
    let next = invoke(&window, "suggest_output", json!({"input": input})).unwrap();
    assert!(
        next["output"]
            .as_str()
            .unwrap()
            .ends_with("contract-signed-2.pdf"),
        "{next}"
    );
    // Signing over an existing file needs a yes, and the file is kept until then.
    let before = std::fs::read(&output).unwrap();
    let err = invoke(
        &window,
        "sign_document",
        json!({"input": input, "output": output, "pin": SIGN_PIN, "visible": false, "overwrite": false}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "output_exists");
    assert_eq!(std::fs::read(&output).unwrap(), before);
    let err = invoke(
        &window,
        "sign_document",
        json!({"input": input, "output": input, "pin": SIGN_PIN, "visible": false, "overwrite": true}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "same_file");
}

#[test]
fn signing_another_file_gives_a_detached_signature_not_checked_without_a_trusted_ca() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("report.xml");
    std::fs::write(&input, "<report/>").unwrap();
    let output = dir.path().join("report.xml.p7s");
    let signed = invoke(
        &window,
        "sign_document",
        json!({"input": input, "output": output, "pin": SIGN_PIN, "visible": false, "overwrite": false}),
    )
    .expect("signed");
    assert_eq!(signed["format"], "cades");
    assert_eq!(signed["signer"], "電子\u{3000}太郎");
    let v = &signed["verification"];
    assert_eq!(
        (v["valid"].as_bool(), v["trusted"].as_bool()),
        (Some(true), Some(false)),
        "{v}"
    );
    let chain = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "chain")
        .unwrap();
    assert_eq!(chain["outcome"], "not_checked");
    assert!(std::fs::metadata(&output).unwrap().len() > 1000);
}

#[test]
fn pulling_the_card_away_as_it_signs_says_so_and_writes_nothing() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("contract.pdf");
    std::fs::write(&input, sample_pdf(1)).unwrap();
    let output = dir.path().join("contract-signed.pdf");
    *bench.pull_at.lock().unwrap() = Some(SIGN);
    let err = invoke(
        &window,
        "sign_document",
        json!({"input": input, "output": output, "pin": SIGN_PIN, "visible": false, "overwrite": false}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "card_removed", "{err}");
    assert!(!output.exists(), "no half-written file");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().count() == 1,
        "no temporary file left"
    );

    // Pulled away as the PIN is checked: no try is used, and the card is free again afterwards.
    *bench.pull_at.lock().unwrap() = Some(VERIFY);
    let err = invoke(&window, "pin_status", json!({"kind": "sign"})).unwrap_err();
    assert_eq!(code(&err), "card_removed");
    *bench.pull_at.lock().unwrap() = None;
    assert_eq!(bench.tries_left(PinKind::Sign), 5);
    assert!(
        invoke(&window, "pin_status", json!({"kind": "sign"})).is_ok(),
        "not stuck busy"
    );
}

/// INS of SELECT, READ BINARY and CHANGE REFERENCE DATA.
const SELECT: u8 = 0xA4;
const READ: u8 = 0xB0;
const CHANGE: u8 = 0x24;

/// The card pulled away at each step of signing, logging in and changing a PIN gives the same
/// classified error as the CLI's exit 5 and the bindings' `CardRemoved` (tests/tests/card_pulled.rs,
/// mobile/tests/python/test_session.py): `card_removed`, nothing written, no try lost.
#[test]
fn the_card_pulled_away_at_each_step_is_card_removed_with_no_try_lost() {
    let bench = Bench::new();
    let rp = bench.service();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("contract.pdf");
    std::fs::write(&input, sample_pdf(1)).unwrap();
    let output = dir.path().join("contract-signed.pdf");
    let operations = [
        (
            "sign_document",
            json!({"input": input, "output": output, "pin": SIGN_PIN, "visible": false, "overwrite": false}),
            &[SELECT, VERIFY, READ, SIGN][..],
        ),
        (
            "login",
            json!({"url": rp.url(), "pin": AUTH_PIN}),
            &[SELECT, VERIFY, READ, SIGN][..],
        ),
        (
            "change_pin",
            json!({"kind": "auth", "current": AUTH_PIN, "new": "9999"}),
            &[SELECT, CHANGE][..],
        ),
    ];
    for (command, args, steps) in operations {
        for &step in steps {
            *bench.pull_at.lock().unwrap() = Some(step);
            let err = invoke(&window, command, args.clone()).unwrap_err();
            *bench.pull_at.lock().unwrap() = None;
            assert_eq!(
                code(&err),
                "card_removed",
                "{command} pulled at {step:02X}: {err}"
            );
            for kind in PinKind::ALL {
                assert_eq!(
                    bench.tries_left(kind),
                    kind.retry_limit(),
                    "{command} pulled at {step:02X}: a try of the {kind} was lost"
                );
            }
            assert!(
                !output.exists(),
                "{command} pulled at {step:02X}: a file was written"
            );
        }
    }
    // The PIN was never changed: the old one still logs in.
    invoke(&window, "login", json!({"url": rp.url(), "pin": AUTH_PIN}))
        .expect("the old PIN still works");
}

#[test]
fn logging_in_to_a_running_service_signs_its_origin() {
    let bench = Bench::new();
    let rp = bench.service();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);

    let err = invoke(&window, "login", json!({"url": rp.url(), "pin": "0000"})).unwrap_err();
    assert_eq!(
        (code(&err), err["tries_left"].as_u64()),
        ("wrong_pin", Some(2)),
        "{err}"
    );
    let done =
        invoke(&window, "login", json!({"url": rp.url(), "pin": AUTH_PIN})).expect("logged in");
    assert_eq!(done["origin"], rp.url());
    assert!(done["serial"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(
        done["expires_at"].as_i64().unwrap() > time::OffsetDateTime::now_utc().unix_timestamp()
    );
    // A right PIN resets the counter, as the card does.
    assert_eq!(bench.tries_left(PinKind::Auth), 3);

    let err = invoke(
        &window,
        "login",
        json!({"url": "ftp://example.org", "pin": AUTH_PIN}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "invalid_url");
    let err = invoke(&window, "login", json!({"url": format!("{}/v1/login/challenge/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", rp.url()), "pin": AUTH_PIN})).unwrap_err();
    assert_eq!(code(&err), "challenge_expired", "{err}");
}

#[test]
fn readers_are_listed_and_a_bad_choice_is_refused() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    let readers = invoke(&window, "list_readers", json!({})).unwrap();
    assert_eq!(readers["nfc"], true);
    assert_eq!(readers["phone"], false);
    assert_eq!(readers["simulator_address"], "127.0.0.1:35970");
    assert!(readers["current"].is_null());
    let err = invoke(
        &window,
        "choose_reader",
        json!({"reader": {"kind": "simulator", "address": "nowhere"}}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "invalid_input");
    let err = invoke(
        &window,
        "choose_reader",
        json!({"reader": {"kind": "phone"}}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "nfc_unavailable");
    choose_simulator(&window);
    let readers = invoke(&window, "list_readers", json!({})).unwrap();
    assert_eq!(
        readers["current"],
        json!({"kind": "simulator", "address": "127.0.0.1:35970"})
    );
    let info = invoke(&window, "app_info", json!({})).unwrap();
    assert_eq!(info["mobile"], false);
    assert_eq!(info["trust_anchors"], 0);
}

#[test]
fn the_simulator_over_tcp_serves_one_command_after_another() {
    let card = TestCard::new();
    let served = kazasu_tests::served::Served::start(card.path(), &["--tcp", "127.0.0.1:0"]);
    let app = kazasu_app_lib::with_commands(mock_builder())
        .manage(AppState::new(
            kazasu_app_lib::reader::system_opener(None),
            TrustDir(None),
            false,
        ))
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    invoke(
        &window,
        "choose_reader",
        json!({"reader": {"kind": "simulator", "address": served.tcp_address()}}),
    )
    .unwrap();
    let err = invoke(
        &window,
        "change_pin",
        json!({"kind": "auth", "current": "0000", "new": "1111"}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "wrong_pin", "{err}");
    let status = invoke(&window, "pin_status", json!({"kind": "auth"}));
    assert_eq!(status, Ok(json!({"state": "remaining", "tries_left": 2})));
    invoke(&window, "card_overview", json!({})).expect("a third connection");
}

/// Another well-formed My Number: the first digit changed and the check digit made to match.
fn another_my_number(number: &str) -> String {
    let mut digits: Vec<u8> = number.bytes().map(|b| b - b'0').collect();
    digits[0] = (digits[0] + 1) % 10;
    let first: [u8; 11] = digits[..11].try_into().unwrap();
    digits[11] = kazasu_core::mynumber::check_digit(&first);
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

#[test]
fn the_card_face_shows_tries_first_and_opens_with_the_right_code() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);
    let code_a = bench.card.code(PinKind::SurfaceCodeA);
    let status = invoke(&window, "pin_status", json!({"kind": "surface_code_a"})).unwrap();
    assert_eq!(status["state"], "remaining");
    let full = status["tries_left"].as_u64().unwrap();

    // A mistyped My Number (its check digit does not match) never reaches the card.
    bench.seen.lock().unwrap().clear();
    let mut mistyped = code_a.clone().into_bytes();
    mistyped[11] = b'0' + (mistyped[11] - b'0' + 1) % 10;
    let mistyped = String::from_utf8(mistyped).unwrap();
    let err = invoke(
        &window,
        "card_surface",
        json!({"kind": "surface_code_a", "code": mistyped}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "invalid_pin", "{err}");
    assert_eq!(err["pin"], "surface_code_a");
    assert!(bench.seen.lock().unwrap().is_empty(), "no APDU at all");

    // A wrong code uses one try and says how many are left.
    let err = invoke(
        &window,
        "card_surface",
        json!({"kind": "surface_code_a", "code": another_my_number(&code_a)}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "wrong_pin", "{err}");
    assert_eq!(err["pin"], "surface_code_a");
    assert_eq!(err["tries_left"].as_u64(), Some(full - 1));

    // The right one: the face, its images as PNG data URLs, signed; the counter is full again.
    let face = invoke(
        &window,
        "card_surface",
        json!({"kind": "surface_code_a", "code": code_a}),
    )
    .expect("the card face");
    let png = "data:image/png;base64,iVBORw0KGgo";
    for image in [
        "photo",
        "name_image",
        "address_image",
        "security_code_image",
        "my_number_image",
    ] {
        let url = face[image].as_str().unwrap_or_default();
        assert!(url.starts_with(png), "{image}: {:.40}", url);
    }
    assert_eq!(face["signed"], true);
    assert_eq!(face["code"], "surface_code_a");
    assert_eq!(face["birth_date"].as_str().unwrap().len(), 10);
    assert_eq!(face["expires_on"].as_str().unwrap().len(), 10);
    assert!(face["sex"].is_string());
    assert_eq!(
        face["status"],
        json!({"state": "remaining", "tries_left": full})
    );
    assert_eq!(
        u64::from(bench.tries_left(PinKind::SurfaceCodeA)),
        full,
        "the right code resets the counter"
    );

    // Code B opens the same face, without the My Number image.
    let face_b = invoke(
        &window,
        "card_surface",
        json!({"kind": "surface_code_b", "code": bench.card.code(PinKind::SurfaceCodeB)}),
    )
    .expect("the card face with code B");
    assert!(face_b["my_number_image"].is_null());
    assert_eq!(face_b["signed"], true);
    assert_eq!(face_b["birth_date"], face["birth_date"]);

    // Only the two card-face codes open it.
    let err = invoke(
        &window,
        "card_surface",
        json!({"kind": "auth", "code": AUTH_PIN}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "invalid_input", "{err}");
}

#[test]
fn a_locked_card_face_code_is_refused_before_it_is_sent() {
    let bench = Bench::new();
    let (_app, window) = bench.app(None);
    choose_simulator(&window);
    let code_a = bench.card.code(PinKind::SurfaceCodeA);
    let wrong = another_my_number(&code_a);
    let mut last = json!(null);
    for _ in 0..PinKind::SurfaceCodeA.retry_limit() {
        last = invoke(
            &window,
            "card_surface",
            json!({"kind": "surface_code_a", "code": wrong}),
        )
        .unwrap_err();
    }
    assert_eq!(code(&last), "pin_locked", "{last}");
    let status = invoke(&window, "pin_status", json!({"kind": "surface_code_a"})).unwrap();
    assert_eq!(status, json!({"state": "locked"}));
    // Locked: the right code is refused too, and the counter stays at zero.
    let err = invoke(
        &window,
        "card_surface",
        json!({"kind": "surface_code_a", "code": code_a}),
    )
    .unwrap_err();
    assert_eq!(code(&err), "pin_locked", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("municipal office")
    );
    assert_eq!(bench.tries_left(PinKind::SurfaceCodeA), 0);
}

/// Names of the profiles `signing_setup` reports available, and what the others miss.
fn availability(setup: &Value) -> Vec<(String, bool, Option<String>)> {
    setup["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["available"].as_bool().unwrap(),
                p["missing"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn the_sign_screen_is_told_which_profiles_the_trust_folder_allows() {
    let bench = Bench::new();
    let trust = bench.card.dir().join("trust");
    run_sim(bench.card.path(), &["office", "export-trust", "trust"]);
    let (_app, window) = bench.app(Some(trust.clone()));
    let setup = |window| invoke(window, "signing_setup", json!({})).unwrap();

    // The office's CA and CRLs, no TSA: only what needs no timestamp.
    let first = setup(&window);
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        availability(&first),
        [
            ("pades-b".to_owned(), true, None),
            ("pades-b-lt".to_owned(), false, some("tsa")),
            ("pades-b-lta".to_owned(), false, some("tsa")),
            ("government".to_owned(), true, None),
            ("cades-b".to_owned(), true, None),
            ("cades-lt".to_owned(), false, some("tsa")),
        ]
    );
    assert_eq!(first["tsa_url"], Value::Null);
    assert!(first["crls"].as_u64().unwrap() >= 1, "{first}");
    assert_eq!(first["trust_dir"], trust.display().to_string());

    // A TSA URL but no CA to trust its timestamps with.
    std::fs::write(trust.join("tsa.toml"), "url = \"http://127.0.0.1:9/tsa\"\n").unwrap();
    let second = setup(&window);
    assert_eq!(second["tsa_url"], "http://127.0.0.1:9/tsa");
    assert_eq!(availability(&second)[1].2.as_deref(), Some("tsa_trust"));

    // Its CA in tsa/ (any CA certificate; the office's signing CA stands in): all available.
    std::fs::create_dir(trust.join("tsa")).unwrap();
    std::fs::copy(trust.join("sign-ca.pem"), trust.join("tsa/ca.pem")).unwrap();
    let third = setup(&window);
    assert!(availability(&third).iter().all(|(_, ok, _)| *ok), "{third}");
    assert_eq!(third["tsa_anchors"], 1);

    // No CRL left: the long-term profiles have nothing to embed.
    for entry in std::fs::read_dir(&trust).unwrap().flatten() {
        if entry.file_name().to_string_lossy().contains("crl") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let fourth = setup(&window);
    assert_eq!(availability(&fourth)[1].2.as_deref(), Some("revocation"));
    assert!(availability(&fourth)[0].1);

    // A broken tsa.toml: said, and the timestamp profiles are off (no other TSA is tried).
    std::fs::write(trust.join("tsa.toml"), "url = \"tsa.example.jp\"\n").unwrap();
    let fifth = setup(&window);
    assert_eq!(fifth["tsa_problem"]["code"], "invalid_input");
    assert_eq!(fifth["tsa_url"], Value::Null);
    assert_eq!(availability(&fifth)[2].2.as_deref(), Some("tsa_settings"));
    assert!(availability(&fifth)[3].1, "government needs no TSA");
}

#[test]
fn a_profile_that_is_unknown_does_not_fit_or_lacks_its_tsa_is_refused_before_the_card() {
    let bench = Bench::new();
    run_sim(bench.card.path(), &["office", "export-trust", "trust"]);
    let (_app, window) = bench.app(Some(bench.card.dir().join("trust")));
    choose_simulator(&window);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("contract.pdf");
    std::fs::write(&input, sample_pdf(1)).unwrap();
    let output = dir.path().join("contract-signed.pdf");
    let sign = |profile: Value| {
        invoke(
            &window,
            "sign_document",
            json!({"input": input, "output": output, "pin": SIGN_PIN, "visible": false,
                   "overwrite": false, "profile": profile}),
        )
        .unwrap_err()
    };

    let err = sign(json!("pades-forever"));
    assert_eq!(code(&err), "invalid_input");
    let said = err["message"].as_str().unwrap();
    assert!(
        said.contains("pades-forever") && said.contains("pades-b-lt"),
        "{said}"
    );
    let err = sign(json!("cades-b"));
    assert_eq!(code(&err), "invalid_input", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("is a PDF"),
        "{err}"
    );
    let err = sign(json!("pades-b-lt"));
    assert_eq!(code(&err), "invalid_input", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("tsa.toml"),
        "{err}"
    );
    std::fs::write(
        bench.card.dir().join("trust/tsa.toml"),
        "url = \"http://127.0.0.1:9/\"\n",
    )
    .unwrap();
    let err = sign(json!("pades-b-lta"));
    assert_eq!(code(&err), "invalid_input", "{err}");
    assert!(err["message"].as_str().unwrap().contains("tsa/"), "{err}");

    assert!(
        bench.seen.lock().unwrap().is_empty(),
        "nothing reaches the card"
    );
    assert_eq!(bench.tries_left(PinKind::Sign), 5);
    assert!(!output.exists());
}

#[test]
fn keeps_its_proof_for_years_timestamps_with_the_configured_tsa_and_checks_b_lt() {
    let bench = Bench::new();
    let trust = bench.card.dir().join("trust");
    run_sim(bench.card.path(), &["office", "export-trust", "trust"]);
    let tsa = Tsa::start(&bench.card.dir().join("tsa-server"));
    std::fs::write(trust.join("tsa.toml"), format!("url = \"{}\"\n", tsa.url())).unwrap();
    std::fs::create_dir(trust.join("tsa")).unwrap();
    std::fs::copy(tsa.ca_pem(), trust.join("tsa/ca.pem")).unwrap();
    let (_app, window) = bench.app(Some(trust));
    choose_simulator(&window);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("contract.pdf");
    std::fs::write(&input, sample_pdf(2)).unwrap();

    for (profile, level) in [
        ("pades-b-lt", "B-LT"),
        ("government", "B-B"),
        ("pades-b-lta", "B-LTA"),
    ] {
        let output = dir.path().join(format!("{profile}.pdf"));
        let signed = invoke(
            &window,
            "sign_document",
            json!({"input": input, "output": output, "pin": SIGN_PIN, "visible": false,
                   "overwrite": false, "profile": profile}),
        )
        .unwrap_or_else(|e| panic!("{profile}: {e}"));
        assert_eq!(signed["profile"], profile);
        assert_eq!(signed["level"], level, "{signed}");
        assert_eq!(signed["verification"]["valid"], true, "{signed}");
        assert_eq!(signed["verification"]["trusted"], true, "{signed}");
    }
    // Without a profile: the baseline, as before.
    let output = dir.path().join("plain.pdf");
    let signed = invoke(
        &window,
        "sign_document",
        json!({"input": input, "output": output, "pin": SIGN_PIN, "visible": false, "overwrite": false}),
    )
    .unwrap();
    assert_eq!(
        (&signed["profile"], &signed["level"]),
        (&json!("pades-b"), &json!("B-B"))
    );

    // Any other file, long-term: a detached CAdES signature whose timestamp is checked.
    let csv = dir.path().join("ledger.csv");
    std::fs::write(&csv, "2026-12-03,invoice 42,10000\n").unwrap();
    let signed = invoke(
        &window,
        "sign_document",
        json!({"input": csv, "output": dir.path().join("ledger.csv.p7s"), "pin": SIGN_PIN,
               "visible": false, "overwrite": false, "profile": "cades-lt"}),
    )
    .unwrap();
    assert_eq!(signed["format"], "cades");
    assert_eq!(signed["profile"], "cades-lt");
    assert_eq!(signed["verification"]["valid"], true, "{signed}");
    assert_eq!(bench.tries_left(PinKind::Sign), 5);
}
