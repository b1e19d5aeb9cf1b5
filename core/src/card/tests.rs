//! The application clients against a strict script (exact bytes) and a fake card (behaviour).

use sha2::{Digest, Sha256};

use super::mock::*;
use super::*;
use crate::cert::fixtures;
use crate::ids::mynumber::*;
use crate::transport::Traced;

const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const SELECT_INFO: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
const OK: &str = "90 00";

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::parse(kind, s).unwrap()
}

fn chunks(n: usize) -> u64 {
    n.div_ceil(256) as u64
}

// ---------- exact bytes ----------

#[test]
fn select_is_case_3_by_df_name_without_le() {
    let mut script = Script::new().then(SELECT_JPKI, OK);
    JpkiApp::select(&mut script).unwrap();
    script.assert_done();
    let mut script = Script::new().then(SELECT_INFO, OK);
    CardInfoApp::select(&mut script).unwrap();
    script.assert_done();
}

#[test]
fn missing_applications_say_what_the_card_is_not() {
    let mut script = Script::new().then(SELECT_JPKI, "6A 82");
    let err = JpkiApp::select(&mut script).err().unwrap();
    assert!(matches!(err, CardError::NotMyNumberCard), "{err:?}");
    let mut script = Script::new().then(SELECT_INFO, "6A 82");
    let err = CardInfoApp::select(&mut script).err().unwrap();
    assert!(
        matches!(err, CardError::AppNotFound { aid } if aid == CARD_INFO_AID),
        "{err:?}"
    );
    let mut script = Script::new().then(SELECT_JPKI, "6E 00");
    let err = JpkiApp::select(&mut script).err().unwrap();
    assert!(err.to_string().contains("6E 00"), "{err}");
}

#[test]
fn token_kind_reads_32_bytes_of_ef_0006() {
    let mut label = b"JPKIAPGPSETOKEN".to_vec();
    label.resize(32, b' ');
    let mut response = label;
    response.extend(h(OK));
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 06", OK)
        .then_bytes(h("00 B0 00 00 20"), response);
    let mut app = JpkiApp::select(&mut script).unwrap();
    assert_eq!(app.token_kind().unwrap(), TokenKind::PhoneEmbedded);
    script.assert_done();
    assert_eq!(
        TokenKind::from_label(b"JPKIAPICCTOKEN2\0\0\0"),
        TokenKind::MyNumberCard
    );
    assert_eq!(
        TokenKind::from_label(b"JPKIAPICCTOKEN"),
        TokenKind::ResidentRegistryCard
    );
    assert_eq!(
        TokenKind::from_label(b"SOMETHING ELSE  "),
        TokenKind::Unknown("SOMETHING ELSE".into())
    );
    assert_eq!(TokenKind::MyNumberCard.to_string(), "My Number Card");
}

/// The whole login, byte for byte: select AP, read the 822-byte auth certificate (4 reads, the
/// last with Le = 0x36), check tries, verify, sign; the signature check uses the cached certificate.
#[test]
fn login_flow_bytes_on_the_wire() {
    let cert = fixtures::AUTH_CERT;
    assert_eq!(cert.len(), 822);
    let hash: [u8; 32] = Sha256::digest(b"challenge").into();
    let di = jpki::sha256_digest_info(&hash);
    let key = rsa::pkcs8::DecodePrivateKey::from_pkcs8_der(fixtures::AUTH_KEY).unwrap();
    let key: rsa::RsaPrivateKey = key;
    let signature = key.sign(rsa::Pkcs1v15Sign::new_unprefixed(), &di).unwrap();

    let with_ok = |data: &[u8]| {
        let mut v = data.to_vec();
        v.extend(h(OK));
        v
    };
    let mut sign_cmd = h("80 2A 00 80 33");
    sign_cmd.extend(&di);
    sign_cmd.push(0x00);
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 0A", OK)
        .then_bytes(h("00 B0 00 00 00"), with_ok(&cert[..256]))
        .then_bytes(h("00 B0 01 00 00"), with_ok(&cert[256..512]))
        .then_bytes(h("00 B0 02 00 00"), with_ok(&cert[512..768]))
        .then_bytes(h("00 B0 03 00 36"), with_ok(&cert[768..]))
        .then("00 A4 02 0C 02 00 18", OK)
        .then("00 20 00 80", "63 C3")
        .then("00 20 00 80 04 31 32 33 34", OK)
        .then("00 A4 02 0C 02 00 17", OK)
        .then_bytes(sign_cmd, with_ok(&signature));
    let mut app = JpkiApp::select(&mut script).unwrap();
    assert_eq!(app.read_certificate(CertSlot::Auth).unwrap(), cert);
    assert_eq!(
        app.pin_status(PinKind::Auth).unwrap(),
        PinStatus::Remaining(3)
    );
    app.verify_pin(&pin(PinKind::Auth, "1234")).unwrap();
    assert_eq!(app.sign_sha256(KeyKind::Auth, &hash).unwrap(), signature);
    script.assert_done();
}

#[test]
fn change_pin_verifies_then_changes_reference_data() {
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 1B", OK)
        .then("00 20 00 80", "63 C5")
        .then("00 20 00 80 06 41 42 43 31 32 33", OK)
        .then("00 24 01 80 07 4E 45 57 50 49 4E 31", OK);
    let mut app = JpkiApp::select(&mut script).unwrap();
    app.change_pin(
        &pin(PinKind::Sign, "ABC123"),
        &pin(PinKind::Sign, "newpin1"),
    )
    .unwrap();
    script.assert_done();
}

#[test]
fn wrong_combinations_send_nothing() {
    let mut script = Script::new().then(SELECT_JPKI, OK);
    let mut app = JpkiApp::select(&mut script).unwrap();
    let err = app
        .change_pin(&pin(PinKind::Auth, "1234"), &pin(PinKind::Sign, "ABC123"))
        .unwrap_err();
    assert!(matches!(err, CardError::MismatchedPins { .. }), "{err:?}");
    let err = app.pin_status(PinKind::CardInfo).unwrap_err();
    assert!(
        matches!(err, CardError::PinNotInApplication { .. }),
        "{err:?}"
    );
    let err = app.verify_pin(&pin(PinKind::CardInfo, "1234")).unwrap_err();
    assert!(err.to_string().contains("card-info application"), "{err}");
    let err = app.sign(KeyKind::Auth, &[0u8; 256]).unwrap_err();
    assert!(matches!(err, CardError::DigestInfoLength { len: 256 }));
    script.assert_done();
}

// ---------- status words → errors ----------

fn verify_answer(sw: &str, kind: PinKind, typed: &str) -> CardError {
    let fid = match kind {
        PinKind::Auth => "00 18",
        _ => "00 1B",
    };
    let mut command = h("00 20 00 80");
    command.push(typed.len() as u8);
    command.extend(typed.as_bytes());
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then(&format!("00 A4 02 0C 02 {fid}"), OK)
        .then("00 20 00 80", "63 C3")
        .then_bytes(command, h(sw));
    let mut app = JpkiApp::select(&mut script).unwrap();
    let err = app.verify_pin(&pin(kind, typed)).unwrap_err();
    script.assert_done();
    err
}

#[test]
fn wrong_pin_answers_become_actionable_errors() {
    let err = verify_answer("63 C2", PinKind::Auth, "0000");
    assert!(matches!(
        err,
        CardError::WrongPin {
            kind: PinKind::Auth,
            tries_left: 2
        }
    ));
    assert_eq!(err.to_string(), "wrong authentication PIN: 2 tries left");

    let err = verify_answer("63 C1", PinKind::Sign, "WRONG1");
    assert!(matches!(err, CardError::WrongPin { tries_left: 1, .. }));
    let text = err.to_string();
    assert!(
        text.contains("Last try") && text.contains("signing certificate"),
        "{text}"
    );

    for sw in ["63 C0", "69 83", "69 84"] {
        let err = verify_answer(sw, PinKind::Auth, "0000");
        assert!(
            matches!(
                err,
                CardError::PinLocked {
                    kind: PinKind::Auth
                }
            ),
            "{sw}: {err:?}"
        );
        assert!(err.to_string().contains("municipal office"));
    }
}

#[test]
fn pin_status_reads_every_dialect() {
    for (sw, expected) in [
        ("63 C3", PinStatus::Remaining(3)),
        ("63 C1", PinStatus::Remaining(1)),
        ("63 C0", PinStatus::Locked),
        ("69 83", PinStatus::Locked),
        ("69 84", PinStatus::Locked),
        ("90 00", PinStatus::Verified),
    ] {
        let mut script = Script::new()
            .then(SELECT_JPKI, OK)
            .then("00 A4 02 0C 02 00 18", OK)
            .then("00 20 00 80", sw);
        let mut app = JpkiApp::select(&mut script).unwrap();
        assert_eq!(app.pin_status(PinKind::Auth).unwrap(), expected, "{sw}");
        script.assert_done();
    }
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 18", OK)
        .then("00 20 00 80", "6A 86");
    let mut app = JpkiApp::select(&mut script).unwrap();
    let err = app.pin_status(PinKind::Auth).unwrap_err();
    assert!(matches!(err, CardError::Card { .. }), "{err:?}");
}

#[test]
fn a_locked_pin_is_never_sent() {
    // Status first (locked), then verify: nothing more goes to the card.
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 1B", OK)
        .then("00 20 00 80", "69 83");
    let mut app = JpkiApp::select(&mut script).unwrap();
    assert_eq!(app.pin_status(PinKind::Sign).unwrap(), PinStatus::Locked);
    let err = app.verify_pin(&pin(PinKind::Sign, "ABC123")).unwrap_err();
    assert!(matches!(
        err,
        CardError::PinLocked {
            kind: PinKind::Sign
        }
    ));
    script.assert_done();

    // Without an earlier status check, verify asks (for free) before sending.
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 18", OK)
        .then("00 20 00 80", "63 C0");
    let mut app = JpkiApp::select(&mut script).unwrap();
    let err = app.verify_pin(&pin(PinKind::Auth, "1234")).unwrap_err();
    assert!(matches!(
        err,
        CardError::PinLocked {
            kind: PinKind::Auth
        }
    ));
    script.assert_done();
}

#[test]
fn a_wrong_pin_is_not_retried() {
    let mut card = FakeCard::my_number_card();
    let mut app = JpkiApp::select(&mut card).unwrap();
    let err = app.verify_pin(&pin(PinKind::Auth, "0000")).unwrap_err();
    assert!(matches!(err, CardError::WrongPin { tries_left: 2, .. }));
    drop(app);
    assert_eq!(card.pins_sent(), 1);
}

#[test]
fn security_status_and_missing_files() {
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 01", OK)
        .then("00 B0 00 00 00", "69 82");
    let mut app = JpkiApp::select(&mut script).unwrap();
    let err = app.read_certificate(CertSlot::Sign).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinRequired {
                kind: PinKind::Sign
            }
        ),
        "{err:?}"
    );
    script.assert_done();

    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 0B", "6A 82");
    let mut app = JpkiApp::select(&mut script).unwrap();
    let err = app.read_certificate(CertSlot::AuthCa).unwrap_err();
    assert!(
        matches!(err, CardError::FileNotFound { file } if file == EF_AUTH_CA_CERT),
        "{err:?}"
    );

    let mut card = FakeCard::my_number_card();
    let mut app = JpkiApp::select(&mut card).unwrap();
    let err = app.sign_sha256(KeyKind::Auth, &[0; 32]).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinRequired {
                kind: PinKind::Auth
            }
        ),
        "{err:?}"
    );
    let err = app.sign_sha256(KeyKind::Sign, &[0; 32]).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinRequired {
                kind: PinKind::Sign
            }
        ),
        "{err:?}"
    );
}

// ---------- chunked reads ----------

#[test]
fn certificate_reads_never_go_past_the_end() {
    for n in [255usize, 256, 257, 512, 1000, 1400] {
        let file = der_sized(n);
        let mut card = FakeCard::my_number_card();
        card.jpki_mut()
            .files
            .insert(EF_AUTH_CA_CERT.0, file.clone());
        let mut link = Traced::new(&mut card);
        let mut app = JpkiApp::select(&mut link).unwrap();
        app.transport_mut().take_stats();
        assert_eq!(app.read_certificate(CertSlot::AuthCa).unwrap(), file, "{n}");
        let stats = app.transport_mut().take_stats();
        assert_eq!(stats.apdus, 1 + chunks(n), "{n} bytes");
        // A second read comes from memory.
        assert_eq!(app.read_certificate(CertSlot::AuthCa).unwrap().len(), n);
        assert_eq!(app.transport_mut().stats().apdus, 0);
        drop(app);
        // Every READ BINARY asked for 256 or exactly what was left, at the right offset.
        let reads: Vec<_> = card.log.iter().filter(|c| c[1] == 0xB0).collect();
        for (i, read) in reads.iter().enumerate() {
            let offset = i * 256;
            assert_eq!(usize::from(u16::from_be_bytes([read[2], read[3]])), offset);
            let expected_le = if i == 0 { 256 } else { (n - offset).min(256) };
            assert_eq!(read[4], expected_le as u8, "{n}: read {i}");
        }
    }
}

#[test]
fn short_files_and_lying_headers() {
    // The header says 300 bytes but the file ends after 200.
    let mut file = der_sized(300);
    file.truncate(200);
    let mut card = FakeCard::my_number_card();
    card.jpki_mut().files.insert(EF_AUTH_CA_CERT.0, file);
    let mut app = JpkiApp::select(&mut card).unwrap();
    let err = app.read_certificate(CertSlot::AuthCa).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Malformed {
                what: "certificate",
                ..
            }
        ),
        "{err:?}"
    );
    // Not a TLV at all.
    let mut card = FakeCard::my_number_card();
    card.jpki_mut()
        .files
        .insert(EF_AUTH_CA_CERT.0, vec![0x30, 0x80, 0, 0]);
    let mut app = JpkiApp::select(&mut card).unwrap();
    assert!(matches!(
        app.read_certificate(CertSlot::AuthCa).unwrap_err(),
        CardError::Malformed { .. }
    ));
}

#[test]
fn readers_that_cap_answers_still_get_the_whole_file() {
    let mut card = FakeCard::my_number_card();
    card.max_response = Some(200);
    let mut app = JpkiApp::select(&mut card).unwrap();
    assert_eq!(
        app.read_certificate(CertSlot::Auth).unwrap(),
        fixtures::AUTH_CERT
    );
    assert!(format!("{app:?}").contains("cached_certificates: [Auth]"));
}

#[test]
fn extended_length_is_opt_in_and_falls_back() {
    let n = 1400;
    // Off by default: short reads only.
    let mut card = FakeCard::my_number_card();
    card.extended_length = true;
    card.jpki_mut()
        .files
        .insert(EF_AUTH_CA_CERT.0, der_sized(n));
    let mut app = JpkiApp::select(&mut card).unwrap();
    app.read_certificate(CertSlot::AuthCa).unwrap();
    drop(app);
    assert_eq!(card.log.len(), 2 + 6);

    // On, and the card supports it: one short read for the header, one extended for the rest.
    let mut card = FakeCard::my_number_card();
    card.extended_length = true;
    card.jpki_mut()
        .files
        .insert(EF_AUTH_CA_CERT.0, der_sized(n));
    let mut app = JpkiApp::select(&mut card)
        .unwrap()
        .with_extended_length(true);
    assert_eq!(
        app.read_certificate(CertSlot::AuthCa).unwrap(),
        der_sized(n)
    );
    drop(app);
    assert_eq!(card.log.len(), 4);
    assert_eq!(card.log[3], h("00 B0 01 00 00 04 78"));

    // On, but the card answers 67 00: re-select and continue with short reads.
    let mut card = FakeCard::my_number_card();
    card.jpki_mut()
        .files
        .insert(EF_AUTH_CA_CERT.0, der_sized(n));
    let mut app = JpkiApp::select(&mut card)
        .unwrap()
        .with_extended_length(true);
    assert_eq!(
        app.read_certificate(CertSlot::AuthCa).unwrap(),
        der_sized(n)
    );
    assert_eq!(
        app.read_certificate(CertSlot::Auth).unwrap(),
        fixtures::AUTH_CERT
    );
    drop(app);
    let extended = card
        .log
        .iter()
        .filter(|c| c.len() == 7 && c[1] == 0xB0)
        .count();
    assert_eq!(extended, 1, "tried once, then short reads for the session");
}

// ---------- selection cache ----------

#[test]
fn redundant_selects_are_skipped_and_errors_forget_the_selection() {
    let mut card = FakeCard::my_number_card();
    let mut app = JpkiApp::select(&mut card).unwrap();
    app.pin_status(PinKind::Auth).unwrap();
    app.pin_status(PinKind::Auth).unwrap();
    app.verify_pin(&pin(PinKind::Auth, "0000")).unwrap_err();
    app.verify_pin(&pin(PinKind::Auth, AUTH_PIN)).unwrap();
    drop(app);
    assert_eq!(
        card.headers(),
        [
            "00A4040C", "00A4020C", "00200080", "00200080", "00200080", "00200080"
        ]
    );

    // An error answer makes the next operation select again.
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 18", OK)
        .then("00 20 00 80", "6F 00")
        .then("00 A4 02 0C 02 00 18", OK)
        .then("00 20 00 80", "63 C3");
    let mut app = JpkiApp::select(&mut script).unwrap();
    assert!(app.pin_status(PinKind::Auth).is_err());
    assert_eq!(
        app.pin_status(PinKind::Auth).unwrap(),
        PinStatus::Remaining(3)
    );
    script.assert_done();
}

// ---------- signing ----------

#[test]
fn login_fits_the_budget_and_the_signature_verifies() {
    let mut card = FakeCard::my_number_card();
    let mut link = Traced::new(&mut card);
    let mut app = JpkiApp::select(&mut link).unwrap();
    let der = app.read_certificate(CertSlot::Auth).unwrap();
    assert_eq!(
        app.pin_status(PinKind::Auth).unwrap(),
        PinStatus::Remaining(3)
    );
    app.verify_pin(&pin(PinKind::Auth, AUTH_PIN)).unwrap();
    let sig = app.sign_sha256(KeyKind::Auth, &[7; 32]).unwrap();
    assert_eq!(sig.len(), 256);
    drop(app);
    assert_eq!(link.stats().apdus, chunks(der.len()) + 7);
}

#[test]
fn signing_key_reads_its_certificate_after_the_pin() {
    let mut card = FakeCard::my_number_card();
    let mut app = JpkiApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::Sign, SIGN_PIN)).unwrap();
    let hash = [9u8; 32];
    let sig = app.sign_sha256(KeyKind::Sign, &hash).unwrap();
    let cert = app.certificate(CertSlot::Sign).unwrap();
    assert!(cert.verify_signature(&jpki::sha256_digest_info(&hash), &sig));
    assert_eq!(app.pin_status(PinKind::Sign).unwrap(), PinStatus::Verified);
}

#[test]
fn a_signature_that_does_not_verify_is_never_returned() {
    let mut card = FakeCard::my_number_card();
    card.corrupt_signatures = true;
    let mut app = JpkiApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::Auth, AUTH_PIN)).unwrap();
    let err = app.sign_sha256(KeyKind::Auth, &[1; 32]).unwrap_err();
    assert!(
        matches!(err, CardError::SignatureMismatch { key: KeyKind::Auth }),
        "{err:?}"
    );
    // A key paired with the wrong certificate is caught the same way.
    let mut card = FakeCard::my_number_card();
    card.jpki_mut()
        .files
        .insert(EF_AUTH_CERT.0, fixtures::SIGN_CERT.to_vec());
    let mut app = JpkiApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::Auth, AUTH_PIN)).unwrap();
    assert!(matches!(
        app.sign_sha256(KeyKind::Auth, &[1; 32]).unwrap_err(),
        CardError::SignatureMismatch { .. }
    ));
}

#[test]
fn pin_change_on_the_fake_card() {
    let mut card = FakeCard::my_number_card();
    let mut app = JpkiApp::select(&mut card).unwrap();
    app.change_pin(&pin(PinKind::Auth, AUTH_PIN), &pin(PinKind::Auth, "9999"))
        .unwrap();
    drop(app);
    let mut app = JpkiApp::select(&mut card).unwrap();
    assert!(matches!(
        app.verify_pin(&pin(PinKind::Auth, AUTH_PIN)).unwrap_err(),
        CardError::WrongPin { tries_left: 2, .. }
    ));
    app.verify_pin(&pin(PinKind::Auth, "9999")).unwrap();
}

// ---------- card-info application ----------

#[test]
fn card_info_reads_my_number_and_basic_facts() {
    let mut card = FakeCard::my_number_card();
    let mut app = CardInfoApp::select(&mut card).unwrap();
    assert_eq!(app.pin_status().unwrap(), PinStatus::Remaining(3));
    assert!(matches!(
        app.my_number().unwrap_err(),
        CardError::PinRequired {
            kind: PinKind::CardInfo
        }
    ));
    app.verify_pin(&pin(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap();
    assert_eq!(app.my_number().unwrap().reveal(), MY_NUMBER);
    let facts = app.basic_facts().unwrap();
    assert_eq!(facts.name, "山田 太郎");
    assert_eq!(facts.address, "東京都千代田区千代田1-1");
    assert_eq!(facts.birth_date, time::macros::date!(1980 - 01 - 15));
    assert_eq!(facts.sex, Sex::Male);
    drop(app);
    assert_eq!(
        card.log[1..]
            .iter()
            .map(hex::encode_upper)
            .take(3)
            .collect::<Vec<_>>(),
        ["00A4020C020011", "00200080", "00A4020C020001"]
    );
}

#[test]
fn card_info_exact_bytes_and_short_file() {
    let mut number = h("FF 10 0C");
    number.extend(MY_NUMBER.as_bytes());
    number.extend(h("90 00"));
    let mut script = Script::new()
        .then(SELECT_INFO, OK)
        .then("00 A4 02 0C 02 00 11", OK)
        .then("00 20 00 80", "63 C3")
        .then("00 20 00 80 04 35 36 37 38", OK)
        .then("00 A4 02 0C 02 00 01", OK)
        .then_bytes(h("00 B0 00 00 00"), number);
    let mut app = CardInfoApp::select(&mut script).unwrap();
    app.verify_pin(&pin(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap();
    assert_eq!(app.my_number().unwrap().to_string(), "********9018");
    script.assert_done();
}

#[test]
fn card_info_refuses_bad_data() {
    let mut card = FakeCard::my_number_card();
    let mut bad = h("FF 10 0C");
    bad.extend(b"123456789012");
    card.info_mut().files.insert(EF_MY_NUMBER.0, bad);
    card.info_mut().files.insert(
        EF_BASIC_FACTS.0,
        basic_facts_record("A", "B", "19801315", "1"),
    );
    let mut app = CardInfoApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap();
    let err = app.my_number().unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Malformed {
                what: "My Number",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains("12345678"),
        "never echoes the number: {err}"
    );
    assert!(matches!(
        app.basic_facts().unwrap_err(),
        CardError::Malformed { .. }
    ));
    assert!(matches!(
        app.verify_pin(&pin(PinKind::Auth, "1234")).unwrap_err(),
        CardError::PinNotInApplication { .. }
    ));
}

#[test]
fn long_basic_facts_are_read_in_exact_chunks() {
    let address = "東京都千代田区千代田".repeat(12); // 360 bytes of UTF-8
    let record = basic_facts_record("山田 太郎", &address, "19800115", "9");
    assert!(record.len() > 256 && record.len() < 512);
    let mut card = FakeCard::my_number_card();
    card.info_mut()
        .files
        .insert(EF_BASIC_FACTS.0, record.clone());
    let mut app = CardInfoApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap();
    let facts = app.basic_facts().unwrap();
    assert_eq!(facts.address, address);
    assert_eq!(facts.sex, Sex::NotApplicable);
    drop(app);
    let reads: Vec<_> = card.log.iter().filter(|c| c[1] == 0xB0).collect();
    assert_eq!(reads.len(), 2);
    assert_eq!(
        reads[1],
        &vec![0x00, 0xB0, 0x01, 0x00, (record.len() - 256) as u8]
    );
}

#[test]
fn card_info_pin_lock_and_change() {
    let mut card = FakeCard::my_number_card();
    card.blocked_sw = [0x69, 0x84];
    let mut app = CardInfoApp::select(&mut card).unwrap();
    for left in [2u8, 1] {
        let err = app.verify_pin(&pin(PinKind::CardInfo, "0000")).unwrap_err();
        assert!(matches!(err, CardError::WrongPin { tries_left, .. } if tries_left == left));
    }
    let err = app.verify_pin(&pin(PinKind::CardInfo, "0000")).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinLocked {
                kind: PinKind::CardInfo
            }
        ),
        "{err:?}"
    );
    let err = app
        .verify_pin(&pin(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap_err();
    assert!(err.is_pin_locked());
    drop(app);
    assert_eq!(card.pins_sent(), 3, "the locked PIN was not sent again");
    let mut app = CardInfoApp::select(&mut card).unwrap();
    assert_eq!(app.pin_status().unwrap(), PinStatus::Locked);

    let mut card = FakeCard::my_number_card();
    let mut app = CardInfoApp::select(&mut card).unwrap();
    app.change_pin(
        &pin(PinKind::CardInfo, CARD_INFO_PIN),
        &pin(PinKind::CardInfo, "2468"),
    )
    .unwrap();
    drop(app);
    let mut app = CardInfoApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::CardInfo, "2468")).unwrap();
}

#[test]
fn pin_status_serializes_with_a_state_tag() {
    let json = |s| serde_json::to_value(s).unwrap();
    assert_eq!(
        json(PinStatus::Remaining(2)),
        serde_json::json!({"state": "remaining", "tries_left": 2})
    );
    assert_eq!(
        json(PinStatus::Locked),
        serde_json::json!({"state": "locked"})
    );
    assert_eq!(
        json(PinStatus::Verified),
        serde_json::json!({"state": "verified"})
    );
}

// ---------- real-card behaviour ----------

/// EF 0001 and EF 0002 of the card-info AP exactly as a real test card stores them.
const REAL_MY_NUMBER_EF: &[u8] =
    include_bytes!("../../tests/fixtures/real-card/text-0001-physical.bin");
const REAL_BASIC_FACTS_EF: &[u8] = include_bytes!("../../tests/fixtures/real-card/text-0002.bin");

#[test]
fn an_empty_verify_says_63_cx_after_a_right_pin_and_the_client_remembers_it() {
    // The card's answer to the empty VERIFY is 63 C5 even though the PIN was just verified.
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 1B", OK)
        .then("00 20 00 80", "63 C5")
        .then("00 20 00 80 06 41 42 43 31 32 33", OK)
        .then("00 20 00 80", "63 C5");
    let mut app = JpkiApp::select(&mut script).unwrap();
    assert!(!app.is_verified(PinKind::Sign));
    app.verify_pin(&pin(PinKind::Sign, "ABC123")).unwrap();
    assert!(app.is_verified(PinKind::Sign));
    assert_eq!(app.pin_status(PinKind::Sign).unwrap(), PinStatus::Verified);
    assert!(!app.is_verified(PinKind::Auth));
    script.assert_done();

    // Same on the fake card, which answers like a real one; a new session starts unverified.
    let mut card = FakeCard::my_number_card();
    let mut app = JpkiApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::Sign, SIGN_PIN)).unwrap();
    assert_eq!(app.pin_status(PinKind::Sign).unwrap(), PinStatus::Verified);
    // The signing certificate is readable: the card agrees the PIN is verified.
    app.read_certificate(CertSlot::Sign).unwrap();
    app.forget_card_state();
    assert_eq!(
        app.pin_status(PinKind::Sign).unwrap(),
        PinStatus::Remaining(5)
    );
    drop(app);
    let mut app = JpkiApp::select(&mut card).unwrap();
    assert!(!app.is_verified(PinKind::Sign));
    assert_eq!(
        app.pin_status(PinKind::Sign).unwrap(),
        PinStatus::Remaining(5)
    );

    // A wrong PIN afterwards ends the verified state the client remembers.
    app.verify_pin(&pin(PinKind::Sign, SIGN_PIN)).unwrap();
    app.verify_pin(&pin(PinKind::Sign, "WRONG1")).unwrap_err();
    assert!(!app.is_verified(PinKind::Sign));
    assert_eq!(
        app.pin_status(PinKind::Sign).unwrap(),
        PinStatus::Remaining(4)
    );

    // Card-info application: the same bookkeeping.
    let mut app = CardInfoApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap();
    assert!(app.is_verified());
    assert_eq!(app.pin_status().unwrap(), PinStatus::Verified);
}

#[test]
fn a_card_saying_90_00_to_an_empty_verify_is_harmless_and_never_needed() {
    // Some applets answer 90 00 once verified: read as verified, nothing else changes.
    let mut card = FakeCard::my_number_card();
    card.empty_verify_says_verified = true;
    let mut app = JpkiApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::Auth, AUTH_PIN)).unwrap();
    assert_eq!(app.pin_status(PinKind::Auth).unwrap(), PinStatus::Verified);
    app.sign_sha256(KeyKind::Auth, &[5; 32]).unwrap();
}

#[test]
fn status_never_reads_the_signing_certificate_on_the_cards_word() {
    // A quirky card says 90 00 to the empty VERIFY of a fresh session: the client did not verify
    // anything, so the signing certificate is reported as needing the PIN, not read.
    let mut card = FakeCard::my_number_card();
    card.empty_verify_says_verified = true;
    card.reselect_keeps_verified = true;
    // Another program verified the signing PIN earlier; this card keeps it across re-selection.
    let mut other = JpkiApp::select(&mut card).unwrap();
    other.verify_pin(&pin(PinKind::Sign, SIGN_PIN)).unwrap();
    drop(other);
    let status = crate::flows::card_status(&mut card, time::macros::date!(2027 - 01 - 01)).unwrap();
    let sign = status
        .certificates
        .iter()
        .find(|c| c.slot == CertSlot::Sign)
        .unwrap();
    assert_eq!(sign.needs_pin, Some(PinKind::Sign));
    assert!(sign.summary.is_none());
    let sign_reads = card
        .log
        .windows(2)
        .filter(|w| w[0] == h("00 A4 02 0C 02 00 01") && w[1][1] == 0xB0)
        .count();
    assert_eq!(sign_reads, 0, "the signing certificate was not read");
}

/// Locks the authentication PIN on a fake card answering a blocked PIN with `data_sw` (VERIFY
/// with a PIN) and `empty_sw` (empty VERIFY), and checks the client in every step.
fn lock_with(data_sw: [u8; 2], empty_sw: [u8; 2]) {
    let what = format!("{data_sw:02X?}/{empty_sw:02X?}");
    let mut card = FakeCard::my_number_card();
    card.blocked_sw = data_sw;
    card.blocked_empty_sw = empty_sw;
    let mut app = JpkiApp::select(&mut card).unwrap();
    for left in [2u8, 1] {
        let err = app.verify_pin(&pin(PinKind::Auth, "0000")).unwrap_err();
        assert!(
            matches!(err, CardError::WrongPin { tries_left, .. } if tries_left == left),
            "{what}: {err:?}"
        );
    }
    // The try that uses the counter up answers 63 C0: locked.
    let err = app.verify_pin(&pin(PinKind::Auth, "0000")).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinLocked {
                kind: PinKind::Auth
            }
        ),
        "{what}: {err:?}"
    );
    assert_eq!(card.log.last().unwrap()[1], 0x20);
    let mut app = JpkiApp::select(&mut card).unwrap();
    // Empty VERIFY on the blocked PIN: locked, whatever the dialect.
    assert_eq!(
        app.pin_status(PinKind::Auth).unwrap(),
        PinStatus::Locked,
        "{what}"
    );
    // Never sent again.
    let err = app.verify_pin(&pin(PinKind::Auth, AUTH_PIN)).unwrap_err();
    assert!(err.is_pin_locked(), "{what}: {err:?}");
    drop(app);
    assert_eq!(card.pins_sent(), 3, "{what}");

    // A client that does send it (no status check first: a script of the card's answer) reads
    // the card's answer to a VERIFY with data as "locked" too.
    let err = verify_answer(
        &format!("{:02X} {:02X}", data_sw[0], data_sw[1]),
        PinKind::Auth,
        "1234",
    );
    assert!(err.is_pin_locked(), "{what}: {err:?}");
}

#[test]
fn a_blocked_pin_is_locked_in_every_dialect() {
    // A real card: 69 84 to a VERIFY with a PIN, 63 C0 to an empty VERIFY.
    lock_with([0x69, 0x84], [0x63, 0xC0]);
    // Other applets and older cards.
    lock_with([0x69, 0x83], [0x69, 0x83]);
    lock_with([0x69, 0x84], [0x69, 0x84]);
    lock_with([0x63, 0xC0], [0x63, 0xC0]);
}

#[test]
fn read_binary_with_a_long_le_gets_the_rest_and_the_filler_is_ignored() {
    // EF 0001 of a real card: 17 bytes; Le = 00 returns them all with 90 00.
    assert_eq!(REAL_MY_NUMBER_EF.len(), 17);
    let mut answer = REAL_MY_NUMBER_EF.to_vec();
    answer.extend(h(OK));
    let mut script = Script::new()
        .then(SELECT_INFO, OK)
        .then("00 A4 02 0C 02 00 11", OK)
        .then("00 20 00 80", "63 C3")
        .then("00 20 00 80 04 35 36 37 38", OK)
        .then("00 A4 02 0C 02 00 01", OK)
        .then_bytes(h("00 B0 00 00 00"), answer);
    let mut app = CardInfoApp::select(&mut script).unwrap();
    app.verify_pin(&pin(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap();
    assert_eq!(app.my_number().unwrap().reveal(), "537686677188");
    script.assert_done();
}

#[test]
fn the_real_cards_basic_facts_parse() {
    let facts = BasicFacts::from_tlv(REAL_BASIC_FACTS_EF).unwrap();
    assert_eq!(facts.name, "黒桐\u{3000}幹也");
    assert_eq!(facts.address, "東京都清瀬市観布子南１２－７－２０２");
    assert_eq!(facts.birth_date, time::macros::date!(1980 - 02 - 17));
    assert_eq!(facts.sex, Sex::Male);

    // Stored in a fixed-size EF with filler, read through the client in one READ BINARY.
    let mut card = FakeCard::my_number_card();
    card.info_mut()
        .files
        .insert(EF_BASIC_FACTS.0, with_filler(REAL_BASIC_FACTS_EF, 512));
    card.info_mut()
        .files
        .insert(EF_MY_NUMBER.0, REAL_MY_NUMBER_EF.to_vec());
    let mut app = CardInfoApp::select(&mut card).unwrap();
    app.verify_pin(&pin(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap();
    assert_eq!(app.basic_facts().unwrap(), facts);
    assert_eq!(app.my_number().unwrap().reveal(), "537686677188");
    drop(app);
    let reads = card.log.iter().filter(|c| c[1] == 0xB0).count();
    assert_eq!(reads, 2, "one READ BINARY per file");
}

#[test]
fn the_offset_table_of_the_real_file_points_at_each_field() {
    // DF 21 08: four offsets from the start of the file, to DF 22, DF 23, DF 24 and DF 25.
    let file = REAL_BASIC_FACTS_EF;
    assert_eq!(&file[3..6], &[0xDF, 0x21, 0x08]);
    for (i, tag) in [0xDF22u16, 0xDF23, 0xDF24, 0xDF25].into_iter().enumerate() {
        let at = usize::from(u16::from_be_bytes([file[6 + 2 * i], file[7 + 2 * i]]));
        assert_eq!(&file[at..at + 2], &tag.to_be_bytes(), "field {i}");
    }
}

#[test]
fn certificates_are_cut_at_their_der_end_in_files_with_filler() {
    // Certificate EFs are larger than the certificate; only the DER object comes back.
    for size in [2048usize, 4096] {
        let mut card = FakeCard::my_number_card();
        card.jpki_mut()
            .files
            .insert(EF_AUTH_CERT.0, with_filler(fixtures::AUTH_CERT, size));
        let mut link = Traced::new(&mut card);
        let mut app = JpkiApp::select(&mut link).unwrap();
        assert_eq!(
            app.read_certificate(CertSlot::Auth).unwrap(),
            fixtures::AUTH_CERT
        );
        drop(app);
        assert_eq!(
            link.stats().apdus,
            2 + chunks(fixtures::AUTH_CERT.len()),
            "never reads the filler"
        );
    }
}

#[test]
fn an_offset_past_the_end_is_6b00_and_a_short_file_is_malformed() {
    // The header promises more than the file holds: the read at the end answers 6B 00.
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 0B", OK)
        .then_bytes(h("00 B0 00 00 00"), {
            let mut v = der_sized(300)[..256].to_vec();
            v.extend(h(OK));
            v
        })
        .then("00 B0 01 00 2C", "6B 00");
    let mut app = JpkiApp::select(&mut script).unwrap();
    let err = app.read_certificate(CertSlot::AuthCa).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Malformed {
                what: "certificate",
                ..
            }
        ),
        "{err:?}"
    );
    script.assert_done();
}

// ---------- hostile cards and readers ----------

#[test]
fn a_6c_answer_to_verify_never_sends_the_pin_again() {
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 18", OK)
        .then("00 20 00 80", "63 C3")
        .then("00 20 00 80 04 31 32 33 34", "6C 04");
    let mut app = JpkiApp::select(&mut script).unwrap();
    let err = app.verify_pin(&pin(PinKind::Auth, "1234")).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Transport(crate::transport::TransportError::RefusedResend { ins: 0x20, .. })
        ),
        "{err:?}"
    );
    assert!(!app.is_verified(PinKind::Auth));
    // The script ends here: a resent VERIFY would have panicked as an unexpected APDU.
    script.assert_done();

    // Nor the signature input.
    let hash = [1u8; 32];
    let di = jpki::sha256_digest_info(&hash);
    let mut sign_cmd = h("80 2A 00 80 33");
    sign_cmd.extend(&di);
    sign_cmd.push(0x00);
    let mut cert = fixtures::AUTH_CERT.to_vec();
    cert.extend(h(OK));
    let mut script = Script::new()
        .then(SELECT_JPKI, OK)
        .then("00 A4 02 0C 02 00 18", OK)
        .then("00 20 00 80", "63 C3")
        .then("00 20 00 80 04 31 32 33 34", OK)
        .then("00 A4 02 0C 02 00 0A", OK)
        .then_bytes(h("00 B0 00 00 00"), {
            let mut v = fixtures::AUTH_CERT[..256].to_vec();
            v.extend(h(OK));
            v
        })
        .then_bytes(h("00 B0 01 00 00"), {
            let mut v = fixtures::AUTH_CERT[256..512].to_vec();
            v.extend(h(OK));
            v
        })
        .then_bytes(h("00 B0 02 00 00"), {
            let mut v = fixtures::AUTH_CERT[512..768].to_vec();
            v.extend(h(OK));
            v
        })
        .then_bytes(h("00 B0 03 00 36"), {
            let mut v = fixtures::AUTH_CERT[768..].to_vec();
            v.extend(h(OK));
            v
        })
        .then("00 A4 02 0C 02 00 17", OK)
        .then_bytes(sign_cmd, h("6C 00"));
    let mut app = JpkiApp::select(&mut script).unwrap();
    app.verify_pin(&pin(PinKind::Auth, "1234")).unwrap();
    let err = app.sign_sha256(KeyKind::Auth, &hash).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Transport(crate::transport::TransportError::RefusedResend { ins: 0x2A, .. })
        ),
        "{err:?}"
    );
    script.assert_done();
}

#[test]
fn endless_get_response_chaining_is_an_error_not_a_memory_leak() {
    /// Answers SELECT normally, then every other command with 256 bytes and `61 00`, for ever.
    struct Chaining {
        sent: usize,
    }
    impl crate::transport::Transport for Chaining {
        fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, crate::transport::TransportError> {
            self.sent += 1;
            if apdu[1] == 0xA4 {
                return Ok(h(OK));
            }
            let mut answer = vec![0x30; 256];
            answer.extend([0x61, 0x00]);
            Ok(answer)
        }
    }
    let mut reader = Chaining { sent: 0 };
    let mut app = JpkiApp::select(&mut reader).unwrap();
    let err = app.read_certificate(CertSlot::AuthCa).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Transport(crate::transport::TransportError::ResponseTooLong { .. })
        ),
        "{err:?}"
    );
    drop(app);
    assert!(
        reader.sent < crate::transport::MAX_RESPONSE_DATA / 256 + 10,
        "{} APDUs",
        reader.sent
    );
}
