//! The access codes (card-info codes A and B, the card-surface keys): each opens only its part
//! of the card, costs a try of its own counter when wrong, is never sent malformed or locked;
//! and what the card gives is checked against its own signatures.

use kazasu_core::card::authenticity::Authenticity;
use kazasu_core::card::photo::jpeg2000_to_png;
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::transport::Traced;
use kazasu_core::{CardError, CardInfoApp, PinStatus, SurfaceApp, flows};
use kazasu_tests::{CARD_INFO_PIN, TestCard};

fn code(kind: PinKind, text: &str) -> Pin {
    Pin::parse(kind, text).expect("well-formed code")
}

/// A well-formed code that is not this card's.
fn wrong(kind: PinKind) -> Pin {
    let text = match kind {
        PinKind::CardInfoCodeA | PinKind::SurfaceCodeA => "000000000000",
        PinKind::SurfaceBirthDate => "010101",
        _ => "01010120300000",
    };
    code(kind, text)
}

#[test]
fn code_a_opens_my_number_only_and_code_b_the_facts_only() {
    let card = TestCard::new();
    let holder = card.state().holder().clone();

    let a = code(PinKind::CardInfoCodeA, &card.code(PinKind::CardInfoCodeA));
    let id = flows::read_identity(card.transport(), &a).unwrap();
    assert_eq!(id.my_number.unwrap().reveal(), holder.my_number);
    assert!(id.facts.is_none());
    assert!(id.authenticity.is_genuine(), "{}", id.authenticity);

    let mut app = CardInfoApp::select(card.transport()).unwrap();
    app.verify_pin(&a).unwrap();
    // Code A does not open the facts: the card wants the PIN (or code B) for them.
    let err = app.basic_facts().unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinRequired {
                kind: PinKind::CardInfo
            }
        ),
        "{err:?}"
    );

    let b = code(PinKind::CardInfoCodeB, &card.code(PinKind::CardInfoCodeB));
    let id = flows::read_identity(card.transport(), &b).unwrap();
    assert!(id.my_number.is_none());
    assert_eq!(id.facts.unwrap().birth_date, holder.birth_date);
    assert!(id.authenticity.is_genuine(), "{}", id.authenticity);
}

#[test]
fn a_wrong_code_costs_one_try_of_its_own_counter_and_locks_it_alone() {
    let card = TestCard::new();
    let kind = PinKind::CardInfoCodeA;
    let limit = kind.retry_limit();
    for used in 1..=limit {
        let err = CardInfoApp::select(card.transport())
            .unwrap()
            .verify_pin(&wrong(kind))
            .unwrap_err();
        if used < limit {
            assert!(
                matches!(err, CardError::WrongPin { kind: k, tries_left } if k == kind && tries_left == limit - used),
                "try {used}: {err:?}"
            );
        } else {
            assert!(err.is_pin_locked(), "{err:?}");
        }
        // The card-info PIN's own counter is untouched.
        assert_eq!(card.state().tries_left(PinKind::CardInfo), 3);
    }
    // Locked: the right code is refused without reaching the card's VERIFY.
    let right = code(kind, &card.code(kind));
    let mut link = Traced::new(card.transport());
    let mut app = CardInfoApp::select(&mut link).unwrap();
    assert_eq!(app.status_of(kind).unwrap(), PinStatus::Locked);
    let before = link.stats().apdus;
    let mut app = CardInfoApp::select(&mut link).unwrap();
    let err = app.verify_pin(&right).unwrap_err();
    assert!(err.is_pin_locked(), "{err:?}");
    // One SELECT and one empty VERIFY (the status check), never a VERIFY with the code.
    assert!(
        link.stats().apdus - before <= 2,
        "{}",
        link.stats().apdus - before
    );
    // The PIN still opens everything.
    let id =
        flows::read_identity(card.transport(), &code(PinKind::CardInfo, CARD_INFO_PIN)).unwrap();
    assert!(id.my_number.is_some() && id.facts.is_some());
}

#[test]
fn a_mistyped_code_never_reaches_the_card() {
    let card = TestCard::new();
    let mut number = card.code(PinKind::CardInfoCodeA);
    // Change the last digit: the check digit no longer matches.
    let last = number.pop().unwrap();
    number.push(if last == '0' { '1' } else { '0' });
    assert!(Pin::parse(PinKind::CardInfoCodeA, &number).is_err());
    assert!(Pin::parse(PinKind::CardInfoCodeB, "0213152036000").is_err());
    assert!(
        Pin::parse(PinKind::SurfaceBirthDate, "900315").is_ok(),
        "format only: the card judges"
    );
    assert_eq!(
        card.state().tries_left(PinKind::CardInfoCodeA),
        kazasu_core::pin::ACCESS_CODE_TRIES
    );
}

#[test]
fn codes_cannot_be_changed() {
    let card = TestCard::new();
    let a = code(PinKind::CardInfoCodeA, &card.code(PinKind::CardInfoCodeA));
    let err = flows::change_pin(card.transport(), &a, &a).unwrap_err();
    assert!(matches!(err, CardError::NotChangeable { .. }), "{err:?}");
}

#[test]
fn the_card_face_is_read_signed_and_its_photo_shown_as_png() {
    let card = TestCard::new();
    let state = card.state();
    let a = code(PinKind::SurfaceCodeA, &card.code(PinKind::SurfaceCodeA));
    let surface = flows::read_surface(card.transport(), &a).unwrap();
    assert!(surface.face.signed);
    assert_eq!(surface.face.birth_date, state.holder().birth_date);
    assert_eq!(surface.face.expires_on, state.card_expires_on());
    let png = surface.photo_png.expect("the photo converts");
    let info = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    assert!(info.info().width >= 100 && info.info().height >= 100);
    let (number_image, signed) = surface.my_number_image.expect("code A opens it");
    assert!(signed && number_image.starts_with(b"\x89PNG"));
    // Same photo bytes through the public converter.
    assert!(jpeg2000_to_png(&surface.face.photo_jpeg2000).is_ok());

    // Code B opens the face but not the My Number image.
    let b = code(PinKind::SurfaceCodeB, &card.code(PinKind::SurfaceCodeB));
    let surface = flows::read_surface(card.transport(), &b).unwrap();
    assert!(surface.face.signed && surface.my_number_image.is_none());
    let mut app = SurfaceApp::select(card.transport()).unwrap();
    app.verify_pin(&b).unwrap();
    let err = app.my_number_image().unwrap_err();
    assert!(matches!(err, CardError::PinRequired { .. }), "{err:?}");
}

#[test]
fn the_birth_date_key_opens_the_age_record_only() {
    let card = TestCard::new();
    let key = code(
        PinKind::SurfaceBirthDate,
        &card.code(PinKind::SurfaceBirthDate),
    );
    let mut app = SurfaceApp::select(card.transport()).unwrap();
    app.verify_pin(&key).unwrap();
    let age = app.age_record().unwrap();
    assert!(age.signed);
    assert_eq!(age.birth_date, card.state().holder().birth_date);
    assert!(matches!(
        app.card_face().unwrap_err(),
        CardError::PinRequired { .. }
    ));
}

#[test]
fn a_wrong_surface_code_shows_its_tries() {
    let card = TestCard::new();
    let kind = PinKind::SurfaceCodeB;
    let err = flows::read_surface(card.transport(), &wrong(kind)).unwrap_err();
    assert!(
        matches!(err, CardError::WrongPin { kind: k, tries_left } if k == kind && tries_left == kind.retry_limit() - 1),
        "{err:?}"
    );
    let status = flows::pin_status(card.transport(), kind).unwrap();
    assert_eq!(status, PinStatus::Remaining(kind.retry_limit() - 1));
}

#[test]
fn authenticity_says_altered_when_the_data_does_not_match_the_record() {
    let card = TestCard::new();
    let mut app = CardInfoApp::select(card.transport()).unwrap();
    app.verify_pin(&code(PinKind::CardInfo, CARD_INFO_PIN))
        .unwrap();
    let number = app.my_number_file().unwrap();
    let mut facts = app.basic_facts_file().unwrap();
    // What a tampering reader (or a relay) would change: one byte of the address.
    let at = facts.len() - 20;
    facts[at] ^= 0x01;
    let verdict = app.authenticity(Some(&number), Some(&facts)).unwrap();
    assert!(matches!(verdict, Authenticity::Altered { .. }), "{verdict}");
    let verdict = app.authenticity(Some(&number), None).unwrap();
    assert!(verdict.is_genuine(), "{verdict}");
}
