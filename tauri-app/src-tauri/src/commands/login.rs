//! "Log in with the card" against a `kazasu-rp` service: the PIN's state first (a locked PIN is
//! refused before the service is contacted), then the challenge, the card's signature, the session.

use kazasu_core::flows::LoginAttempt;
use kazasu_core::login::service::Service;
use kazasu_core::pin::PinKind;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::parse_pin;
use crate::error::AppError;
use crate::progress::{Progress, Step};
use crate::state::AppState;

/// A login that worked. The session token stays with the service's page, not the app.
#[derive(Debug, Serialize)]
pub struct LoggedIn {
    /// The service logged in to, as the card signed it.
    pub origin: String,
    /// The authentication certificate's serial.
    pub serial: Option<String>,
    /// Unix time the session ends.
    pub expires_at: i64,
}

/// Logs in to a `kazasu-rp` service with the card: card first, then the service.
#[tauri::command(rename_all = "snake_case")]
pub async fn login<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    url: String,
    pin: String,
) -> Result<LoggedIn, AppError> {
    let pin = parse_pin(PinKind::Auth, pin)?;
    let service = Service::parse(&url)?;
    state
        .with_card(Progress::emitter(app), move |card| {
            let progress = card.progress();
            let mut link = card.connect()?;
            progress.step(Step::CheckingPin);
            // A locked PIN ends here, before the service is contacted.
            let attempt = LoginAttempt::open(&mut link, service)?;
            progress.step(Step::ContactingService);
            let request = attempt.request()?;
            let origin = request.origin().to_owned();
            progress.step(Step::Signing);
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let session = request.complete(&pin, now, None)?;
            tracing::info!(origin, "logged in");
            Ok(LoggedIn {
                origin,
                serial: session.serial,
                expires_at: session.expires_at,
            })
        })
        .await
}
