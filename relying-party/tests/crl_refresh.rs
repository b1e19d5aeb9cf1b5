//! kazasu-rp's CRL refresh never goes back: a CRL older than one already seen from the same CA
//! (a replayed CRL from before a revocation), or one no trusted CA signed, keeps the newer one.

mod common;

use common::{Server, Setup, card_login};
use kazasu_sim::{CaKind, Office};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_crl_after_a_newer_one_is_refused_and_the_revocation_stands() {
    let setup = Setup::new();
    let server = Server::start(setup.config("")).await;
    let card = setup.card();
    let login = async |server: &Server| {
        let challenge = server.challenge().await;
        let assertion = card_login(&card, &challenge, None).await;
        server
            .finish("/v1/login/finish", &challenge.nonce, &assertion)
            .await
    };
    assert_eq!(login(&server).await.0, 200);
    // The CRL from before the revocation, as an attacker or a stale mirror would serve it.
    let before = std::fs::read(setup.path("auth-crl.der")).unwrap();

    // CRL thisUpdate has one-second precision: the revocation CRL is strictly newer.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut office = Office::open(&card).unwrap();
    office.revoke(Some(CaKind::Auth)).unwrap();
    std::fs::write(
        setup.path("auth-crl.der"),
        office.crl(CaKind::Auth).unwrap(),
    )
    .unwrap();
    server.app.refresh_crls().await;
    let (status, body) = login(&server).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("revoked"),
        "{body}"
    );

    // The source now serves the older CRL, which does not list the card: it is refused.
    std::fs::write(setup.path("auth-crl.der"), &before).unwrap();
    server.app.refresh_crls().await;
    let (status, body) = login(&server).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("revoked"),
        "the older CRL must not replace the newer one: {body}"
    );

    // A CRL from a CA the server does not trust does not replace it either.
    let jlis = kazasu_sim::Jlis::for_card(&card).unwrap();
    std::fs::write(
        setup.path("auth-crl.der"),
        jlis.crl_der(CaKind::Sign).unwrap(),
    )
    .unwrap();
    server.app.refresh_crls().await;
    let (status, body) = login(&server).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
}
