//! Exit codes scripts can act on, and error messages people can act on. What an error means is
//! the core's classification ([`kazasu_core::problem`]); this file only reads it off.

use kazasu_core::problem::classify;
pub use kazasu_core::problem::exit::SUCCESS;

/// The exit code for `err`, from the most specific cause in its chain.
pub fn code_for(err: &anyhow::Error) -> i32 {
    let error: &(dyn std::error::Error + 'static) = err.as_ref();
    classify(error).kind.exit_code()
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
    use kazasu_core::CardError;
    use kazasu_core::cms::CmsError;
    use kazasu_core::documents::DocumentError;
    use kazasu_core::problem::exit::CARD_TROUBLE;
    use kazasu_core::transport::TransportError;

    #[test]
    fn a_card_pulled_away_while_signing_is_card_trouble_however_deeply_wrapped() {
        let removed = || CardError::Transport(TransportError::CardRemoved);
        for err in [
            anyhow::Error::new(removed()),
            anyhow::Error::new(DocumentError::Card(removed())),
            anyhow::Error::new(DocumentError::from(CmsError::Card(removed()))),
            anyhow::Error::new(DocumentError::Cms(CmsError::Card(removed()))),
            anyhow::Error::new(DocumentError::Card(removed())).context("signing contract.pdf"),
        ] {
            assert_eq!(code_for(&err), CARD_TROUBLE, "{}", describe(&err));
        }
    }
}
