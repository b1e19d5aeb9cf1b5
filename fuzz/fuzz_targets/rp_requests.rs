//! kazasu-rp's request handling under hostile bodies: every request to every POST route gets
//! an answer below 500 (bad input is the client's fault, never the server's), without panicking.
//!
//! Input: the first byte picks the route; the rest is the body, sent as JSON.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request};
use kazasu_rp::{App, Config};
use kazasu_sim::{CaKind, HolderProfile, IssueOptions, Jlis, issue_card};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const ROUTES: [&str; 4] = [
    "/v1/login/challenge",
    "/v1/login/finish",
    "/v1/device/challenge",
    "/v1/device/finish",
];

struct Rp {
    runtime: tokio::runtime::Runtime,
    app: App,
}

fn rp() -> &'static Rp {
    static RP: OnceLock<Rp> = OnceLock::new();
    RP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let card = dir.join("card.json");
        // `KAZASU_FUZZ_CARD` (issued once by `scripts/fuzz-seeds`, its J-LIS beside it), else a new one.
        match std::env::var_os("KAZASU_FUZZ_CARD") {
            Some(path) => {
                let path = std::path::PathBuf::from(path);
                std::fs::copy(&path, &card).expect("copy the card");
                let jlis = path.with_file_name(kazasu_sim::JLIS_FILE);
                std::fs::copy(jlis, dir.join(kazasu_sim::JLIS_FILE)).expect("copy its J-LIS");
            }
            None => issue_card(&card, &HolderProfile::sample(), &IssueOptions::default())
                .expect("issue"),
        }
        let jlis = Jlis::for_card(&card).expect("jlis");
        std::fs::write(dir.join("auth-ca.der"), jlis.ca_cert_der(CaKind::Auth)).expect("ca");
        std::fs::write(
            dir.join("auth-crl.der"),
            jlis.crl_der(CaKind::Auth).expect("crl"),
        )
        .expect("crl");
        let config_path = dir.join("kazasu-rp.toml");
        std::fs::write(
            &config_path,
            "listen = \"127.0.0.1:0\"\nrp_id = \"rp.example\"\norigin = \"https://rp.example\"\n\
             trust_anchors = [\"auth-ca.der\"]\ncrls = [\"auth-crl.der\"]\n",
        )
        .expect("config");
        let config = Config::load(&config_path).expect("load config");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let app = runtime
            .block_on(App::new(config, "127.0.0.1:9".parse().expect("address")))
            .expect("app");
        Rp { runtime, app }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let rp = rp();
    let request = Request::builder()
        .method(Method::POST)
        .uri(ROUTES[usize::from(pick) % ROUTES.len()])
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
        .expect("request");
    let response = rp
        .runtime
        .block_on(rp.app.router().oneshot(request))
        .expect("infallible");
    assert!(
        response.status().as_u16() < 500,
        "{} for a hostile body",
        response.status()
    );
});
