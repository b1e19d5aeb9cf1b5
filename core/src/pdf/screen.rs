//! A linear look at a PDF's bytes before `lopdf` reads it, refusing files built to exhaust the
//! reader: nesting deep enough to overflow `lopdf`'s recursive parser, cross-reference streams
//! whose declared field widths or predictor rows make it allocate terabytes, and object or
//! cross-reference streams that inflate without bound (`lopdf` decompresses both while loading,
//! with no limit of its own).

use std::io::Read;

use lopdf::{Dictionary, Object};

use super::{PdfError, find, is_pdf_whitespace};

/// The deepest nesting of arrays and dictionaries accepted. Real documents stay under 20; `lopdf`
/// parses nesting recursively, and a few thousand levels overflow a thread's stack.
pub const MAX_NESTING: usize = 100;

/// Decompressed bytes always allowed for the object and cross-reference streams of a file.
pub const MIN_INFLATE_BUDGET: usize = 16 << 20;

/// Beyond [`MIN_INFLATE_BUDGET`], how many decompressed bytes each byte of the file may yield
/// (object streams compress real PDF syntax 3 to 10 times; a bomb, a thousand times).
pub const INFLATE_BUDGET_PER_FILE_BYTE: usize = 100;

/// The widest field a cross-reference stream's `/W` may declare, in bytes: 8 holds any offset.
pub const MAX_XREF_FIELD_WIDTH: i64 = 8;

/// The longest predictor row (`/Columns` × `/Colors` × `/BitsPerComponent` / 8) accepted in an
/// object or cross-reference stream, in bytes; `lopdf` allocates two rows before reading any data.
pub const MAX_PREDICTOR_ROW: i64 = 1 << 20;

/// The decompression budget for a file of `len` bytes.
pub fn inflate_budget(len: usize) -> usize {
    MIN_INFLATE_BUDGET.max(len.saturating_mul(INFLATE_BUDGET_PER_FILE_BYTE))
}

fn malformed(reason: impl Into<String>) -> PdfError {
    PdfError::Malformed {
        reason: reason.into(),
    }
}

/// Checks `pdf` in one pass; `Ok` means `lopdf` may read it.
pub(super) fn screen(pdf: &[u8]) -> Result<(), PdfError> {
    let mut budget = inflate_budget(pdf.len());
    scan(pdf, true, &mut budget)
}

/// Scans PDF syntax for nesting depth; with `streams`, also finds stream dictionaries (skipping
/// their data) and checks the object and cross-reference streams among them.
fn scan(data: &[u8], streams: bool, budget: &mut usize) -> Result<(), PdfError> {
    let mut depth = 0usize;
    let mut i = 0;
    // The last dictionary closed at depth 0: (start, end), for a `stream` keyword after it.
    let mut last_dict: Option<(usize, usize)> = None;
    let mut dict_start = 0;
    while i < data.len() {
        match data[i] {
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => i = skip_literal_string(data, i),
            b'<' if data.get(i + 1) == Some(&b'<') => {
                if depth == 0 {
                    dict_start = i;
                }
                depth += 1;
                i += 2;
                if depth > MAX_NESTING {
                    return Err(too_deep());
                }
                continue;
            }
            b'<' => {
                while i < data.len() && data[i] != b'>' {
                    i += 1;
                }
            }
            b'>' if data.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 2;
                if depth == 0 {
                    last_dict = Some((dict_start, i));
                }
                continue;
            }
            b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep());
                }
            }
            b']' => depth = depth.saturating_sub(1),
            b's' if streams
                && data[i..].starts_with(b"stream")
                && (i == 0 || is_pdf_whitespace(data[i - 1]) || data[i - 1] == b'>') =>
            {
                let mut body = i + b"stream".len();
                if data.get(body) == Some(&b'\r') {
                    body += 1;
                }
                if data.get(body) == Some(&b'\n') {
                    body += 1;
                }
                let end = find(data, b"endstream", body).unwrap_or(data.len());
                if let Some((s, e)) = last_dict.take()
                    && data[e..i].iter().all(|&b| is_pdf_whitespace(b))
                {
                    check_stream(&data[s..e], &data[body..end], budget)?;
                }
                depth = 0;
                i = end + b"endstream".len();
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn too_deep() -> PdfError {
    malformed(format!(
        "arrays or dictionaries are nested more than {MAX_NESTING} deep"
    ))
}

/// The index just after the literal string opening at `open` (balanced parentheses, `\`
/// escapes), or the end of the data.
fn skip_literal_string(data: &[u8], open: usize) -> usize {
    let mut level = 0usize;
    let mut i = open;
    while i < data.len() {
        match data[i] {
            b'\\' => i += 1,
            b'(' => level += 1,
            b')' => {
                level -= 1;
                if level == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    data.len()
}

/// Parses a dictionary's bytes (already checked for nesting) with `lopdf`.
fn parse_dict(bytes: &[u8]) -> Option<Dictionary> {
    let mut wrapped = b"1 0 obj\n".to_vec();
    wrapped.extend_from_slice(bytes);
    wrapped.extend_from_slice(b"\nendobj\n");
    match super::inspect::parse_object_at(&wrapped, 0, (1, 0))? {
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

fn ints(obj: Option<&Object>) -> Vec<i64> {
    match obj {
        Some(Object::Array(items)) => items.iter().filter_map(|o| o.as_i64().ok()).collect(),
        _ => Vec::new(),
    }
}

/// Checks a stream that `lopdf` decodes while loading (`/Type /ObjStm` or `/Type /XRef`).
fn check_stream(dict_bytes: &[u8], raw: &[u8], budget: &mut usize) -> Result<(), PdfError> {
    if find(dict_bytes, b"/ObjStm", 0).is_none() && find(dict_bytes, b"/XRef", 0).is_none() {
        return Ok(());
    }
    let Some(dict) = parse_dict(dict_bytes) else {
        return Ok(());
    };
    let kind = match dict.get(b"Type") {
        Ok(Object::Name(n)) if n == b"ObjStm" => "object stream",
        Ok(Object::Name(n)) if n == b"XRef" => "cross-reference stream",
        _ => return Ok(()),
    };
    if kind == "cross-reference stream" {
        let widths = ints(dict.get(b"W").ok());
        if widths
            .iter()
            .any(|w| !(0..=MAX_XREF_FIELD_WIDTH).contains(w))
        {
            return Err(malformed(format!(
                "a {kind} declares field widths {widths:?}; each must be 0 to {MAX_XREF_FIELD_WIDTH} bytes"
            )));
        }
    }
    let params: Vec<&Dictionary> = match dict.get(b"DecodeParms") {
        Ok(Object::Dictionary(d)) => vec![d],
        Ok(Object::Array(a)) => a.iter().filter_map(|o| o.as_dict().ok()).collect(),
        _ => Vec::new(),
    };
    for p in params {
        let get = |k: &[u8]| p.get(k).and_then(Object::as_i64).unwrap_or(1).max(1);
        let row = i128::from(get(b"Columns"))
            * i128::from(get(b"Colors"))
            * i128::from(get(b"BitsPerComponent").max(8))
            / 8;
        if row > i128::from(MAX_PREDICTOR_ROW) {
            return Err(malformed(format!(
                "a {kind} declares predictor rows of {row} bytes; at most {MAX_PREDICTOR_ROW} are accepted"
            )));
        }
    }
    let filters: Vec<Vec<u8>> = match dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    };
    // The raw data as lopdf takes it: /Length bytes when given directly, else up to endstream.
    let raw = match dict.get(b"Length").and_then(Object::as_i64) {
        Ok(len) => usize::try_from(len)
            .ok()
            .and_then(|len| raw.get(..len))
            .unwrap_or(raw),
        Err(_) => raw,
    };
    // Only Flate is decoded here (and so bounded); lopdf would also decode LZW and ASCII85
    // without limit, so streams it decodes while loading must use Flate or nothing.
    let mut data = raw.to_vec();
    for filter in &filters {
        data = match filter.as_slice() {
            b"FlateDecode" => inflate(&data, budget, kind)?,
            other => {
                return Err(malformed(format!(
                    "a {kind} is encoded with /{}, which this tool does not decode",
                    String::from_utf8_lossy(other)
                )));
            }
        };
    }
    if kind == "object stream" {
        scan(&data, false, budget)?;
    }
    Ok(())
}

fn charge(budget: &mut usize, n: usize, kind: &str) -> Result<(), PdfError> {
    *budget = budget.checked_sub(n).ok_or_else(|| bomb(kind))?;
    Ok(())
}

fn bomb(kind: &str) -> PdfError {
    malformed(format!(
        "a {kind} decompresses to more than this file's budget (at least {MIN_INFLATE_BUDGET} bytes, or {INFLATE_BUDGET_PER_FILE_BYTE} per byte of the file): a decompression bomb"
    ))
}

/// Inflates zlib data, never producing more than what is left of the budget.
fn inflate(data: &[u8], budget: &mut usize, kind: &str) -> Result<Vec<u8>, PdfError> {
    let limit = u64::try_from(*budget).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    // A corrupt stream is lopdf's to report (it keeps what inflated); only the size matters here.
    let _ = flate2::read::ZlibDecoder::new(data)
        .take(limit)
        .read_to_end(&mut out);
    charge(budget, out.len(), kind)?;
    Ok(out)
}
