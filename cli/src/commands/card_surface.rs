//! `kazasu card-surface`: the card's face from the card-surface application, written as images
//! (the photo converted from JPEG 2000 to PNG) with the text fields printed.

use anyhow::{Context, Result};
use kazasu_core::flows::{self, PinGate};
use kazasu_core::pin::PinKind;

use crate::args::CardSurfaceArgs;
use kazasu_core::problem::CardNotGenuine;

use crate::commands::pin::ask;
use crate::output::{self, say};
use crate::prompt::PinSource;
use crate::session::CardLink;

pub fn run(link: &mut CardLink, args: &CardSurfaceArgs, json: bool) -> Result<()> {
    let kind = if args.code_b {
        PinKind::SurfaceCodeB
    } else {
        PinKind::SurfaceCodeA
    };
    let gate = PinGate::open(&mut *link, kind)?;
    let code = ask(&gate, &mut PinSource::new(args.pin.pin_stdin))?;
    let surface = flows::read_surface_through(gate, &code)?;
    let face = &surface.face;

    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let mut written = Vec::new();
    let mut write = |name: &str, bytes: &[u8]| -> Result<()> {
        let path = args.output.join(name);
        output::write_atomically(&path, bytes)?;
        written.push(path.display().to_string());
        Ok(())
    };
    write("photo.jp2", &face.photo_jpeg2000)?;
    let photo_note = match &surface.photo_png {
        Ok(png) => {
            write("photo.png", png)?;
            None
        }
        Err(reason) => Some(reason.clone()),
    };
    write("name.png", &face.name_image)?;
    write("address.png", &face.address_image)?;
    write("security-code.png", &face.security_code_image)?;
    if let Some((png, _)) = &surface.my_number_image {
        write("my-number.png", png)?;
    }
    let all_signed = face.signed && surface.my_number_image.as_ref().is_none_or(|(_, s)| *s);

    if json {
        output::json(&serde_json::json!({
            "face": face,
            "files": written,
            "photo_error": photo_note,
            "signed": all_signed,
        }))?;
    } else {
        say!("Birth date:  {}", output::ymd(face.birth_date));
        say!("Sex:         {}", face.sex);
        say!("Card valid until {}", output::ymd(face.expires_on));
        if let Some(reason) = &photo_note {
            say!("Photo:       kept as JPEG 2000 only ({reason})");
        }
        say!(
            "Signature:   {}",
            if all_signed {
                "the card-surface application's key signed the face, photo and images"
            } else {
                "NOT VALID: the face does not match the card-surface application's signature"
            }
        );
        for path in &written {
            say!("wrote {path}");
        }
    }
    if all_signed {
        Ok(())
    } else {
        Err(CardNotGenuine.into())
    }
}
