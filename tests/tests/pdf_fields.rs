//! Where a visible signature goes: into the empty signature field an author placed (made here
//! by pyHanko's `addfields`), and upright on a page shown turned (`/Rotate`, set by qpdf).
//! pyHanko must accept each signed file.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::Path;
use std::process::{Command, Output};

use kazasu_core::pdf;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::pdf_fixture::sample_pdf;
use kazasu_tests::{SIGN_PIN, TestCard};
use lopdf::{Document, Object};

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} (installed by scripts/install-deps): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn sign(card: &TestCard, args: &[&str]) {
    let reader = format!("sim:{}", card.path().display());
    let mut all = vec!["--reader", reader.as_str(), "sign", "--pin-stdin"];
    all.extend_from_slice(args);
    let out = run_kazasu(&bin("kazasu"), card.dir(), &all, &format!("{SIGN_PIN}\n"));
    assert!(out.status.success(), "kazasu sign: {}", text(&out.stderr));
}

/// pyHanko's verdict on every signature of `pdf`, trusting the simulated signing CA.
fn pyhanko_valid(card: &TestCard, pdf: &str) -> bool {
    run_sim(card.path(), &["office", "export-trust", "trust"]);
    let out = Command::new("python3")
        .args([
            "-m",
            "pyhanko",
            "sign",
            "validate",
            "--executive-summary",
            "--no-revocation-check",
            "--trust",
            "trust/sign-ca.pem",
            "--trust-replace",
            pdf,
        ])
        .current_dir(card.dir())
        .output()
        .unwrap();
    let summary = text(&out.stdout);
    !summary.is_empty() && summary.lines().all(|l| l.trim_end().ends_with(":VALID"))
}

#[test]
fn an_empty_signature_field_placed_by_the_author_is_filled_not_duplicated() {
    let card = TestCard::new();
    let dir = card.dir();
    std::fs::write(dir.join("form.pdf"), sample_pdf(2)).unwrap();
    run(
        dir,
        "python3",
        &[
            "-m",
            "pyhanko",
            "sign",
            "addfields",
            "--field",
            "2/300,50,550,120/Approval",
            "form.pdf",
            "with-field.pdf",
        ],
    );
    sign(
        &card,
        &["with-field.pdf", "-o", "signed.pdf", "--field", "Approval"],
    );
    let bytes = std::fs::read(dir.join("signed.pdf")).unwrap();
    let sigs = pdf::signatures(&bytes).unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].field_name.as_deref(), Some("Approval"));
    // No second field: the form still has exactly one signature field.
    let doc = Document::load_mem(&bytes).unwrap();
    let form = doc
        .catalog()
        .unwrap()
        .get(b"AcroForm")
        .and_then(|f| match f {
            Object::Reference(id) => doc.get_dictionary(*id),
            Object::Dictionary(d) => Ok(d),
            _ => panic!("no AcroForm"),
        })
        .unwrap();
    let fields = match form.get(b"Fields").unwrap() {
        Object::Reference(id) => doc.get_object(*id).unwrap().as_array().unwrap().clone(),
        Object::Array(a) => a.clone(),
        _ => panic!("no Fields"),
    };
    assert_eq!(fields.len(), 1);
    assert!(pyhanko_valid(&card, "signed.pdf"));
}

#[test]
fn a_visible_signature_on_a_turned_page_is_drawn_upright() {
    let card = TestCard::new();
    let dir = card.dir();
    std::fs::write(dir.join("plain.pdf"), sample_pdf(1)).unwrap();
    run(dir, "qpdf", &["--rotate=+90:1", "plain.pdf", "turned.pdf"]);
    sign(
        &card,
        &[
            "turned.pdf",
            "-o",
            "signed.pdf",
            "--visible",
            "1:36,36,136,236",
        ],
    );
    let bytes = std::fs::read(dir.join("signed.pdf")).unwrap();
    let doc = Document::load_mem(&bytes).unwrap();
    // The widget's appearance form is turned back a quarter (/Matrix [0 1 -1 0 0 0]) and laid
    // out in a box as wide as the widget is tall, as the reader sees it.
    let appearance = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .find(|s| s.dict.has(b"Matrix"))
        .expect("an appearance with a /Matrix");
    let matrix: Vec<i64> = appearance
        .dict
        .get(b"Matrix")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    assert_eq!(matrix, [0, 1, -1, 0, 0, 0]);
    let bbox: Vec<f32> = appearance
        .dict
        .get(b"BBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_float().unwrap_or_else(|_| n.as_i64().unwrap() as f32))
        .collect();
    assert_eq!(bbox, [0.0, 0.0, 200.0, 100.0]);
    assert!(pyhanko_valid(&card, "signed.pdf"));
}
