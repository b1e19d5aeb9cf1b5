//! Front-ends: how programs outside this process reach the simulated card.
//!
//! - [`vpcd`]: pcscd's virtual reader (the card is a TCP client of vpcd), for every PC/SC program.
//! - [`pn532`]: an NXP PN532 on a pseudo-terminal, for libnfc's `pn532_uart` driver.
//! - [`tcp`]: a plain TCP server for phones and emulators in development (the core's `tcp:` transport).

mod framed;
pub mod latency;
pub mod pn532;
pub mod slot;
pub mod tcp;
pub mod vpcd;

pub use latency::Latency;
pub use slot::{CardSlot, SharedSlot, Tear, exchange};
