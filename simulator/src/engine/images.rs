//! The card face's images: name, address, security code and My Number drawn as a card stores
//! them (greyscale PNG, black on white), and the photo (a generated silhouette, JPEG 2000).
//!
//! Text is drawn with a CJK font found on the machine (`KAZASU_SIM_FONT`, else Noto CJK or
//! DejaVu from Debian's packages). Without one, each character is drawn as an empty box, so the
//! images keep their shape and a person sees why they are unreadable.

use std::sync::OnceLock;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};

/// The photo every simulated card carries: `simulator/assets/make-photo.py`, encoded with
/// `opj_compress` (JPEG 2000, as a card stores it).
pub(crate) const PHOTO_JP2: &[u8] = include_bytes!("../../assets/photo.jp2");

/// Height of a line of text in the images, in pixels (a card's are 12–16).
pub const TEXT_HEIGHT: u32 = 16;

/// Widest image drawn, in pixels: long addresses are cut there, as on a card's face.
pub const MAX_IMAGE_WIDTH: u32 = 1024;

/// Fonts tried in order when `KAZASU_SIM_FONT` is not set.
const FONT_CANDIDATES: [&str; 3] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
];

fn font() -> Option<&'static FontVec> {
    static FONT: OnceLock<Option<FontVec>> = OnceLock::new();
    FONT.get_or_init(|| {
        let configured = std::env::var_os("KAZASU_SIM_FONT").map(std::path::PathBuf::from);
        let paths = configured
            .into_iter()
            .chain(FONT_CANDIDATES.iter().map(std::path::PathBuf::from));
        for path in paths {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if let Ok(font) = FontVec::try_from_vec_and_index(bytes, 0) {
                tracing::debug!(font = %path.display(), "card face font");
                return Some(font);
            }
        }
        tracing::warn!("no font found for the card face's text images: characters are drawn as boxes (set KAZASU_SIM_FONT)");
        None
    })
    .as_ref()
}

/// `text` as a one-line greyscale PNG, black on white.
pub(crate) fn text_png(text: &str) -> Vec<u8> {
    let height = TEXT_HEIGHT;
    let (width, pixels) = match font() {
        Some(font) => draw_with(font, text, height),
        None => draw_boxes(text, height),
    };
    encode_grey(width, height, &pixels)
}

fn draw_with(font: &FontVec, text: &str, height: u32) -> (u32, Vec<u8>) {
    let scaled = font.as_scaled(PxScale::from(height as f32));
    let advance: f32 = text
        .chars()
        .map(|c| scaled.h_advance(font.glyph_id(c)))
        .sum();
    let width = (advance.ceil() as u32 + 2).clamp(1, MAX_IMAGE_WIDTH);
    let mut pixels = vec![255u8; (width * height) as usize];
    let mut x = 1.0;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(scaled.scale(), ab_glyph::point(x, scaled.ascent()));
        x += scaled.h_advance(id);
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i64 + i64::from(gx);
                let py = bounds.min.y as i64 + i64::from(gy);
                if (0..i64::from(width)).contains(&px) && (0..i64::from(height)).contains(&py) {
                    let at = (py as u32 * width + px as u32) as usize;
                    let ink = (coverage.clamp(0.0, 1.0) * 255.0) as u8;
                    pixels[at] = pixels[at].min(255 - ink);
                }
            });
        }
    }
    (width, pixels)
}

fn draw_boxes(text: &str, height: u32) -> (u32, Vec<u8>) {
    let cell = height;
    let count = text.chars().count() as u32;
    let width = (count * cell).clamp(1, MAX_IMAGE_WIDTH);
    let mut pixels = vec![255u8; (width * height) as usize];
    for i in 0..count {
        let x0 = i * cell + 2;
        let x1 = (i + 1) * cell - 3;
        for y in 2..height - 2 {
            for x in x0..=x1.min(width - 1) {
                if x == x0 || x == x1 || y == 2 || y == height - 3 {
                    pixels[(y * width + x) as usize] = 0;
                }
            }
        }
    }
    (width, pixels)
}

fn encode_grey(width: u32, height: u32, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("PNG header to memory");
    writer.write_image_data(pixels).expect("PNG data to memory");
    writer.finish().expect("PNG end to memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_a_png_with_ink() {
        let png = text_png("電子　太郎 1234");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.height, TEXT_HEIGHT);
        assert!(buf.iter().any(|p| *p < 128), "something is drawn");
    }
}
