//! Accounts that outlive a certificate: the `sub` a service sees stays the same when the card
//! is reissued (new keys, new certificates, same person), because the new authentication
//! certificate joins the account through a signing-certificate proof (`kazasu login --link`:
//! the signing PIN signs the login's challenge and the new certificate's hash; the provider
//! checks the signing certificate against the signing CA and its CRL and matches a keyed hash
//! of the name and birth date it names). Without the proof, or for another person, a new
//! certificate is a new account. Authlib checks every ID token; Redis and two instances.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use kazasu_tests::bins::text;
use kazasu_tests::oidc::{DEMO_CLIENT, OidcBench, PIN, get, open, query_of, wait_done};
use kazasu_tests::{AUTH_PIN, SIGN_PIN};

/// The linking configuration: the signing CA and its CRL as the simulator exported them.
const LINKING: &str = "[oidc]\nsign_trust_anchors = [\"{trust}/sign-ca.pem\"]\nsign_crls = [\"{trust}/sign-crl.pem\"]\n";

/// A full login of `card` at the demo client through Authlib; the `sub` of its ID token.
fn sub_of(bench: &OidcBench, card: &Path, link: bool) -> String {
    let start = bench.authlib("start", DEMO_CLIENT, &[]);
    let opened = open(start["url"].as_str().unwrap());
    let (args, stdin): (&[&str], String) = if link {
        (&["--link"], format!("{AUTH_PIN}\n{SIGN_PIN}\n"))
    } else {
        (&[], format!("{PIN}\n"))
    };
    let out = bench.phone_with(card, &opened.challenge_url, args, &stdin);
    assert!(
        out.status.success(),
        "kazasu login {args:?}: {}{}\n{}",
        text(&out.stdout),
        text(&out.stderr),
        bench.logs()
    );
    assert_eq!(wait_done(&bench.issuer, &opened.nonce)["state"], "done");
    let next = get(
        &format!("{}/oidc/continue/{}", bench.other, opened.nonce),
        Some(&opened.cookie),
    );
    let code = query_of(&next.location.unwrap())["code"].clone();
    let verifier = start["code_verifier"].as_str().unwrap();
    let nonce = start["nonce"].as_str().unwrap();
    let answer = bench.authlib(
        "token",
        DEMO_CLIENT,
        &[
            "--code",
            &code,
            "--secret",
            &bench.secret,
            "--code-verifier",
            verifier,
            "--nonce",
            nonce,
        ],
    );
    assert_eq!(answer["ok"], true, "{answer}");
    answer["claims"]["sub"].as_str().unwrap().to_owned()
}

/// A new card for `holder` from the same municipal office (the same J-LIS, so the same CAs).
fn reissue(
    bench: &OidcBench,
    name: &str,
    holder: &kazasu_sim::HolderProfile,
) -> std::path::PathBuf {
    let path = bench.path(name);
    let opts = kazasu_sim::IssueOptions {
        pins: kazasu_sim::CardPins {
            auth: AUTH_PIN.to_owned(),
            sign: SIGN_PIN.to_owned(),
            card_info: kazasu_tests::CARD_INFO_PIN.to_owned(),
        },
        ..Default::default()
    };
    kazasu_sim::issue_card(&path, holder, &opts).expect("issue the new card");
    path
}

#[test]
fn a_reissued_card_keeps_the_account_through_a_signing_certificate_proof() {
    let bench = OidcBench::start(LINKING, |_| {});
    let first = sub_of(&bench, bench.card.path(), true);
    // The same card again, without the proof: its certificate is known, same account.
    assert_eq!(sub_of(&bench, bench.card.path(), false), first);

    // A reissued card: new keys and certificates, same person. With the proof: same sub.
    let holder = kazasu_sim::HolderProfile::sample();
    let reissued = reissue(&bench, "reissued.json", &holder);
    assert_eq!(sub_of(&bench, &reissued, true), first, "{}", bench.logs());
    // From now on that certificate logs in to the account without the proof.
    assert_eq!(sub_of(&bench, &reissued, false), first);

    // Another reissue logged in without the proof: a new account (nothing links it).
    let unlinked = reissue(&bench, "unlinked.json", &holder);
    assert_ne!(sub_of(&bench, &unlinked, false), first);

    // Another person (another name) with a valid proof: their own account.
    let mut other = holder.clone();
    other.name = "電子　次郎".to_owned();
    let stranger = reissue(&bench, "stranger.json", &other);
    assert_ne!(sub_of(&bench, &stranger, true), first);
}

#[test]
fn a_revoked_signing_certificate_links_nothing() {
    let bench = OidcBench::start(LINKING, |card| {
        // A move revokes the signing certificate only (the authentication one stays valid).
        let out = kazasu_tests::bins::run_sim(card.path(), &["office", "revoke", "--sign"]);
        assert!(out.status.success(), "office revoke: {}", text(&out.stderr));
    });
    let start = bench.authlib("start", DEMO_CLIENT, &[]);
    let opened = open(start["url"].as_str().unwrap());
    let out = bench.phone_with(
        bench.card.path(),
        &opened.challenge_url,
        &["--link"],
        &format!("{AUTH_PIN}\n{SIGN_PIN}\n"),
    );
    assert!(
        !out.status.success(),
        "a revoked signing certificate linked"
    );
    assert!(
        text(&out.stderr).contains("revoked"),
        "{}",
        text(&out.stderr)
    );
    // The login did not happen; the same login without --link still can.
    let out = bench.phone(&opened.challenge_url, PIN);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
