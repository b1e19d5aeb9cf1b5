//! The PDF side of PAdES baseline-B signing: an incremental update with a signature
//! placeholder ([`prepare`]), and a look at the signatures a PDF already holds ([`signatures`]).
//!
//! The CMS (CAdES detached, SubFilter `/ETSI.CAdES.detached`) is built elsewhere from the
//! SHA-256 of [`Prepared::signed_parts`]; this module never touches keys or certificates.
//! PDFs are parsed with `lopdf`; only the bytes of the incremental update are written by hand,
//! so the original file stays byte for byte at the start of the signed one.

mod appearance;
mod diff;
mod dss;
mod inspect;
mod prepare;
mod screen;
mod serialize;
#[cfg(test)]
mod tests;
mod xref;

pub use diff::{ACROFORM_KEYS_UPDATABLE, CATALOG_KEYS_UPDATABLE, ChangesAfter, FIELD_VALUE_KEYS};
pub use dss::{MAX_DSS_ENTRIES, add_dss, dss_contents, vri_key};
pub use inspect::{
    Coverage, MAX_SIGNATURE_CANDIDATES, MAX_SIGNED_REVISIONS, PdfSignature, signatures,
    signed_parts,
};
pub use prepare::{Prepared, SignOptions, SignatureField, Visible, prepare};
pub use screen::{
    INFLATE_BUDGET_PER_FILE_BYTE, MAX_NESTING, MAX_PREDICTOR_ROW, MAX_XREF_FIELD_WIDTH,
    MIN_INFLATE_BUDGET, inflate_budget,
};

use lopdf::{Document, Object};

/// Everything reading, preparing or finishing a signed PDF can fail with, worded so a person
/// knows what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The bytes do not start like a PDF file.
    #[error(
        "this is not a PDF file (it does not start with \"%PDF-\"): choose the PDF document itself"
    )]
    NotPdf,
    /// Something precedes the `%PDF-` header; offsets in such files are ambiguous.
    #[error(
        "the PDF has {offset} stray bytes before its \"%PDF-\" header: save it again from a PDF viewer (or run `qpdf in.pdf out.pdf`) and sign the new file"
    )]
    JunkBeforeHeader {
        /// Where the header starts.
        offset: usize,
    },
    /// No `startxref` could be found at the end of the file.
    #[error(
        "the PDF has no \"startxref\" near its end: the file is truncated or damaged; get a complete copy, or repair it (e.g. `qpdf in.pdf out.pdf`)"
    )]
    NoStartXref,
    /// The cross-reference data the file points at is missing or unreadable.
    #[error(
        "the PDF's cross-reference table at byte {offset} is broken: repair the file (e.g. `qpdf in.pdf out.pdf`) and sign the repaired copy"
    )]
    BrokenXref {
        /// The offset `startxref` points at.
        offset: usize,
    },
    /// The PDF parser gave up on the file.
    #[error(
        "the PDF could not be read ({source}): it is damaged or uses features this tool cannot read; repair it (e.g. `qpdf in.pdf out.pdf`) and try again"
    )]
    Unreadable {
        /// What the parser reported.
        #[source]
        source: lopdf::Error,
    },
    /// The PDF is encrypted; it is refused rather than signed or read half-decrypted.
    #[error(
        "the PDF is encrypted (password-protected or restricted): remove the encryption first (e.g. `qpdf --decrypt in.pdf out.pdf`), then sign the decrypted copy"
    )]
    Encrypted,
    /// Its author certified it allowing no changes (DocMDP level 1): any signature added would
    /// break the certification, so nothing is asked of the card.
    #[error(
        "the PDF is certified by its author with no changes allowed (DocMDP level 1): adding a signature would invalidate the certification; ask the author for a copy certified to allow signing"
    )]
    CertifiedNoChanges,
    /// The trailer has no usable `/Root` (document catalog).
    #[error(
        "the PDF has no document catalog (/Root): the file is damaged; repair it (e.g. `qpdf in.pdf out.pdf`)"
    )]
    NoCatalog,
    /// The page tree holds no page.
    #[error("the PDF has no pages: there is nothing to sign; check that this is the right file")]
    NoPages,
    /// The page asked for a visible signature does not exist.
    #[error("page {page} does not exist: the PDF has {pages} page(s) (pages count from 1)")]
    PageOutOfRange {
        /// The page asked for (1-based).
        page: usize,
        /// How many pages the document has.
        pages: usize,
    },
    /// The rectangle asked for a visible signature is unusable.
    #[error(
        "the signature rectangle [{x1} {y1} {x2} {y2}] is unusable: give two corners in points with a width and height of at least 1"
    )]
    BadRect {
        /// Lower-left x.
        x1: f32,
        /// Lower-left y.
        y1: f32,
        /// Upper-right x.
        x2: f32,
        /// Upper-right y.
        y2: f32,
    },
    /// The signature field name cannot be used as a PDF field name.
    #[error(
        "the field name {name:?} cannot be used: it must be non-empty, at most 200 characters, and contain no period"
    )]
    BadFieldName {
        /// The name asked for.
        name: String,
    },
    /// A field with this name already exists.
    #[error("the PDF already has a field named {name:?}: choose another signature field name")]
    FieldNameTaken {
        /// The name asked for.
        name: String,
    },
    /// The placeholder size asked for is unusable.
    #[error(
        "a signature placeholder of {capacity} bytes is unusable: choose between 1 and {max} bytes (16384 fits a CAdES signature with a certificate chain)"
    )]
    BadCapacity {
        /// The capacity asked for.
        capacity: usize,
        /// The largest capacity accepted.
        max: usize,
    },
    /// The CMS handed to [`Prepared::finish`] is empty.
    #[error("the signature (CMS) to embed is empty: nothing was signed")]
    EmptySignature,
    /// The CMS does not fit into the placeholder reserved by [`prepare`].
    #[error(
        "the signature (CMS) is {needed} bytes but the placeholder holds only {room}: prepare the PDF again with a contents capacity of at least {needed} bytes"
    )]
    SignatureTooBig {
        /// Bytes of DER the CMS has.
        needed: usize,
        /// Bytes of DER the placeholder can hold.
        room: usize,
    },
    /// The file is built so that reading it would take unbounded time or memory (nesting, sizes,
    /// decompression bombs, too many signature dictionaries); it is refused, not read.
    #[error(
        "this PDF is malformed: {reason}. It is refused rather than read; if it is a genuine document, repair it (e.g. `qpdf in.pdf out.pdf`) and try again"
    )]
    Malformed {
        /// What limit the file broke, in words.
        reason: String,
    },
    /// The byte range of a signature does not cover the file as it should.
    #[error("the signature's byte range is not usable: {reason}")]
    BadByteRange {
        /// What is wrong with it, in words.
        reason: String,
    },
}

impl From<lopdf::Error> for PdfError {
    fn from(source: lopdf::Error) -> Self {
        PdfError::Unreadable { source }
    }
}

/// The smallest-offset `%PDF-` header within the first KiB, where readers look for it.
fn header_offset(pdf: &[u8]) -> Option<usize> {
    let head = &pdf[..pdf.len().min(1024)];
    find(head, b"%PDF-", 0)
}

/// First position of `needle` in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Last position of `needle` in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn is_pdf_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// The offset the last `startxref` of the file points at, read by hand: `lopdf` only looks at
/// the first `%%EOF` of the last 512 bytes, which is an older revision when the last update is
/// small.
fn last_startxref(pdf: &[u8]) -> Result<usize, PdfError> {
    let pos = rfind(pdf, b"startxref").ok_or(PdfError::NoStartXref)?;
    let mut i = pos + b"startxref".len();
    while i < pdf.len() && is_pdf_whitespace(pdf[i]) {
        i += 1;
    }
    let start = i;
    while i < pdf.len() && pdf[i].is_ascii_digit() {
        i += 1;
    }
    if i == start || i - start > 15 {
        return Err(PdfError::NoStartXref);
    }
    let offset: usize = std::str::from_utf8(&pdf[start..i])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(PdfError::NoStartXref)?;
    if offset >= pdf.len() {
        return Err(PdfError::BrokenXref { offset });
    }
    Ok(offset)
}

/// What `load` found out about a PDF.
struct Loaded {
    /// The merged view of all revisions.
    doc: Document,
    /// Where `%PDF-` starts; `lopdf`'s offsets are relative to it.
    base: usize,
    /// Where the last cross-reference section starts (absolute).
    startxref: usize,
}

/// Parses `pdf` with `lopdf`, making it read the revision the last `startxref` names, and refuses
/// encrypted files.
fn load(pdf: &[u8]) -> Result<Loaded, PdfError> {
    let base = header_offset(pdf).ok_or(PdfError::NotPdf)?;
    let startxref = last_startxref(pdf)?;
    screen::screen(pdf)?;
    if startxref < base {
        return Err(PdfError::BrokenXref { offset: startxref });
    }
    // A copy with a synthetic, far-away trailer pointer: lopdf then reads the same cross-reference
    // section a conforming reader would, whatever the file's tail looks like.
    let mut view = Vec::with_capacity(pdf.len() + 700);
    view.extend_from_slice(pdf);
    view.push(b'\n');
    view.extend(std::iter::repeat_n(b' ', 600));
    view.extend_from_slice(format!("\nstartxref\n{}\n%%EOF\n", startxref - base).as_bytes());
    let doc = match Document::load_mem(&view) {
        Ok(doc) => doc,
        Err(lopdf::Error::Parse(_) | lopdf::Error::Xref(_)) => {
            return Err(PdfError::BrokenXref { offset: startxref });
        }
        Err(source) => return Err(PdfError::Unreadable { source }),
    };
    if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
        return Err(PdfError::Encrypted);
    }
    tracing::debug!(
        objects = doc.objects.len(),
        startxref,
        "loaded PDF for signing or inspection"
    );
    Ok(Loaded {
        doc,
        base,
        startxref,
    })
}

/// Follows one reference (or none) to the object it names.
fn deref<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    match obj {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

/// A form field's full name (`parent.T`, or the parent's when it has no `/T`) and its field type
/// (`/FT`, else the one it inherits).
fn field_name_and_type(
    field: &lopdf::Dictionary,
    parent: &str,
    inherited_ft: Option<Vec<u8>>,
) -> (String, Option<Vec<u8>>) {
    let name = match field.get(b"T").ok().and_then(text_of) {
        Some(t) if parent.is_empty() => t,
        Some(t) => format!("{parent}.{t}"),
        None => parent.to_owned(),
    };
    let ft = match field.get(b"FT") {
        Ok(Object::Name(n)) => Some(n.clone()),
        _ => inherited_ft,
    };
    (name, ft)
}

/// A `/T` or similar text string as a Rust string (PDFDocEncoding or UTF-16BE).
fn text_of(obj: &Object) -> Option<String> {
    match obj {
        Object::String(..) => lopdf::decode_text_string(obj).ok(),
        _ => None,
    }
}
