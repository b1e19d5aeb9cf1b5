//! `kazasu-sim show`: the card as a tester needs it, PINs and codes included (it is a test card).

use std::path::Path;

use anyhow::Result;
use kazasu_core::pin::PinKind;
use kazasu_sim::{CaKind, CardState, Jlis};

pub(crate) fn show(path: &Path, json: bool) -> Result<()> {
    let state = CardState::load(path)?;
    let jlis = Jlis::for_card(path)?;
    let value_of = |k: PinKind| state.expected(k).unwrap_or_else(|| state.pin(k).to_owned());
    let pins: Vec<_> = PinKind::ALL
        .iter()
        .chain(PinKind::ACCESS_CODES.iter())
        .map(|k| {
            serde_json::json!({
                "pin": k, "value": value_of(*k), "tries_left": state.tries_left(*k),
                "limit": k.retry_limit(), "blocked": state.is_blocked(*k),
            })
        })
        .collect();
    let certs: Vec<_> = [CaKind::Auth, CaKind::Sign]
        .iter()
        .map(|ca| {
            serde_json::json!({
                "certificate": ca, "serial": state.serial(*ca), "expires_on": state.cert_expires_on(*ca).to_string(),
                "status": state.cert_status(*ca), "on_crl": jlis.revocation_of(*ca, state.serial(*ca)),
            })
        })
        .collect();
    let value = serde_json::json!({
        "card": path, "holder": state.holder(), "config": state.config(),
        "issued_on": state.issued_on().to_string(), "card_expires_on": state.card_expires_on().to_string(),
        "clock": jlis.today().to_string(), "pins": pins, "certificates": certs,
        "security_code": state.security_code(),
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let h = state.holder();
    println!("Simulated My Number Card at {}", path.display());
    println!(
        "  holder     {} ({}), born {}, sex {}",
        h.name, h.name_alt, h.birth_date, h.sex
    );
    println!("  address    {}", h.address);
    println!("  My Number  {}", h.my_number);
    println!(
        "  card valid {} .. {}",
        state.issued_on(),
        state.card_expires_on()
    );
    for ca in [CaKind::Auth, CaKind::Sign] {
        println!(
            "  {:?} certificate: serial {}, until {}, {:?}",
            ca,
            state.serial(ca),
            state.cert_expires_on(ca),
            state.cert_status(ca)
        );
    }
    println!("  security code {}", state.security_code());
    for k in PinKind::ALL.into_iter().chain(PinKind::ACCESS_CODES) {
        let lock = if state.is_blocked(k) { " LOCKED" } else { "" };
        println!(
            "  {:<28} {} ({} of {} tries left){lock}",
            k.to_string(),
            value_of(k),
            state.tries_left(k),
            k.retry_limit()
        );
    }
    println!("  simulated date {}", jlis.today());
    Ok(())
}
