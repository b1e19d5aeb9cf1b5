//! The visible signature's appearance stream: the signer's lines in Helvetica inside the
//! widget's rectangle (ISO 32000-1 §12.7.3.3, §9.6.2.2 for the standard font's widths).

use std::fmt::Write as _;

use lopdf::{Dictionary, Object};

use super::serialize::{literal_string, serialize};

/// Helvetica glyph widths (1/1000 em) for WinAnsi codes 32..=126.
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 95] = [
    // ' ' ..= '/'
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    // '0' ..= '?'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    // '@' ..= 'O'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    // 'P' ..= '_'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    // '`' ..= 'o'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    // 'p' ..= '~'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The line as printable ASCII, anything else as `?`.
pub(super) fn ascii_line(line: &str) -> String {
    line.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

pub(super) fn text_width(line: &str) -> f32 {
    line.bytes()
        .map(|b| f32::from(HELVETICA_WIDTHS[usize::from(b.saturating_sub(32)).min(94)]))
        .sum::<f32>()
        / 1000.0
}

/// The appearance stream (a form XObject, written with its `obj` body) of a `w`×`h` box: a thin
/// frame and the lines in Helvetica, sized to fit. On a page shown turned by `rotate` degrees
/// (its `/Rotate`: 90, 180 or 270 clockwise), the form is turned back by its `/Matrix`, so that
/// the text reads upright on screen.
pub(super) fn appearance(w: f32, h: f32, lines: &[String], rotate: i64) -> Vec<u8> {
    let rotate = rotate.rem_euclid(360);
    // The box as the reader sees it: sideways on a page turned a quarter.
    let (w, h) = if rotate == 90 || rotate == 270 {
        (h, w)
    } else {
        (w, h)
    };
    let mut content = String::new();
    if w > 0.0 && h > 0.0 {
        let lines: Vec<String> = lines.iter().map(|l| ascii_line(l)).collect();
        let pad = (w.min(h) * 0.08).clamp(0.5, 4.0);
        let _ = writeln!(
            content,
            "q 0 0 0 RG 0.5 w 0.25 0.25 {} {} re S Q",
            num(w - 0.5),
            num(h - 0.5)
        );
        if !lines.is_empty() {
            let by_height = (h - 2.0 * pad) / (lines.len() as f32 * 1.2);
            let widest = lines.iter().map(|l| text_width(l)).fold(0.0f32, f32::max);
            let by_width = if widest > 0.0 {
                (w - 2.0 * pad) / widest
            } else {
                f32::MAX
            };
            let size = by_height.min(by_width).clamp(1.0, 12.0);
            let leading = size * 1.2;
            let _ = writeln!(
                content,
                "q {} {} {} {} re W n",
                num(pad),
                num(pad),
                num(w - 2.0 * pad),
                num(h - 2.0 * pad)
            );
            let _ = writeln!(content, "BT 0 g /Helv {} Tf {} TL", num(size), num(leading));
            let _ = writeln!(content, "{} {} Td", num(pad), num(h - pad - size));
            for (i, line) in lines.iter().enumerate() {
                let escaped =
                    String::from_utf8_lossy(&literal_string(line.as_bytes())).into_owned();
                if i == 0 {
                    let _ = writeln!(content, "{escaped} Tj");
                } else {
                    let _ = writeln!(content, "{escaped} '");
                }
            }
            content.push_str("ET Q\n");
        }
    }
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set(
        "BBox",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(0),
            Object::Real(w),
            Object::Real(h),
        ]),
    );
    let matrix: Option<[i64; 4]> = match rotate {
        90 => Some([0, 1, -1, 0]),
        180 => Some([-1, 0, 0, -1]),
        270 => Some([0, -1, 1, 0]),
        _ => None,
    };
    if let Some(m) = matrix {
        dict.set(
            "Matrix",
            Object::Array(
                m.iter()
                    .copied()
                    .chain([0, 0])
                    .map(Object::Integer)
                    .collect(),
            ),
        );
    }
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let mut fonts = Dictionary::new();
    fonts.set("Helv", Object::Dictionary(font));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    resources.set(
        "ProcSet",
        Object::Array(vec![
            Object::Name(b"PDF".to_vec()),
            Object::Name(b"Text".to_vec()),
        ]),
    );
    dict.set("Resources", Object::Dictionary(resources));
    dict.set("Length", Object::Integer(content.len() as i64));
    let mut out = serialize(&Object::Dictionary(dict));
    out.extend_from_slice(b"\nstream\n");
    out.extend_from_slice(content.as_bytes());
    out.extend_from_slice(b"\nendstream");
    out
}

/// A number for a content stream: at most three decimals, no exponent.
pub(super) fn num(x: f32) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}
