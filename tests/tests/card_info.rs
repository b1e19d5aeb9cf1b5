//! The card-info application: My Number (check digit valid) and the four basic facts, behind its own PIN.

use kazasu_core::card::Sex;
use kazasu_core::flows;
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::transport::Traced;
use kazasu_core::{CardError, CardInfoApp};
use kazasu_tests::{CARD_INFO_PIN, TestCard};

#[test]
fn card_info_returns_the_holders_number_and_facts() {
    let card = TestCard::new();
    let holder = card.state().holder().clone();
    let mut link = Traced::new(card.transport());
    let id = flows::read_identity(
        &mut link,
        &Pin::parse(PinKind::CardInfo, CARD_INFO_PIN).unwrap(),
    )
    .unwrap();
    let number = id.my_number.as_ref().expect("the PIN opens My Number");
    assert_eq!(number.reveal(), holder.my_number);
    assert!(
        kazasu_core::mynumber::MyNumber::parse(number.reveal()).is_ok(),
        "check digit valid"
    );
    assert!(id.authenticity.is_genuine(), "{}", id.authenticity);
    let facts = id.facts.as_ref().expect("the PIN opens the facts");
    // The card separates family and given name with U+3000 (ideographic space), as real cards do.
    assert_eq!(facts.name, holder.name.replace(' ', "\u{3000}"));
    assert_eq!(facts.address, holder.address);
    assert_eq!(facts.birth_date, holder.birth_date);
    assert_eq!(facts.sex, Sex::Male);
    // Masked unless revealed on purpose.
    assert!(!format!("{:?}", id.my_number).contains(&holder.my_number[..8]));
    // Select, PIN status, verify, two reads, then the authenticity check: certificate,
    // integrity record and the card's own signature.
    assert!(link.stats().apdus <= 10, "{} APDUs", link.stats().apdus);
}

#[test]
fn card_info_needs_its_pin() {
    let card = TestCard::new();
    let mut app = CardInfoApp::select(card.transport()).unwrap();
    let err = app.my_number().unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinRequired {
                kind: PinKind::CardInfo
            }
        ),
        "{err:?}"
    );
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
}
