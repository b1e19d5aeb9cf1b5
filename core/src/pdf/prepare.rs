//! Appends a signature to a PDF as an incremental update: a signature field with a zero-filled
//! `/Contents` placeholder, whose byte range is then hashed and signed elsewhere.
//!
//! The original bytes are kept exactly; new objects, a new cross-reference section of the same
//! kind as the original's last one (classic table or cross-reference stream) and a trailer with
//! `/Prev` follow them (ISO 32000-1 §7.5.6).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};
use time::OffsetDateTime;

use super::appearance::appearance;
use super::serialize::{serialize, write_object};
use super::xref::{ByteSink, finish_update, first_free_id, xref_kind_at};
use super::{PdfError, deref, load, text_of};

/// The largest placeholder [`prepare`] accepts (bytes of DER).
const MAX_CAPACITY: usize = 1 << 20;
/// Width reserved for each number of `/ByteRange` after the leading 0.
const BYTE_RANGE_DIGITS: usize = 20;
/// How many parents up the page tree `/Rotate` is looked for.
const MAX_PAGE_TREE_DEPTH: usize = 64;
/// Annotation flags of the signature widget: Print (4) | Locked (128), as pyHanko writes them.
const WIDGET_FLAGS: i64 = 132;

/// How to sign: the field, the optional texts of the signature dictionary, and where it shows.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Name of the new signature field; `None` takes `SignatureN` with the first free N.
    pub field_name: Option<String>,
    /// `/Reason`: why the document is signed.
    pub reason: Option<String>,
    /// `/Location`: where it is signed.
    pub location: Option<String>,
    /// `/ContactInfo`: how to reach the signer.
    pub contact: Option<String>,
    /// Written as `/M`, the signing time claimed by the signer (PAdES keeps it out of the CMS).
    pub signing_time: OffsetDateTime,
    /// Bytes of DER CMS the placeholder can hold.
    pub contents_capacity: usize,
    /// A visible appearance on a page; `None` makes an invisible signature.
    pub visible: Option<Visible>,
    /// What the signature dictionary holds: a CAdES signature, a PKCS#7 one, or a document
    /// timestamp.
    pub kind: SignatureField,
}

/// The kind of signature dictionary added (its `/Type` and `/SubFilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureField {
    /// PAdES: `/SubFilter /ETSI.CAdES.detached`.
    #[default]
    CadesDetached,
    /// The older `/SubFilter /adbe.pkcs7.detached`, which some government systems require.
    Pkcs7Detached,
    /// A document timestamp (`/Type /DocTimeStamp /SubFilter /ETSI.RFC3161`, PAdES B-LTA):
    /// an RFC 3161 token over the byte range, no signer, no `/M`.
    DocTimeStamp,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            field_name: None,
            reason: None,
            location: None,
            contact: None,
            signing_time: OffsetDateTime::now_utc(),
            contents_capacity: 16384,
            visible: None,
            kind: SignatureField::CadesDetached,
        }
    }
}

/// A visible signature: a box on a page with a few lines of text in Helvetica.
#[derive(Debug, Clone, PartialEq)]
pub struct Visible {
    /// The page, counting from 1.
    pub page: usize,
    /// Two opposite corners `x1 y1 x2 y2`, in points of the page's default user space.
    pub rect: [f32; 4],
    /// Text lines; ASCII only, any other character shows as `?`.
    pub lines: Vec<String>,
}

/// A PDF with the signature placeholder appended, waiting for its CMS.
pub struct Prepared {
    /// The whole new file.
    bytes: Vec<u8>,
    /// Offset of the `<` that opens the `/Contents` hex string.
    gap_start: usize,
    /// Offset just after the `>` that closes it.
    gap_end: usize,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("len", &self.bytes.len())
            .field("byte_range", &self.byte_range())
            .finish()
    }
}

impl Prepared {
    /// The two byte ranges to hash (offset, length), as written in /ByteRange.
    pub fn byte_range(&self) -> [(usize, usize); 2] {
        [
            (0, self.gap_start),
            (self.gap_end, self.bytes.len() - self.gap_end),
        ]
    }

    /// The bytes covered by the byte range, in order (for hashing): two slices.
    pub fn signed_parts(&self) -> [&[u8]; 2] {
        [&self.bytes[..self.gap_start], &self.bytes[self.gap_end..]]
    }

    /// Bytes of DER the placeholder can hold.
    pub fn capacity(&self) -> usize {
        (self.gap_end - self.gap_start - 2) / 2
    }

    /// Writes the DER CMS into the placeholder (hex, zero-padded) and returns the finished file;
    /// errors if it does not fit.
    pub fn finish(mut self, cms_der: &[u8]) -> Result<Vec<u8>, PdfError> {
        if cms_der.is_empty() {
            return Err(PdfError::EmptySignature);
        }
        let room = self.capacity();
        if cms_der.len() > room {
            return Err(PdfError::SignatureTooBig {
                needed: cms_der.len(),
                room,
            });
        }
        let hex = hex::encode_upper(cms_der);
        let at = self.gap_start + 1;
        self.bytes[at..at + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

/// Appends an incremental update to `original` that adds a signature field whose value is a
/// PAdES signature dictionary with a zero-filled `/Contents` placeholder.
pub fn prepare(original: &[u8], options: &SignOptions) -> Result<Prepared, PdfError> {
    if !original.starts_with(b"%PDF-") {
        return match super::header_offset(original) {
            Some(offset) => Err(PdfError::JunkBeforeHeader { offset }),
            None => Err(PdfError::NotPdf),
        };
    }
    if options.contents_capacity == 0 || options.contents_capacity > MAX_CAPACITY {
        return Err(PdfError::BadCapacity {
            capacity: options.contents_capacity,
            max: MAX_CAPACITY,
        });
    }
    let loaded = load(original)?;
    let doc = &loaded.doc;
    // Refused as PDF validators (and pyHanko's signer) refuse it: level 1 forbids every change.
    if super::diff::docmdp_level(doc) == Some(1) {
        return Err(PdfError::CertifiedNoChanges);
    }
    let xref_kind = xref_kind_at(original, loaded.startxref)?;

    let catalog_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PdfError::NoCatalog)?;
    let catalog = doc
        .get_dictionary(catalog_id)
        .map_err(|_| PdfError::NoCatalog)?
        .clone();

    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let page_no = options.visible.as_ref().map_or(1, |v| v.page);
    let page_id = u32::try_from(page_no)
        .ok()
        .and_then(|n| pages.get(&n).copied())
        .ok_or(PdfError::PageOutOfRange {
            page: page_no,
            pages: pages.len(),
        })?;
    let rect = match &options.visible {
        Some(v) => Some(normalize_rect(v.rect)?),
        None => None,
    };

    let existing = field_names(doc, &catalog);
    let field_name = match &options.field_name {
        Some(name) => {
            if name.is_empty() || name.contains('.') || name.chars().count() > 200 {
                return Err(PdfError::BadFieldName { name: name.clone() });
            }
            if existing.contains(name) && empty_signature_field(doc, &catalog, name).is_none() {
                return Err(PdfError::FieldNameTaken { name: name.clone() });
            }
            name.clone()
        }
        None => (1..)
            .map(|n| format!("Signature{n}"))
            .find(|n| !existing.contains(n))
            .unwrap_or_else(|| "Signature".to_owned()),
    };

    // New object numbers start after the largest one any revision used.
    let mut next_id = first_free_id(doc);
    let mut alloc = || {
        let id = (next_id, 0u16);
        next_id += 1;
        id
    };
    let sig_id = alloc();
    let ap_id = alloc();

    // Objects to write besides the signature dictionary, by object id.
    let mut objects: BTreeMap<ObjectId, Vec<u8>> = BTreeMap::new();

    // An empty signature field of that name (the author placed it): filled, not added.
    let rotate = page_rotation(doc, page_id);
    let (new_widget, page_id) = match empty_signature_field(doc, &catalog, &field_name) {
        Some((field_id, mut field)) => {
            field.set("V", Object::Reference(sig_id));
            let rect = field
                .get(b"Rect")
                .ok()
                .and_then(|r| r.as_array().ok())
                .map(|a| {
                    a.iter()
                        .filter_map(|n| {
                            n.as_float()
                                .ok()
                                .or_else(|| n.as_i64().ok().map(|i| i as f32))
                        })
                        .collect::<Vec<f32>>()
                })
                .filter(|a| a.len() == 4)
                .map(|a| {
                    [
                        a[0].min(a[2]),
                        a[1].min(a[3]),
                        a[0].max(a[2]),
                        a[1].max(a[3]),
                    ]
                });
            let field_page = field
                .get(b"P")
                .and_then(Object::as_reference)
                .unwrap_or(page_id);
            let lines = options
                .visible
                .as_ref()
                .map(|v| v.lines.as_slice())
                .unwrap_or(&[]);
            let ap_bytes = match rect {
                Some(r) => appearance(
                    r[2] - r[0],
                    r[3] - r[1],
                    lines,
                    page_rotation(doc, field_page),
                ),
                None => appearance(0.0, 0.0, &[], 0),
            };
            let mut ap = Dictionary::new();
            ap.set("N", Object::Reference(ap_id));
            field.set("AP", Object::Dictionary(ap));
            objects.insert(field_id, serialize(&Object::Dictionary(field)));
            objects.insert(ap_id, ap_bytes);
            (None, field_page)
        }
        None => (Some(alloc()), page_id),
    };
    if let Some(widget_id) = new_widget {
        // The widget annotation, merged with its field.
        let mut widget = Dictionary::new();
        widget.set("Type", Object::Name(b"Annot".to_vec()));
        widget.set("Subtype", Object::Name(b"Widget".to_vec()));
        widget.set("FT", Object::Name(b"Sig".to_vec()));
        widget.set("T", text_string(&field_name));
        widget.set("V", Object::Reference(sig_id));
        widget.set("F", Object::Integer(WIDGET_FLAGS));
        widget.set("P", Object::Reference(page_id));
        let (rect_obj, ap_bytes) = match (&options.visible, rect) {
            (Some(v), Some(r)) => (r, appearance(r[2] - r[0], r[3] - r[1], &v.lines, rotate)),
            _ => ([0.0; 4], appearance(0.0, 0.0, &[], 0)),
        };
        widget.set(
            "Rect",
            Object::Array(rect_obj.iter().map(|&x| Object::Real(x)).collect()),
        );
        let mut ap = Dictionary::new();
        ap.set("N", Object::Reference(ap_id));
        widget.set("AP", Object::Dictionary(ap));
        objects.insert(widget_id, serialize(&Object::Dictionary(widget)));
        objects.insert(ap_id, ap_bytes);

        // The page gets the widget in its /Annots.
        let mut page = doc
            .get_dictionary(page_id)
            .map_err(|_| PdfError::NoPages)?
            .clone();
        match page.get(b"Annots") {
            Ok(Object::Reference(annots_id)) => {
                let annots_id = *annots_id;
                let mut annots = match doc.get_object(annots_id) {
                    Ok(Object::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                annots.push(Object::Reference(widget_id));
                objects.insert(annots_id, serialize(&Object::Array(annots)));
            }
            Ok(Object::Array(a)) => {
                let mut a = a.clone();
                a.push(Object::Reference(widget_id));
                page.set("Annots", Object::Array(a));
                objects.insert(page_id, serialize(&Object::Dictionary(page)));
            }
            _ => {
                page.set("Annots", Object::Array(vec![Object::Reference(widget_id)]));
                objects.insert(page_id, serialize(&Object::Dictionary(page)));
            }
        }
    }

    // The catalog's AcroForm gets the field and /SigFlags 3 (SignaturesExist | AppendOnly).
    let mut catalog = catalog;
    let mut catalog_changed = false;
    match catalog.get(b"AcroForm") {
        Ok(Object::Reference(form_id)) if doc.get_dictionary(*form_id).is_ok() => {
            let form_id = *form_id;
            let mut form = doc.get_dictionary(form_id).cloned().unwrap_or_default();
            add_field(doc, &mut form, new_widget, &mut objects);
            objects.insert(form_id, serialize(&Object::Dictionary(form)));
        }
        Ok(Object::Dictionary(form)) => {
            let mut form = form.clone();
            add_field(doc, &mut form, new_widget, &mut objects);
            catalog.set("AcroForm", Object::Dictionary(form));
            catalog_changed = true;
        }
        _ => {
            let mut form = Dictionary::new();
            add_field(doc, &mut form, new_widget, &mut objects);
            catalog.set("AcroForm", Object::Dictionary(form));
            catalog_changed = true;
        }
    }
    // Declare the ETSI extension PAdES signatures use (ISO 32000-1 §7.12, as pyHanko does).
    match catalog.get(b"Extensions") {
        Ok(Object::Dictionary(ext)) => {
            if !ext.has(b"ESIC") {
                let mut ext = ext.clone();
                ext.set("ESIC", esic_extension());
                catalog.set("Extensions", Object::Dictionary(ext));
                catalog_changed = true;
            }
        }
        Ok(_) => {}
        Err(_) => {
            let mut ext = Dictionary::new();
            ext.set("ESIC", esic_extension());
            catalog.set("Extensions", Object::Dictionary(ext));
            catalog_changed = true;
        }
    }
    if catalog_changed {
        objects.insert(catalog_id, serialize(&Object::Dictionary(catalog)));
    }

    // Write the update.
    let mut out = Vec::with_capacity(original.len() + 2 * options.contents_capacity + 4096);
    out.extend_from_slice(original);
    if !matches!(original.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<ObjectId, usize> = BTreeMap::new();

    // The signature dictionary, with room for /ByteRange and /Contents.
    offsets.insert(sig_id, out.len());
    let _ = write!(ByteSink(&mut out), "{} {} obj\n<<", sig_id.0, sig_id.1);
    out.extend_from_slice(match options.kind {
        SignatureField::CadesDetached => {
            &b"/Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached"[..]
        }
        SignatureField::Pkcs7Detached => {
            b"/Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.pkcs7.detached"
        }
        SignatureField::DocTimeStamp => {
            b"/Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161"
        }
    });
    out.extend_from_slice(b"/ByteRange[0 ");
    let byte_range_at = out.len();
    out.extend(std::iter::repeat_n(b' ', 3 * (BYTE_RANGE_DIGITS + 1)));
    out.extend_from_slice(b"]/Contents");
    let gap_start = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', 2 * options.contents_capacity));
    out.push(b'>');
    let gap_end = out.len();
    let timestamp = options.kind == SignatureField::DocTimeStamp;
    if !timestamp {
        out.extend_from_slice(b"/M");
        write_object(&mut out, &pdf_date(options.signing_time));
    }
    for (key, value) in [
        ("Reason", &options.reason),
        ("Location", &options.location),
        ("ContactInfo", &options.contact),
    ] {
        if let Some(value) = value.as_ref().filter(|_| !timestamp) {
            out.push(b'/');
            out.extend_from_slice(key.as_bytes());
            write_object(&mut out, &text_string(value));
        }
    }
    out.extend_from_slice(b">>\nendobj\n");

    finish_update(
        &mut out,
        offsets,
        &objects,
        xref_kind,
        &doc.trailer,
        next_id,
        loaded.startxref,
    );

    // Now that every offset is known, fill in /ByteRange.
    let ranges = format!("{} {} {}", gap_start, gap_end, out.len() - gap_end);
    debug_assert!(ranges.len() <= 3 * (BYTE_RANGE_DIGITS + 1));
    out[byte_range_at..byte_range_at + ranges.len()].copy_from_slice(ranges.as_bytes());

    tracing::debug!(
        field = %field_name,
        len = out.len(),
        gap_start,
        gap_end,
        "prepared PDF signature placeholder"
    );
    Ok(Prepared {
        bytes: out,
        gap_start,
        gap_end,
    })
}

/// The page's `/Rotate` (inherited through the page tree), in degrees clockwise.
fn page_rotation(doc: &Document, page: ObjectId) -> i64 {
    let mut id = page;
    for _ in 0..MAX_PAGE_TREE_DEPTH {
        let Ok(dict) = doc.get_dictionary(id) else {
            return 0;
        };
        if let Some(r) = dict
            .get(b"Rotate")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_i64().ok())
        {
            return r;
        }
        match dict.get(b"Parent").and_then(Object::as_reference) {
            Ok(parent) => id = parent,
            Err(_) => return 0,
        }
    }
    0
}

/// The terminal signature field named `name` that holds no signature yet, with its dictionary
/// (a field merged with its widget, as authoring tools and pyHanko make them).
fn empty_signature_field(
    doc: &Document,
    catalog: &Dictionary,
    name: &str,
) -> Option<(ObjectId, Dictionary)> {
    let form = deref(doc, catalog.get(b"AcroForm").ok()?)?.as_dict().ok()?;
    let fields = deref(doc, form.get(b"Fields").ok()?)?.as_array().ok()?;
    fields.iter().find_map(|f| {
        let id = f.as_reference().ok()?;
        let dict = doc.get_dictionary(id).ok()?;
        let named = dict.get(b"T").ok().and_then(text_of).as_deref() == Some(name);
        let sig = matches!(dict.get(b"FT"), Ok(Object::Name(n)) if n == b"Sig");
        let empty = !dict.has(b"V") && !dict.has(b"Kids");
        (named && sig && empty).then(|| (id, dict.clone()))
    })
}

/// Adds the field to an AcroForm dictionary (updating an indirect `/Fields` array in place).
fn add_field(
    doc: &Document,
    form: &mut Dictionary,
    field: Option<ObjectId>,
    objects: &mut BTreeMap<ObjectId, Vec<u8>>,
) {
    match (field, form.get(b"Fields")) {
        (None, _) => {}
        (Some(field), Ok(Object::Reference(fields_id)))
            if matches!(doc.get_object(*fields_id), Ok(Object::Array(_))) =>
        {
            let fields_id = *fields_id;
            let mut fields = match doc.get_object(fields_id) {
                Ok(Object::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            fields.push(Object::Reference(field));
            objects.insert(fields_id, serialize(&Object::Array(fields)));
        }
        (Some(field), Ok(Object::Array(a))) => {
            let mut a = a.clone();
            a.push(Object::Reference(field));
            form.set("Fields", Object::Array(a));
        }
        (Some(field), _) => form.set("Fields", Object::Array(vec![Object::Reference(field)])),
    }
    let flags = form
        .get(b"SigFlags")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0);
    form.set("SigFlags", Object::Integer(flags | 3));
}

fn esic_extension() -> Object {
    let mut d = Dictionary::new();
    d.set("BaseVersion", Object::Name(b"1.7".to_vec()));
    d.set("ExtensionLevel", Object::Integer(1));
    Object::Dictionary(d)
}

/// Fully qualified names of every field in the AcroForm.
fn field_names(doc: &Document, catalog: &Dictionary) -> HashSet<String> {
    let mut names = HashSet::new();
    let Some(form) = catalog
        .get(b"AcroForm")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
    else {
        return names;
    };
    let Some(fields) = form
        .get(b"Fields")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_array().ok())
    else {
        return names;
    };
    let mut seen = BTreeSet::new();
    let mut stack: Vec<(&Object, String, usize)> =
        fields.iter().map(|f| (f, String::new(), 0)).collect();
    while let Some((obj, parent, depth)) = stack.pop() {
        if depth > 64 {
            continue;
        }
        if let Object::Reference(id) = obj
            && !seen.insert(*id)
        {
            continue;
        }
        let Some(dict) = deref(doc, obj).and_then(|o| o.as_dict().ok()) else {
            continue;
        };
        let full = match dict.get(b"T").ok().and_then(text_of) {
            Some(t) if parent.is_empty() => t,
            Some(t) => format!("{parent}.{t}"),
            None => parent.clone(),
        };
        if !full.is_empty() {
            names.insert(full.clone());
        }
        // Each indirect /Kids array once, as in `inspect::from_fields`.
        let kids = match dict.get(b"Kids") {
            Ok(Object::Reference(id)) if !seen.insert(*id) => None,
            Ok(k) => deref(doc, k),
            Err(_) => None,
        };
        if let Some(Object::Array(kids)) = kids {
            stack.extend(kids.iter().map(|k| (k, full.clone(), depth + 1)));
        }
    }
    names
}

/// Orders the corners and checks the box is a real one.
fn normalize_rect(r: [f32; 4]) -> Result<[f32; 4], PdfError> {
    let bad = PdfError::BadRect {
        x1: r[0],
        y1: r[1],
        x2: r[2],
        y2: r[3],
    };
    if r.iter()
        .any(|x| !x.is_finite() || x.abs() > 14_400.0 * 75.0)
    {
        return Err(bad);
    }
    let out = [
        r[0].min(r[2]),
        r[1].min(r[3]),
        r[0].max(r[2]),
        r[1].max(r[3]),
    ];
    if out[2] - out[0] < 1.0 || out[3] - out[1] < 1.0 {
        return Err(bad);
    }
    Ok(out)
}

/// `D:YYYYMMDDHHmmSS+HH'mm'` (ISO 32000-1 §7.9.4).
fn pdf_date(t: OffsetDateTime) -> Object {
    let off = t.offset();
    let (oh, om, _) = off.as_hms();
    let sign = if off.is_negative() { '-' } else { '+' };
    let s = format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{}{:02}'{:02}'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        sign,
        oh.unsigned_abs(),
        om.unsigned_abs()
    );
    Object::String(s.into_bytes(), StringFormat::Literal)
}

/// A text string: printable ASCII as is, anything else as UTF-16BE with a byte order mark.
fn text_string(s: &str) -> Object {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xfe, 0xff];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}
