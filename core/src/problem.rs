//! The one classification of failures: what happened, whether a PIN try was used, what the person
//! can do, and the exit code (CLI), code (app) and variant (bindings) each front end reports.
//!
//! Front ends call [`classify`] on whatever error reached them, however deeply a [`CardError`] is
//! wrapped (`DocumentError` → `CmsError` → `CardError` → `TransportError`), and word the result;
//! they never decide what an error means themselves. The README's exit-code table is
//! [`markdown_table`], checked by a test.

use std::error::Error;

use serde::Serialize;

use crate::cms::CmsError;
#[cfg(feature = "documents")]
use crate::documents::DocumentError;
use crate::error::CardError;
#[cfg(feature = "service")]
use crate::login::service::ServiceError;
use crate::pin::{PinFormatError, PinKind};
use crate::transport::TransportError;

/// What kind of failure, from the person's side. Each kind has one exit code, one app code and
/// one bindings variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// A PIN or access code breaks its format rule; nothing was sent to the card.
    InvalidPin,
    /// An argument or request makes no sense (a caller's mistake); nothing was sent to the card.
    InvalidInput,
    /// The card refused the PIN and used one try.
    WrongPin,
    /// The PIN is locked; it was not sent.
    PinLocked,
    /// The card wants a PIN verified first; nothing was read or signed.
    PinRequired,
    /// The card left the reader (or was reset) before it answered.
    CardRemoved,
    /// No card is on the reader.
    NoCard,
    /// The card did not answer in time.
    Timeout,
    /// The reader, socket or NFC link failed.
    ReaderUnavailable,
    /// The card is not a My Number Card.
    NotMyNumberCard,
    /// The card answered with an error or with data of the wrong shape.
    CardFailed,
    /// The signing certificate has expired.
    CertificateExpired,
    /// The signing certificate is not valid yet.
    CertificateNotYetValid,
    /// A signature, or the card's own data, was checked and is not valid.
    NotValid,
    /// The file is not a PDF that can be signed.
    NotAPdf,
    /// A file could not be read or written.
    File,
    /// The signed copy would replace the document itself.
    SameFile,
    /// The output file exists and replacing it was not asked for.
    OutputExists,
    /// The login service's address is not usable.
    InvalidUrl,
    /// The login service could not be reached.
    ServiceUnreachable,
    /// The login service refused.
    ServiceRefused,
    /// The login request expired or was already used.
    ChallengeExpired,
    /// The time-stamping authority could not be reached, refused, or its timestamp is not trusted.
    TimestampUnavailable,
    /// Nothing given says whether a certificate is revoked (no current CRL, OCSP unreachable).
    RevocationUnavailable,
    /// The signing certificate is revoked (after a move, a marriage, a loss…).
    CertificateRevoked,
    /// Anything nobody planned for.
    Internal,
}

impl ProblemKind {
    /// Every kind, in the order of the README's table.
    pub const ALL: [ProblemKind; 26] = [
        ProblemKind::InvalidPin,
        ProblemKind::InvalidInput,
        ProblemKind::WrongPin,
        ProblemKind::PinLocked,
        ProblemKind::PinRequired,
        ProblemKind::CardRemoved,
        ProblemKind::NoCard,
        ProblemKind::Timeout,
        ProblemKind::ReaderUnavailable,
        ProblemKind::NotMyNumberCard,
        ProblemKind::CardFailed,
        ProblemKind::CertificateExpired,
        ProblemKind::CertificateNotYetValid,
        ProblemKind::NotValid,
        ProblemKind::NotAPdf,
        ProblemKind::File,
        ProblemKind::SameFile,
        ProblemKind::OutputExists,
        ProblemKind::InvalidUrl,
        ProblemKind::ServiceUnreachable,
        ProblemKind::ServiceRefused,
        ProblemKind::ChallengeExpired,
        ProblemKind::TimestampUnavailable,
        ProblemKind::RevocationUnavailable,
        ProblemKind::CertificateRevoked,
        ProblemKind::Internal,
    ];

    /// The `kazasu` command's exit code: scripts act on it.
    pub fn exit_code(self) -> i32 {
        use ProblemKind::*;
        match self {
            InvalidPin | InvalidInput | SameFile | OutputExists => exit::BAD_INPUT,
            WrongPin => exit::WRONG_PIN,
            PinLocked => exit::PIN_LOCKED,
            PinRequired | CardRemoved | NoCard | Timeout | ReaderUnavailable | NotMyNumberCard
            | CardFailed => exit::CARD_TROUBLE,
            NotValid => exit::SIGNATURE_NOT_VALID,
            CertificateExpired
            | CertificateNotYetValid
            | NotAPdf
            | File
            | InvalidUrl
            | ServiceUnreachable
            | ServiceRefused
            | ChallengeExpired
            | TimestampUnavailable
            | RevocationUnavailable
            | CertificateRevoked
            | Internal => exit::OTHER,
        }
    }

    /// The stable word the app's front end receives as `code` (`card_removed`, …).
    pub fn app_code(self) -> &'static str {
        use ProblemKind::*;
        match self {
            InvalidPin => "invalid_pin",
            InvalidInput => "invalid_input",
            WrongPin => "wrong_pin",
            PinLocked => "pin_locked",
            PinRequired => "pin_required",
            CardRemoved => "card_removed",
            NoCard => "no_card",
            Timeout => "timeout",
            ReaderUnavailable => "reader_unavailable",
            NotMyNumberCard => "not_my_number_card",
            CardFailed => "card_error",
            CertificateExpired => "certificate_expired",
            CertificateNotYetValid => "certificate_not_yet_valid",
            NotValid => "not_valid",
            NotAPdf => "not_a_pdf",
            File => "file",
            SameFile => "same_file",
            OutputExists => "output_exists",
            InvalidUrl => "invalid_url",
            ServiceUnreachable => "service_unreachable",
            ServiceRefused => "service_refused",
            ChallengeExpired => "challenge_expired",
            TimestampUnavailable => "timestamp_unavailable",
            RevocationUnavailable => "revocation_unavailable",
            CertificateRevoked => "certificate_revoked",
            Internal => "internal",
        }
    }

    /// The name of the bindings' error variant (`MobileError.CardRemoved` in Python and Kotlin).
    pub fn binding_variant(self) -> &'static str {
        use ProblemKind::*;
        match self {
            InvalidPin => "InvalidPin",
            InvalidInput | SameFile | OutputExists => "InvalidInput",
            WrongPin => "WrongPin",
            PinLocked => "PinLocked",
            PinRequired => "PinRequired",
            CardRemoved => "CardRemoved",
            NoCard => "NoCard",
            Timeout => "Timeout",
            ReaderUnavailable => "Transport",
            NotMyNumberCard => "NotMyNumberCard",
            CardFailed => "Card",
            CertificateExpired | CertificateNotYetValid | CertificateRevoked => "Certificate",
            NotValid
            | NotAPdf
            | File
            | InvalidUrl
            | ServiceUnreachable
            | ServiceRefused
            | ChallengeExpired
            | TimestampUnavailable
            | RevocationUnavailable
            | Internal => "Unexpected",
        }
    }

    /// True when the failure used one of the PIN's tries.
    pub fn uses_a_try(self) -> bool {
        self == ProblemKind::WrongPin
    }

    /// True for a caller's or a person's input refused before anything reached the card.
    pub fn is_input_mistake(self) -> bool {
        matches!(
            self,
            ProblemKind::InvalidPin
                | ProblemKind::InvalidInput
                | ProblemKind::SameFile
                | ProblemKind::OutputExists
        )
    }

    /// What the person can do, in one sentence.
    pub fn advice(self) -> &'static str {
        use ProblemKind::*;
        match self {
            InvalidPin => "Type the PIN again: the message says which rule it broke.",
            InvalidInput => "Correct the argument named in the message.",
            WrongPin => "Check the PIN; the message says how many tries are left.",
            PinLocked => "Take the card and a photo ID to your municipal office to reset it.",
            PinRequired => "Verify the PIN the message names, then try again.",
            CardRemoved => "Hold the card still against the reader and try again.",
            NoCard => "Place your My Number Card on the reader.",
            Timeout => "Hold the card still against the reader and try again.",
            ReaderUnavailable => "Check the reader (or NFC) and its connection.",
            NotMyNumberCard => "Place only your My Number Card on the reader.",
            CardFailed => "Try again; if it persists the card may be faulty.",
            CertificateExpired => "The municipal office issues a new certificate.",
            CertificateNotYetValid => {
                "Wait until the certificate's start date, or check the clock."
            }
            NotValid => "Do not trust the document or data; the report says why.",
            NotAPdf => "Sign it as a detached signature, or repair the PDF.",
            File => "Check the path and its permissions.",
            SameFile => "Choose another name for the signed copy.",
            OutputExists => "Choose another name, or say that it may be replaced.",
            InvalidUrl => "Use the https:// address the service shows.",
            ServiceUnreachable => "Check the network and that the service is up.",
            ServiceRefused => "Start again from the service's page; the message says why.",
            ChallengeExpired => "Reload the login page for a new QR code.",
            TimestampUnavailable => {
                "Check the TSA's address and the CA given for it, or sign with a profile without a timestamp."
            }
            RevocationUnavailable => {
                "Give the CA's current CRL or a reachable OCSP responder, as the message says."
            }
            CertificateRevoked => "The municipal office issues a new certificate.",
            Internal => "Report it, with the message.",
        }
    }
}

/// The exit codes of `kazasu`, documented in the README's table.
pub mod exit {
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
}

/// A failure as classified: its kind and the facts a screen shows with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What kind of failure.
    pub kind: ProblemKind,
    /// The PIN or code concerned.
    pub pin: Option<PinKind>,
    /// Tries left after a wrong PIN.
    pub tries_left: Option<u8>,
    /// The login service's HTTP status, when it refused.
    pub http_status: Option<u16>,
    /// A short technical reason (a status word, the service's or the file system's words).
    pub detail: Option<String>,
}

impl Problem {
    fn of(kind: ProblemKind) -> Problem {
        Problem {
            kind,
            pin: None,
            tries_left: None,
            http_status: None,
            detail: None,
        }
    }

    fn with_pin(mut self, kind: PinKind) -> Problem {
        self.pin = Some(kind);
        self
    }

    fn with_detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }
}

/// A signature was checked and is not valid (the report that goes with it says why).
#[derive(Debug, thiserror::Error)]
#[error("the signature is not valid")]
pub struct SignatureNotValid;

/// What the card gave does not match its own signatures (card-info or card-surface data).
#[derive(Debug, thiserror::Error)]
#[error(
    "the card's data does not match its signatures: the card or what it returned has been altered"
)]
pub struct CardNotGenuine;

/// Classifies `error` by the most specific cause in its chain: the outermost error the core
/// knows decides, looking inside the core's wrappers for the card's own error.
///
/// ```
/// use kazasu_core::problem::{classify, ProblemKind};
/// use kazasu_core::{CardError, cms::CmsError, transport::TransportError};
/// let pulled = CmsError::Card(CardError::Transport(TransportError::CardRemoved));
/// let problem = classify(&pulled);
/// assert_eq!(problem.kind, ProblemKind::CardRemoved);
/// assert_eq!(problem.kind.exit_code(), 5);
/// ```
pub fn classify(error: &(dyn Error + 'static)) -> Problem {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(problem) = known(current) {
            return problem;
        }
        cause = current.source();
    }
    Problem::of(ProblemKind::Internal).with_detail(error.to_string())
}

/// The transport's own error behind `error`, however the core wrapped it (the wrappers are
/// transparent, so `source()` alone skips it): for a front end that needs its details, such as a
/// platform's error carried through `TransportError::Io`.
pub fn transport_cause<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a TransportError> {
    let in_card = |e: &'a CardError| match e {
        CardError::Transport(t) => Some(t),
        _ => None,
    };
    let mut cause = Some(error);
    while let Some(current) = cause {
        let found = if let Some(t) = current.downcast_ref::<TransportError>() {
            Some(t)
        } else if let Some(e) = current.downcast_ref::<CardError>() {
            in_card(e)
        } else if let Some(CmsError::Card(e)) = current.downcast_ref::<CmsError>() {
            in_card(e)
        } else {
            wrapped_card(current).and_then(in_card)
        };
        if found.is_some() {
            return found;
        }
        cause = current.source();
    }
    None
}

/// The card's error inside a document or login error.
fn wrapped_card<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a CardError> {
    #[cfg(feature = "documents")]
    if let Some(DocumentError::Card(e) | DocumentError::Cms(CmsError::Card(e))) =
        error.downcast_ref::<DocumentError>()
    {
        return Some(e);
    }
    #[cfg(feature = "service")]
    if let Some(crate::flows::LoginError::Card(e)) =
        error.downcast_ref::<crate::flows::LoginError>()
    {
        return Some(e);
    }
    let _ = error;
    None
}

/// The classification of one error the core knows, or `None` to look at its source.
fn known(error: &(dyn Error + 'static)) -> Option<Problem> {
    if let Some(e) = error.downcast_ref::<CardError>() {
        return Some(card(e));
    }
    if let Some(e) = error.downcast_ref::<TransportError>() {
        return Some(transport(e));
    }
    if let Some(e) = error.downcast_ref::<PinFormatError>() {
        return Some(pin_format(e));
    }
    #[cfg(feature = "documents")]
    if let Some(e) = error.downcast_ref::<DocumentError>() {
        return document(e);
    }
    if let Some(e) = error.downcast_ref::<CmsError>() {
        return cms(e);
    }
    // Asked about revocation and got no usable answer: never "not revoked".
    if let Some(e) = error.downcast_ref::<crate::ocsp::OcspError>() {
        return Some(Problem::of(ProblemKind::RevocationUnavailable).with_detail(e.to_string()));
    }
    #[cfg(feature = "service")]
    if let Some(e) = error.downcast_ref::<ServiceError>() {
        return Some(service(e));
    }
    #[cfg(feature = "service")]
    if let Some(e) = error.downcast_ref::<crate::flows::LoginError>() {
        return Some(match e {
            crate::flows::LoginError::Card(e) => card(e),
            crate::flows::LoginError::Service(e) => service(e),
        });
    }
    if let Some(e) = error.downcast_ref::<crate::tsp::TspError>() {
        return Some(timestamp(e));
    }
    if error.is::<SignatureNotValid>() || error.is::<CardNotGenuine>() {
        return Some(Problem::of(ProblemKind::NotValid));
    }
    if let Some(e) = error.downcast_ref::<std::io::Error>() {
        return Some(Problem::of(ProblemKind::File).with_detail(e.to_string()));
    }
    None
}

fn card(error: &CardError) -> Problem {
    use ProblemKind as K;
    match error {
        CardError::WrongPin { kind, tries_left } => {
            let mut problem = Problem::of(K::WrongPin).with_pin(*kind);
            problem.tries_left = Some(*tries_left);
            problem
        }
        CardError::PinLocked { kind } => Problem::of(K::PinLocked).with_pin(*kind),
        CardError::PinRequired { kind } => Problem::of(K::PinRequired).with_pin(*kind),
        CardError::NotMyNumberCard | CardError::AppNotFound { .. } => {
            Problem::of(K::NotMyNumberCard)
        }
        CardError::InvalidPinFormat(e) => pin_format(e),
        CardError::Transport(e) => transport(e),
        // A caller's mistake: nothing was sent.
        CardError::PinNotInApplication { kind, .. } | CardError::NotChangeable { kind } => {
            Problem::of(K::InvalidInput)
                .with_pin(*kind)
                .with_detail(error.to_string())
        }
        CardError::MismatchedPins { .. }
        | CardError::PinDoesNotUnlockKey { .. }
        | CardError::DigestInfoLength { .. } => {
            Problem::of(K::InvalidInput).with_detail(error.to_string())
        }
        // What the card said: a status word, a missing file, malformed data, a bad signature.
        _ => Problem::of(K::CardFailed).with_detail(error.to_string()),
    }
}

fn transport(error: &TransportError) -> Problem {
    use ProblemKind as K;
    match error {
        TransportError::CardRemoved | TransportError::CardReset => Problem::of(K::CardRemoved),
        TransportError::NoCard => Problem::of(K::NoCard),
        TransportError::Timeout { .. } => Problem::of(K::Timeout),
        TransportError::ReaderUnavailable { reason, .. } => {
            Problem::of(K::ReaderUnavailable).with_detail(reason.clone())
        }
        other => Problem::of(K::ReaderUnavailable).with_detail(other.to_string()),
    }
}

fn pin_format(error: &PinFormatError) -> Problem {
    let problem = Problem::of(ProblemKind::InvalidPin).with_detail(error.to_string());
    match error.kind() {
        Some(kind) => problem.with_pin(kind),
        None => problem,
    }
}

#[cfg(feature = "documents")]
fn document(error: &DocumentError) -> Option<Problem> {
    use ProblemKind as K;
    Some(match error {
        DocumentError::Card(e) => card(e),
        DocumentError::Cms(e) => return cms(e),
        DocumentError::CertificateUnusable { expired: true, .. } => {
            Problem::of(K::CertificateExpired)
        }
        DocumentError::CertificateUnusable { .. } => Problem::of(K::CertificateNotYetValid),
        DocumentError::Pdf(e) => Problem::of(K::NotAPdf).with_detail(e.to_string()),
        DocumentError::Read(e) | DocumentError::File { source: e, .. } => {
            Problem::of(K::File).with_detail(e.to_string())
        }
        DocumentError::NotSignablePdf { source, .. } => {
            Problem::of(K::NotAPdf).with_detail(source.to_string())
        }
        DocumentError::VisibleNeedsPdf => {
            Problem::of(K::InvalidInput).with_detail(error.to_string())
        }
        DocumentError::OutputIsDocument => Problem::of(K::SameFile),
        DocumentError::ProfileDoesNotFit { .. }
        | DocumentError::NeedsTsa { .. }
        | DocumentError::NeedsTsaTrust { .. }
        | DocumentError::NeedsRevocationSource { .. } => {
            Problem::of(K::InvalidInput).with_detail(error.to_string())
        }
        DocumentError::Timestamp(_) | DocumentError::TimestampNotTrusted { .. } => {
            Problem::of(K::TimestampUnavailable).with_detail(error.to_string())
        }
        DocumentError::Ocsp(_)
        | DocumentError::NoRevocationData { .. }
        | DocumentError::NeedsCrl { .. } => {
            Problem::of(K::RevocationUnavailable).with_detail(error.to_string())
        }
        DocumentError::SignerRevoked { .. } => {
            Problem::of(K::CertificateRevoked).with_detail(error.to_string())
        }
        DocumentError::NotAnArchive => Problem::of(K::NotAPdf).with_detail(error.to_string()),
        DocumentError::OutputExists { path } => {
            Problem::of(K::OutputExists).with_detail(path.display().to_string())
        }
    })
}

fn cms(error: &CmsError) -> Option<Problem> {
    use ProblemKind as K;
    Some(match error {
        CmsError::Card(e) => card(e),
        // A signature made with SHA-1 or MD5 was checked, and is not valid.
        CmsError::WeakAlgorithm(_) => Problem::of(K::NotValid).with_detail(error.to_string()),
        CmsError::DigestLength { .. } | CmsError::UnsupportedAlgorithm(_) => {
            Problem::of(K::InvalidInput).with_detail(error.to_string())
        }
        _ => return None,
    })
}

/// A timestamp that could not be had: the TSA refused, could not be reached, or answered
/// something that is not a timestamp for this request. Only an imprint of the wrong length is
/// the caller's mistake.
fn timestamp(error: &crate::tsp::TspError) -> Problem {
    let kind = match error {
        crate::tsp::TspError::ImprintLength { .. } => ProblemKind::InvalidInput,
        _ => ProblemKind::TimestampUnavailable,
    };
    Problem::of(kind).with_detail(error.to_string())
}

#[cfg(feature = "service")]
fn service(error: &ServiceError) -> Problem {
    use ProblemKind as K;
    match error {
        ServiceError::InvalidUrl { reason, .. } => {
            Problem::of(K::InvalidUrl).with_detail(reason.clone())
        }
        ServiceError::Unreachable { reason, .. } => {
            Problem::of(K::ServiceUnreachable).with_detail(reason.clone())
        }
        ServiceError::Refused { status, reason, .. } => {
            let mut problem = Problem::of(K::ServiceRefused).with_detail(reason.clone());
            problem.http_status = Some(*status);
            problem
        }
        ServiceError::ChallengeExpired => Problem::of(K::ChallengeExpired),
        other => Problem::of(K::ServiceRefused).with_detail(other.to_string()),
    }
}

/// The table of every kind with its codes, as the README shows it (a test keeps them equal).
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| exit | app `code` | bindings `MobileError` | what happened | try used | what to do |\n\
         |---|---|---|---|---|---|\n",
    );
    for kind in ProblemKind::ALL {
        table.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} | {} |\n",
            kind.exit_code(),
            kind.app_code(),
            kind.binding_variant(),
            summary(kind),
            if kind.uses_a_try() { "yes" } else { "no" },
            kind.advice(),
        ));
    }
    table
}

/// The kind's doc sentence, for the table.
fn summary(kind: ProblemKind) -> &'static str {
    use ProblemKind::*;
    match kind {
        InvalidPin => "A PIN or code breaks its format rule; nothing was sent to the card.",
        InvalidInput => "An argument makes no sense; nothing was sent to the card.",
        WrongPin => "The card refused the PIN.",
        PinLocked => "The PIN is locked; it was not sent.",
        PinRequired => "The card wants a PIN verified first; nothing was read or signed.",
        CardRemoved => "The card left the reader before it answered.",
        NoCard => "No card is on the reader.",
        Timeout => "The card did not answer in time.",
        ReaderUnavailable => "The reader, socket or NFC link failed.",
        NotMyNumberCard => "The card is not a My Number Card.",
        CardFailed => "The card answered with an error or malformed data.",
        CertificateExpired => "The signing certificate has expired.",
        CertificateNotYetValid => "The signing certificate is not valid yet.",
        NotValid => "A signature or the card's data was checked and is not valid.",
        NotAPdf => "The file is not a PDF that can be signed.",
        File => "A file could not be read or written.",
        SameFile => "The signed copy would replace the document itself.",
        OutputExists => "The output file exists already.",
        InvalidUrl => "The login service's address is not usable.",
        ServiceUnreachable => "The login service could not be reached.",
        ServiceRefused => "The login service refused.",
        ChallengeExpired => "The login request expired or was already used.",
        TimestampUnavailable => "No trusted timestamp could be obtained.",
        RevocationUnavailable => "Nothing given says whether a certificate is revoked.",
        CertificateRevoked => "The signing certificate is revoked.",
        Internal => "A failure nobody planned for.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed() -> CardError {
        CardError::Transport(TransportError::CardRemoved)
    }

    #[test]
    fn a_card_pulled_away_is_card_removed_however_deeply_wrapped() {
        let errors: Vec<Box<dyn Error + Send + Sync>> = vec![
            Box::new(removed()),
            Box::new(TransportError::CardRemoved),
            Box::new(CmsError::Card(removed())),
        ];
        #[cfg(feature = "documents")]
        let errors = {
            let mut errors = errors;
            errors.push(Box::new(DocumentError::Card(removed())));
            errors.push(Box::new(DocumentError::from(CmsError::Card(removed()))));
            errors
        };
        for error in errors {
            let problem = classify(error.as_ref());
            assert_eq!(problem.kind, ProblemKind::CardRemoved, "{error}");
            assert_eq!(problem.kind.exit_code(), exit::CARD_TROUBLE);
            assert!(!problem.kind.uses_a_try());
        }
    }

    #[cfg(feature = "documents")]
    #[test]
    fn a_cms_card_error_becomes_the_documents_card_error() {
        assert!(matches!(
            DocumentError::from(CmsError::Card(removed())),
            DocumentError::Card(_)
        ));
    }

    #[test]
    fn a_wrong_pin_keeps_its_kind_and_tries() {
        let problem = classify(&CardError::WrongPin {
            kind: PinKind::Sign,
            tries_left: 2,
        });
        assert_eq!(problem.kind, ProblemKind::WrongPin);
        assert_eq!(problem.pin, Some(PinKind::Sign));
        assert_eq!(problem.tries_left, Some(2));
        assert!(problem.kind.uses_a_try());
        assert_eq!(problem.kind.exit_code(), exit::WRONG_PIN);
    }

    #[test]
    fn caller_mistakes_are_not_card_answers() {
        let problem = classify(&CardError::MismatchedPins {
            old: PinKind::Auth,
            new: PinKind::Sign,
        });
        assert_eq!(problem.kind, ProblemKind::InvalidInput);
        assert!(problem.kind.is_input_mistake());
        let problem = classify(&CardError::from_status(
            "reading",
            crate::apdu::StatusWord::from(0x6A86),
            None,
        ));
        assert_eq!(problem.kind, ProblemKind::CardFailed);
        assert!(!problem.kind.is_input_mistake());
    }

    #[test]
    fn a_tsa_refusing_or_unreachable_is_timestamp_unavailable() {
        use crate::tsp::TspError;
        let refused = TspError::Refused {
            status: "rejection".into(),
            failure: Some("badAlg".into()),
            text: None,
        };
        let unreachable = TspError::Unreachable {
            url: "http://tsa.example/".into(),
            reason: "connection refused".into(),
        };
        for error in [
            refused,
            unreachable,
            TspError::Mismatch("its nonce is not the request's"),
        ] {
            let problem = classify(&error);
            assert_eq!(problem.kind, ProblemKind::TimestampUnavailable, "{error}");
            assert_eq!(problem.detail, Some(error.to_string()));
        }
    }

    #[test]
    fn every_kind_has_distinct_codes() {
        let mut codes: Vec<&str> = ProblemKind::ALL.iter().map(|k| k.app_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ProblemKind::ALL.len());
    }

    /// The README's table is this module's, word for word: regenerate it with
    /// `KAZASU_BLESS=1 cargo test -p kazasu-core readme_exit_code_table`.
    #[test]
    fn readme_exit_code_table_is_the_classification() {
        let readme_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
        let readme = std::fs::read_to_string(readme_path).expect("README.md");
        let begin = "<!-- exit-codes:begin (generated from core/src/problem.rs) -->\n";
        let end = "<!-- exit-codes:end -->";
        let start = readme
            .find(begin)
            .expect("the README marks its exit-code table")
            + begin.len();
        let stop = readme[start..].find(end).expect("end marker") + start;
        let table = markdown_table();
        if readme[start..stop] != table && std::env::var_os("KAZASU_BLESS").is_some() {
            let updated = format!("{}{}{}", &readme[..start], table, &readme[stop..]);
            std::fs::write(readme_path, updated).expect("write README.md");
            return;
        }
        assert_eq!(
            readme[start..stop],
            table,
            "the README's exit-code table is stale: run with KAZASU_BLESS=1"
        );
    }
}
