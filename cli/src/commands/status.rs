//! `kazasu status`: everything the card tells without a PIN.

use anyhow::Result;
use kazasu_core::cert::{CertificateSummary, Lifecycle};
use kazasu_core::flows;

use crate::commands::pin::describe_status;
use crate::output::{self, say, ymd};
use crate::session::CardLink;

pub fn run(link: &mut CardLink, today: time::Date, json: bool) -> Result<()> {
    let status = flows::card_status(&mut *link, today)?;
    if json {
        return output::json(&status);
    }
    say!("Token: {}", status.token);
    say!("As of {}:", ymd(today));
    for cert in &status.certificates {
        match (&cert.summary, cert.needs_pin, &cert.unavailable) {
            (Some(summary), _, _) => print_certificate(summary),
            (None, Some(pin), _) => {
                say!(
                    "  {}: holds personal data; `kazasu cert show sign` reads it with the {pin}",
                    cert.slot
                )
            }
            (None, None, Some(why)) => say!("  {}: unavailable: {why}", cert.slot),
            (None, None, None) => say!("  {}: unavailable", cert.slot),
        }
    }
    say!("PINs:");
    for report in &status.pins {
        say!(
            "  {:<28} {}",
            report.pin.to_string(),
            describe_status(report.pin, report.status)
        );
    }
    Ok(())
}

/// Prints one certificate: what it is, its validity in words, and who it names.
pub fn print_certificate(summary: &CertificateSummary) {
    say!("  {}: {}", summary.slot, lifecycle_words(summary));
    say!("      subject  {}", summary.subject);
    say!("      issuer   {}", summary.issuer);
    say!("      serial   {}", summary.serial);
    if let Some(holder) = &summary.holder {
        let fields = [
            ("name", holder.name.clone()),
            ("address", holder.address.clone()),
            ("birth", holder.birth_date.map(ymd)),
            ("sex", holder.sex.map(|s| s.to_string())),
        ];
        for (label, value) in fields {
            if let Some(value) = value {
                say!("      {label:<8} {value}");
            }
        }
    }
}

fn lifecycle_words(summary: &CertificateSummary) -> String {
    let until = ymd(summary.expires_on);
    match summary.lifecycle {
        Lifecycle::NotYetValid => {
            format!("not valid yet (from {})", ymd(summary.not_before.date()))
        }
        Lifecycle::Valid => format!("valid until {until}"),
        Lifecycle::RenewalWindow { opens_on } => format!(
            "valid until {until}; RENEWAL OPEN since {}: renew it at your municipal office",
            ymd(opens_on)
        ),
        Lifecycle::Expired => {
            format!("EXPIRED on {until}: a new one is issued at your municipal office")
        }
    }
}
