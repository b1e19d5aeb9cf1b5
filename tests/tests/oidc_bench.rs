//! End-to-end OpenID Connect logins per second (`scripts/bench-login` runs it; ignored in the
//! normal test run): Redis and two kazasu-rp instances, each flow over HTTP as a browser and a
//! client do it — authorization page (instance A), challenge (B), finish (B), status (A),
//! continue with the cookie (A), token with client_secret_basic (B). The card's signature is made
//! in this process by a simulated card per worker and timed apart, so the figure is the
//! provider's: flows per second and p50/p99 latency of the HTTP steps alone, beside the
//! signing time. Every flow must end in a token: any failure fails the run.
//!
//! `KAZASU_OIDC_BENCH_SECONDS` (default 10) and `KAZASU_OIDC_BENCH_WORKERS` (default 2).

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use kazasu_core::login::Challenge;
use kazasu_core::pin::{Pin, PinKind};
use kazasu_tests::AUTH_PIN;
use kazasu_tests::oidc::{DEMO_CLIENT, OidcBench, get, open, query_of};

/// RFC 7636 appendix B's verifier and S256 challenge (one pair serves every flow).
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Standard base64 (for the Basic header).
fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The addresses a flow uses (the bench itself stays on the test's thread).
struct Urls {
    issuer: String,
    other: String,
    redirect_uri: String,
}

/// One flow: (HTTP time, signing time).
fn flow(bench: &Urls, card: &std::path::Path, basic: &str) -> (Duration, Duration) {
    let started = Instant::now();
    let url = format!(
        "{}/oidc/authorize?response_type=code&client_id={DEMO_CLIENT}&redirect_uri={}&scope=openid\
         &state=s&nonce=n&code_challenge={CHALLENGE}&code_challenge_method=S256",
        bench.issuer,
        bench.redirect_uri.replace(':', "%3A").replace('/', "%2F"),
    );
    let opened = open(&url);
    let challenge: Challenge = serde_json::from_str(
        &get(
            &format!("{}/v1/login/challenge/{}", bench.other, opened.nonce),
            None,
        )
        .body,
    )
    .unwrap();
    let signing = Instant::now();
    let transport = kazasu_sim::SimTransport::open(card).unwrap();
    let pin = Pin::parse(PinKind::Auth, AUTH_PIN).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let assertion = kazasu_core::login::card_assertion(
        transport,
        &pin,
        &challenge,
        &challenge.origin,
        now,
        None,
    )
    .unwrap();
    let signed = signing.elapsed();
    let body = serde_json::json!({ "nonce": opened.nonce, "assertion": assertion });
    let finish = ureq::post(&format!("{}/v1/login/finish", bench.other)).send_json(body);
    assert!(finish.is_ok(), "finish: {finish:?}");
    let status = get(
        &format!("{}/oidc/status/{}", bench.issuer, opened.nonce),
        None,
    );
    assert_eq!(status.body, r#"{"state":"done"}"#);
    let next = get(
        &format!("{}/oidc/continue/{}", bench.issuer, opened.nonce),
        Some(&opened.cookie),
    );
    let code = query_of(&next.location.unwrap())["code"].clone();
    let form = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}",
        bench.redirect_uri.replace(':', "%3A").replace('/', "%2F"),
    );
    let token = ureq::post(&format!("{}/oidc/token", bench.other))
        .set("Authorization", basic)
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(&form)
        .unwrap();
    assert_eq!(token.status(), 200);
    (started.elapsed() - signed, signed)
}

#[test]
#[ignore = "a measurement: scripts/bench-login runs it"]
fn authorization_requests_to_tokens_per_second() {
    let seconds = env_or("KAZASU_OIDC_BENCH_SECONDS", 10);
    let workers = env_or("KAZASU_OIDC_BENCH_WORKERS", 2);
    let bench = OidcBench::start("", |_| {});
    let basic = format!(
        "Basic {}",
        base64(format!("{DEMO_CLIENT}:{}", bench.secret).as_bytes())
    );
    let cards: Vec<kazasu_tests::TestCard> = (0..workers).map(|_| bench.card.twin()).collect();
    let urls = Urls {
        issuer: bench.issuer.clone(),
        other: bench.other.clone(),
        redirect_uri: bench.redirect_uri.clone(),
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let results: Vec<(Duration, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = cards
            .iter()
            .map(|card| {
                let (bench, basic) = (&urls, &basic);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    while Instant::now() < deadline {
                        out.push(flow(bench, card.path(), basic));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let wall = started.elapsed().as_secs_f64();
    let mut http: Vec<Duration> = results.iter().map(|r| r.0).collect();
    http.sort();
    let signing: Duration = results.iter().map(|r| r.1).sum();
    let http_total: Duration = http.iter().sum();
    let n = http.len();
    assert!(n > 0, "no flow finished");
    let pct = |p: f64| http[((n as f64 * p) as usize).min(n - 1)].as_secs_f64() * 1000.0;
    println!(
        "OIDC end to end (Redis, 2 instances, {workers} workers, {seconds} s): {n} flows \
         (authorize, challenge, finish, status, continue, token), {:.1} flows/s wall with the card \
         signing in-process; HTTP steps alone {:.1} flows/s ({workers} workers / mean HTTP time), \
         p50 {:.1} ms, p99 {:.1} ms; card signature {:.1} ms each",
        n as f64 / wall,
        workers as f64 / (http_total.as_secs_f64() / n as f64),
        pct(0.50),
        pct(0.99),
        signing.as_secs_f64() * 1000.0 / n as f64,
    );
}
