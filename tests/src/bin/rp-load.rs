//! Load and faults for kazasu-rp: two instances behind one Redis, whole card logins (the card's
//! signature made by a simulated card in this process) plus a share of hostile requests, with Redis
//! and one instance restarted in the middle.
//!
//! `rp-load --seconds S --workers W [--json]`, with `kazasu-rp` and `redis-server` found as the
//! end-to-end tests find them (`KAZASU_BIN_DIR`, else beside this program). Prints logins per second,
//! p50/p99 latency of a whole login, peak memory of each instance, and the counts that must be zero:
//! challenges accepted twice, 5xx answers to bad input, sessions lost. Exits 1 when one is not zero.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kazasu_core::login::{Challenge, card_assertion};
use kazasu_core::pin::{Pin, PinKind};
use kazasu_sim::{CaKind, CardState, HolderProfile, IssueOptions, Jlis, SimTransport, issue_card};
use kazasu_tests::child::{free_port, lines_of};
use serde_json::{Value, json};

/// The origin both instances stand for (as behind one load balancer).
const ORIGIN: &str = "https://rp.example";
/// The sample card's authentication PIN.
const AUTH_PIN: &str = "1234";
/// One hostile request for every this many logins (per worker).
const HOSTILE_EVERY: u64 = 3;
/// One replay of a finished login for every this many logins (per worker).
const REPLAY_EVERY: u64 = 5;
/// How long a request may take before it counts as lost.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Counts {
    logins: AtomicU64,
    login_failures: AtomicU64,
    unavailable: AtomicU64,
    hostile: AtomicU64,
    server_errors_to_bad_input: AtomicU64,
    replays: AtomicU64,
    accepted_twice: AtomicU64,
}

struct Redis {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Redis {
    /// A redis-server on `port` keeping its data in `dir` (append-only, fsync always: what it
    /// acknowledged survives its restart).
    fn start(dir: &Path, port: u16) -> Redis {
        let mut child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server (apt-get install redis-server)");
        let lines = lines_of(&mut child);
        loop {
            match lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line.contains("Ready to accept connections") => break,
                Ok(_) => continue,
                Err(_) => panic!("redis-server did not start"),
            }
        }
        Redis {
            child,
            port,
            dir: dir.to_owned(),
        }
    }

    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        *self = Redis::start(&self.dir.clone(), self.port);
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Instance {
    child: Child,
    config: PathBuf,
    url: String,
    peak_kib: u64,
}

impl Instance {
    fn start(dir: &Path, trust: &Path, redis_port: u16) -> Instance {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let config = dir.join(format!("kazasu-rp-{port}.toml"));
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:{port}\"\npublic_url = \"{ORIGIN}\"\nrp_id = \"rp.example\"\n\
                 origin = \"{ORIGIN}\"\ntrust_anchors = [{:?}]\ncrls = [{:?}]\n\
                 session_key = \"session-key.pem\"\nredis_url = \"redis://127.0.0.1:{redis_port}/\"\n",
                trust.join("auth-ca.der"),
                trust.join("auth-crl.der").display().to_string(),
            ),
        )
        .expect("write the configuration");
        let child = Instance::spawn(&config);
        Instance {
            child,
            config,
            url,
            peak_kib: 0,
        }
    }

    fn spawn(config: &Path) -> Child {
        let mut child = Command::new(kazasu_rp())
            .arg("--config")
            .arg(config)
            .env("KAZASU_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kazasu-rp");
        let lines = lines_of(&mut child);
        loop {
            match lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line.starts_with("listening on ") => break,
                Ok(_) => continue,
                Err(_) => panic!("kazasu-rp did not start ({})", config.display()),
            }
        }
        child
    }

    /// The most resident memory this instance's process has used (VmHWM), in KiB.
    fn sample_peak(&mut self) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        self.peak_kib = self.peak_kib.max(hwm);
    }

    fn restart(&mut self) {
        self.sample_peak();
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = Instance::spawn(&self.config);
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kazasu-rp`: in `KAZASU_BIN_DIR`, else beside this program (both are built into one directory).
fn kazasu_rp() -> PathBuf {
    let dir = match std::env::var_os("KAZASU_BIN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()
            .expect("this program's path")
            .parent()
            .expect("its directory")
            .to_owned(),
    };
    let path = dir.join("kazasu-rp");
    assert!(
        path.exists(),
        "{} is not built: cargo build -p kazasu-rp",
        path.display()
    );
    path
}

/// The status and body of one request; `None` when the server could not be reached.
fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&[u8]>,
) -> Option<(u16, Vec<u8>)> {
    let request = agent
        .request(method, url)
        .set("Content-Type", "application/json");
    let result = match body {
        Some(b) => request.send_bytes(b),
        None => request.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(_)) => return None,
    };
    let status = response.status();
    let mut bytes = Vec::new();
    response
        .into_reader()
        .take(1 << 20)
        .read_to_end(&mut bytes)
        .ok()?;
    Some((status, bytes))
}

/// One whole card login: a challenge from one instance, the card's assertion, the finish at the
/// other. Returns the finish request and the token.
fn login(
    agent: &ureq::Agent,
    card: &mut SimTransport,
    pin: &Pin,
    from: &str,
    to: &str,
) -> Result<(Vec<u8>, String), Option<u16>> {
    let (status, body) = send(
        agent,
        "POST",
        &format!("{from}/v1/login/challenge"),
        Some(b"{}"),
    )
    .ok_or(None)?;
    if status != 201 {
        return Err(Some(status));
    }
    let answer: Value = serde_json::from_slice(&body).map_err(|_| Some(status))?;
    let challenge: Challenge =
        serde_json::from_value(answer["challenge"].clone()).map_err(|_| Some(status))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let assertion =
        card_assertion(&mut *card, pin, &challenge, ORIGIN, now, None).map_err(|_| None)?;
    let finish = serde_json::to_vec(&json!({ "nonce": challenge.nonce, "assertion": assertion }))
        .expect("JSON");
    let (status, body) = send(
        agent,
        "POST",
        &format!("{to}/v1/login/finish"),
        Some(&finish),
    )
    .ok_or(None)?;
    if status != 200 {
        return Err(Some(status));
    }
    let answer: Value = serde_json::from_slice(&body).map_err(|_| Some(status))?;
    let token = answer["token"].as_str().ok_or(Some(status))?.to_owned();
    Ok((finish, token))
}

/// One hostile request of the kind `n` picks, to `url`; true if the server answered 5xx.
fn hostile(agent: &ureq::Agent, url: &str, n: u64, last_finish: Option<&[u8]>) -> Option<bool> {
    let garbage_nonce = "A".repeat(43);
    let (status, _) = match n % 6 {
        0 => send(
            agent,
            "POST",
            &format!("{url}/v1/login/finish"),
            Some(b"{\"nonce\": 12, \"assertion\": []}"),
        )?,
        1 => send(
            agent,
            "POST",
            &format!("{url}/v1/login/finish"),
            Some(&vec![b'x'; 64 * 1024]),
        )?,
        2 => {
            // A finish whose signature was tampered with: it must not be accepted, nor burn anything.
            let mut body = last_finish
                .map(<[u8]>::to_vec)
                .unwrap_or_else(|| b"{}".to_vec());
            if let Some(i) = body.iter().rposition(|b| b.is_ascii_alphanumeric()) {
                body[i] = if body[i] == b'A' { b'B' } else { b'A' };
            }
            send(
                agent,
                "POST",
                &format!("{url}/v1/login/finish"),
                Some(&body),
            )?
        }
        3 => send(
            agent,
            "GET",
            &format!("{url}/v1/login/status/{garbage_nonce}"),
            None,
        )?,
        4 => send(
            agent,
            "POST",
            &format!("{url}/v1/login/challenge"),
            Some(b"{\"origin\": \"https://evil.example\"}"),
        )?,
        _ => send(
            agent,
            "POST",
            &format!("{url}/v1/device/finish"),
            Some(b"not json at all"),
        )?,
    };
    Some(status >= 500 && status != 503)
}

struct Options {
    seconds: u64,
    workers: usize,
    json: bool,
}

fn options() -> Options {
    let mut opts = Options {
        seconds: 20,
        workers: 4,
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                opts.seconds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--seconds N")
            }
            "--workers" => {
                opts.workers = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--workers N")
            }
            "--json" => opts.json = true,
            other => {
                eprintln!("usage: rp-load [--seconds S] [--workers W] [--json] (not {other:?})");
                std::process::exit(2);
            }
        }
    }
    opts
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn main() {
    let opts = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let card_path = dir.path().join("card.json");
    issue_card(
        &card_path,
        &HolderProfile::sample(),
        &IssueOptions::default(),
    )
    .expect("issue a card");
    let card = CardState::load(&card_path).expect("card");
    let jlis = Jlis::for_card(&card_path).expect("J-LIS");
    std::fs::write(
        dir.path().join("auth-ca.der"),
        jlis.ca_cert_der(CaKind::Auth),
    )
    .expect("CA");
    std::fs::write(
        dir.path().join("auth-crl.der"),
        jlis.crl_der(CaKind::Auth).expect("CRL"),
    )
    .expect("CRL");

    let redis_dir = dir.path().join("redis");
    std::fs::create_dir_all(&redis_dir).expect("redis dir");
    let mut redis = Redis::start(&redis_dir, free_port());
    let instances = Arc::new(Mutex::new([
        Instance::start(dir.path(), dir.path(), redis.port),
        Instance::start(dir.path(), dir.path(), redis.port),
    ]));
    let urls: Vec<String> = instances
        .lock()
        .expect("instances")
        .iter()
        .map(|i| i.url.clone())
        .collect();

    let counts = Arc::new(Counts::default());
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..opts.workers)
        .map(|w| {
            let (counts, latencies, tokens, stop, urls) = (
                counts.clone(),
                latencies.clone(),
                tokens.clone(),
                stop.clone(),
                urls.clone(),
            );
            let mut card = SimTransport::in_memory(card.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(REQUEST_TIMEOUT).build();
                let pin = Pin::parse(PinKind::Auth, AUTH_PIN).expect("PIN");
                let mut last_finish: Option<Vec<u8>> = None;
                let mut n = w as u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let (from, to) = (&urls[(n % 2) as usize], &urls[((n + 1) % 2) as usize]);
                    let t = Instant::now();
                    match login(&agent, &mut card, &pin, from, to) {
                        Ok((finish, token)) => {
                            latencies.lock().expect("latencies").push(t.elapsed());
                            counts.logins.fetch_add(1, Ordering::Relaxed);
                            if n.is_multiple_of(50) {
                                tokens.lock().expect("tokens").push(token);
                            }
                            if n.is_multiple_of(REPLAY_EVERY) {
                                // The same finish again, at the instance that did not take it.
                                counts.replays.fetch_add(1, Ordering::Relaxed);
                                if let Some((200, _)) = send(
                                    &agent,
                                    "POST",
                                    &format!("{from}/v1/login/finish"),
                                    Some(&finish),
                                ) {
                                    counts.accepted_twice.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                            last_finish = Some(finish);
                        }
                        Err(None) | Err(Some(503)) => {
                            counts.unavailable.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        Err(Some(_)) => {
                            counts.login_failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    if n.is_multiple_of(HOSTILE_EVERY) {
                        match hostile(&agent, to, n / HOSTILE_EVERY, last_finish.as_deref()) {
                            Some(true) => {
                                counts
                                    .server_errors_to_bad_input
                                    .fetch_add(1, Ordering::Relaxed);
                                counts.hostile.fetch_add(1, Ordering::Relaxed);
                            }
                            Some(false) => {
                                counts.hostile.fetch_add(1, Ordering::Relaxed);
                            }
                            None => {
                                counts.unavailable.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
            })
        })
        .collect();

    // Faults: Redis restarts at a third of the run, the first instance at two thirds.
    let third = Duration::from_secs(opts.seconds) / 3;
    std::thread::sleep(third);
    redis.restart();
    std::thread::sleep(third);
    instances.lock().expect("instances")[0].restart();
    std::thread::sleep(Duration::from_secs(opts.seconds).saturating_sub(started.elapsed()));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("worker");
    }
    let elapsed = started.elapsed();

    // Every session issued still opens the high-assurance page at both instances.
    let agent = ureq::AgentBuilder::new().timeout(REQUEST_TIMEOUT).build();
    let tokens = tokens.lock().expect("tokens").clone();
    let mut lost = 0u64;
    for token in &tokens {
        for url in &urls {
            let ok = agent
                .get(&format!("{url}/v1/high-assurance"))
                .set("Authorization", &format!("Bearer {token}"))
                .call()
                .is_ok();
            lost += u64::from(!ok);
        }
    }
    let mut instances = instances.lock().expect("instances");
    for i in instances.iter_mut() {
        i.sample_peak();
    }
    let mut sorted = latencies.lock().expect("latencies").clone();
    sorted.sort();
    let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let report = json!({
        "seconds": elapsed.as_secs_f64(),
        "workers": opts.workers,
        "logins": c(&counts.logins),
        "logins_per_second": c(&counts.logins) as f64 / elapsed.as_secs_f64(),
        "p50_ms": percentile(&sorted, 0.50).as_secs_f64() * 1e3,
        "p99_ms": percentile(&sorted, 0.99).as_secs_f64() * 1e3,
        "peak_memory_mib": instances.iter().map(|i| i.peak_kib as f64 / 1024.0).collect::<Vec<_>>(),
        "login_failures": c(&counts.login_failures),
        "unavailable_during_restarts": c(&counts.unavailable),
        "hostile_requests": c(&counts.hostile),
        "server_errors_to_bad_input": c(&counts.server_errors_to_bad_input),
        "replays": c(&counts.replays),
        "challenges_accepted_twice": c(&counts.accepted_twice),
        "sessions_checked": tokens.len() * urls.len(),
        "sessions_lost": lost,
    });
    if opts.json {
        println!("{report}");
    } else {
        for (k, v) in report.as_object().expect("object") {
            println!("{k:>30}: {v}");
        }
    }
    let bad = c(&counts.accepted_twice) + c(&counts.server_errors_to_bad_input) + lost;
    std::process::exit(i32::from(bad > 0 || c(&counts.logins) == 0));
}
