//! Signing small PDFs made here (classic xref, xref stream, object streams) and inspecting the
//! results, including tampered and malformed ones.

use lopdf::content::{Content, Operation};
use lopdf::xref::XrefType;
use lopdf::{Document, Object, ObjectId, Stream, dictionary};

use super::inspect::ber_len_for_tests;
use super::*;

/// A one- or more-page document with a line of text on each page.
fn lopdf_doc(pages: usize) -> Document {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids: Vec<Object> = Vec::new();
    for i in 0..pages {
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 24.into()]),
                Operation::new("Td", vec![72.into(), 720.into()]),
                Operation::new(
                    "Tj",
                    vec![Object::string_literal(format!("Hello, page {}", i + 1))],
                ),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(page_id.into());
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => pages as i64, "Resources" => resources_id,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(
                b"0123456789abcdef".to_vec(),
                lopdf::StringFormat::Hexadecimal,
            ),
            Object::String(
                b"0123456789abcdef".to_vec(),
                lopdf::StringFormat::Hexadecimal,
            ),
        ]),
    );
    doc
}

fn save(mut doc: Document, kind: XrefType) -> Vec<u8> {
    doc.reference_table.cross_reference_type = kind;
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn classic_pdf() -> Vec<u8> {
    save(lopdf_doc(1), XrefType::CrossReferenceTable)
}

fn xref_stream_pdf() -> Vec<u8> {
    save(lopdf_doc(1), XrefType::CrossReferenceStream)
}

/// A hand-made PDF 1.7 whose catalog, page tree, page and font live in an object stream, indexed
/// by a cross-reference stream.
fn object_stream_pdf() -> Vec<u8> {
    let members: [(u32, &[u8]); 4] = [
        (1, b"<</Type/Catalog/Pages 2 0 R>>"),
        (2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>"),
        (
            3,
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 6 0 R>>>>/Contents 4 0 R>>",
        ),
        (6, b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"),
    ];
    let mut header = String::new();
    let mut body = Vec::new();
    for (n, obj) in members {
        header.push_str(&format!("{} {} ", n, body.len()));
        body.extend_from_slice(obj);
        body.push(b'\n');
    }
    let mut objstm = header.into_bytes();
    let first = objstm.len();
    objstm.extend_from_slice(&body);

    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let content = b"BT /F1 24 Tf 72 720 Td (Hello from an object stream) Tj ET";
    let off4 = out.len();
    out.extend_from_slice(format!("4 0 obj\n<</Length {}>>\nstream\n", content.len()).as_bytes());
    out.extend_from_slice(content);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let off5 = out.len();
    out.extend_from_slice(
        format!(
            "5 0 obj\n<</Type/ObjStm/N 4/First {first}/Length {}>>\nstream\n",
            objstm.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&objstm);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let off7 = out.len();
    let entry = |t: u8, f2: u32, f3: u16| {
        let mut e = vec![t];
        e.extend_from_slice(&f2.to_be_bytes());
        e.extend_from_slice(&f3.to_be_bytes());
        e
    };
    let mut xref = Vec::new();
    xref.extend(entry(0, 0, 0xffff));
    xref.extend(entry(2, 5, 0));
    xref.extend(entry(2, 5, 1));
    xref.extend(entry(2, 5, 2));
    xref.extend(entry(1, off4 as u32, 0));
    xref.extend(entry(1, off5 as u32, 0));
    xref.extend(entry(2, 5, 3));
    xref.extend(entry(1, off7 as u32, 0));
    out.extend_from_slice(
        format!(
            "7 0 obj\n<</Type/XRef/Size 8/W[1 4 2]/Root 1 0 R/Length {}>>\nstream\n",
            xref.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&xref);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    out.extend_from_slice(format!("startxref\n{off7}\n%%EOF").as_bytes());
    out
}

/// A DER SEQUENCE of exactly `len` bytes (`len` ≥ 260), ending in zero bytes on purpose so that
/// cutting the padding by trimming zeros would be wrong.
fn dummy_cms(len: usize) -> Vec<u8> {
    let body = len - 4;
    let mut cms = vec![0x30, 0x82, (body >> 8) as u8, body as u8];
    cms.extend((0..body).map(|i| (i % 251) as u8 + 1));
    let n = cms.len();
    cms[n - 3..].fill(0);
    cms
}

fn options() -> SignOptions {
    SignOptions {
        reason: Some("test".into()),
        signing_time: time::macros::datetime!(2025-01-02 03:04:05 +09:00),
        ..SignOptions::default()
    }
}

fn sign(pdf: &[u8], options: &SignOptions, cms: &[u8]) -> Vec<u8> {
    prepare(pdf, options).unwrap().finish(cms).unwrap()
}

/// The file without the `<…>` of the signature's `/Contents`.
fn without_gap(pdf: &[u8], sig: &PdfSignature) -> Vec<u8> {
    let (a, b) = (sig.byte_range[0].1, sig.byte_range[1].0);
    [&pdf[..a], &pdf[b..]].concat()
}

fn root_of(pdf: &[u8]) -> ObjectId {
    let doc = Document::load_mem(pdf).unwrap();
    doc.trailer.get(b"Root").unwrap().as_reference().unwrap()
}

/// Appends a small classic-xref revision (one new object) after the file's end.
fn append_revision(pdf: &[u8]) -> Vec<u8> {
    let root = root_of(pdf);
    let prev = super::last_startxref(pdf).unwrap();
    let mut out = pdf.to_vec();
    let obj = out.len();
    out.extend_from_slice(b"999 0 obj\n(added later)\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n999 1\n{obj:010} 00000 n\r\ntrailer\n<</Size 1000/Root {} {} R/Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n",
            root.0, root.1
        )
        .as_bytes(),
    );
    out
}

fn check_signed_once(original: &[u8]) {
    let cms = dummy_cms(300);
    let prepared = prepare(original, &options()).unwrap();
    let range = prepared.byte_range();
    let parts: Vec<u8> = prepared.signed_parts().concat();
    let signed = prepared.finish(&cms).unwrap();

    assert!(
        signed.starts_with(original),
        "the original must be kept byte for byte"
    );
    Document::load_mem(&signed).expect("lopdf reads the signed file");

    let sigs = signatures(&signed).unwrap();
    assert_eq!(sigs.len(), 1, "{sigs:?}");
    let sig = &sigs[0];
    assert_eq!(sig.cms_der, cms);
    assert_eq!(sig.field_name.as_deref(), Some("Signature1"));
    assert_eq!(sig.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    assert_eq!(sig.signing_time.as_deref(), Some("D:20250102030405+09'00'"));
    assert_eq!(sig.byte_range, range.to_vec());
    let gap = range[1].0 - range[0].1;
    assert_eq!(gap, 2 * 16384 + 2);
    assert_eq!(
        sig.coverage,
        Coverage::Ok {
            whole_file: true,
            signed_len: signed.len() - gap
        }
    );
    assert_eq!(signed[range[0].1], b'<');
    assert_eq!(signed[range[1].0 - 1], b'>');

    let covered = signed_parts(&signed, sig).unwrap().concat();
    assert_eq!(covered, without_gap(&signed, sig));
    assert_eq!(
        covered, parts,
        "hashing before finish must equal hashing after"
    );
}

#[test]
fn signs_a_classic_xref_pdf() {
    let original = classic_pdf();
    assert!(!original.ends_with(b"\n"));
    check_signed_once(&original);
    let signed = sign(&original, &options(), &dummy_cms(300));
    let update = &signed[original.len()..];
    assert!(
        update.starts_with(b"\n"),
        "a newline goes between the original and the update"
    );
    assert!(
        update.windows(6).any(|w| w == b"\nxref\n"),
        "classic original, classic update"
    );
    assert!(!update.windows(11).any(|w| w == b"/Type /XRef"));
}

#[test]
fn signs_an_xref_stream_pdf() {
    let original = xref_stream_pdf();
    check_signed_once(&original);
    let signed = sign(&original, &options(), &dummy_cms(300));
    let update = &signed[original.len()..];
    assert!(
        update.windows(11).any(|w| w == b"/Type /XRef"),
        "xref-stream update"
    );
    assert!(!update.windows(6).any(|w| w == b"\nxref\n"));
    assert!(!update.windows(7).any(|w| w == b"trailer"));
}

#[test]
fn signs_a_pdf_with_object_streams() {
    let original = object_stream_pdf();
    let doc = Document::load_mem(&original).expect("fixture is readable");
    assert_eq!(doc.get_pages().len(), 1);
    check_signed_once(&original);
    let signed = sign(&original, &options(), &dummy_cms(300));
    let doc = Document::load_mem(&signed).unwrap();
    let catalog = doc.catalog().unwrap();
    assert!(catalog.get(b"AcroForm").is_ok());
    assert_eq!(doc.get_pages().len(), 1);
}

#[test]
fn signs_twice() {
    for original in [classic_pdf(), xref_stream_pdf(), object_stream_pdf()] {
        let first_cms = dummy_cms(300);
        let second_cms = dummy_cms(400);
        let once = sign(&original, &options(), &first_cms);
        let twice = sign(&once, &options(), &second_cms);
        assert!(twice.starts_with(&once));
        Document::load_mem(&twice).unwrap();

        let sigs = signatures(&twice).unwrap();
        assert_eq!(sigs.len(), 2, "{sigs:?}");
        assert_eq!(sigs[0].field_name.as_deref(), Some("Signature1"));
        assert_eq!(sigs[1].field_name.as_deref(), Some("Signature2"));
        assert_eq!(sigs[0].cms_der, first_cms);
        assert_eq!(sigs[1].cms_der, second_cms);
        assert!(matches!(
            sigs[0].coverage,
            Coverage::Ok {
                whole_file: false,
                ..
            }
        ));
        assert!(matches!(
            sigs[1].coverage,
            Coverage::Ok {
                whole_file: true,
                ..
            }
        ));
        // The first signature still covers exactly its own revision.
        let first = signed_parts(&twice, &sigs[0]).unwrap().concat();
        assert_eq!(first, without_gap(&once, &sigs[0]));
    }
}

#[test]
fn an_unsigned_revision_after_the_signature_shows() {
    let signed = sign(&classic_pdf(), &options(), &dummy_cms(300));
    let extended = append_revision(&signed);
    Document::load_mem(&extended).unwrap();
    let sigs = signatures(&extended).unwrap();
    assert_eq!(sigs.len(), 1);
    assert!(matches!(
        sigs[0].coverage,
        Coverage::Ok {
            whole_file: false,
            ..
        }
    ));

    let mut trailing = signed.clone();
    trailing.extend_from_slice(b"% extra\n");
    let sigs = signatures(&trailing).unwrap();
    assert!(matches!(
        sigs[0].coverage,
        Coverage::Ok {
            whole_file: false,
            ..
        }
    ));
}

/// Rewrites the numbers of the (only) `/ByteRange` in place, keeping the file's length.
fn edit_byte_range(pdf: &[u8], edit: impl Fn([usize; 4]) -> [usize; 4]) -> Vec<u8> {
    let at = super::find(pdf, b"/ByteRange[", 0).unwrap() + b"/ByteRange[".len();
    let end = super::find(pdf, b"]", at).unwrap();
    let text = std::str::from_utf8(&pdf[at..end]).unwrap();
    let n: Vec<usize> = text
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let new = edit([n[0], n[1], n[2], n[3]]);
    let new = format!("{} {} {} {}", new[0], new[1], new[2], new[3]);
    assert!(new.len() <= end - at);
    let mut out = pdf.to_vec();
    out[at..end].fill(b' ');
    out[at..at + new.len()].copy_from_slice(new.as_bytes());
    out
}

fn assert_bad(pdf: &[u8]) -> String {
    let sigs = signatures(pdf).unwrap();
    assert_eq!(sigs.len(), 1);
    match &sigs[0].coverage {
        Coverage::Bad(reason) => {
            assert!(signed_parts(pdf, &sigs[0]).is_err());
            reason.clone()
        }
        ok => panic!("expected Bad, got {ok:?}"),
    }
}

#[test]
fn a_tampered_byte_range_is_bad() {
    let signed = sign(&classic_pdf(), &options(), &dummy_cms(300));
    // A gap that leaves the byte before /Contents' '<' unsigned.
    assert_bad(&edit_byte_range(&signed, |[a, b, c, d]| [a, b - 1, c, d]));
    // A gap that leaves the byte after '>' unsigned.
    assert_bad(&edit_byte_range(&signed, |[a, b, c, d]| {
        [a, b, c + 1, d - 1]
    }));
    // Overlapping ranges.
    assert_bad(&edit_byte_range(&signed, |[a, b, c, d]| {
        [a, b, b - 5, d + c - b + 5]
    }));
    // Not starting at 0.
    assert_bad(&edit_byte_range(&signed, |[_, b, c, d]| [1, b - 1, c, d]));
    // Past the end.
    assert_bad(&edit_byte_range(&signed, |[a, b, c, d]| [a, b, c, d + 10]));
    // Stopping in the middle of the revision.
    assert_bad(&edit_byte_range(&signed, |[a, b, c, d]| [a, b, c, d - 30]));
    // Gap inside the hex string (part of it signed, '<' and '>' not excluded exactly).
    assert_bad(&edit_byte_range(&signed, |[a, b, c, d]| {
        [a, b + 1, c - 1, d + 1]
    }));
}

#[test]
fn a_cms_too_big_for_the_placeholder_is_refused() {
    let opts = SignOptions {
        contents_capacity: 299,
        ..options()
    };
    let prepared = prepare(&classic_pdf(), &opts).unwrap();
    match prepared.finish(&dummy_cms(300)) {
        Err(PdfError::SignatureTooBig { needed, room }) => {
            assert_eq!((needed, room), (300, 299));
        }
        other => panic!("expected SignatureTooBig, got {other:?}"),
    }
    // Exactly full is fine.
    let opts = SignOptions {
        contents_capacity: 300,
        ..options()
    };
    let signed = sign(&classic_pdf(), &opts, &dummy_cms(300));
    assert_eq!(signatures(&signed).unwrap()[0].cms_der, dummy_cms(300));
    assert!(matches!(
        prepare(&classic_pdf(), &options()).unwrap().finish(&[]),
        Err(PdfError::EmptySignature)
    ));
    for capacity in [0, 100 << 20] {
        let opts = SignOptions {
            contents_capacity: capacity,
            ..options()
        };
        assert!(matches!(
            prepare(&classic_pdf(), &opts),
            Err(PdfError::BadCapacity { .. })
        ));
    }
}

#[test]
fn an_encrypted_pdf_is_refused() {
    let mut doc = lopdf_doc(1);
    let encrypt = doc.add_object(dictionary! {
        "Filter" => "Standard", "V" => 2, "R" => 3, "Length" => 128, "P" => -3904,
        "O" => Object::String(vec![1; 32], lopdf::StringFormat::Hexadecimal),
        "U" => Object::String(vec![2; 32], lopdf::StringFormat::Hexadecimal),
    });
    doc.trailer.set("Encrypt", encrypt);
    let pdf = save(doc, XrefType::CrossReferenceTable);
    assert!(matches!(
        prepare(&pdf, &options()),
        Err(PdfError::Encrypted)
    ));
    assert!(matches!(signatures(&pdf), Err(PdfError::Encrypted)));
}

#[test]
fn a_visible_signature_sits_on_its_page() {
    let original = save(lopdf_doc(3), XrefType::CrossReferenceTable);
    let opts = SignOptions {
        field_name: Some("Approval".into()),
        visible: Some(Visible {
            page: 2,
            rect: [300.0, 150.0, 100.0, 100.0],
            lines: vec!["Signed by TEST".into(), "2025-01-02 (JST) — ok".into()],
        }),
        ..options()
    };
    let signed = sign(&original, &opts, &dummy_cms(300));
    let doc = Document::load_mem(&signed).unwrap();
    let pages = doc.get_pages();
    let page2 = pages[&2];
    let annots = doc
        .get_dictionary(page2)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap();
    assert_eq!(annots.len(), 1);
    let widget_id = annots[0].as_reference().unwrap();
    let widget = doc.get_dictionary(widget_id).unwrap();
    let rect: Vec<f32> = widget
        .get(b"Rect")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    assert_eq!(rect, vec![100.0, 100.0, 300.0, 150.0]);
    assert_eq!(widget.get(b"P").unwrap().as_reference().unwrap(), page2);
    assert_eq!(widget.get(b"F").unwrap().as_i64().unwrap(), 132);
    let ap = widget.get(b"AP").unwrap().as_dict().unwrap();
    let stream = doc
        .get_object(ap.get(b"N").unwrap().as_reference().unwrap())
        .unwrap()
        .as_stream()
        .unwrap();
    let text = String::from_utf8_lossy(&stream.content);
    assert!(text.contains("(Signed by TEST) Tj"), "{text}");
    assert!(text.contains("(2025-01-02 \\(JST\\) ? ok) '"), "{text}");
    for other in [1, 3] {
        assert!(
            doc.get_dictionary(pages[&other])
                .unwrap()
                .get(b"Annots")
                .is_err()
        );
    }
    let sigs = signatures(&signed).unwrap();
    assert_eq!(sigs[0].field_name.as_deref(), Some("Approval"));

    // The invisible default goes on page 1 with an empty rectangle.
    let signed = sign(&original, &options(), &dummy_cms(300));
    let doc = Document::load_mem(&signed).unwrap();
    let page1 = doc.get_pages()[&1];
    let annots = doc
        .get_dictionary(page1)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap();
    let widget = doc
        .get_dictionary(annots[0].as_reference().unwrap())
        .unwrap();
    let rect: Vec<f32> = widget
        .get(b"Rect")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    assert_eq!(rect, vec![0.0; 4]);
}

#[test]
fn bad_visible_options_are_refused() {
    let original = classic_pdf();
    let with = |page, rect| SignOptions {
        visible: Some(Visible {
            page,
            rect,
            lines: vec![],
        }),
        ..options()
    };
    assert!(matches!(
        prepare(&original, &with(2, [0.0, 0.0, 10.0, 10.0])),
        Err(PdfError::PageOutOfRange { page: 2, pages: 1 })
    ));
    assert!(matches!(
        prepare(&original, &with(0, [0.0, 0.0, 10.0, 10.0])),
        Err(PdfError::PageOutOfRange { page: 0, .. })
    ));
    assert!(matches!(
        prepare(&original, &with(1, [0.0, 0.0, 0.0, 10.0])),
        Err(PdfError::BadRect { .. })
    ));
    assert!(matches!(
        prepare(&original, &with(1, [f32::NAN, 0.0, 10.0, 10.0])),
        Err(PdfError::BadRect { .. })
    ));
}

#[test]
fn field_names_are_checked() {
    let once = sign(&classic_pdf(), &options(), &dummy_cms(300));
    let taken = SignOptions {
        field_name: Some("Signature1".into()),
        ..options()
    };
    assert!(matches!(
        prepare(&once, &taken),
        Err(PdfError::FieldNameTaken { .. })
    ));
    for bad in ["", "a.b"] {
        let opts = SignOptions {
            field_name: Some(bad.into()),
            ..options()
        };
        assert!(matches!(
            prepare(&once, &opts),
            Err(PdfError::BadFieldName { .. })
        ));
    }
    let japanese = SignOptions {
        field_name: Some("署名".into()),
        reason: Some("承認します".into()),
        location: Some("Tokyo (HQ)".into()),
        contact: Some("a\\b".into()),
        ..options()
    };
    let twice = sign(&once, &japanese, &dummy_cms(300));
    let sigs = signatures(&twice).unwrap();
    assert_eq!(sigs[1].field_name.as_deref(), Some("署名"));
    let doc = Document::load_mem(&twice).unwrap();
    let sig_dicts: Vec<_> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.has_type(b"Sig"))
        .filter(|d| d.has(b"Location"))
        .collect();
    assert_eq!(sig_dicts.len(), 1);
    let text = |k: &[u8]| lopdf::decode_text_string(sig_dicts[0].get(k).unwrap()).unwrap();
    assert_eq!(text(b"Reason"), "承認します");
    assert_eq!(text(b"Location"), "Tokyo (HQ)");
    assert_eq!(text(b"ContactInfo"), "a\\b");
}

#[test]
fn indirect_annots_and_fields_are_updated_in_place() {
    let mut doc = lopdf_doc(1);
    let page = doc.get_pages()[&1];
    let other_field = doc.add_object(dictionary! {
        "FT" => "Tx", "T" => Object::string_literal("Name"), "Type" => "Annot", "Subtype" => "Widget",
        "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()], "P" => page,
    });
    let annots = doc.add_object(Object::Array(vec![other_field.into()]));
    let fields = doc.add_object(Object::Array(vec![other_field.into()]));
    let form = doc.add_object(dictionary! { "Fields" => fields, "SigFlags" => 0 });
    doc.get_dictionary_mut(page).unwrap().set("Annots", annots);
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_dictionary_mut(root).unwrap().set("AcroForm", form);
    let original = save(doc, XrefType::CrossReferenceTable);

    let signed = sign(&original, &options(), &dummy_cms(300));
    let doc = Document::load_mem(&signed).unwrap();
    let annots = doc.get_object(annots).unwrap().as_array().unwrap();
    assert_eq!(annots.len(), 2);
    let fields = doc.get_object(fields).unwrap().as_array().unwrap();
    assert_eq!(fields.len(), 2);
    let form = doc.get_dictionary(form).unwrap();
    assert_eq!(form.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
    let sigs = signatures(&signed).unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].field_name.as_deref(), Some("Signature1"));
}

#[test]
fn a_signature_hidden_by_a_later_revision_is_still_found() {
    let original = classic_pdf();
    let signed = sign(&original, &options(), &dummy_cms(300));
    // A later revision that drops the AcroForm from the catalog.
    let doc = Document::load_mem(&original).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let pages = doc
        .catalog()
        .unwrap()
        .get(b"Pages")
        .unwrap()
        .as_reference()
        .unwrap();
    let prev = super::last_startxref(&signed).unwrap();
    let mut out = signed.clone();
    let obj = out.len();
    out.extend_from_slice(
        format!(
            "{} {} obj\n<</Type/Catalog/Pages {} {} R>>\nendobj\n",
            root.0, root.1, pages.0, pages.1
        )
        .as_bytes(),
    );
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{} 1\n{obj:010} 00000 n\r\ntrailer\n<</Size 1000/Root {} {} R/Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n",
            root.0, root.0, root.1
        )
        .as_bytes(),
    );
    let sigs = signatures(&out).unwrap();
    assert_eq!(sigs.len(), 1, "{sigs:?}");
    assert_eq!(sigs[0].field_name, None);
    assert_eq!(sigs[0].cms_der, dummy_cms(300));
    assert!(matches!(
        sigs[0].coverage,
        Coverage::Ok {
            whole_file: false,
            ..
        }
    ));
}

#[test]
fn unsigned_pdfs_have_no_signatures() {
    for pdf in [classic_pdf(), xref_stream_pdf(), object_stream_pdf()] {
        assert!(signatures(&pdf).unwrap().is_empty());
    }
}

#[test]
fn malformed_input_gives_errors_not_panics() {
    assert!(matches!(prepare(b"", &options()), Err(PdfError::NotPdf)));
    assert!(matches!(signatures(b"hello"), Err(PdfError::NotPdf)));
    assert!(matches!(
        prepare(b"  %PDF-1.4\n", &options()),
        Err(PdfError::JunkBeforeHeader { offset: 2 })
    ));
    assert!(matches!(
        prepare(b"%PDF-1.4\n", &options()),
        Err(PdfError::NoStartXref)
    ));
    assert!(matches!(
        prepare(b"%PDF-1.4\nstartxref\n999999\n%%EOF", &options()),
        Err(PdfError::BrokenXref { .. })
    ));
    assert!(prepare(b"%PDF-1.4\nstartxref\n3\n%%EOF", &options()).is_err());

    let signed = sign(&xref_stream_pdf(), &options(), &dummy_cms(300));
    let inputs = [
        classic_pdf(),
        xref_stream_pdf(),
        object_stream_pdf(),
        sign(&classic_pdf(), &options(), &dummy_cms(300)),
        signed,
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for input in &inputs {
        // Truncations.
        for cut in (0..input.len()).step_by((input.len() / 40).max(1)) {
            let _ = prepare(&input[..cut], &options());
            let _ = signatures(&input[..cut]);
        }
        // Byte flips.
        for _ in 0..150 {
            let mut bad = input.clone();
            for _ in 0..4 {
                let at = (rand() as usize) % bad.len();
                bad[at] = rand() as u8;
            }
            let _ = prepare(&bad, &options());
            if let Ok(sigs) = signatures(&bad) {
                for sig in &sigs {
                    let _ = signed_parts(&bad, sig);
                }
            }
        }
    }
    // Garbage that looks a bit like a PDF.
    for n in 0..100 {
        let mut bad = b"%PDF-1.7\n".to_vec();
        bad.extend((0..n * 7).map(|_| rand() as u8));
        bad.extend_from_slice(b"/ByteRange [0 1 2 3] /Contents <00> 1 0 obj endobj");
        bad.extend_from_slice(
            format!("\nstartxref\n{}\n%%EOF", rand() as usize % (n * 7 + 9)).as_bytes(),
        );
        let _ = prepare(&bad, &options());
        let _ = signatures(&bad);
    }
}

#[test]
fn ber_lengths() {
    assert_eq!(ber_len_for_tests(&dummy_cms(300)), Some(300));
    let mut padded = dummy_cms(300);
    padded.extend([0; 50]);
    assert_eq!(ber_len_for_tests(&padded), Some(300));
    // Indefinite length with a nested definite element and an end-of-contents marker.
    let indefinite = [0x30, 0x80, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
    assert_eq!(ber_len_for_tests(&indefinite), Some(8));
    assert_eq!(
        ber_len_for_tests(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
        None
    );
    assert_eq!(ber_len_for_tests(&[0x30]), None);
    assert_eq!(ber_len_for_tests(&[]), None);
    assert_eq!(ber_len_for_tests(&[0x30, 0x80, 0x30, 0x80]), None);
}

#[test]
fn signed_parts_refuses_a_range_outside_the_file() {
    let signed = sign(&classic_pdf(), &options(), &dummy_cms(300));
    let sig = signatures(&signed).unwrap().remove(0);
    assert!(signed_parts(&signed[..signed.len() - 1], &sig).is_err());
}

/// Writes signed samples to `$KAZASU_PDF_SAMPLES` (when set) for checking with qpdf, pdfsig or
/// pyHanko by hand.
#[test]
fn write_samples_for_external_tools() {
    let Some(dir) = std::env::var_os("KAZASU_PDF_SAMPLES") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let visible = SignOptions {
        visible: Some(Visible {
            page: 1,
            rect: [72.0, 72.0, 272.0, 122.0],
            lines: vec!["Signed with Kazasu".into(), "2025-01-02".into()],
        }),
        ..options()
    };
    for (name, original) in [
        ("classic", classic_pdf()),
        ("xrefstream", xref_stream_pdf()),
        ("objstream", object_stream_pdf()),
    ] {
        std::fs::write(dir.join(format!("{name}-original.pdf")), &original).unwrap();
        let once = sign(&original, &options(), &dummy_cms(300));
        std::fs::write(dir.join(format!("{name}-signed.pdf")), &once).unwrap();
        let twice = sign(&once, &visible, &dummy_cms(400));
        std::fs::write(dir.join(format!("{name}-twice.pdf")), &twice).unwrap();
    }
}

// ---- Later revisions: each signature is judged against the revision it signed. ----

/// Appends a classic-xref revision that (re)defines `objects` (id, body without `obj`/`endobj`).
fn append_objects(pdf: &[u8], objects: &[(ObjectId, Vec<u8>)]) -> Vec<u8> {
    let root = root_of(pdf);
    let doc = Document::load_mem(pdf).unwrap();
    let size = objects
        .iter()
        .map(|(id, _)| id.0 + 1)
        .max()
        .unwrap_or(0)
        .max(doc.max_id + 1);
    let prev = super::last_startxref(pdf).unwrap();
    let mut out = pdf.to_vec();
    let mut xref = String::from("xref\n");
    let mut offsets = Vec::new();
    for (id, body) in objects {
        offsets.push((id, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    for (id, at) in offsets {
        xref.push_str(&format!("{} 1\n{at:010} {:05} n\r\n", id.0, id.1));
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

/// The id of the first page and of its content stream.
fn page_and_content(pdf: &[u8]) -> (ObjectId, ObjectId) {
    let doc = Document::load_mem(pdf).unwrap();
    let page = doc.get_pages()[&1];
    let content = doc.get_page_contents(page)[0];
    (page, content)
}

fn changes_of(pdf: &[u8]) -> Vec<ChangesAfter> {
    signatures(pdf)
        .unwrap()
        .into_iter()
        .map(|s| s.changes_after)
        .collect()
}

#[test]
fn a_second_signature_is_an_allowed_change_for_the_first() {
    for original in [classic_pdf(), xref_stream_pdf(), object_stream_pdf()] {
        let once = sign(&original, &options(), &dummy_cms(300));
        assert_eq!(changes_of(&once), vec![ChangesAfter::None]);
        let twice = sign(&once, &options(), &dummy_cms(300));
        let changes = changes_of(&twice);
        assert_eq!(
            changes[0],
            ChangesAfter::Allowed(vec![
                "signature field \"Signature2\" added with its signature".to_owned()
            ]),
            "{changes:?}"
        );
        assert_eq!(changes[1], ChangesAfter::None);
    }
}

fn assert_modified(pdf: &[u8], expect: &str) {
    let changes = changes_of(pdf);
    match &changes[0] {
        ChangesAfter::Modified(what) => assert!(
            what.iter().any(|w| w.contains(expect)),
            "expected {expect:?} in {what:?}"
        ),
        other => panic!("the first signature should be modified after signing: {other:?}"),
    }
}

#[test]
fn new_page_content_then_a_second_signature_is_a_modification() {
    let once = sign(&classic_pdf(), &options(), &dummy_cms(300));
    let (_, content) = page_and_content(&once);
    let text = b"BT /F1 24 Tf 72 720 Td (Pay 900 yen) Tj ET";
    let mut body = format!("<</Length {}>>\nstream\n", text.len()).into_bytes();
    body.extend_from_slice(text);
    body.extend_from_slice(b"\nendstream");
    let rewritten = append_objects(&once, &[(content, body)]);
    // Before the second signature: an unsigned revision that changes what was signed.
    assert_modified(&rewritten, &format!("object {} 0 (a stream", content.0));
    let twice = sign(&rewritten, &options(), &dummy_cms(300));
    assert_modified(&twice, &format!("object {} 0 (a stream", content.0));
    assert_eq!(changes_of(&twice)[1], ChangesAfter::None);
}

#[test]
fn an_added_annotation_or_page_is_a_modification() {
    let once = sign(&classic_pdf(), &options(), &dummy_cms(300));
    let doc = Document::load_mem(&once).unwrap();
    let (page_id, _) = page_and_content(&once);
    let mut page = doc.get_dictionary(page_id).unwrap().clone();
    let note = (doc.max_id + 1, 0);
    let mut annots = match page.get(b"Annots") {
        Ok(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    annots.push(Object::Reference(note));
    page.set("Annots", Object::Array(annots));
    let annotated = append_objects(
        &once,
        &[
            (
                page_id,
                serialize::serialize_for_tests(&Object::Dictionary(page)),
            ),
            (
                note,
                b"<</Type/Annot/Subtype/Text/Rect[10 10 30 30]/Contents(void)>>".to_vec(),
            ),
        ],
    );
    assert_modified(&annotated, "an annotation (/Text) was added to page 1");
    assert_modified(
        &sign(&annotated, &options(), &dummy_cms(300)),
        "an annotation (/Text) was added to page 1",
    );

    // A new page: the page tree changes.
    let pages_id = doc
        .catalog()
        .unwrap()
        .get(b"Pages")
        .unwrap()
        .as_reference()
        .unwrap();
    let mut pages = doc.get_dictionary(pages_id).unwrap().clone();
    let new_page = (doc.max_id + 1, 0);
    let mut kids = pages.get(b"Kids").unwrap().as_array().unwrap().clone();
    kids.push(Object::Reference(new_page));
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Integer(2));
    let grown = append_objects(
        &once,
        &[
            (
                pages_id,
                serialize::serialize_for_tests(&Object::Dictionary(pages)),
            ),
            (
                new_page,
                format!(
                    "<</Type/Page/Parent {} 0 R/MediaBox[0 0 595 842]>>",
                    pages_id.0
                )
                .into_bytes(),
            ),
        ],
    );
    assert_modified(&grown, "(a /Pages dictionary) was changed");
}

#[test]
fn an_identical_rewrite_or_an_unreachable_object_changes_nothing() {
    let once = sign(&classic_pdf(), &options(), &dummy_cms(300));
    let doc = Document::load_mem(&once).unwrap();
    let (page_id, _) = page_and_content(&once);
    let page = doc.get_dictionary(page_id).unwrap().clone();
    let same = append_objects(
        &once,
        &[(
            page_id,
            serialize::serialize_for_tests(&Object::Dictionary(page)),
        )],
    );
    assert_eq!(changes_of(&same), vec![ChangesAfter::None]);
    assert_eq!(
        changes_of(&append_revision(&once)),
        vec![ChangesAfter::None]
    );
}

// ---- Hostile files: each is refused (or read) with work in proportion to its size. ----

/// A one-page PDF (classic xref) with `extra` objects and `catalog_extra` in its catalog.
fn hand_made(extra: &[(u32, Vec<u8>)], catalog_extra: &str) -> Vec<u8> {
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
    objects.extend(extra.iter().cloned());
    let mut out = b"%PDF-1.7\n".to_vec();
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

/// Runs `f` on another thread (with a small stack, like a test's) and fails if it has not
/// finished within a bound that is generous for linear work and hopeless for the old
/// exponential or quadratic walks (which took hours, or 38 s on a 160 KB file).
fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    rx.recv_timeout(std::time::Duration::from_secs(120))
        .unwrap_or_else(|_| panic!("{what} did not finish: the work is not linear"))
}

fn assert_malformed(result: Result<impl std::fmt::Debug, PdfError>, expect: &str) {
    match result {
        Err(e @ PdfError::Malformed { .. }) => {
            let text = e.to_string();
            assert!(text.starts_with("this PDF is malformed: "), "{text}");
            assert!(text.contains(expect), "{text}");
        }
        other => panic!("expected a malformed-PDF error with {expect:?}, got {other:?}"),
    }
}

#[test]
fn fields_sharing_kids_are_walked_once() {
    // 60 levels, each an indirect /Kids array of two direct fields pointing at the next level:
    // 2^60 paths, a few hundred bytes.
    let levels = 60u32;
    let mut objects = vec![(10, b"[<</T(top)/FT/Tx/Kids 11 0 R>>]".to_vec())];
    for n in 11..11 + levels {
        objects.push((
            n,
            format!("[<</T(a)/Kids {0} 0 R>> <</T(b)/Kids {0} 0 R>>]", n + 1).into_bytes(),
        ));
    }
    objects.push((11 + levels, b"[]".to_vec()));
    let pdf = hand_made(&objects, "/AcroForm<</Fields 10 0 R>>");
    assert!(pdf.len() < 8000);
    let sigs = finishes("the field walk", {
        let pdf = pdf.clone();
        move || signatures(&pdf).map(|s| s.len())
    });
    assert_eq!(sigs.unwrap(), 0);
    let prepared = finishes("the field names walk of prepare", move || {
        prepare(&pdf, &options()).map(|p| p.capacity())
    });
    assert_eq!(prepared.unwrap(), 16384);
}

#[test]
fn many_byte_ranges_in_one_object_are_scanned_once() {
    // One object holding 200 000 /ByteRange keys (2.6 MB): the old backward search from every
    // key to its object's header was quadratic (hours at this size).
    let mut big = b"<</Filler [".to_vec();
    for _ in 0..200_000 {
        big.extend_from_slice(b"/ByteRange 0 ");
    }
    big.extend_from_slice(b"]>>");
    let pdf = hand_made(&[(4, big)], "/Extra 4 0 R");
    let result = finishes("the /ByteRange scan", move || {
        signatures(&pdf).map(|s| s.len())
    });
    assert_eq!(result.unwrap(), 0);
}

#[test]
fn too_many_signature_dictionaries_are_refused() {
    let objects: Vec<(u32, Vec<u8>)> = (0..=MAX_SIGNATURE_CANDIDATES as u32)
        .map(|n| {
            (
                10 + n,
                b"<</Type/Sig/ByteRange[0 1 2 3]/Contents<00>>>".to_vec(),
            )
        })
        .collect();
    let pdf = hand_made(&objects, "");
    assert_malformed(signatures(&pdf), "objects with a /ByteRange");
}

#[test]
fn deep_nesting_is_refused_before_the_parser_recurses() {
    for open in ["[", "<<"] {
        let close = if open == "[" { "]" } else { ">>" };
        let inner = if open == "[" { "" } else { "/K " };
        let depth = 100_000;
        let mut deep = String::from("<</Deep ");
        for _ in 0..depth {
            deep.push_str(open);
            deep.push_str(inner);
        }
        deep.push('1');
        for _ in 0..depth {
            deep.push_str(close);
        }
        deep.push_str(">>");
        let pdf = hand_made(&[(4, deep.into_bytes())], "/Extra 4 0 R");
        let for_sign = pdf.clone();
        // On a 2 MiB stack, as a test thread or an app's worker would have.
        assert_malformed(
            finishes("reading a deep file", move || {
                signatures(&pdf).map(|s| s.len())
            }),
            &format!("nested more than {MAX_NESTING} deep"),
        );
        assert_malformed(
            finishes("signing a deep file", move || {
                prepare(&for_sign, &options()).map(|p| p.capacity())
            }),
            "nested more than",
        );
    }
    // Nesting up to the limit is fine.
    let mut ok = String::from("<</Deep ");
    ok.push_str(&"[".repeat(MAX_NESTING - 3));
    ok.push_str(&"]".repeat(MAX_NESTING - 3));
    ok.push_str(">>");
    let pdf = hand_made(&[(4, ok.into_bytes())], "/Extra 4 0 R");
    assert!(signatures(&pdf).is_ok());
    assert!(prepare(&pdf, &options()).is_ok());
}

/// A PDF whose last cross-reference section is the stream `xref_dict` + `data` (object 5).
fn with_xref_stream(xref_dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = hand_made(&[], "");
    let prev = super::last_startxref(&out).unwrap();
    let at = out.len();
    out.extend_from_slice(
        format!(
            "5 0 obj\n<</Type/XRef/Size 6/Root 1 0 R/Prev {prev}{xref_dict}/Length {}>>\nstream\n",
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
    out
}

#[test]
fn forged_sizes_in_a_cross_reference_stream_are_refused() {
    // /W asks lopdf for a 1 TiB buffer per field: an allocation failure aborts the process.
    let pdf = with_xref_stream("/W[1 1099511627776 2]/Index[5 1]", &[1, 0, 0]);
    assert_malformed(signatures(&pdf), "field widths");
    assert_malformed(prepare(&pdf, &options()), "field widths");
    // A predictor row of 2^40 bytes: lopdf reserves two rows before reading any data.
    let pdf = with_xref_stream(
        "/W[1 2 1]/Index[5 1]/DecodeParms<</Predictor 12/Columns 1099511627776>>",
        &[1, 0, 0, 0],
    );
    assert_malformed(signatures(&pdf), "predictor rows");
}

#[test]
fn a_decompression_bomb_in_an_object_stream_is_refused() {
    use std::io::Write as _;
    // 256 MiB of spaces inflating from about 256 KiB: more than 100 times the file.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..256 {
        z.write_all(&chunk).unwrap();
    }
    let bomb = z.finish().unwrap();
    let mut body = format!(
        "<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length {}>>\nstream\n",
        bomb.len()
    )
    .into_bytes();
    body.extend_from_slice(&bomb);
    body.extend_from_slice(b"\nendstream");
    let pdf = hand_made(&[(4, body)], "");
    assert!(pdf.len() < 1 << 20);
    assert!(inflate_budget(pdf.len()) < 256 << 20);
    assert_malformed(signatures(&pdf), "decompression bomb");
    assert_malformed(prepare(&pdf, &options()), "decompression bomb");
}

#[test]
fn ordinary_object_streams_stay_within_the_budget() {
    // The object-stream sample is read and signed as before.
    let pdf = object_stream_pdf();
    assert!(signatures(&pdf).is_ok());
    assert!(prepare(&pdf, &options()).is_ok());
}

#[test]
fn object_streams_in_filters_that_cannot_be_bounded_are_refused() {
    // ASCII85 in front of Flate once let the Flate bomb behind it through unchecked.
    for filter in ["[/ASCII85Decode/FlateDecode]", "/LZWDecode"] {
        let body =
            format!("<</Type/ObjStm/N 1/First 4/Filter{filter}/Length 3>>\nstream\nzz~\nendstream");
        let pdf = hand_made(&[(4, body.into_bytes())], "");
        assert_malformed(signatures(&pdf), "which this tool does not decode");
    }
}
