//! The cross-reference section of an incremental update: a classic table or a stream, of the
//! same kind as the original's last one (ISO 32000-1 §7.5.4, §7.5.8), with `/Prev` to it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lopdf::{Dictionary, Object, ObjectId};

use super::serialize::write_object;
use super::{PdfError, is_pdf_whitespace};

/// Lets `write!` append to a byte vector.
pub(super) struct ByteSink<'a>(pub(super) &'a mut Vec<u8>);

impl std::fmt::Write for ByteSink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Which kind of cross-reference section the original ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum XrefKind {
    /// `xref` … `trailer` (ISO 32000-1 §7.5.4).
    Table,
    /// A `/Type /XRef` stream (§7.5.8).
    Stream,
}

pub(super) fn xref_kind_at(pdf: &[u8], offset: usize) -> Result<XrefKind, PdfError> {
    let mut i = offset;
    while i < pdf.len() && is_pdf_whitespace(pdf[i]) {
        i += 1;
    }
    let rest = &pdf[i.min(pdf.len())..];
    if rest.starts_with(b"xref") {
        Ok(XrefKind::Table)
    } else if rest.first().is_some_and(u8::is_ascii_digit) {
        Ok(XrefKind::Stream)
    } else {
        Err(PdfError::BrokenXref { offset })
    }
}

/// Trailer entries carried over from the original's last trailer into the update's.
pub(super) fn carried_trailer(trailer: &Dictionary) -> Dictionary {
    let mut out = Dictionary::new();
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(v) = trailer.get(key) {
            out.set(key.to_vec(), v.clone());
        }
    }
    out
}

pub(super) fn write_xref_table(
    out: &mut Vec<u8>,
    offsets: &BTreeMap<ObjectId, usize>,
    trailer: &Dictionary,
    size: u32,
    prev: usize,
) {
    out.extend_from_slice(b"xref\n");
    for run in runs(offsets) {
        let _ = writeln!(ByteSink(&mut *out), "{} {}", run[0].0.0, run.len());
        for (id, offset) in run {
            let _ = write!(ByteSink(&mut *out), "{:010} {:05} n\r\n", offset, id.1);
        }
    }
    let mut t = carried_trailer(trailer);
    t.set("Size", Object::Integer(i64::from(size)));
    t.set("Prev", Object::Integer(prev as i64));
    out.extend_from_slice(b"trailer\n");
    write_object(out, &Object::Dictionary(t));
    out.push(b'\n');
}

pub(super) fn write_xref_stream(
    out: &mut Vec<u8>,
    offsets: &BTreeMap<ObjectId, usize>,
    trailer: &Dictionary,
    xref_id: ObjectId,
    prev: usize,
) {
    let max_offset = offsets.values().copied().max().unwrap_or(0);
    let width = (1..=8usize)
        .find(|w| *w == 8 || max_offset >> (8 * w) == 0)
        .unwrap_or(8);
    let mut data = Vec::new();
    let mut index = Vec::new();
    for run in runs(offsets) {
        index.push(Object::Integer(i64::from(run[0].0.0)));
        index.push(Object::Integer(run.len() as i64));
        for (id, offset) in run {
            data.push(1u8);
            data.extend_from_slice(&(offset as u64).to_be_bytes()[8 - width..]);
            data.extend_from_slice(&id.1.to_be_bytes());
        }
    }
    let mut d = carried_trailer(trailer);
    d.set("Type", Object::Name(b"XRef".to_vec()));
    d.set("Size", Object::Integer(i64::from(xref_id.0) + 1));
    d.set("Prev", Object::Integer(prev as i64));
    d.set(
        "W",
        Object::Array(vec![
            Object::Integer(1),
            Object::Integer(width as i64),
            Object::Integer(2),
        ]),
    );
    d.set("Index", Object::Array(index));
    d.set("Length", Object::Integer(data.len() as i64));
    let _ = writeln!(ByteSink(&mut *out), "{} {} obj", xref_id.0, xref_id.1);
    write_object(out, &Object::Dictionary(d));
    out.extend_from_slice(b"\nstream\r\n");
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
}

/// Splits object ids into runs of consecutive numbers, one per xref subsection.
pub(super) fn runs(offsets: &BTreeMap<ObjectId, usize>) -> Vec<Vec<(ObjectId, usize)>> {
    let mut runs: Vec<Vec<(ObjectId, usize)>> = Vec::new();
    for (&id, &offset) in offsets {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|(last, _)| last.0 + 1 == id.0) => {
                run.push((id, offset));
            }
            _ => runs.push(vec![(id, offset)]),
        }
    }
    runs
}

/// The first object number no revision of `doc` used: new objects of an update start there.
pub(super) fn first_free_id(doc: &lopdf::Document) -> u32 {
    let trailer_size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0);
    trailer_size.max(doc.max_id.saturating_add(1)).max(1)
}

/// Ends an incremental update: writes `objects` (id → serialized body) after what `out` holds,
/// then a cross-reference section of `kind` for them and for those already in `offsets`, the
/// trailer (`/Prev` = `prev`) and `%%EOF`. `next_id` is the first object number still free.
pub(super) fn finish_update(
    out: &mut Vec<u8>,
    mut offsets: BTreeMap<ObjectId, usize>,
    objects: &BTreeMap<ObjectId, Vec<u8>>,
    kind: XrefKind,
    trailer: &Dictionary,
    next_id: u32,
    prev: usize,
) {
    for (id, body) in objects {
        offsets.insert(*id, out.len());
        let _ = writeln!(ByteSink(&mut *out), "{} {} obj", id.0, id.1);
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    match kind {
        XrefKind::Table => write_xref_table(out, &offsets, trailer, next_id, prev),
        XrefKind::Stream => {
            let xref_id = (next_id, 0);
            offsets.insert(xref_id, xref_at);
            write_xref_stream(out, &offsets, trailer, xref_id, prev);
        }
    }
    let _ = write!(ByteSink(&mut *out), "startxref\n{xref_at}\n%%EOF\n");
}
