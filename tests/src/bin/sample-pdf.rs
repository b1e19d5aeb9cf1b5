//! Writes a sample PDF to sign (for the demo and by hand): `sample-pdf out.pdf [PAGES]`.
fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "sample.pdf".to_owned());
    let pages = args.next().and_then(|p| p.parse().ok()).unwrap_or(2);
    std::fs::write(&out, kazasu_tests::pdf_fixture::sample_pdf(pages)).expect("write the PDF");
}
