//! The audit log: one line per login attempt with the certificate serial and the verdict, through
//! `tracing` (target `kazasu_rp::audit`). Its own test binary, since it installs the global subscriber.
//! Only a serial a signature proved is written: a refused attempt's certificate is anyone's to send.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Server, Setup, card_login};
use kazasu_sim::{CaKind, CardState};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attempt_is_audited_with_serial_and_verdict() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("kazasu_rp::audit=info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let serial = CardState::load(&setup.card())
        .unwrap()
        .serial(CaKind::Auth)
        .to_owned();
    let challenge = server.challenge().await;
    let assertion = card_login(&setup.card(), &challenge, None).await;
    // Someone else sends the card's certificate with a signature that does not verify.
    let mut forged = assertion.clone();
    forged.signature = URL_SAFE_NO_PAD.encode([7u8; 256]);
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &forged)
        .await;
    assert_eq!(status, 401);
    let (status, body) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 200);
    let reported = body["serial"].as_str().unwrap().to_owned();
    assert!(reported.eq_ignore_ascii_case(&serial));
    let (status, _) = server
        .finish("/v1/login/finish", &challenge.nonce, &assertion)
        .await;
    assert_eq!(status, 404);

    let lines = captured.lines();
    let audit: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("kazasu_rp::audit"))
        .collect();
    assert_eq!(audit.len(), 3, "{lines:#?}");
    assert!(audit[0].contains("serial=\"-\""), "{}", audit[0]);
    assert!(
        audit[0].contains("the signature does not verify"),
        "{}",
        audit[0]
    );
    assert!(
        audit[1].contains(&format!("serial=\"{reported}\"")),
        "{}",
        audit[1]
    );
    assert!(audit[1].contains("verdict=\"ok\""), "{}", audit[1]);
    // The replay is not checked against anything (its challenge is gone): no serial either.
    assert!(audit[2].contains("serial=\"-\""), "{}", audit[2]);
    assert!(
        audit[2].contains("unknown or already used challenge"),
        "{}",
        audit[2]
    );
    for line in &audit {
        assert!(!line.to_lowercase().contains("pin"), "{line}");
        assert!(!line.contains(&assertion.signature), "{line}");
    }
}
