//! The `kazasu-rp` binary: serves with `--config` (printing the bound address), writes a
//! starting configuration, and refuses `revoke-device` without a shared store.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::Setup;

const BIN: &str = env!("CARGO_BIN_EXE_kazasu-rp");

/// Kills the child when dropped, so a failing assertion does not leave a server behind.
struct Kill(std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_and_prints_the_bound_address() {
    let setup = Setup::new();
    setup.config("");
    let mut child = Kill(
        Command::new(BIN)
            .arg("--config")
            .arg(setup.path("kazasu-rp.toml"))
            .env("KAZASU_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let r = common::client()
        .get(format!("{url}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = common::client()
        .post(format!("{url}/v1/login/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["challenge_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{url}/v1/login/challenge/"))
    );
    drop(child);
    // The session key was made beside the config, private to its owner.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(setup.path("session-key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn gen_config_writes_a_loadable_file() {
    let setup = Setup::new();
    setup.export(kazasu_sim::CaKind::Auth, "auth");
    let output = Command::new(BIN)
        .args(["gen-config", "--auth-ca"])
        .arg(setup.path("auth-ca.der"))
        .arg("--crl")
        .arg(setup.path("auth-crl.der"))
        .args([
            "--redis",
            "redis://127.0.0.1:6379/",
            "--listen",
            "127.0.0.1:9999",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let path = setup.path("generated.toml");
    std::fs::write(&path, &output.stdout).unwrap();
    let config = kazasu_rp::Config::load(&path).unwrap();
    assert_eq!(config.listen, "127.0.0.1:9999");
    assert_eq!(config.origin.as_deref(), Some("http://127.0.0.1:9999"));
    assert_eq!(config.redis_url.as_deref(), Some("redis://127.0.0.1:6379/"));
}

#[test]
fn revoke_device_needs_a_shared_store() {
    let setup = Setup::new();
    setup.config("");
    let output = Command::new(BIN)
        .args(["revoke-device", "--config"])
        .arg(setup.path("kazasu-rp.toml"))
        .arg("A".repeat(43))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("redis_url"));
}

#[test]
fn a_device_id_starting_with_a_dash_is_an_id_not_an_option() {
    let setup = Setup::new();
    setup.config("");
    let output = Command::new(BIN)
        .args(["revoke-device", "--config"])
        .arg(setup.path("kazasu-rp.toml"))
        .arg(format!("-{}", "A".repeat(42)))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("unexpected argument"), "{stderr}");
    assert!(stderr.contains("redis_url"), "{stderr}");
}
