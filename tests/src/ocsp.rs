//! A real OCSP responder for tests: OpenSSL's `openssl ocsp` serving one CA of a test card's
//! simulated J-LIS, from an `index.txt` the J-LIS writes ([`kazasu_sim::Jlis::openssl_index`])
//! out of the card's certificates and the office's revocations.
//!
//! OpenSSL 3.0 (the version installed here) reads `-index` once, at start: a rewritten index
//! is not seen (checked by hand: an entry changed from V to R still answered "good"), and
//! newer versions re-read it only when its modification time changes, to the second.
//! [`OcspResponder::refresh`] therefore rewrites the index and restarts the responder,
//! so that a revocation made a moment ago is always answered. No `-ignore_err`: with it OpenSSL
//! 3.0 spins on a request it cannot parse (without it, it exits), so tests send none.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kazasu_sim::{CaKind, CardState, CertKind, Jlis};
use tempfile::TempDir;

use crate::child::{Killed, free_port};

/// How long the responder may take to listen.
const START_PATIENCE: Duration = Duration::from_secs(20);
/// `-timeout`: how long the responder waits for a connection's request before the next one.
const REQUEST_TIMEOUT_SECONDS: u32 = 5;
/// `-nmin`: the answers' nextUpdate, minutes after their thisUpdate.
pub const NEXT_UPDATE_MINUTES: i64 = 5;

/// Whose key signs the responder's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    /// The CA's delegated responder (id-kp-OCSPSigning), as J-LIS's responders do.
    Delegated,
    /// The CA's own key.
    Ca,
    /// The card's authentication key: a certificate the CA issued, without id-kp-OCSPSigning.
    CardAuthKey,
    /// The other CA's delegated responder: authorised, but not by this CA.
    OtherCasResponder,
}

/// `openssl ocsp` answering for one CA of a test card; killed when dropped.
pub struct OcspResponder {
    card: PathBuf,
    ca: CaKind,
    signer: Signer,
    dir: TempDir,
    port: u16,
    child: Option<Killed>,
}

impl OcspResponder {
    /// A responder for `ca` of the card at `card`, signing with the CA's delegated responder.
    pub fn start(card: &Path, ca: CaKind) -> OcspResponder {
        OcspResponder::signed_by(card, ca, Signer::Delegated)
    }

    /// A responder for `ca` of the card at `card` whose answers `signer` signs.
    pub fn signed_by(card: &Path, ca: CaKind, signer: Signer) -> OcspResponder {
        let mut responder = OcspResponder {
            card: card.to_owned(),
            ca,
            signer,
            dir: tempfile::tempdir().expect("responder directory"),
            port: free_port(),
            child: None,
        };
        responder.write_files();
        responder.spawn();
        responder
    }

    /// Its URL (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Rewrites the index from the J-LIS as it is now (after an office act) and restarts.
    pub fn refresh(&mut self) {
        self.child = None;
        self.write_files();
        self.spawn();
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `index.txt` (and its attributes), the CA certificate, and the signer's certificate and key.
    fn write_files(&self) {
        let mut jlis = Jlis::for_card(&self.card).expect("the card's J-LIS");
        let card = CardState::load(&self.card).expect("the card");
        let certificates = [
            card.certificate_der(CertKind::Auth),
            card.certificate_der(CertKind::Sign),
        ];
        let index = jlis
            .openssl_index(self.ca, &certificates)
            .expect("index.txt");
        write(&self.path("index.txt"), index.as_bytes());
        // Several certificates may share a subject (a renewed card): OpenSSL must not mind.
        write(&self.path("index.txt.attr"), b"unique_subject = no\n");
        let ca_pem = pem(jlis.ca_cert_der(self.ca));
        write(&self.path("ca.pem"), ca_pem.as_bytes());
        let (cert, key) = match self.signer {
            Signer::Delegated => jlis.ocsp_responder(self.ca).expect("responder"),
            Signer::OtherCasResponder => {
                let other = match self.ca {
                    CaKind::Auth => CaKind::Sign,
                    CaKind::Sign => CaKind::Auth,
                };
                jlis.ocsp_responder(other).expect("responder")
            }
            Signer::Ca => (ca_pem, ca_key_pem(&self.card, self.ca)),
            Signer::CardAuthKey => (
                pem(card.certificate_der(CertKind::Auth)),
                card.auth_key_pkcs8_pem().to_owned(),
            ),
        };
        write(&self.path("rsigner.pem"), cert.as_bytes());
        write(&self.path("rkey.pem"), key.as_bytes());
    }

    fn spawn(&mut self) {
        let log = std::fs::File::create(self.path("openssl.log")).expect("openssl.log");
        let child = Command::new("openssl")
            .args(["ocsp", "-index", "index.txt", "-port"])
            .arg(self.port.to_string())
            .args([
                "-rsigner",
                "rsigner.pem",
                "-rkey",
                "rkey.pem",
                "-CA",
                "ca.pem",
                "-rmd",
                "sha256",
                "-nmin",
                &NEXT_UPDATE_MINUTES.to_string(),
                "-timeout",
                &REQUEST_TIMEOUT_SECONDS.to_string(),
            ])
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("openssl.log"))
            .stderr(log)
            .spawn()
            .expect("openssl (installed by scripts/install-deps)");
        let mut child = Killed::new(child);
        // It says when it listens. Probing the port instead would hold its only thread: it
        // reads one connection at a time until its request arrives or `-timeout` passes.
        let deadline = Instant::now() + START_PATIENCE;
        while !crate::child::log(&self.path("openssl.log")).contains("waiting for OCSP client") {
            if let Some(status) = child.wait_for(Duration::from_millis(100)) {
                panic!(
                    "openssl ocsp exited ({status}): {}",
                    crate::child::log(&self.path("openssl.log"))
                );
            }
            assert!(
                Instant::now() < deadline,
                "openssl ocsp did not listen on {}",
                self.port
            );
        }
        self.child = Some(child);
    }
}

/// A DER certificate as PEM.
fn pem(der: &[u8]) -> String {
    kazasu_core::cert::CardCertificate::from_der(der)
        .and_then(|c| c.to_pem())
        .expect("a certificate")
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// The CA's private key, from the J-LIS file (as `openssl ca` tests read it).
fn ca_key_pem(card: &Path, ca: CaKind) -> String {
    let dir = card.parent().unwrap_or(Path::new("."));
    let bytes = std::fs::read(dir.join(kazasu_sim::JLIS_FILE)).expect("jlis.json");
    let jlis: serde_json::Value = serde_json::from_slice(&bytes).expect("jlis.json is JSON");
    let name = match ca {
        CaKind::Auth => "auth_ca",
        CaKind::Sign => "sign_ca",
    };
    jlis[name]["key_pem"]
        .as_str()
        .expect("the CA's key in jlis.json")
        .to_owned()
}
