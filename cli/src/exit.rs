//! Exit codes scripts can act on, and error messages people can act on.

use kazasu_core::CardError;
use kazasu_core::cms::CmsError;
use kazasu_core::documents::DocumentError;
use kazasu_core::pin::PinFormatError;
use kazasu_core::transport::TransportError;

/// Everything worked.
pub const SUCCESS: i32 = 0;
/// Anything not covered below.
pub const OTHER: i32 = 1;
/// A PIN or argument broke the rules: nothing was sent to the card.
pub const BAD_INPUT: i32 = 2;
/// The card refused the PIN: a try was used.
pub const WRONG_PIN: i32 = 3;
/// The PIN is locked: only the municipal office can reset it.
pub const PIN_LOCKED: i32 = 4;
/// The card or reader failed (removed, not a My Number Card, transport error).
pub const CARD_TROUBLE: i32 = 5;
/// A signature was checked and is not valid.
pub const SIGNATURE_NOT_VALID: i32 = 6;

/// `kazasu verify` found the signature not valid (its report says why).
#[derive(Debug, thiserror::Error)]
#[error("the signature is not valid")]
pub struct SignatureInvalid;

/// What the card gave does not match its own signatures (card-info or card-surface data).
#[derive(Debug, thiserror::Error)]
#[error(
    "the card's data does not match its signatures: the card or what it returned has been altered"
)]
pub struct CardNotGenuine;

/// Picks the exit code for `err` from the most specific cause in its chain.
pub fn code_for(err: &anyhow::Error) -> i32 {
    for cause in err.chain() {
        if cause.downcast_ref::<PinFormatError>().is_some() {
            return BAD_INPUT;
        }
        if cause.downcast_ref::<SignatureInvalid>().is_some()
            || cause.downcast_ref::<CardNotGenuine>().is_some()
        {
            return SIGNATURE_NOT_VALID;
        }
        // A signature made with SHA-1 or MD5 was checked, and is not valid.
        if matches!(
            cause.downcast_ref::<DocumentError>(),
            Some(DocumentError::Cms(CmsError::WeakAlgorithm(_)))
        ) || matches!(
            cause.downcast_ref::<CmsError>(),
            Some(CmsError::WeakAlgorithm(_))
        ) {
            return SIGNATURE_NOT_VALID;
        }
        if cause.downcast_ref::<TransportError>().is_some() {
            return CARD_TROUBLE;
        }
        if let Some(card) = card_error_in(cause) {
            return match card {
                CardError::InvalidPinFormat(_) => BAD_INPUT,
                CardError::WrongPin { .. } => WRONG_PIN,
                CardError::PinLocked { .. } => PIN_LOCKED,
                _ => CARD_TROUBLE,
            };
        }
    }
    OTHER
}

/// The card's own error in `cause`, also where a document or CMS error wraps it transparently
/// (`#[error(transparent)]` hands its source's source to the chain, skipping the `CardError`).
fn card_error_in<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a CardError> {
    if let Some(card) = cause.downcast_ref::<CardError>() {
        return Some(card);
    }
    match cause.downcast_ref::<DocumentError>()? {
        DocumentError::Card(card) | DocumentError::Cms(CmsError::Card(card)) => Some(card),
        _ => None,
    }
}

/// The whole chain of `err` as one line, outermost context first.
pub fn describe(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        // thiserror messages often repeat their source; do not print the same words twice.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_pulled_away_while_signing_is_card_trouble_however_deeply_wrapped() {
        let removed = || CardError::Transport(TransportError::CardRemoved);
        for err in [
            anyhow::Error::new(removed()),
            anyhow::Error::new(DocumentError::Card(removed())),
            anyhow::Error::new(DocumentError::Cms(CmsError::Card(removed()))),
            anyhow::Error::new(DocumentError::Cms(CmsError::Card(removed())))
                .context("signing contract.pdf"),
        ] {
            assert_eq!(code_for(&err), CARD_TROUBLE, "{}", describe(&err));
        }
    }
}
