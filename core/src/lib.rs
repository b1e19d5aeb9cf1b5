//! Kazasu's core: speaks ISO 7816-4 to the JPKI application of the Japanese My Number Card.
//!
//! Layers, bottom up: bytes → [`apdu`] → [`transport`] → application clients in [`card`]
//! → use cases in [`flows`]. The core does no I/O of its own: every byte goes through a
//! [`transport::Transport`].

pub mod apdu;
pub mod card;
pub mod cert;
pub mod cms;
pub mod documents;
pub mod error;
pub mod flows;
pub mod ids;
pub mod login;
pub mod mynumber;
pub mod pdf;
pub mod pin;
mod serde_util;
pub mod transport;
pub mod vocabulary;

pub use card::{CardInfoApp, CertSlot, JpkiApp, KeyKind, PinStatus, SurfaceApp, TokenKind};
pub use error::CardError;
