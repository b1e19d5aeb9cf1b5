//! `kazasu-app`: the Tauri 2 app a card holder uses to see the card, log in and sign. The front
//! end (`tauri-app/src`) asks; these commands answer through the Kazasu core. Card I/O runs on
//! worker threads, one operation at a time; the commands and their errors are in `tauri-app/IPC.md`.

pub mod commands;
pub mod deep_link;
pub mod error;
pub mod progress;
pub mod reader;
pub mod state;
pub mod trust;

use std::sync::Arc;

use tauri::{Manager, Runtime};

pub use error::AppError;
pub use reader::Reader;
pub use state::AppState;

/// Adds the app's commands to `builder`, on any runtime: the real window, or Tauri's mock runtime
/// in tests. The caller adds an [`AppState`].
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::readers::app_info,
        commands::readers::list_readers,
        commands::readers::choose_reader,
        commands::card::card_overview,
        commands::card::pin_status,
        commands::card::change_pin,
        commands::surface::card_surface,
        commands::login::login_request,
        commands::login::login,
        commands::sign::suggest_output,
        commands::sign::sign_document,
        commands::sign::signing_setup,
        deep_link::take_login_link,
    ])
}

/// Starts the app.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_init();
    let builder = with_commands(tauri::Builder::default());
    // `kazasu://` links on a computer (the scheme is in `tauri.conf.json`); phones would need
    // their own app-link setup, not done yet.
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_deep_link::init());
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_kazasu_nfc::init())
        .manage(deep_link::PendingLink::default())
        .setup(|app| {
            #[cfg(desktop)]
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                // A link the app was started with (on Linux and Windows: its arguments), then any
                // that arrive while it runs.
                // The plugin takes a lone argument only; a launcher (or WebDriver) may add
                // others, so the arguments are read here as well.
                let mut urls = app
                    .deep_link()
                    .get_current()
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                urls.extend(deep_link::login_links_in(std::env::args().skip(1)));
                if !urls.is_empty() {
                    deep_link::receive(app.handle(), &urls);
                }
                let handle = app.handle().clone();
                app.deep_link()
                    .on_open_url(move |event| deep_link::receive(&handle, &event.urls()));
            }
            let default_trust = app.path().app_data_dir().ok().map(|d| d.join("trust"));
            let trust = trust::TrustDir::from_env_or(default_trust);
            let phone = phone_opener(app.handle());
            let state = AppState::new(reader::system_opener(phone.clone()), trust, phone.is_some());
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Kazasu window could not be started");
}

/// The phone's NFC on a phone; nothing on a computer. Whether NFC is switched on is found out when
/// the card is needed (`nfc_unavailable` then says why): asking the phone here, on the main thread
/// during start-up, could block the very thread the plugin answers on.
fn phone_opener<R: Runtime>(
    app: &tauri::AppHandle<R>,
) -> Option<Arc<dyn Fn() -> Result<reader::Link, AppError> + Send + Sync>> {
    use tauri_plugin_kazasu_nfc::NfcExt;
    if !cfg!(mobile) {
        return None;
    }
    let app = app.clone();
    Some(Arc::new(move || {
        // Runs on the card worker thread: waiting for the tap never blocks the UI.
        let session = app
            .nfc()
            .open("Hold your My Number Card to the back of the phone")?;
        Ok(Box::new(session) as reader::Link)
    }))
}

/// Logs to stderr at `RUST_LOG` (default: warnings). Only APDU headers and lengths are ever
/// logged by the core, never PIN data.
fn tracing_init() {
    use tracing_subscriber::EnvFilter;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}
