//! `kazasu readers`: the PC/SC readers and whether a card is on them (opens no card).

use anyhow::Result;
use serde::Serialize;

use crate::output;
use crate::session;

#[derive(Serialize)]
struct ReaderRow {
    index: usize,
    name: String,
    card_present: bool,
    atr: Option<String>,
}

pub fn run(json: bool) -> Result<()> {
    let readers = session::pcsc_readers()?;
    let rows: Vec<ReaderRow> = readers
        .into_iter()
        .enumerate()
        .map(|(index, r)| ReaderRow {
            index,
            name: r.name,
            card_present: r.card_present,
            atr: r.atr.map(hex::encode_upper),
        })
        .collect();
    if json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        println!("No PC/SC reader is connected.");
    }
    for r in &rows {
        let card = match &r.atr {
            Some(atr) => format!("card present (ATR {atr})"),
            None => "no card".to_owned(),
        };
        println!("{}: {}  {card}", r.index, r.name);
    }
    println!(
        "Use one with --reader pcsc:INDEX or pcsc:NAME. libnfc readers: --reader nfc:CONNSTRING \
         (e.g. nfc:pn532_uart:/dev/ttyUSB0); the simulator: --reader sim or tcp:HOST:PORT."
    );
    Ok(())
}
