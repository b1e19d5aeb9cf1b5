//! `kazasu card-info`: My Number and the four basic facts, behind the card-info PIN.

use anyhow::Result;
use kazasu_core::CardInfoApp;
use kazasu_core::flows;
use kazasu_core::pin::PinKind;

use crate::args::PinInput;
use crate::commands::pin::gate;
use crate::output::{self, say};
use crate::prompt::PinSource;
use crate::session::CardLink;

pub fn run(link: &mut CardLink, input: PinInput, json: bool) -> Result<()> {
    {
        let mut app = CardInfoApp::select(&mut *link)?;
        gate(PinKind::CardInfo, app.pin_status()?)?;
    }
    let pin = PinSource::new(input.pin_stdin).read(PinKind::CardInfo, "Card-info PIN")?;
    let identity = flows::read_identity(&mut *link, &pin)?;
    if json {
        return output::json(&identity);
    }
    say!("My Number:   {}", identity.my_number.reveal());
    say!("Name:        {}", identity.facts.name);
    say!("Address:     {}", identity.facts.address);
    say!("Birth date:  {}", output::ymd(identity.facts.birth_date));
    say!("Sex:         {}", identity.facts.sex);
    Ok(())
}
