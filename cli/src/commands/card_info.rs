//! `kazasu card-info`: My Number and the four basic facts behind the card-info PIN (or code A
//! or code B), and whether the card and what it gave are genuine.

use anyhow::Result;
use kazasu_core::card::authenticity::Authenticity;
use kazasu_core::flows::{self, PinGate};

use crate::args::CardInfoArgs;
use kazasu_core::problem::CardNotGenuine;

use crate::commands::pin::ask;
use crate::output::{self, say};
use crate::prompt::PinSource;
use crate::session::CardLink;

pub fn run(link: &mut CardLink, args: &CardInfoArgs, json: bool) -> Result<()> {
    let kind = args.kind();
    let gate = PinGate::open(&mut *link, kind)?;
    let secret = ask(&gate, &mut PinSource::new(args.pin.pin_stdin))?;
    let identity = flows::read_identity_through(gate, &secret)?;
    if json {
        output::json(&identity)?;
    } else {
        if let Some(number) = &identity.my_number {
            say!("My Number:   {}", number.reveal());
        }
        if let Some(facts) = &identity.facts {
            say!("Name:        {}", facts.name);
            say!("Address:     {}", facts.address);
            say!("Birth date:  {}", output::ymd(facts.birth_date));
            say!("Sex:         {}", facts.sex);
        }
        say!("Card:        {}", identity.authenticity);
    }
    match identity.authenticity {
        Authenticity::Altered { .. } => Err(CardNotGenuine.into()),
        _ => Ok(()),
    }
}
