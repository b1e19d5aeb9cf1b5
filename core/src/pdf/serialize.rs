//! Writes `lopdf` objects in PDF syntax for the update's new objects (ISO 32000-1 §7.3).

use lopdf::{Object, StringFormat};

#[cfg(test)]
pub(super) fn serialize_for_tests(obj: &Object) -> Vec<u8> {
    serialize(obj)
}

pub(super) fn serialize(obj: &Object) -> Vec<u8> {
    let mut out = Vec::new();
    write_object(&mut out, obj);
    out
}

/// Writes a direct object in PDF syntax. Streams cannot be direct objects; one met here (which
/// `lopdf` never hands out inside a dictionary) is written as `null`.
pub(super) fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(real(*r).as_bytes()),
        Object::Name(n) => write_name(out, n),
        Object::String(s, StringFormat::Literal) => out.extend_from_slice(&literal_string(s)),
        Object::String(s, StringFormat::Hexadecimal) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode_upper(s).as_bytes());
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => {
            out.extend_from_slice(b"<<");
            for (key, value) in d.iter() {
                write_name(out, key);
                out.push(b' ');
                write_object(out, value);
            }
            out.extend_from_slice(b">>");
        }
        Object::Stream(_) => out.extend_from_slice(b"null"),
        Object::Reference(id) => out.extend_from_slice(format!("{} {} R", id.0, id.1).as_bytes()),
    }
}

/// A real number the way PDF wants it: no exponent, shortest form that reads back the same.
pub(super) fn real(r: f32) -> String {
    if !r.is_finite() {
        return "0".to_owned();
    }
    let s = format!("{r}");
    if s == "-0" { "0".to_owned() } else { s }
}

pub(super) fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if (0x21..=0x7e).contains(&b) && b != b'#' && !super::is_delimiter(b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// A literal string with `(`, `)`, `\` escaped and non-printable bytes as octal escapes.
pub(super) fn literal_string(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'(');
    for &b in s {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b')');
    out
}
