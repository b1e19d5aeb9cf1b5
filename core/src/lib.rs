//! Kazasu's core: speaks ISO 7816-4 to the JPKI application of the Japanese My Number Card.
//!
//! Layers, bottom up: bytes → [`apdu`] → [`transport`] → application clients in [`card`]
//! → use cases in [`flows`]. The card is reached only through a [`transport::Transport`]; the
//! core keeps no global state. Some use cases do other I/O on the caller's behalf:
//! [`documents`] reads and writes the files being signed or verified, `login::service`
//! asks a relying party for a challenge over HTTP, and with the `online` feature `ocsp::fetch`
//! (and `tsp`'s client) ask an OCSP responder (a TSA) over HTTP.

pub mod apdu;
pub mod card;
pub mod cert;
pub mod cms;
#[cfg(feature = "documents")]
pub mod documents;
pub mod error;
pub mod flows;
pub mod ids;
pub mod login;
pub mod mynumber;
pub mod ocsp;
#[cfg(feature = "documents")]
pub mod pdf;
pub mod pin;
pub mod problem;
mod serde_util;
pub mod transport;
pub mod tsp;
pub mod vocabulary;

pub use card::{CardInfoApp, CertSlot, JpkiApp, KeyKind, PinStatus, SurfaceApp, TokenKind};
pub use error::CardError;
