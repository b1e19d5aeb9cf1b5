//! Two kazasu-rp instances sharing one real Redis: a challenge made on one is finished on the
//! other exactly once, device bindings and revocations are shared, and a Redis outage gives 503.
//!
//! Needs `redis-server` on the PATH (Debian: `apt-get install redis-server`); the test starts its
//! own on a free loopback port and stops it. Without it the test is skipped with a message,
//! unless `KAZASU_REQUIRE_REDIS=1`, which makes it fail instead.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, Setup, card_login, device_key};
use serde_json::json;

/// A redis-server child process on a free loopback port, killed when dropped.
struct RedisServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    fn start() -> Option<RedisServer> {
        if Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            let message = "redis-server not found: install it (apt-get install redis-server)";
            if std::env::var("KAZASU_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
                panic!("{message}");
            }
            eprintln!("SKIPPED: {message}");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let server = RedisServer {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sharing_redis_finish_a_challenge_exactly_once() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let setup = Setup::new();
    let extra = format!("redis_url = \"{}\"", redis.url());
    let a = Server::start(setup.config(&extra)).await;
    let b = Server::start(setup.config(&extra)).await;

    // Made on A, seen and finished on B; A then finds it used.
    let (challenge, cookie, _) = a.browser_challenge().await;
    // Everything kept for a login expires by itself in Redis.
    let mut conn = redis::Client::open(redis.url().as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    for kind in ["challenge", "status"] {
        let ttl: i64 = redis::cmd("TTL")
            .arg(format!("kazasu:{kind}:{}", challenge.nonce))
            .query(&mut conn)
            .unwrap();
        assert!((1..=150).contains(&ttl), "{kind}: TTL {ttl}");
    }
    let (status, _) = b
        .get(&format!("/v1/login/challenge/{}", challenge.nonce), None)
        .await;
    assert_eq!(status, 200);
    let assertion = card_login(&setup.card(), &challenge, None).await;
    let (status, finished) = b
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200, "{finished}");
    let (status, body) = a
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.get("token").is_none());
    // The browser polling A sees the login finished on B, and gets the token once; someone
    // with the nonce alone, on either instance, sees it done and nothing more.
    let status_path = format!("/v1/login/status/{}", challenge.nonce);
    let (_, _, st) = b.get_with_cookie(&status_path, None).await;
    assert_eq!(st, json!({ "state": "done" }));
    let (_, _, st) = a.get_with_cookie(&status_path, Some(&cookie)).await;
    assert_eq!(st["state"], "logged_in");
    assert_eq!(st["token"], finished["token"]);
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("kazasu:status:{}", challenge.nonce))
        .query(&mut conn)
        .unwrap();
    assert!((1..=300).contains(&ttl), "status TTL {ttl}");
    let (_, _, st) = b.get_with_cookie(&status_path, Some(&cookie)).await;
    assert_eq!(st, json!({ "state": "done" }));
    // Either instance accepts the token (shared key file).
    let (status, _) = a
        .get("/v1/high-assurance", finished["token"].as_str())
        .await;
    assert_eq!(status, 200);

    // The same assertion sent to both at once: exactly one token.
    for _ in 0..3 {
        let challenge = a.challenge().await;
        let assertion = card_login(&setup.card(), &challenge, None).await;
        let (ra, rb) = tokio::join!(
            a.finish("/v1/login/finish", &challenge.nonce, &assertion),
            b.finish("/v1/login/finish", &challenge.nonce, &assertion),
        );
        let mut codes = [ra.0, rb.0];
        codes.sort();
        assert_eq!(codes, [200, 404], "{ra:?} {rb:?}");
    }

    // A device bound on A logs in on B; the server-side revocation command reaches both.
    let (key, spki) = device_key();
    let challenge = a.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, Some(spki)).await;
    let (status, card) = a
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200);
    let device_id = card["device_id"].as_str().unwrap().to_owned();
    let device_login = async |server: &Server| server.device_login(&key).await.0;
    assert_eq!(device_login(&b).await, 200);
    let output = Command::new(env!("CARGO_BIN_EXE_kazasu-rp"))
        .arg("revoke-device")
        .arg("--config")
        .arg(setup.path("kazasu-rp.toml"))
        .arg(&device_id)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(device_login(&a).await, 401);
    assert_eq!(device_login(&b).await, 401);

    // A flood of challenges is cut off once the shared per-window count is reached.
    let limited = kazasu_rp::redis_store::RedisStore::connect(&redis.url())
        .await
        .unwrap()
        .with_max_per_window(10);
    let mut results = Vec::new();
    for _ in 0..30 {
        let c = kazasu_core::login::Challenge::new("rp.example", common::ORIGIN, 0, 60);
        results.push(kazasu_rp::Store::put_challenge(&limited, &c, Duration::from_secs(60)).await);
    }
    // Other challenges this window (above) count too, and the window may turn over once during
    // the loop: at most ten per window fit, so at least ten of the thirty are refused.
    let stored = results.iter().filter(|r| r.is_ok()).count();
    assert!(stored <= 20 && 30 - stored >= 10, "{stored} of 30 stored");
    assert!(
        results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| *r == Err(kazasu_rp::store::StoreError::Full))
    );

    // Redis gone: 503 with a short reason, no panic, no 500.
    redis.stop();
    let r = common::client()
        .post(a.at("/v1/login/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "store unavailable: redis unavailable");
}
