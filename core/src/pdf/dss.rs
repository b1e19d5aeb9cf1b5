//! The Document Security Store (ISO 32000-2 §12.8.4.3; PAdES B-LT): certificates, CRLs and
//! OCSP responses kept in the PDF so that its signatures can be checked after the certificates
//! expire or the CAs stop answering. It is added by incremental update, like a signature, and
//! signatures before it stay intact (a DSS is one of the changes they allow).

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::serialize::serialize;
use super::xref::{finish_update, first_free_id, xref_kind_at};
use super::{PdfError, deref, load};
use crate::cms::ValidationData;

/// The most entries of each kind (certificates, CRLs, OCSP responses) read from a DSS: a
/// document's chains need a handful; more is a hostile file.
pub const MAX_DSS_ENTRIES: usize = 1000;

/// The validation data a PDF's DSS holds (empty when it has none).
pub fn dss_contents(pdf: &[u8]) -> Result<ValidationData, PdfError> {
    let loaded = load(pdf)?;
    let doc = &loaded.doc;
    let mut out = ValidationData::default();
    let Some(dss) = dss_dictionary(doc) else {
        return Ok(out);
    };
    for (key, into) in [
        (&b"Certs"[..], &mut out.certificates),
        (b"CRLs", &mut out.crls),
        (b"OCSPs", &mut out.ocsp_responses),
    ] {
        for stream in stream_array(doc, &dss, key)
            .into_iter()
            .take(MAX_DSS_ENTRIES)
        {
            into.push(stream);
        }
    }
    Ok(out)
}

/// The hex SHA-1 a DSS's `/VRI` dictionary names a signature by: of its `/Contents` string as
/// stored (with its zero padding), as ISO 32000-2 and pyHanko key it.
pub fn vri_key(contents: &[u8]) -> String {
    hex::encode_upper(ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        contents,
    ))
}

/// Appends an incremental update that adds `data` to the PDF's DSS (creating it, or keeping
/// what it holds and adding what is new), with a `/VRI` entry for each signature `/Contents`
/// in `signatures` listing everything added.
pub fn add_dss(
    pdf: &[u8],
    data: &ValidationData,
    signatures: &[Vec<u8>],
) -> Result<Vec<u8>, PdfError> {
    let loaded = load(pdf)?;
    let doc = &loaded.doc;
    let xref_kind = xref_kind_at(pdf, loaded.startxref)?;
    let catalog_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PdfError::NoCatalog)?;
    let mut catalog = doc
        .get_dictionary(catalog_id)
        .map_err(|_| PdfError::NoCatalog)?
        .clone();
    let old = dss_dictionary(doc).unwrap_or_default();

    let mut next_id = first_free_id(doc);
    let mut objects: BTreeMap<ObjectId, Vec<u8>> = BTreeMap::new();
    let mut new_stream = |objects: &mut BTreeMap<ObjectId, Vec<u8>>, bytes: &[u8]| {
        let id = (next_id, 0u16);
        next_id += 1;
        let mut body = format!("<</Length {}>>\nstream\n", bytes.len()).into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\nendstream");
        objects.insert(id, body);
        id
    };

    let mut dss = old.clone();
    let mut added: BTreeMap<&'static [u8], Vec<Object>> = BTreeMap::new();
    for (key, vri_key_name, items) in [
        (&b"Certs"[..], &b"Cert"[..], &data.certificates),
        (b"CRLs", b"CRL", &data.crls),
        (b"OCSPs", b"OCSP", &data.ocsp_responses),
    ] {
        let present = stream_array(doc, &old, key);
        let mut array = match old.get(key).ok().and_then(|o| deref(doc, o)) {
            Some(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        for item in items {
            if present.contains(item) {
                continue;
            }
            let id = new_stream(&mut objects, item);
            array.push(Object::Reference(id));
            added
                .entry(vri_key_name)
                .or_default()
                .push(Object::Reference(id));
        }
        if !array.is_empty() {
            dss.set(key.to_vec(), Object::Array(array));
        }
    }

    if !signatures.is_empty() && !added.is_empty() {
        let mut vri = match old.get(b"VRI").ok().and_then(|o| deref(doc, o)) {
            Some(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        for contents in signatures {
            let mut entry = Dictionary::new();
            for (name, refs) in &added {
                entry.set(name.to_vec(), Object::Array(refs.clone()));
            }
            vri.set(vri_key(contents).into_bytes(), Object::Dictionary(entry));
        }
        dss.set("VRI", Object::Dictionary(vri));
    }

    // The DSS keeps its object number when it had one, else becomes a new object.
    let dss_id = match catalog.get(b"DSS") {
        Ok(Object::Reference(id)) => *id,
        _ => {
            let id = (next_id, 0u16);
            next_id += 1;
            catalog.set("DSS", Object::Reference(id));
            objects.insert(catalog_id, serialize(&Object::Dictionary(catalog)));
            id
        }
    };
    objects.insert(dss_id, serialize(&Object::Dictionary(dss)));

    let mut out = Vec::with_capacity(pdf.len() + 4096);
    out.extend_from_slice(pdf);
    if !matches!(pdf.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    finish_update(
        &mut out,
        BTreeMap::new(),
        &objects,
        xref_kind,
        &doc.trailer,
        next_id,
        loaded.startxref,
    );
    Ok(out)
}

/// The catalog's `/DSS` dictionary, direct or indirect.
fn dss_dictionary(doc: &Document) -> Option<Dictionary> {
    let catalog = doc.catalog().ok()?;
    match deref(doc, catalog.get(b"DSS").ok()?)? {
        Object::Dictionary(d) => Some(d.clone()),
        _ => None,
    }
}

/// The decoded contents of the streams an array under `key` of `dss` points at.
fn stream_array(doc: &Document, dss: &Dictionary, key: &[u8]) -> Vec<Vec<u8>> {
    let Some(Object::Array(items)) = dss.get(key).ok().and_then(|o| deref(doc, o)) else {
        return Vec::new();
    };
    items
        .iter()
        .take(MAX_DSS_ENTRIES)
        .filter_map(|item| match deref(doc, item)? {
            Object::Stream(s) => s
                .decompressed_content()
                .ok()
                .or_else(|| Some(s.content.clone())),
            _ => None,
        })
        .collect()
}
