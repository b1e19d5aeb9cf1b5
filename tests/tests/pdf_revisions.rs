//! Signed PDFs changed by later revisions: a corpus made with real tools (Kazasu, pyHanko's
//! `addsig`, lopdf edits written as incremental updates, each checked by `qpdf --check`), where
//! `kazasu verify` must judge every signature against the revision it signed and agree with
//! `pyhanko sign validate` on every document. Also hostile PDFs that once hung or crashed the
//! verifier.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::PathBuf;
use std::process::{Command, Output};

use kazasu_core::cert::CardCertificate;
use kazasu_core::pin::PinKind;
use kazasu_sim::CertKind;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::pdf_fixture::sample_pdf;
use kazasu_tests::{SIGN_PIN, TestCard};
use lopdf::{Document, Object, ObjectId};

/// A card with its trust exported, its signing key as files for pyHanko, in a private directory.
struct Bench {
    card: TestCard,
}

impl Bench {
    fn new() -> Bench {
        let bench = Bench {
            card: TestCard::new(),
        };
        run_sim(bench.card.path(), &["office", "export-trust", "trust"]);
        let state = bench.card.state();
        std::fs::write(bench.path("sign-key.pem"), state.sign_key_pkcs8_pem()).unwrap();
        let cert = CardCertificate::from_der(state.certificate_der(CertKind::Sign)).unwrap();
        std::fs::write(bench.path("sign-cert.pem"), cert.to_pem().unwrap()).unwrap();
        bench
    }

    fn path(&self, name: &str) -> PathBuf {
        self.card.dir().join(name)
    }

    fn kazasu(&self, args: &[&str], stdin: &str) -> Output {
        let reader = format!("sim:{}", self.card.path().display());
        let mut all = vec!["--reader", reader.as_str()];
        all.extend_from_slice(args);
        run_kazasu(&bin("kazasu"), self.card.dir(), &all, stdin)
    }

    /// `kazasu sign` of `input` into `output`.
    fn kazasu_sign(&self, input: &str, output: &str) {
        let out = self.kazasu(
            &["sign", "--pin-stdin", input, "-o", output],
            &format!("{SIGN_PIN}\n"),
        );
        assert!(out.status.success(), "kazasu sign: {}", text(&out.stderr));
    }

    /// `pyhanko sign addsig` with the card's signing key (PAdES), into a new field.
    fn pyhanko_sign(&self, input: &str, output: &str, field: &str) {
        let out = self.pyhanko_addsig(input, output, field);
        assert!(
            out.status.success(),
            "pyhanko addsig: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    /// What `pyhanko sign addsig` says when asked to sign `input` into `output`.
    fn pyhanko_addsig(&self, input: &str, output: &str, field: &str) -> Output {
        self.run(
            "python3",
            &[
                "-m",
                "pyhanko",
                "sign",
                "addsig",
                "--field",
                field,
                "--use-pades",
                "pemder",
                "--no-pass",
                "--key",
                "sign-key.pem",
                "--cert",
                "sign-cert.pem",
                input,
                output,
            ],
        )
    }

    /// A certification signature by pyHanko (its library: the command line offers no DocMDP
    /// level) allowing `level` changes: 1 none, 2 form filling and signing.
    fn pyhanko_certify(&self, input: &str, output: &str, level: u8) {
        let perm = if level == 1 {
            "NO_CHANGES"
        } else {
            "FILL_FORMS"
        };
        let script = format!(
            "from pyhanko.sign import signers\n\
             from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter\n\
             from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter\n\
             signer = signers.SimpleSigner.load('sign-key.pem', 'sign-cert.pem')\n\
             meta = signers.PdfSignatureMetadata(field_name='Certification', certify=True,\n\
                 docmdp_permissions=MDPPerm.{perm}, subfilter=SigSeedSubFilter.PADES)\n\
             with open('{input}', 'rb') as inf, open('{output}', 'wb') as outf: \
             signers.sign_pdf(IncrementalPdfFileWriter(inf), meta, signer=signer, output=outf)\n"
        );
        let out = self.run("python3", &["-c", &script]);
        assert!(
            out.status.success(),
            "pyhanko certify: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(self.card.dir())
            .output()
            .unwrap_or_else(|e| panic!("{program} (installed by scripts/install-deps): {e}"))
    }

    /// `kazasu verify` with text output: (exit code, report).
    fn verify(&self, pdf: &str) -> (Option<i32>, String) {
        let out = self.kazasu(
            &[
                "verify",
                "--trust",
                "trust/sign-ca.pem",
                "--crl",
                "trust/sign-crl.pem",
                pdf,
            ],
            "",
        );
        (
            out.status.code(),
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
        )
    }

    /// `kazasu verify --json`'s per-signature `changes_after_signing`.
    fn verify_json(&self, pdf: &str) -> Vec<String> {
        let out = self.kazasu(
            &[
                "--json",
                "verify",
                "--trust",
                "trust/sign-ca.pem",
                "--crl",
                "trust/sign-crl.pem",
                pdf,
            ],
            "",
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
        v["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["changes_after_signing"].as_str().unwrap().to_owned())
            .collect()
    }

    /// pyHanko's verdict on every signature of the file: true when all are valid and intact,
    /// with no modification beyond what their permissions allow.
    fn pyhanko_valid(&self, pdf: &str) -> (bool, String) {
        let out = self.run(
            "python3",
            &[
                "-m",
                "pyhanko",
                "sign",
                "validate",
                "--executive-summary",
                "--trust",
                "trust/sign-ca.pem",
                "--trust-replace",
                "--no-revocation-check",
                pdf,
            ],
        );
        let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
        let lines: Vec<&str> = report
            .lines()
            .filter(|l| l.contains(':') && !l.trim().is_empty())
            .collect();
        let valid = out.status.success()
            && !lines.is_empty()
            && lines.iter().all(|l| l.trim_end().ends_with(":VALID"));
        (valid, report)
    }

    /// `qpdf --check`: the corpus file is a structurally sound PDF, so a refusal is about the
    /// signatures, not about a broken file.
    fn qpdf_accepts(&self, pdf: &str) {
        let out = self.run("qpdf", &["--check", pdf]);
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(3),
            "qpdf --check {pdf}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    /// Checks one corpus document: Kazasu's verdict (exit code 0 or 6) is `expect_valid` and
    /// agrees with pyHanko's; returns Kazasu's report.
    fn judge(&self, pdf: &str, expect_valid: bool) -> String {
        self.qpdf_accepts(pdf);
        let (code, report) = self.verify(pdf);
        let kazasu_valid = match code {
            Some(0) => true,
            Some(6) => false,
            other => panic!("kazasu verify {pdf} exited {other:?}: {report}"),
        };
        let (pyhanko_valid, summary) = self.pyhanko_valid(pdf);
        assert_eq!(kazasu_valid, expect_valid, "{pdf}: kazasu says\n{report}");
        assert_eq!(
            kazasu_valid, pyhanko_valid,
            "{pdf}: kazasu and pyHanko disagree\nkazasu:\n{report}\npyHanko:\n{summary}"
        );
        assert!(
            !report.contains("cover all"),
            "never claim full coverage: {report}"
        );
        report
    }
}

/// Appends an incremental update (classic xref) that (re)defines `objects`.
fn append_objects(pdf: &[u8], objects: &[(ObjectId, Vec<u8>)]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let text = String::from_utf8_lossy(pdf);
    let at = text.rfind("startxref").unwrap();
    let prev: usize = text[at + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let size = objects
        .iter()
        .map(|(id, _)| id.0 + 1)
        .max()
        .unwrap_or(0)
        .max(doc.max_id + 1);
    let mut out = pdf.to_vec();
    let mut xref = String::from("xref\n");
    for (id, body) in objects {
        xref.push_str(&format!("{} 1\n{:010} {:05} n\r\n", id.0, out.len(), id.1));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    out.extend_from_slice(xref.as_bytes());
    out.extend_from_slice(
        format!(
            "trailer\n<</Size {size}/Root {} {} R/Prev {prev}>>\nstartxref\n{xref_at}\n%%EOF\n",
            root.0, root.1
        )
        .as_bytes(),
    );
    out
}

/// A direct object in PDF syntax (the kinds page and page-tree dictionaries hold).
fn syntax(obj: &Object) -> Vec<u8> {
    let mut out = Vec::new();
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(b.to_string().as_bytes()),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(format!("{r:.4}").as_bytes()),
        Object::Name(n) => {
            out.push(b'/');
            out.extend_from_slice(n);
        }
        Object::String(s, _) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode(s).as_bytes());
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for item in items {
                out.extend(syntax(item));
                out.push(b' ');
            }
            out.push(b']');
        }
        Object::Dictionary(d) => {
            out.extend_from_slice(b"<<");
            for (k, v) in d.iter() {
                out.push(b'/');
                out.extend_from_slice(k);
                out.push(b' ');
                out.extend(syntax(v));
            }
            out.extend_from_slice(b">>");
        }
        Object::Reference(id) => out.extend_from_slice(format!("{} {} R", id.0, id.1).as_bytes()),
        Object::Stream(_) => panic!("streams are not direct objects"),
    }
    out
}

fn first_page(doc: &Document) -> ObjectId {
    doc.get_pages()[&1]
}

/// The signed PDF with its page content replaced: "Pay 900 yen" instead of the signed text.
fn rewrite_content(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).unwrap();
    let content = doc.get_page_contents(first_page(&doc))[0];
    let text = b"BT /F1 18 Tf 72 720 Td (Pay 900 yen to the bearer) Tj ET";
    let mut body = format!("<</Length {}>>\nstream\n", text.len()).into_bytes();
    body.extend_from_slice(text);
    body.extend_from_slice(b"\nendstream");
    append_objects(pdf, &[(content, body)])
}

/// The signed PDF with a text annotation (a sticky note) added to its first page.
fn add_annotation(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).unwrap();
    let note = (doc.max_id + 1, 0);
    let mut objects = vec![(
        note,
        b"<</Type/Annot/Subtype/Text/Rect[72 600 92 620]/Contents(Void)>>".to_vec(),
    )];
    on_first_page(&doc, note, &mut objects);
    append_objects(pdf, &objects)
}

/// The PDF with an empty signature field added (its widget on page 1, the field in the AcroForm),
/// as another tool that ignores DocMDP would add it before signing.
fn add_signature_field(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).unwrap();
    let page_id = first_page(&doc);
    let field = (doc.max_id + 1, 0);
    let mut objects = vec![(
        field,
        format!(
            "<</Type/Annot/Subtype/Widget/FT/Sig/T(Late)/Rect[0 0 0 0]/F 132/P {} {} R>>",
            page_id.0, page_id.1
        )
        .into_bytes(),
    )];
    on_first_page(&doc, field, &mut objects);
    let catalog_id = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let mut catalog = doc.get_dictionary(catalog_id).unwrap().clone();
    let add_field = |form: &mut lopdf::Dictionary| {
        let mut fields = form
            .get(b"Fields")
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default();
        fields.push(Object::Reference(field));
        form.set("Fields", Object::Array(fields));
    };
    match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => {
            let mut form = doc.get_dictionary(*id).unwrap().clone();
            add_field(&mut form);
            objects.push((*id, syntax(&Object::Dictionary(form))));
        }
        Ok(Object::Dictionary(form)) => {
            let mut form = form.clone();
            add_field(&mut form);
            catalog.set("AcroForm", Object::Dictionary(form));
            objects.push((catalog_id, syntax(&Object::Dictionary(catalog))));
        }
        _ => panic!("a certified PDF has an AcroForm"),
    }
    append_objects(pdf, &objects)
}

/// Adds `annotation` to the first page's `/Annots` (in place, or through its array object).
fn on_first_page(doc: &Document, annotation: ObjectId, objects: &mut Vec<(ObjectId, Vec<u8>)>) {
    let note = annotation;
    let page_id = first_page(doc);
    let mut page = doc.get_dictionary(page_id).unwrap().clone();
    match page.get(b"Annots") {
        Ok(Object::Reference(id)) => {
            let mut a = doc.get_object(*id).unwrap().as_array().unwrap().clone();
            a.push(Object::Reference(note));
            objects.push((*id, syntax(&Object::Array(a))));
        }
        Ok(Object::Array(a)) => {
            let mut a = a.clone();
            a.push(Object::Reference(note));
            page.set("Annots", Object::Array(a));
            objects.push((page_id, syntax(&Object::Dictionary(page))));
        }
        _ => {
            page.set("Annots", Object::Array(vec![Object::Reference(note)]));
            objects.push((page_id, syntax(&Object::Dictionary(page))));
        }
    }
}

/// The signed PDF with a second page appended to its page tree.
fn add_page(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).unwrap();
    let pages_id = doc
        .catalog()
        .unwrap()
        .get(b"Pages")
        .unwrap()
        .as_reference()
        .unwrap();
    let page_id = first_page(&doc);
    let mut pages = doc.get_dictionary(pages_id).unwrap().clone();
    let new_page = (doc.max_id + 1, 0);
    let mut kids = pages.get(b"Kids").unwrap().as_array().unwrap().clone();
    kids.push(Object::Reference(new_page));
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Integer(2));
    let mut page = doc.get_dictionary(page_id).unwrap().clone();
    page.remove(b"Annots");
    append_objects(
        pdf,
        &[
            (pages_id, syntax(&Object::Dictionary(pages))),
            (new_page, syntax(&Object::Dictionary(page))),
        ],
    )
}

fn write(bench: &Bench, name: &str, bytes: &[u8]) {
    std::fs::write(bench.path(name), bytes).unwrap();
}

fn read(bench: &Bench, name: &str) -> Vec<u8> {
    std::fs::read(bench.path(name)).unwrap()
}

#[test]
fn second_signatures_by_kazasu_and_pyhanko_are_allowed_changes() {
    let bench = Bench::new();
    write(&bench, "doc.pdf", &sample_pdf(1));
    bench.kazasu_sign("doc.pdf", "once.pdf");
    let report = bench.judge("once.pdf", true);
    assert!(
        report.contains("intact: nothing was changed after it"),
        "{report}"
    );

    bench.kazasu_sign("once.pdf", "twice-kazasu.pdf");
    let report = bench.judge("twice-kazasu.pdf", true);
    assert!(
        report.contains("changes after signing: allowed (signature field \"Signature2\" added"),
        "{report}"
    );
    assert_eq!(
        bench.verify_json("twice-kazasu.pdf"),
        vec!["allowed", "intact"]
    );

    bench.pyhanko_sign("once.pdf", "twice-pyhanko.pdf", "Counter");
    let report = bench.judge("twice-pyhanko.pdf", true);
    assert!(
        report.contains("changes after signing: allowed (signature field \"Counter\" added"),
        "{report}"
    );

    // pyHanko first, Kazasu second.
    bench.pyhanko_sign("doc.pdf", "py-first.pdf", "First");
    bench.kazasu_sign("py-first.pdf", "py-then-kazasu.pdf");
    bench.judge("py-then-kazasu.pdf", true);
}

#[test]
fn rewritten_content_under_a_second_signature_is_modified_after_signing() {
    let bench = Bench::new();
    write(&bench, "doc.pdf", &sample_pdf(1));
    bench.kazasu_sign("doc.pdf", "once.pdf");
    write(
        &bench,
        "rewritten.pdf",
        &rewrite_content(&read(&bench, "once.pdf")),
    );
    // Unsigned, the rewrite was already refused; a second signature must not launder it.
    let report = bench.judge("rewritten.pdf", false);
    assert!(report.contains("modified after signing"), "{report}");

    bench.kazasu_sign("rewritten.pdf", "laundered-kazasu.pdf");
    let (code, report) = bench.verify("laundered-kazasu.pdf");
    assert_eq!(code, Some(6), "{report}");
    assert!(report.starts_with("NOT VALID"), "{report}");
    assert!(report.contains("FAIL modified after signing"), "{report}");
    assert!(
        report.contains("a stream, such as page content"),
        "{report}"
    );
    bench.judge("laundered-kazasu.pdf", false);
    assert_eq!(
        bench.verify_json("laundered-kazasu.pdf"),
        vec!["modified", "intact"]
    );

    bench.pyhanko_sign("rewritten.pdf", "laundered-pyhanko.pdf", "Second");
    bench.judge("laundered-pyhanko.pdf", false);
}

#[test]
fn an_added_annotation_or_page_is_modified_after_signing() {
    let bench = Bench::new();
    write(&bench, "doc.pdf", &sample_pdf(1));
    bench.kazasu_sign("doc.pdf", "once.pdf");
    let once = read(&bench, "once.pdf");

    write(&bench, "annotated.pdf", &add_annotation(&once));
    bench.kazasu_sign("annotated.pdf", "annotated-signed.pdf");
    let report = bench.judge("annotated-signed.pdf", false);
    assert!(
        report.contains("an annotation (/Text) was added to page 1"),
        "{report}"
    );

    write(&bench, "grown.pdf", &add_page(&once));
    bench.kazasu_sign("grown.pdf", "grown-signed.pdf");
    let report = bench.judge("grown-signed.pdf", false);
    assert!(
        report.contains("/Pages dictionary) was changed"),
        "{report}"
    );
}

#[test]
fn an_unsigned_revision_after_the_last_signature_is_still_refused() {
    let bench = Bench::new();
    write(&bench, "doc.pdf", &sample_pdf(1));
    bench.kazasu_sign("doc.pdf", "once.pdf");
    bench.kazasu_sign("once.pdf", "twice.pdf");
    write(
        &bench,
        "tail.pdf",
        &rewrite_content(&read(&bench, "twice.pdf")),
    );
    let report = bench.judge("tail.pdf", false);
    assert!(
        report.contains("changed after the last signature"),
        "{report}"
    );
    assert!(report.contains("modified after signing"), "{report}");
}

#[test]
fn a_no_changes_certification_is_never_signed_and_a_field_added_after_it_is_a_modification() {
    let bench = Bench::new();
    write(&bench, "doc.pdf", &sample_pdf(1));
    bench.pyhanko_certify("doc.pdf", "certified-1.pdf", 1);
    let report = bench.judge("certified-1.pdf", true);
    assert!(
        report.contains("certifies the document: DocMDP level 1 (no changes allowed)"),
        "{report}"
    );
    // Kazasu refuses to sign it before asking for the PIN, as pyHanko's signer does.
    let out = bench.kazasu(
        &[
            "sign",
            "--pin-stdin",
            "certified-1.pdf",
            "-o",
            "certified-1-signed.pdf",
        ],
        &format!("{SIGN_PIN}\n"),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("DocMDP level 1"), "{stderr}");
    assert!(
        !stderr.contains("tries left"),
        "the PIN was asked for: {stderr}"
    );
    assert!(!bench.path("certified-1-signed.pdf").exists());
    assert_eq!(bench.card.state().tries_left(PinKind::Sign), 5);
    let out = bench.pyhanko_addsig("certified-1.pdf", "pyhanko-signed.pdf", "Late");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        said.contains("forbids all changes"),
        "pyHanko signed it: {said}"
    );
    // A tool that ignores the certification adds a field anyway: Kazasu calls the certification
    // modified. (pyHanko 0.38 calls this one valid: it lets an empty signature field be created
    // even under level 1. Here Kazasu is knowingly the stricter of the two.)
    write(
        &bench,
        "certified-1-field.pdf",
        &add_signature_field(&read(&bench, "certified-1.pdf")),
    );
    bench.qpdf_accepts("certified-1-field.pdf");
    let (code, report) = bench.verify("certified-1-field.pdf");
    assert_eq!(code, Some(6), "{report}");
    assert!(
        report.contains("certified with no changes allowed (DocMDP level 1)"),
        "{report}"
    );

    // Level 2 allows signing.
    bench.pyhanko_certify("doc.pdf", "certified-2.pdf", 2);
    bench.kazasu_sign("certified-2.pdf", "certified-2-signed.pdf");
    bench.judge("certified-2-signed.pdf", true);
}

/// A one-page PDF (classic xref) with `extra_objects` and more entries in its catalog.
fn pdf_with(extra_objects: &[(u32, Vec<u8>)], catalog_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut objects: Vec<(u32, Vec<u8>)> = vec![
        (
            1,
            format!("<</Type/Catalog/Pages 2 0 R{catalog_extra}>>").into_bytes(),
        ),
        (2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>".to_vec()),
        (
            3,
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>".to_vec(),
        ),
    ];
    objects.extend(extra_objects.iter().cloned());
    let mut offsets = Vec::new();
    for (n, body) in &objects {
        offsets.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = objects.iter().map(|(n, _)| n + 1).max().unwrap();
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
    for (n, at) in offsets {
        out.extend_from_slice(format!("{n} 1\n{at:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<</Size {size}/Root 1 0 R>>\nstartxref\n{xref_at}\n%%EOF\n").as_bytes(),
    );
    out
}

#[test]
fn hostile_pdfs_are_refused_by_verify_and_sign_not_crashed_on() {
    let bench = Bench::new();
    // Nesting 200 000 deep: lopdf's recursive parser overflowed the stack (the process died).
    let depth = 200_000;
    let mut deep = b"<</Deep ".to_vec();
    deep.extend(std::iter::repeat_n(b'[', depth));
    deep.extend(std::iter::repeat_n(b']', depth));
    deep.extend_from_slice(b">>");
    write(&bench, "deep.pdf", &pdf_with(&[(4, deep)], "/Extra 4 0 R"));
    for args in [
        vec!["verify", "--trust", "trust/sign-ca.pem", "deep.pdf"],
        vec!["sign", "--pin-stdin", "deep.pdf", "-o", "deep-signed.pdf"],
    ] {
        let out = bench.kazasu(&args, &format!("{SIGN_PIN}\n"));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("this PDF is malformed: arrays or dictionaries are nested more than"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!bench.path("deep-signed.pdf").exists());
}
