//! Property tests: every encodable command parses back to itself, at every length boundary.

use kazasu_core::apdu::{Command, LengthEncoding, Response, StatusWord};
use proptest::prelude::*;

/// Data lengths around every boundary of both encodings.
fn data_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0usize),
        Just(1),
        Just(255),
        Just(256),
        Just(65_535),
        0usize..600,
    ]
}

/// Le values around every boundary, or none.
fn le() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        Just(None),
        Just(Some(1)),
        Just(Some(255)),
        Just(Some(256)),
        Just(Some(257)),
        Just(Some(65_535)),
        Just(Some(65_536)),
        (1u32..=65_536).prop_map(Some),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    (any::<[u8; 4]>(), data_len(), any::<u8>(), le()).prop_map(|(h, len, fill, le)| {
        let c = Command::new(h[0], h[1], h[2], h[3]).with_data(vec![fill; len]);
        match le {
            Some(le) => c.with_le(le),
            None => c,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn preferred_encoding_round_trips(c in command()) {
        let bytes = c.to_bytes().unwrap();
        prop_assert_eq!(Command::parse(&bytes).unwrap(), c);
    }

    #[test]
    fn extended_encoding_round_trips(c in command()) {
        let bytes = c.encode(LengthEncoding::Extended).unwrap();
        prop_assert_eq!(Command::parse(&bytes).unwrap(), c);
    }

    #[test]
    fn short_encoding_round_trips_or_refuses(c in command()) {
        let fits = c.data().len() <= 255 && c.le().is_none_or(|le| le <= 256);
        match c.encode(LengthEncoding::Short) {
            Ok(bytes) => {
                prop_assert!(fits);
                prop_assert!(bytes.len() <= 4 + 1 + 255 + 1);
                prop_assert_eq!(Command::parse(&bytes).unwrap(), c);
            }
            Err(_) => prop_assert!(!fits),
        }
    }

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(c) = Command::parse(&bytes) {
            // Whatever parses re-encodes to the same bytes in one of the encodings.
            let short = c.encode(LengthEncoding::Short).ok();
            let ext = c.encode(LengthEncoding::Extended).ok();
            prop_assert!(short.as_deref() == Some(&bytes[..]) || ext.as_deref() == Some(&bytes[..]));
        }
    }

    #[test]
    fn response_round_trips(data in proptest::collection::vec(any::<u8>(), 0..300), sw in any::<u16>()) {
        let r = Response::new(data.clone(), StatusWord::from(sw));
        let parsed = Response::parse(&r.to_bytes()).unwrap();
        prop_assert_eq!(parsed.data(), &data[..]);
        prop_assert_eq!(parsed.status().to_u16(), sw);
    }
}

#[test]
fn boundaries_choose_the_right_encoding() {
    let short_max = Command::new(0, 0xB0, 0, 0)
        .with_data(vec![0; 255])
        .with_le(256);
    assert_eq!(short_max.to_bytes().unwrap().len(), 4 + 1 + 255 + 1);
    let just_over = Command::new(0, 0xB0, 0, 0).with_data(vec![0; 256]);
    assert_eq!(just_over.to_bytes().unwrap().len(), 4 + 3 + 256);
    let le_over = Command::new(0, 0xB0, 0, 0).with_le(257);
    assert_eq!(le_over.to_bytes().unwrap(), [0, 0xB0, 0, 0, 0, 0x01, 0x01]);
    let le_max = Command::new(0, 0xB0, 0, 0).with_le(65_536);
    assert_eq!(le_max.to_bytes().unwrap(), [0, 0xB0, 0, 0, 0, 0, 0]);
    let too_much = Command::new(0, 0xB0, 0, 0).with_data(vec![0; 65_536]);
    assert!(too_much.to_bytes().is_err());
    assert!(
        Command::new(0, 0xB0, 0, 0)
            .with_le(65_537)
            .to_bytes()
            .is_err()
    );
}
