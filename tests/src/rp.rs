//! `kazasu-rp` as a child process, trusting a test card's authentication CA. Killed when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::bins::bin;

/// A running relying party.
pub struct RelyingParty {
    child: Child,
    url: String,
}

impl RelyingParty {
    /// Starts `kazasu-rp` with a configuration written into `dir`: it trusts `trust_dir`'s
    /// `auth-ca.pem` and `auth-crl.pem` (as `kazasu-sim office export-trust` writes them), listens
    /// on a free loopback port, and adds `extra` TOML lines.
    pub fn start(dir: &Path, trust_dir: &Path, extra: &str) -> RelyingParty {
        let port = crate::child::free_port();
        let url = format!("http://127.0.0.1:{port}");
        let config = format!(
            "listen = \"127.0.0.1:{port}\"\npublic_url = \"{url}\"\nrp_id = \"127.0.0.1\"\n\
             origin = \"{url}\"\nallowed_origins = [\"{url}\"]\n\
             trust_anchors = [{:?}]\ncrls = [{:?}]\nsession_key = \"session-key.pem\"\n{extra}\n",
            trust_dir.join("auth-ca.pem"),
            trust_dir.join("auth-crl.pem").display().to_string(),
        );
        let path = dir.join(format!("kazasu-rp-{port}.toml"));
        std::fs::write(&path, config).expect("write the configuration");
        let mut child = Command::new(bin("kazasu-rp"))
            .arg("--config")
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kazasu-rp");
        let rx = crate::child::lines_of(&mut child);
        loop {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line.starts_with("listening on ") => break,
                Ok(_) => continue,
                Err(_) => {
                    let _ = child.kill();
                    panic!("kazasu-rp did not start (configuration {})", path.display());
                }
            }
        }
        RelyingParty { child, url }
    }

    /// Its address, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for RelyingParty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
