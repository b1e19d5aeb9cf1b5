//! `kazasu verify`: checks a signed PDF or a detached signature against trusted CAs, CRLs and OCSP
//! answers.
//! Needs no card. Exit code 0 when valid, 6 when not.

use std::fs::File;

use anyhow::{Context, Result, bail};
use kazasu_core::cert::CardCertificate;
use kazasu_core::cert::{CertificateRole, builtin_roots_for};
use kazasu_core::cms::{Check, DetachedSignature, Outcome, TrustStore, Verdict};
use kazasu_core::documents::{self, PdfVerdict};
use kazasu_core::ocsp;
use time::OffsetDateTime;

use crate::args::VerifyArgs;
use crate::output::{self, say};
use crate::progress;
use kazasu_core::problem::SignatureNotValid;

/// The built-in J-LIS signing roots (unless --no-default-trust), then --trust and --crl.
fn trust_store(args: &VerifyArgs) -> Result<TrustStore> {
    let mut trust = TrustStore::new();
    if !args.no_default_trust {
        for root in builtin_roots_for(CertificateRole::Signing) {
            trust
                .add_anchors(root.der)
                .with_context(|| format!("built-in root {}", root.name))?;
        }
    }
    for path in &args.trust {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        trust
            .add_anchors(&bytes)
            .with_context(|| format!("{} holds no usable CA certificate", path.display()))?;
    }
    for path in &args.crl {
        let bytes = super::crl::read(path)?;
        trust
            .add_crls(&bytes)
            .with_context(|| format!("{} holds no usable CRL", path.display()))?;
    }
    Ok(trust)
}

/// The TSA anchors of --tsa-trust.
fn tsa_trust_store(args: &VerifyArgs) -> Result<TrustStore> {
    let mut trust = TrustStore::new();
    for path in &args.tsa_trust {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        trust
            .add_anchors(&bytes)
            .with_context(|| format!("{} holds no usable CA certificate", path.display()))?;
    }
    Ok(trust)
}

/// The signer certificates of the signature being verified (a PDF's, or a detached one's).
fn signers(args: &VerifyArgs, pdf: bool) -> Result<Vec<CardCertificate>> {
    let cms: Vec<Vec<u8>> = if pdf {
        let bytes = std::fs::read(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?;
        kazasu_core::pdf::signatures(&bytes)?
            .into_iter()
            .map(|s| s.cms_der)
            .collect()
    } else {
        let path = signature_path(args);
        vec![std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?]
    };
    // A document timestamp or an unreadable signature has no card signer to ask about; the
    // verification says what is wrong with it.
    Ok(cms
        .iter()
        .filter_map(|der| DetachedSignature::parse(der).ok()?.signer_certificate())
        .collect())
}

/// --ocsp / --ocsp-from-certificate: asks about each signer certificate a trusted CA issued
/// and adds the checked answers to `trust` as revocation evidence.
fn add_ocsp_answers(
    trust: &mut TrustStore,
    args: &VerifyArgs,
    pdf: bool,
    now: OffsetDateTime,
) -> Result<()> {
    if args.ocsp.is_none() && !args.ocsp_from_certificate {
        return Ok(());
    }
    for signer in signers(args, pdf)? {
        let Some(issuer) = trust.issuer_of(&signer).cloned() else {
            continue;
        };
        let Some(url) = args.ocsp.clone().or_else(|| signer.ocsp_url()) else {
            bail!(
                "the certificate of {} names no OCSP responder: give one with --ocsp",
                signer.subject()
            );
        };
        let (response, _) = ocsp::ask(&url, &signer, &issuer, now)?;
        trust.add_ocsp_response(&response)?;
    }
    Ok(())
}

/// The detached signature's path: --signature, or FILE.p7s.
fn signature_path(args: &VerifyArgs) -> std::path::PathBuf {
    match &args.signature {
        Some(p) => p.clone(),
        None => {
            let mut name = args.file.as_os_str().to_owned();
            name.push(".p7s");
            name.into()
        }
    }
}

pub fn run(args: &VerifyArgs, json: bool) -> Result<()> {
    let mut trust = trust_store(args)?;
    let tsa_trust = tsa_trust_store(args)?;
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let pdf = args.signature.is_none()
        && documents::is_pdf_file(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?;
    if !pdf && !signature_path(args).exists() {
        bail!(
            "no signature at {}: give it with --signature",
            signature_path(args).display()
        );
    }
    add_ocsp_answers(&mut trust, args, pdf, now)?;
    let valid = if args.signature.is_none()
        && documents::is_pdf_file(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?
    {
        let bytes = std::fs::read(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?;
        let verdict = documents::verify_pdf_with(&bytes, &trust, &tsa_trust, now)?;
        if json {
            output::json(&verdict)?;
        } else {
            print_pdf(&verdict);
        }
        verdict.valid
    } else {
        let sig_path = match &args.signature {
            Some(p) => p.clone(),
            None => {
                let mut name = args.file.as_os_str().to_owned();
                name.push(".p7s");
                name.into()
            }
        };
        if !sig_path.exists() {
            bail!(
                "no signature at {}: give it with --signature",
                sig_path.display()
            );
        }
        let signature =
            std::fs::read(&sig_path).with_context(|| format!("reading {}", sig_path.display()))?;
        let file =
            File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
        let bar = progress::bar(file.metadata().map(|m| m.len()).unwrap_or(0), "hashing");
        let verdict =
            documents::verify_detached_with(&signature, file, &trust, &tsa_trust, now, |n| {
                bar.set_position(n)
            })?;
        bar.finish_and_clear();
        if json {
            output::json(&verdict)?;
        } else {
            print_verdict(&verdict, "");
        }
        verdict.valid
    };
    if valid {
        Ok(())
    } else {
        Err(SignatureNotValid.into())
    }
}

fn print_verdict(v: &Verdict, indent: &str) {
    let who = v
        .signer
        .as_ref()
        .map(|s| match &s.name {
            Some(name) => format!("{name} ({})", s.subject),
            None => s.subject.clone(),
        })
        .unwrap_or_else(|| "an unknown signer".to_owned());
    say!(
        "{indent}{} ({}): signed by {who}{}",
        if v.valid { "VALID" } else { "NOT VALID" },
        v.format,
        v.signing_time
            .as_ref()
            .map(|t| format!(" at {t}"))
            .unwrap_or_default()
    );
    print_checks(&v.checks, indent);
}

fn print_checks(checks: &[Check], indent: &str) {
    for c in checks {
        let mark = match c.outcome {
            Outcome::Passed => "ok  ",
            Outcome::Failed => "FAIL",
            Outcome::NotChecked => "--  ",
        };
        say!(
            "{indent}  {mark} {:<20} {}",
            format!("{:?}", c.check).to_lowercase(),
            c.detail
        );
    }
}

fn print_pdf(v: &PdfVerdict) {
    say!(
        "{}: {} signature(s)",
        if v.valid { "VALID" } else { "NOT VALID" },
        v.signatures.len()
    );
    for p in &v.problems {
        say!("  FAIL {p}");
    }
    if let Some(dss) = &v.dss {
        say!(
            "validation data (DSS): {} certificate(s), {} CRL(s), {} OCSP response(s)",
            dss.certificates,
            dss.crls,
            dss.ocsp_responses
        );
    }
    if let Some(until) = &v.protected_until {
        say!(
            "the archive timestamp protects the document until {until}: renew it with `kazasu extend` before then"
        );
    }
    for (i, s) in v.signatures.iter().enumerate() {
        say!(
            "signature {} ({}), {}: signs {}",
            i + 1,
            s.field.as_deref().unwrap_or("unnamed field"),
            s.sub_filter.as_deref().unwrap_or("no SubFilter"),
            s.coverage
        );
        match s.changes_after_signing {
            "intact" => say!("  intact: nothing was changed after it"),
            "allowed" => say!(
                "  changes after signing: allowed ({})",
                s.changes.join("; ")
            ),
            "modified" => say!("  FAIL modified after signing: {}", s.changes.join("; ")),
            _ => {}
        }
        for p in &s.problems {
            if !p.starts_with("the document was modified after this signature") {
                say!("  FAIL {p}");
            }
        }
        for permission in &s.permissions {
            say!("  {permission}");
        }
        if let Some(level) = s.level {
            say!("  PAdES level: {level}");
        }
        if let Some(stamp) = &s.document_timestamp {
            say!(
                "  document timestamp of {} by {}: {}",
                stamp.gen_time,
                stamp.tsa.as_deref().unwrap_or("an unnamed TSA"),
                if stamp.valid { "VALID" } else { "NOT VALID" }
            );
            print_checks(&stamp.checks, "  ");
        }
        if let Some(verdict) = &s.verdict {
            print_verdict(verdict, "  ");
        }
    }
}
