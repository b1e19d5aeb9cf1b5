//! Finds the signatures a PDF already holds and checks what each one's byte range covers, so a
//! verifier can tell unsigned bytes and unsigned later revisions from a sound signature.

use std::collections::{BTreeSet, HashSet};

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, Object, ObjectId, Reader};

use super::diff::{ChangesAfter, changes_after};
use super::{PdfError, deref, find, is_delimiter, is_pdf_whitespace, load, text_of};

/// The most signature dictionaries (found by their `/ByteRange`) a PDF may hold; more is taken
/// for a file built to make the verifier work, and refused. Real documents hold a handful.
pub const MAX_SIGNATURE_CANDIDATES: usize = 1000;

/// The most signed revisions compared with the final document (each is parsed once); a file with
/// more signatures that leave later revisions after them is refused as built to make work.
pub const MAX_SIGNED_REVISIONS: usize = 64;

/// One signature (or document timestamp) found in a PDF, with what its byte range covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfSignature {
    /// Fully qualified name of the field holding it; `None` for a signature dictionary no field
    /// of the current revision points at (one an update hid).
    pub field_name: Option<String>,
    /// `/SubFilter`, e.g. `ETSI.CAdES.detached` or `adbe.pkcs7.detached`.
    pub sub_filter: Option<String>,
    /// `/ByteRange` as written, as (offset, length) pairs.
    pub byte_range: Vec<(usize, usize)>,
    /// `/Contents` decoded, with the zero padding after the DER cut off.
    pub cms_der: Vec<u8>,
    /// `/M` as written, e.g. `D:20250101120000+09'00'`.
    pub signing_time: Option<String>,
    /// What the signature says later changes may do, in words: a certification's DocMDP level,
    /// a FieldMDP lock on form fields (from its `/Reference` transforms).
    pub permissions: Vec<String>,
    /// What the byte range covers.
    pub coverage: Coverage,
    /// What later revisions changed, judged against the revision this signature signed
    /// ([`ChangesAfter::None`] when nothing follows it or its byte range is unusable).
    pub changes_after: ChangesAfter,
}

/// What a signature's byte range covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Two ranges, starting at 0, the gap exactly the /Contents hex string, the second ending at
    /// the end of the revision this signature was added in. `whole_file` is true when that end is
    /// the end of the file (nothing was appended after this signature).
    Ok {
        /// Nothing follows the signed revision.
        whole_file: bool,
        /// How many bytes the two ranges hold together.
        signed_len: usize,
    },
    /// Anything else: gaps, overlaps, ranges past the end, a gap that is not exactly the
    /// /Contents string… with a reason in words.
    Bad(String),
}

/// A signature dictionary found in the file, before its coverage is checked.
struct Candidate {
    field_name: Option<String>,
    dict: Dictionary,
    /// Where the indirect object holding the dictionary starts, if it is not in an object stream.
    object_start: Option<usize>,
}

/// Every signature in the file (every /Sig or /DocTimeStamp value reachable from the AcroForm
/// fields, plus signature dictionaries of earlier revisions that no field reaches any more), in
/// file order, each with what later revisions changed. Encrypted PDFs are refused with
/// [`PdfError::Encrypted`]; files built to exhaust the reader with [`PdfError::Malformed`].
pub fn signatures(pdf: &[u8]) -> Result<Vec<PdfSignature>, PdfError> {
    let loaded = load(pdf)?;
    let doc = &loaded.doc;
    let index = Index::new(pdf, doc, loaded.base);
    let mut candidates = from_fields(doc, pdf, loaded.base);
    let known: BTreeSet<usize> = candidates.iter().filter_map(|c| c.object_start).collect();
    for hidden in hidden_signatures(pdf, &index)? {
        if hidden
            .object_start
            .is_some_and(|start| !known.contains(&start))
        {
            candidates.push(hidden);
        }
    }
    candidates.sort_by_key(|c| c.object_start.unwrap_or(usize::MAX));
    let mut signatures: Vec<PdfSignature> = candidates
        .into_iter()
        .map(|c| to_signature(pdf, doc, c, &index))
        .collect();
    // Each signature against the revision it signed: the bytes up to the end of its byte range.
    let mut revisions: std::collections::BTreeMap<usize, ChangesAfter> = Default::default();
    for sig in &mut signatures {
        let Coverage::Ok {
            whole_file: false, ..
        } = sig.coverage
        else {
            continue;
        };
        let Some(&(b, c)) = sig.byte_range.get(1) else {
            continue;
        };
        let end = b + c;
        if !revisions.contains_key(&end) {
            if revisions.len() >= MAX_SIGNED_REVISIONS {
                return Err(PdfError::Malformed {
                    reason: format!("more than {MAX_SIGNED_REVISIONS} signed revisions"),
                });
            }
            let changes = match load(&pdf[..end]) {
                Ok(old) => changes_after(&old.doc, doc),
                Err(e) => ChangesAfter::Modified(vec![format!(
                    "the revision it signed (the first {end} bytes) cannot be read: {e}"
                )]),
            };
            revisions.insert(end, changes);
        }
        sig.changes_after = revisions[&end].clone();
    }
    Ok(signatures)
}

/// Where things are in the file, found in one pass each, so that looking up the object around
/// a position or the next `endobj` costs a binary search instead of a scan.
struct Index {
    /// `N G obj` headers: (where the header starts, where its `obj` keyword starts, id), in order.
    headers: Vec<(usize, usize, ObjectId)>,
    /// Where each `endobj` keyword starts, in order.
    endobjs: Vec<usize>,
    /// Stream data spans (absolute, start..end), sorted by start, with the largest end so far.
    streams: Vec<(usize, usize)>,
}

impl Index {
    fn new(pdf: &[u8], doc: &Document, base: usize) -> Index {
        let mut headers = Vec::new();
        let mut endobjs = Vec::new();
        let mut from = 0;
        while let Some(q) = find(pdf, b"obj", from) {
            from = q + 3;
            if q >= 3 && &pdf[q - 3..q] == b"end" {
                endobjs.push(q - 3);
                continue;
            }
            let boundary = pdf
                .get(q + 3)
                .is_none_or(|&b| is_pdf_whitespace(b) || is_delimiter(b));
            if boundary && let Some((start, id)) = header_ending_at(pdf, q) {
                headers.push((start, q, id));
            }
        }
        let mut streams: Vec<(usize, usize)> = doc
            .objects
            .values()
            .filter_map(|o| match o {
                Object::Stream(s) => s.start_position.map(|p| {
                    (
                        base.saturating_add(p),
                        base.saturating_add(p).saturating_add(s.content.len()),
                    )
                }),
                _ => None,
            })
            .collect();
        streams.sort_unstable();
        let mut max_end = 0;
        for s in &mut streams {
            max_end = max_end.max(s.1);
            s.1 = max_end;
        }
        Index {
            headers,
            endobjs,
            streams,
        }
    }

    /// Whether `pos` lies inside some stream's data.
    fn in_stream(&self, pos: usize) -> bool {
        let n = self.streams.partition_point(|&(s, _)| s <= pos);
        n > 0 && pos < self.streams[n - 1].1
    }

    /// Whether an `endobj` starts in `from..to`.
    fn endobj_between(&self, from: usize, to: usize) -> bool {
        let n = self.endobjs.partition_point(|&e| e < from);
        self.endobjs.get(n).is_some_and(|&e| e < to)
    }

    /// The start and id of the object whose header comes last before `pos`, if no `endobj`
    /// closes it before `pos`.
    fn object_around(&self, pos: usize) -> Option<(usize, ObjectId)> {
        let n = self.headers.partition_point(|&(_, q, _)| q < pos);
        let &(start, q, id) = self.headers.get(n.checked_sub(1)?)?;
        (!self.endobj_between(q, pos)).then_some((start, id))
    }
}

/// The bytes covered by a signature's byte range (two slices), or an error if the range is Bad.
pub fn signed_parts<'a>(pdf: &'a [u8], sig: &PdfSignature) -> Result<Vec<&'a [u8]>, PdfError> {
    if let Coverage::Bad(reason) = &sig.coverage {
        return Err(PdfError::BadByteRange {
            reason: reason.clone(),
        });
    }
    sig.byte_range
        .iter()
        .map(|&(start, len)| {
            start
                .checked_add(len)
                .and_then(|end| pdf.get(start..end))
                .ok_or_else(|| PdfError::BadByteRange {
                    reason: format!(
                        "the range {start}+{len} lies past the end of this file ({} bytes): is it the same file?",
                        pdf.len()
                    ),
                })
        })
        .collect()
}

/// The most `/Reference` transforms of one signature described.
const MAX_TRANSFORMS: usize = 16;
/// The most field names listed for one FieldMDP lock.
const MAX_LOCKED_FIELDS_LISTED: usize = 32;

/// A signature's `/Reference` transforms (DocMDP, FieldMDP) in words.
fn permissions(doc: &Document, dict: &lopdf::Dictionary) -> Vec<String> {
    let Some(Object::Array(references)) = dict.get(b"Reference").ok().and_then(|o| deref(doc, o))
    else {
        return Vec::new();
    };
    let name = |d: &lopdf::Dictionary, key: &[u8]| match d.get(key).ok().and_then(|o| deref(doc, o))
    {
        Some(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    };
    let mut out = Vec::new();
    for reference in references.iter().take(MAX_TRANSFORMS) {
        let Some(Object::Dictionary(r)) = deref(doc, reference) else {
            continue;
        };
        let params = match r.get(b"TransformParams").ok().and_then(|o| deref(doc, o)) {
            Some(Object::Dictionary(p)) => p.clone(),
            _ => lopdf::Dictionary::new(),
        };
        match name(r, b"TransformMethod").as_deref() {
            Some("DocMDP") => {
                let p = params
                    .get(b"P")
                    .ok()
                    .and_then(|o| o.as_i64().ok())
                    .unwrap_or(2);
                let meaning = match p {
                    1 => "no changes allowed",
                    2 => "form filling and signing allowed",
                    3 => "form filling, signing and comments allowed",
                    _ => "an unknown level",
                };
                out.push(format!(
                    "certifies the document: DocMDP level {p} ({meaning})"
                ));
            }
            Some("FieldMDP") => {
                let fields: Vec<String> =
                    match params.get(b"Fields").ok().and_then(|o| deref(doc, o)) {
                        Some(Object::Array(a)) => a
                            .iter()
                            .take(MAX_LOCKED_FIELDS_LISTED)
                            .filter_map(text_of)
                            .collect(),
                        _ => Vec::new(),
                    };
                out.push(match name(&params, b"Action").as_deref() {
                    Some("All") => "locks every form field (FieldMDP)".to_owned(),
                    Some("Include") => format!("locks the fields {} (FieldMDP)", fields.join(", ")),
                    Some("Exclude") => format!(
                        "locks every form field except {} (FieldMDP)",
                        fields.join(", ")
                    ),
                    _ => "locks form fields in a way Kazasu does not read (FieldMDP)".to_owned(),
                });
            }
            Some(other) => out.push(format!("declares the transform {other}")),
            None => {}
        }
    }
    out
}

fn to_signature(pdf: &[u8], doc: &Document, c: Candidate, index: &Index) -> PdfSignature {
    let dict = &c.dict;
    let (byte_range, coverage) = check_coverage(pdf, dict, c.object_start, index);
    let contents = match dict.get(b"Contents") {
        Ok(Object::String(bytes, _)) => bytes.as_slice(),
        _ => &[],
    };
    let cms_der = match ber_len(contents, 0) {
        Some(len) => contents[..len].to_vec(),
        None => {
            let end = contents.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            contents[..end].to_vec()
        }
    };
    let sub_filter = match dict.get(b"SubFilter") {
        Ok(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    };
    let signing_time = match dict.get(b"M") {
        Ok(Object::String(bytes, _)) => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    };
    PdfSignature {
        field_name: c.field_name,
        sub_filter,
        byte_range,
        cms_der,
        signing_time,
        permissions: permissions(doc, dict),
        coverage,
        changes_after: ChangesAfter::None,
    }
}

/// Signature values reachable from `/AcroForm /Fields`, with their fully qualified field names.
fn from_fields(doc: &Document, pdf: &[u8], base: usize) -> Vec<Candidate> {
    let mut out = Vec::new();
    let Some(catalog) = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| deref(doc, r))
        .and_then(|o| o.as_dict().ok())
    else {
        return out;
    };
    let Some(fields) = catalog
        .get(b"AcroForm")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
        .and_then(|form| form.get(b"Fields").ok())
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_array().ok())
    else {
        return out;
    };

    /// A field still to visit: the object, its parent's full name, its inherited /FT, the
    /// nearest indirect object holding it, and its depth.
    type Todo<'a> = (&'a Object, String, Option<Vec<u8>>, Option<ObjectId>, usize);
    let mut todo: Vec<Todo> = fields
        .iter()
        .rev()
        .map(|f| (f, String::new(), None, None, 0))
        .collect();
    let mut seen_fields = HashSet::new();
    let mut seen_values = HashSet::new();
    while let Some((obj, parent, inherited_ft, holder, depth)) = todo.pop() {
        if depth > 64 {
            continue;
        }
        let holder = match obj {
            Object::Reference(id) => {
                if !seen_fields.insert(*id) {
                    continue;
                }
                Some(*id)
            }
            _ => holder,
        };
        let Some(field) = deref(doc, obj).and_then(|o| o.as_dict().ok()) else {
            continue;
        };
        let (name, ft) = super::field_name_and_type(field, &parent, inherited_ft);
        if let Ok(value) = field.get(b"V") {
            let (value_holder, value_dict) = match value {
                Object::Reference(id) => (
                    Some(*id),
                    doc.get_object(*id).ok().and_then(|o| o.as_dict().ok()),
                ),
                Object::Dictionary(d) => (holder, Some(d)),
                _ => (None, None),
            };
            if let Some(dict) = value_dict
                && is_signature_dict(dict, ft.as_deref())
                && value_holder.is_none_or(|id| seen_values.insert(id))
            {
                out.push(Candidate {
                    field_name: (!name.is_empty()).then(|| name.clone()),
                    dict: dict.clone(),
                    object_start: value_holder.and_then(|id| object_start(doc, pdf, base, id)),
                });
            }
        }
        // A /Kids array held indirectly is walked once, however many fields share it: shared
        // arrays of direct kids would otherwise be walked once per path, exponentially often.
        let kids = match field.get(b"Kids") {
            Ok(Object::Reference(id)) if !seen_fields.insert(*id) => None,
            Ok(k) => deref(doc, k),
            Err(_) => None,
        };
        if let Some(Object::Array(kids)) = kids {
            for kid in kids.iter().rev() {
                todo.push((kid, name.clone(), ft.clone(), holder, depth + 1));
            }
        }
    }
    out
}

fn is_signature_dict(dict: &Dictionary, ft: Option<&[u8]>) -> bool {
    let typed =
        matches!(dict.get(b"Type"), Ok(Object::Name(n)) if n == b"Sig" || n == b"DocTimeStamp");
    (typed || ft == Some(b"Sig".as_slice())) && (dict.has(b"ByteRange") || dict.has(b"Contents"))
}

/// Where indirect object `id` starts in the file, per the cross-reference data; `None` when it
/// lives in an object stream (or nowhere).
fn object_start(doc: &Document, pdf: &[u8], base: usize, id: ObjectId) -> Option<usize> {
    match doc.reference_table.get(id.0)? {
        XrefEntry::Normal { offset, generation } if *generation == id.1 => {
            let mut at = base.checked_add(*offset as usize)?;
            while at < pdf.len() && is_pdf_whitespace(pdf[at]) {
                at += 1;
            }
            Some(at)
        }
        _ => None,
    }
}

/// Signature dictionaries anywhere in the file's own syntax (any revision), found by their
/// `/ByteRange` key in one pass. Only those whose byte-range gap lies in their own object are
/// kept, so a signed PDF embedded uncompressed as an attachment does not show up.
fn hidden_signatures(pdf: &[u8], index: &Index) -> Result<Vec<Candidate>, PdfError> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut from = 0;
    while let Some(hit) = find(pdf, b"/ByteRange", from) {
        from = hit + 1;
        if index.in_stream(hit) {
            continue;
        }
        let Some((start, id)) = index.object_around(hit) else {
            continue;
        };
        if !seen.insert(start) {
            continue;
        }
        if seen.len() > MAX_SIGNATURE_CANDIDATES {
            return Err(PdfError::Malformed {
                reason: format!(
                    "it holds more than {MAX_SIGNATURE_CANDIDATES} objects with a /ByteRange"
                ),
            });
        }
        let Some(object) = parse_object_at(pdf, start, id) else {
            continue;
        };
        let Ok(dict) = object.as_dict() else {
            continue;
        };
        let dict = if dict.has(b"ByteRange") {
            dict
        } else if let Ok(Object::Dictionary(v)) = dict.get(b"V") {
            v
        } else {
            continue;
        };
        if !is_signature_dict(dict, None) && !dict.has(b"Filter") {
            continue;
        }
        let own_gap = match check_coverage(pdf, dict, Some(start), index).1 {
            Coverage::Ok { .. } => true,
            Coverage::Bad(_) => gap_is_own_contents(pdf, dict, start, index),
        };
        if own_gap {
            out.push(Candidate {
                field_name: None,
                dict: dict.clone(),
                object_start: Some(start),
            });
        }
    }
    Ok(out)
}

/// Parses the indirect object `id` that starts at `start`, whichever revision it belongs to.
pub(super) fn parse_object_at(pdf: &[u8], start: usize, id: ObjectId) -> Option<Object> {
    let mut reader = Reader {
        buffer: pdf,
        document: Document::new(),
    };
    reader.document.reference_table.insert(
        id.0,
        XrefEntry::Normal {
            offset: u32::try_from(start).ok()?,
            generation: id.1,
        },
    );
    reader.get_object(id, &mut HashSet::new()).ok()
}

/// Reads `N G ` backwards from the `obj` keyword at `q`.
fn header_ending_at(pdf: &[u8], q: usize) -> Option<(usize, ObjectId)> {
    let mut i = q;
    let skip_ws = |i: &mut usize| {
        let from = *i;
        while *i > 0 && is_pdf_whitespace(pdf[*i - 1]) {
            *i -= 1;
        }
        *i < from
    };
    let digits = |i: &mut usize| {
        let end = *i;
        while *i > 0 && pdf[*i - 1].is_ascii_digit() && end - *i < 10 {
            *i -= 1;
        }
        std::str::from_utf8(&pdf[*i..end]).ok()?.parse::<u32>().ok()
    };
    if !skip_ws(&mut i) {
        return None;
    }
    let generation = u16::try_from(digits(&mut i)?).ok()?;
    if !skip_ws(&mut i) {
        return None;
    }
    let number = digits(&mut i)?;
    if i > 0 && !is_pdf_whitespace(pdf[i - 1]) && !is_delimiter(pdf[i - 1]) {
        return None;
    }
    Some((i, (number, generation)))
}

/// The `/ByteRange` entries as written, if they are all non-negative integers in pairs.
fn byte_range_of(dict: &Dictionary) -> Result<Vec<(usize, usize)>, String> {
    let Ok(Object::Array(items)) = dict.get(b"ByteRange") else {
        return Err("the signature has no /ByteRange array".to_owned());
    };
    let numbers: Option<Vec<usize>> = items
        .iter()
        .map(|o| match o {
            Object::Integer(i) => usize::try_from(*i).ok(),
            _ => None,
        })
        .collect();
    let Some(numbers) = numbers else {
        return Err("/ByteRange holds something other than non-negative integers".to_owned());
    };
    if numbers.len() % 2 != 0 {
        return Err(format!(
            "/ByteRange has {} numbers; it needs (offset, length) pairs",
            numbers.len()
        ));
    }
    Ok(numbers.chunks(2).map(|p| (p[0], p[1])).collect())
}

/// Checks the byte range against ISO 32000-1 §12.8.1: two ranges from byte 0 whose gap is exactly
/// this dictionary's `/Contents` hex string (with its `<` and `>`), ending at a revision's end.
fn check_coverage(
    pdf: &[u8],
    dict: &Dictionary,
    object_start: Option<usize>,
    index: &Index,
) -> (Vec<(usize, usize)>, Coverage) {
    let ranges = match byte_range_of(dict) {
        Ok(r) => r,
        Err(reason) => return (Vec::new(), Coverage::Bad(reason)),
    };
    let coverage = match coverage_of(pdf, dict, object_start, &ranges, index) {
        Ok(c) => c,
        Err(reason) => Coverage::Bad(reason),
    };
    (ranges, coverage)
}

fn coverage_of(
    pdf: &[u8],
    dict: &Dictionary,
    object_start: Option<usize>,
    ranges: &[(usize, usize)],
    index: &Index,
) -> Result<Coverage, String> {
    let &[(first_start, a), (b, c)] = ranges else {
        return Err(format!(
            "/ByteRange has {} ranges; a signature has exactly two, around its /Contents",
            ranges.len()
        ));
    };
    if first_start != 0 {
        return Err(format!(
            "the first range starts at byte {first_start}, not 0: the bytes before it are not signed"
        ));
    }
    if b <= a {
        return Err(format!(
            "the second range starts at byte {b}, not after the first one's end ({a}): the ranges overlap"
        ));
    }
    let end = b
        .checked_add(c)
        .filter(|&end| end <= pdf.len())
        .ok_or_else(|| {
            format!(
                "the second range ({b}+{c}) runs past the end of the file ({} bytes)",
                pdf.len()
            )
        })?;
    let Some(start) = object_start else {
        return Err(
            "the signature dictionary is inside an object stream, so no byte range can leave out just its /Contents"
                .to_owned(),
        );
    };
    if !gap_is_own_contents(pdf, dict, start, index) || b - a < 2 {
        return Err(format!(
            "the unsigned gap (bytes {a} to {b}) is not exactly this signature's /Contents hex string: other bytes are left unsigned"
        ));
    }
    let mut tail = end;
    while tail > 0 && is_pdf_whitespace(pdf[tail - 1]) {
        tail -= 1;
    }
    if !pdf[..tail].ends_with(b"%%EOF") {
        return Err(format!(
            "the signed bytes end at byte {end}, which is not the end of a revision (no %%EOF there): part of the revision is unsigned"
        ));
    }
    Ok(Coverage::Ok {
        whole_file: end == pdf.len(),
        signed_len: a + c,
    })
}

/// Whether the gap of the dictionary's `/ByteRange` is exactly its `/Contents` hex string: `<`
/// at the gap's first byte, `>` at its last, hex digits between that decode to `/Contents`, the
/// `/Contents` key just before, all inside the object starting at `object_start`. The cheap
/// checks come first, so a gap is read through only for the dictionary whose own key precedes it.
fn gap_is_own_contents(pdf: &[u8], dict: &Dictionary, object_start: usize, index: &Index) -> bool {
    let Ok(ranges) = byte_range_of(dict) else {
        return false;
    };
    let &[(_, a), (b, _)] = ranges.as_slice() else {
        return false;
    };
    if b <= a.saturating_add(1) || b > pdf.len() || a <= object_start {
        return false;
    }
    if pdf[a] != b'<' || pdf[b - 1] != b'>' {
        return false;
    }
    let Ok(Object::String(contents, _)) = dict.get(b"Contents") else {
        return false;
    };
    if (b - a - 1) / 2 != contents.len() {
        return false;
    }
    let mut key_end = a;
    while key_end > object_start && is_pdf_whitespace(pdf[key_end - 1]) {
        key_end -= 1;
    }
    if !pdf[object_start..key_end].ends_with(b"/Contents") {
        return false;
    }
    if index.endobj_between(object_start, a) {
        return false;
    }
    let digits = &pdf[a + 1..b - 1];
    digits.iter().all(u8::is_ascii_hexdigit) && decode_hex(digits).is_some_and(|d| &d == contents)
}

/// Decodes hex digits; an odd last digit counts as followed by 0 (ISO 32000-1 §7.3.4.3).
fn decode_hex(digits: &[u8]) -> Option<Vec<u8>> {
    let value = |d: u8| {
        char::from(d)
            .to_digit(16)
            .and_then(|v| u8::try_from(v).ok())
    };
    digits
        .chunks(2)
        .map(|pair| {
            let hi = value(pair[0])?;
            let lo = pair.get(1).map_or(Some(0), |&d| value(d))?;
            Some(hi << 4 | lo)
        })
        .collect()
}

/// Length of the BER/DER element at the start of `data` (definite or indefinite length), so the
/// zero padding after a CMS can be cut off exactly.
fn ber_len(data: &[u8], depth: u8) -> Option<usize> {
    if depth > 32 {
        return None;
    }
    let tag = *data.first()?;
    let mut i = 1;
    if tag & 0x1f == 0x1f {
        loop {
            let b = *data.get(i)?;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            if i > 6 {
                return None;
            }
        }
    }
    let first = *data.get(i)?;
    i += 1;
    let total = match first {
        0x00..=0x7f => i + usize::from(first),
        0x80 => {
            if tag & 0x20 == 0 {
                return None;
            }
            loop {
                let rest = data.get(i..)?;
                if rest.starts_with(&[0, 0]) {
                    break i + 2;
                }
                i += ber_len(rest, depth + 1)?;
            }
        }
        _ => {
            let n = usize::from(first & 0x7f);
            if n > 4 {
                return None;
            }
            let mut len = 0usize;
            for _ in 0..n {
                len = (len << 8) | usize::from(*data.get(i)?);
                i += 1;
            }
            i.checked_add(len)?
        }
    };
    (total <= data.len()).then_some(total)
}

#[cfg(test)]
pub(super) fn ber_len_for_tests(data: &[u8]) -> Option<usize> {
    ber_len(data, 0)
}
