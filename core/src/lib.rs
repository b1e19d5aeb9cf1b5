//! Kazasu's core: speaks ISO 7816-4 to the JPKI application of the Japanese My Number Card.
//!
//! Layers, bottom up: bytes → [`apdu`] → [`transport`] → application clients in [`card`]
//! → use cases in [`flows`]. The core does no I/O of its own: every byte goes through a
//! [`transport::Transport`].

pub mod apdu;
pub mod ids;
pub mod pin;
pub mod transport;
