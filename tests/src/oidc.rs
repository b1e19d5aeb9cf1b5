//! The OpenID Connect end-to-end bench: Redis, two `kazasu-rp` instances sharing it (one issuer
//! URL, as behind a load balancer), clients registered with `kazasu-rp client add`, the Authlib
//! demo service (`examples/oidc-demo`), and the steps a browser and a phone take, done over
//! HTTP by the test (the browser) and by `kazasu login` with the simulated card (the phone).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::bins::{bin, run_kazasu, run_sim, text};
use crate::child::{free_ports, lines_of};
use crate::{AUTH_PIN, TestCard};

/// How long a server may take to say it listens.
const START: Duration = Duration::from_secs(30);
/// How long the card login may take to show up in the status.
const DONE: Duration = Duration::from_secs(30);
/// The demo's client id (client_secret_basic).
pub const DEMO_CLIENT: &str = "demo";
/// A client authenticating with private_key_jwt under an EC P-256 key (ES256).
pub const ES_CLIENT: &str = "demo-es256";
/// A client authenticating with private_key_jwt under an RSA key (RS256).
pub const RS_CLIENT: &str = "demo-rs256";

/// A child process killed when dropped, with the receiver of its stdout lines kept so that the
/// pipe stays drained (a closed pipe would kill a chatty child with SIGPIPE).
struct Proc {
    child: Child,
    _lines: std::sync::mpsc::Receiver<String>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for_line(mut child: Child, needle: &str, what: &str) -> Proc {
    let lines = lines_of(&mut child);
    let deadline = Instant::now() + START;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => {
                return Proc {
                    child,
                    _lines: lines,
                };
            }
            Ok(_) => continue,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{what} did not start");
            }
        }
    }
}

/// The bench. Everything is stopped when it is dropped.
pub struct OidcBench {
    /// The card (and its office and trust material).
    pub card: TestCard,
    /// The issuer URL (instance A's address).
    pub issuer: String,
    /// Instance B's address: the same issuer, another process, the same Redis.
    pub other: String,
    /// The demo's address.
    pub demo: String,
    /// The demo's redirect URI.
    pub redirect_uri: String,
    /// The demo client's secret, as `kazasu-rp client add --secret` printed it.
    pub secret: String,
    /// Stopped when the bench is dropped (the demo first, Redis last).
    _procs: Vec<Proc>,
}

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        text(&out.stderr)
    );
}

/// A JWKS file of the public key in `pem`, made by Authlib (what a Python client would publish).
fn jwks_of(dir: &Path, pem: &str, out: &str) {
    let script = "import json,sys\nfrom authlib.jose import JsonWebKey\n\
                  k=JsonWebKey.import_key(open(sys.argv[1],'rb').read())\n\
                  print(json.dumps({'keys':[k.as_dict(is_private=False)]}))";
    let result = Command::new("python3")
        .args(["-c", script, pem])
        .current_dir(dir)
        .output()
        .expect("run python3");
    assert!(
        result.status.success(),
        "python3 (Authlib: scripts/install-deps): {}",
        text(&result.stderr)
    );
    std::fs::write(dir.join(out), &result.stdout).expect("write the JWKS");
}

/// `kazasu-rp client add --config FILE ARGS`: its stdout.
fn client_add(config: &Path, args: &[&str]) -> String {
    let out = Command::new(bin("kazasu-rp"))
        .arg("client")
        .arg("add")
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("run kazasu-rp client add");
    assert!(
        out.status.success(),
        "kazasu-rp client add {args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout).trim().to_owned()
}

/// The examples directory of the demo.
pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/oidc-demo")
}

impl OidcBench {
    /// Starts everything; `extra` goes into both instances' configuration (top level; `{trust}`
    /// stands for the directory of the exported CA certificates and CRLs), and
    /// `before` runs on the card before the trust material is exported (to revoke, say).
    pub fn start(extra: &str, before: impl FnOnce(&TestCard)) -> OidcBench {
        let card = TestCard::new();
        before(&card);
        let dir = card.dir().to_owned();
        let out = run_sim(card.path(), &["office", "export-trust", "trust"]);
        assert!(out.status.success(), "export-trust: {}", text(&out.stderr));
        let [redis_port, port_a, port_b, demo_port] = free_ports::<4>();
        let mut procs = Vec::new();
        let redis = Command::new("redis-server")
            .args(["--port", &redis_port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server (apt-get install redis-server)");
        procs.push(wait_for_line(
            redis,
            "Ready to accept connections",
            "redis-server",
        ));

        let issuer = format!("http://127.0.0.1:{port_a}");
        let demo = format!("http://127.0.0.1:{demo_port}");
        let redirect_uri = format!("{demo}/callback");
        let trust = dir.join("trust");
        let base = format!(
            "public_url = \"{issuer}\"\nrp_id = \"127.0.0.1\"\norigin = \"{issuer}\"\n\
             trust_anchors = [{:?}]\ncrls = [{:?}]\nsession_key = \"session-key.pem\"\n\
             redis_url = \"redis://127.0.0.1:{redis_port}/\"\n{}\n",
            trust.join("auth-ca.pem"),
            trust.join("auth-crl.pem").display().to_string(),
            extra.replace("{trust}", &trust.display().to_string()),
        );
        let config = dir.join("kazasu-rp.toml");
        std::fs::write(&config, &base).expect("write the configuration");

        // Clients, registered as an operator would.
        let secret = client_add(
            &config,
            &[
                "--id",
                DEMO_CLIENT,
                "--name",
                "Demo service",
                "--redirect-uri",
                &redirect_uri,
                "--post-logout-redirect-uri",
                &format!("{demo}/"),
                "--secret",
            ],
        );
        openssl(
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "es256.pem",
            ],
            &dir,
        );
        openssl(
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "rs256.pem",
            ],
            &dir,
        );
        jwks_of(&dir, "es256.pem", "es256.jwks.json");
        jwks_of(&dir, "rs256.pem", "rs256.jwks.json");
        for (id, jwks) in [
            (ES_CLIENT, "es256.jwks.json"),
            (RS_CLIENT, "rs256.jwks.json"),
        ] {
            client_add(
                &config,
                &[
                    "--id",
                    id,
                    "--redirect-uri",
                    &redirect_uri,
                    "--sector",
                    "127.0.0.1",
                    "--jwks",
                    dir.join(jwks).to_str().expect("utf-8 path"),
                ],
            );
        }
        let registered = std::fs::read_to_string(&config).expect("the configuration");
        for (port, name) in [(port_a, "a"), (port_b, "b")] {
            let path = dir.join(format!("kazasu-rp-{name}.toml"));
            std::fs::write(
                &path,
                format!("listen = \"127.0.0.1:{port}\"\n{registered}"),
            )
            .expect("write an instance's configuration");
            let child = Command::new(bin("kazasu-rp"))
                .arg("--config")
                .arg(&path)
                .stdout(Stdio::piped())
                .stderr(std::fs::File::create(dir.join(format!("rp-{name}.log"))).expect("log"))
                .spawn()
                .expect("start kazasu-rp");
            procs.push(wait_for_line(child, "listening on ", "kazasu-rp"));
        }

        let demo_child = Command::new("python3")
            .arg("app.py")
            .args(["--port", &demo_port.to_string()])
            .current_dir(demo_dir())
            .env("KAZASU_ISSUER", &issuer)
            .env("DEMO_CLIENT_ID", DEMO_CLIENT)
            .env("DEMO_CLIENT_SECRET", &secret)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("demo.log")).expect("log"))
            .spawn()
            .expect("start the demo (python3)");
        procs.push(wait_for_line(
            demo_child,
            "listening on ",
            "the demo service",
        ));
        wait_until_up(&demo);
        OidcBench {
            card,
            issuer,
            other: format!("http://127.0.0.1:{port_b}"),
            demo,
            redirect_uri,
            secret,
            _procs: procs.into_iter().rev().collect(),
        }
    }

    /// A file in the bench's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.card.dir().join(name)
    }

    /// The logs, for failure messages.
    pub fn logs(&self) -> String {
        ["rp-a.log", "rp-b.log", "demo.log"]
            .iter()
            .map(|f| format!("--- {f}\n{}", crate::child::log(&self.path(f))))
            .collect()
    }

    /// An Authlib call (`examples/oidc-demo/client_calls.py`): its JSON answer. `args` are
    /// option and value pairs, passed as `--option=value`: a random code or secret may begin
    /// with `-`, which argparse would take for an option.
    pub fn authlib(&self, command: &str, client_id: &str, args: &[&str]) -> serde_json::Value {
        assert!(
            args.len().is_multiple_of(2),
            "option and value pairs: {args:?}"
        );
        let out = Command::new("python3")
            .arg("client_calls.py")
            .arg(command)
            .arg(format!("--issuer={}", self.issuer))
            .arg(format!("--client-id={client_id}"))
            .arg(format!("--redirect-uri={}", self.redirect_uri))
            .args(
                args.chunks(2)
                    .map(|pair| format!("{}={}", pair[0], pair[1])),
            )
            .current_dir(demo_dir())
            .output()
            .expect("run python3");
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "client_calls.py {command} {args:?} ({e}): {}{}\n{}",
                text(&out.stdout),
                text(&out.stderr),
                self.logs()
            )
        })
    }

    /// `kazasu login URL` with the simulated card and `pin` (the phone).
    pub fn phone(&self, url: &str, pin: &str) -> Output {
        self.phone_with(self.card.path(), url, &[], &format!("{pin}\n"))
    }

    /// `kazasu login URL ARGS` with the simulated card at `card`, `stdin` fed in.
    pub fn phone_with(&self, card: &Path, url: &str, args: &[&str], stdin: &str) -> Output {
        let reader = format!("sim:{}", card.display());
        let home = self.path("phone");
        std::fs::create_dir_all(&home).expect("phone home");
        run_kazasu(
            &bin("kazasu"),
            &home,
            &[&["--reader", &reader, "login", url, "--pin-stdin"], args].concat(),
            stdin,
        )
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(20))
        .build()
}

fn wait_until_up(url: &str) {
    let deadline = Instant::now() + START;
    while agent().get(url).call().is_err() {
        assert!(Instant::now() < deadline, "{url} does not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What the browser has after opening the authorization page.
pub struct Opened {
    /// The login's nonce.
    pub nonce: String,
    /// `kazasu_oidc=<secret>`.
    pub cookie: String,
    /// The challenge URL (in the QR code).
    pub challenge_url: String,
}

/// An HTTP answer: status, `Location`, body.
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The `Location` header.
    pub location: Option<String>,
    /// The body.
    pub body: String,
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("HTTP: {e}"),
    };
    let status = response.status();
    let location = response.header("location").map(str::to_owned);
    let body = response.into_string().unwrap_or_default();
    Answer {
        status,
        location,
        body,
    }
}

/// `GET url` as a browser without following redirects, with `cookie` if given.
pub fn get(url: &str, cookie: Option<&str>) -> Answer {
    let mut request = agent().get(url);
    if let Some(c) = cookie {
        request = request.set("Cookie", c);
    }
    answer(request.call())
}

/// Opens an authorization URL as the browser does.
pub fn open(url: &str) -> Opened {
    let response = match agent().get(url).call() {
        Ok(r) => r,
        Err(e) => panic!("the authorization page: {e}"),
    };
    let cookie = response
        .header("set-cookie")
        .expect("the page sets the browser's cookie")
        .split(';')
        .next()
        .expect("a cookie")
        .to_owned();
    let body = response.into_string().expect("the page");
    let marker = "<span id=\"challenge-url\">";
    let start = body.find(marker).expect("the challenge URL on the page") + marker.len();
    let end = start + body[start..].find('<').expect("end of the URL");
    let challenge_url = body[start..end].replace("&amp;", "&");
    let nonce = challenge_url
        .rsplit('/')
        .next()
        .expect("a nonce")
        .to_owned();
    Opened {
        nonce,
        cookie,
        challenge_url,
    }
}

/// Opens an authorization URL that asks for personal data: the consent screen (it must list
/// exactly `expected`), answered `allow` or not, then the QR page.
pub fn open_with_consent(url: &str, expected: &[&str], allow: bool) -> Opened {
    let first = match agent().get(url).call() {
        Ok(r) => r,
        Err(e) => panic!("the authorization page: {e}"),
    };
    let cookie = first
        .header("set-cookie")
        .expect("the page sets the browser's cookie")
        .split(';')
        .next()
        .expect("a cookie")
        .to_owned();
    let body = first.into_string().expect("the consent page");
    let listed: Vec<&str> = body
        .split("<li>")
        .skip(1)
        .filter_map(|item| item.split("</li>").next())
        .collect();
    assert_eq!(
        listed, expected,
        "the consent screen lists exactly what is released"
    );
    let marker = "action=\"/oidc/continue/";
    let start = body.find(marker).expect("the consent form") + marker.len();
    let nonce = body[start..start + 43].to_owned();
    let base = url.split("/oidc/").next().expect("the provider's address");
    let answer = agent()
        .post(&format!("{base}/oidc/continue/{nonce}/consent"))
        .set("Cookie", &cookie)
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(if allow {
            "decision=allow"
        } else {
            "decision=deny"
        });
    let answer = answer.unwrap_or_else(|e| panic!("the consent answer: {e}"));
    assert_eq!(answer.status(), 303);
    let page = get(
        &format!("{base}/oidc/continue/{nonce}/login"),
        Some(&cookie),
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = "<span id=\"challenge-url\">";
    let start = page
        .body
        .find(marker)
        .expect("the challenge URL on the page")
        + marker.len();
    let end = start + page.body[start..].find('<').expect("end of the URL");
    Opened {
        nonce,
        cookie,
        challenge_url: page.body[start..end].replace("&amp;", "&"),
    }
}

/// Polls `base`'s status until it is not pending: its last answer.
pub fn wait_done(base: &str, nonce: &str) -> serde_json::Value {
    let deadline = Instant::now() + DONE;
    loop {
        let a = get(&format!("{base}/oidc/status/{nonce}"), None);
        let v: serde_json::Value = serde_json::from_str(&a.body).unwrap_or_default();
        if v["state"] != "pending" || Instant::now() > deadline {
            return v;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The query of a redirect's `Location`.
pub fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .expect("a URL")
        .query_pairs()
        .into_owned()
        .collect()
}

/// The card's authentication PIN (for [`OidcBench::phone`]).
pub const PIN: &str = AUTH_PIN;
