//! What crosses the bridge to the phone: command names, their JSON arguments and answers, and
//! APDUs as hex strings (JSON has no bytes, and an array of numbers is four times larger).

use kazasu_core::apdu::ApduError;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The phone-side command names (camelCase, as Kotlin and Swift declare them).
pub(crate) mod command {
    pub const IS_AVAILABLE: &str = "isAvailable";
    pub const OPEN_SESSION: &str = "openSession";
    pub const TRANSCEIVE: &str = "transceive";
    pub const CLOSE_SESSION: &str = "closeSession";
}

/// The longest command APDU ISO 7816-4 allows: header, extended Lc (3), 65 535 data bytes,
/// extended Le (2, after an extended Lc).
pub const MAX_COMMAND_LEN: usize = 4 + 3 + 65_535 + 2;

/// The longest response APDU: 65 536 data bytes (extended Le 0000) and SW1 SW2.
pub const MAX_RESPONSE_LEN: usize = 65_536 + 2;

/// A command APDU as the phone receives it: upper-case hex, checked for length first.
pub(crate) fn encode_command(apdu: &[u8]) -> Result<String, Error> {
    if apdu.len() < 4 {
        return Err(ApduError::TooShort { len: apdu.len() }.into());
    }
    if apdu.len() > MAX_COMMAND_LEN {
        return Err(Error::Bridge {
            reason: format!(
                "a command APDU of {} bytes is longer than ISO 7816-4 allows ({MAX_COMMAND_LEN})",
                apdu.len()
            ),
        });
    }
    Ok(hex::encode_upper(apdu))
}

/// A response APDU from the phone's hex: at most [`MAX_RESPONSE_LEN`] bytes (checked before
/// decoding), and at least the two status bytes.
pub(crate) fn decode_response(text: &str) -> Result<Vec<u8>, Error> {
    if text.len() > 2 * MAX_RESPONSE_LEN {
        return Err(Error::Bridge {
            reason: format!(
                "the phone answered {} hex digits, more than a response APDU can have ({})",
                text.len(),
                2 * MAX_RESPONSE_LEN
            ),
        });
    }
    let bytes = hex::decode(text).map_err(|e| Error::Bridge {
        reason: format!("the phone's answer is not hex: {e}"),
    })?;
    if bytes.len() < 2 {
        return Err(ApduError::ResponseTooShort { len: bytes.len() }.into());
    }
    Ok(bytes)
}

/// `isAvailable` → `{ available, reason? }`.
#[derive(Debug, Deserialize)]
pub(crate) struct Availability {
    pub available: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `openSession`: start reader mode (Android) or the NFC sheet (iOS) and resolve once a card is
/// connected. `session` is chosen by Rust, so a late `closeSession` for an old session can never
/// close a newer one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OpenSessionArgs<'a> {
    pub session: u32,
    /// The iOS sheet's text (Android has no sheet: the app shows its own).
    pub prompt: &'a str,
    /// Longest wait for one answer from the card.
    pub timeout_ms: u64,
    /// Longest wait for the card to be tapped (iOS ends its sheet by itself after about 60 s).
    pub wait_ms: u64,
}

/// `transceive`: one command APDU in the open session → `{ response }`.
#[derive(Debug, Serialize)]
pub(crate) struct TransceiveArgs {
    pub session: u32,
    pub apdu: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct TransceiveAnswer {
    pub response: String,
}

/// `closeSession`: ends `session` (any session, and a pending open, when absent). On iOS the
/// sheet closes showing `message` as a success, or as an error when `success` is false.
#[derive(Debug, Serialize)]
pub(crate) struct CloseSessionArgs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub success: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_upper_case_hex() {
        assert_eq!(
            encode_command(&[0x00, 0xA4, 0x04, 0x0C, 0x02, 0xd3, 0x92]).unwrap(),
            "00A4040C02D392"
        );
    }

    #[test]
    fn command_length_limits() {
        assert!(matches!(
            encode_command(&[0, 0xB0, 0]),
            Err(Error::Apdu(ApduError::TooShort { len: 3 }))
        ));
        assert_eq!(encode_command(&[0; 4]).unwrap(), "00000000");
        let longest = vec![0u8; MAX_COMMAND_LEN];
        assert_eq!(encode_command(&longest).unwrap().len(), 2 * MAX_COMMAND_LEN);
        let too_long = vec![0u8; MAX_COMMAND_LEN + 1];
        assert!(matches!(
            encode_command(&too_long),
            Err(Error::Bridge { .. })
        ));
    }

    #[test]
    fn responses_decode_in_either_case() {
        assert_eq!(
            decode_response("6a829000").unwrap(),
            [0x6A, 0x82, 0x90, 0x00]
        );
        assert_eq!(decode_response("9000").unwrap(), [0x90, 0x00]);
        assert_eq!(
            decode_response("CAfe9000").unwrap(),
            [0xCA, 0xFE, 0x90, 0x00]
        );
    }

    #[test]
    fn responses_need_a_status_word() {
        assert!(matches!(
            decode_response(""),
            Err(Error::Apdu(ApduError::ResponseTooShort { len: 0 }))
        ));
        assert!(matches!(
            decode_response("90"),
            Err(Error::Apdu(ApduError::ResponseTooShort { len: 1 }))
        ));
    }

    #[test]
    fn malformed_hex_is_a_bridge_error() {
        for bad in ["900", "90 00", "zz00", "9000\n"] {
            assert!(
                matches!(decode_response(bad), Err(Error::Bridge { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn response_length_limit() {
        let longest = "00".repeat(MAX_RESPONSE_LEN);
        assert_eq!(decode_response(&longest).unwrap().len(), MAX_RESPONSE_LEN);
        let too_long = "00".repeat(MAX_RESPONSE_LEN + 1);
        assert!(matches!(
            decode_response(&too_long),
            Err(Error::Bridge { .. })
        ));
        // Refused by length before any decoding, even when it is not hex at all.
        let huge = "x".repeat(2 * MAX_RESPONSE_LEN + 1);
        assert!(
            matches!(decode_response(&huge), Err(Error::Bridge { reason }) if reason.contains("more than"))
        );
    }

    #[test]
    fn arguments_are_camel_case_json() {
        let open = OpenSessionArgs {
            session: 7,
            prompt: "Hold your card",
            timeout_ms: 5000,
            wait_ms: 60_000,
        };
        assert_eq!(
            serde_json::to_value(open).unwrap(),
            serde_json::json!({"session": 7, "prompt": "Hold your card", "timeoutMs": 5000, "waitMs": 60000})
        );
        let close = CloseSessionArgs {
            session: None,
            message: None,
            success: true,
        };
        // Absent, not null: Android's JSON mapper refuses null for a primitive.
        assert_eq!(
            serde_json::to_value(close).unwrap(),
            serde_json::json!({"success": true})
        );
        let available: Availability = serde_json::from_str(r#"{"available":true}"#).unwrap();
        assert!(available.available && available.reason.is_none());
    }
}
