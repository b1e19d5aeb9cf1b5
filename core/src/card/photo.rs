//! The card face's photo is JPEG 2000, which few viewers show: it is decoded here (a pure-Rust,
//! memory-safe decoder, since the bytes come from a card) and re-encoded as PNG.

/// Largest photo accepted, in pixels per side. A card's photo is about 200 × 250; the limit
/// keeps a hostile card from making the decoder allocate gigabytes.
pub const MAX_PHOTO_SIDE: u32 = 2048;

/// Why a photo could not be converted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// Not a JPEG 2000 image the decoder understands.
    #[error("the photo is not a readable JPEG 2000 image: {0}")]
    Decode(String),
    /// Larger than [`MAX_PHOTO_SIDE`].
    #[error(
        "the photo is {width} x {height} pixels, more than the {MAX_PHOTO_SIDE} per side accepted"
    )]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// A channel layout PNG cannot hold.
    #[error("the photo has {0} channels; only grey, grey with alpha, RGB and RGBA are shown")]
    Channels(usize),
}

/// Decodes a JPEG 2000 image (JP2 file or raw codestream) and encodes it as PNG.
pub fn jpeg2000_to_png(jp2: &[u8]) -> Result<Vec<u8>, PhotoError> {
    use hayro_jpeg2000::{DecodeSettings, DecoderContext, Image};
    let image = Image::new(jp2, &DecodeSettings::default())
        .map_err(|e| PhotoError::Decode(format!("{e:?}")))?;
    let (width, height) = (image.width(), image.height());
    if width == 0 || height == 0 || width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE {
        return Err(PhotoError::TooLarge { width, height });
    }
    let mut context = DecoderContext::default();
    let decoded = image
        .decode(&mut context)
        .map_err(|e| PhotoError::Decode(format!("{e:?}")))?;
    let channels = decoded.components().len();
    let pixels = decoded.data_u8();
    let color = match channels {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        4 => png::ColorType::Rgba,
        n => return Err(PhotoError::Channels(n)),
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| PhotoError::Decode(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| PhotoError::Decode(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| PhotoError::Decode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SURFACE_0002: &[u8] = include_bytes!("../../tests/fixtures/real-card/surface-0002.bin");

    #[test]
    fn the_real_cards_photo_becomes_a_png() {
        // DF27 of a test card's face: a 1854-byte JP2 file at offset 835.
        let jp2 = &SURFACE_0002[835..835 + 1854];
        assert!(jp2.starts_with(&[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20]));
        let png = jpeg2000_to_png(jp2).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert!(
            info.width > 10 && info.height > 10,
            "{}x{}",
            info.width,
            info.height
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(jpeg2000_to_png(b"not an image").is_err());
        let mut jp2 = SURFACE_0002[835..835 + 1854].to_vec();
        jp2.truncate(600);
        let _ = jpeg2000_to_png(&jp2);
    }
}
