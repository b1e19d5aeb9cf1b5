//! "Log in with the card" against a `kazasu-rp` service: who asks and for what first
//! ([`login_request`], no card needed), then the PIN's state (a locked PIN is refused before the
//! service is contacted), the challenge, the card's signature(s), the session.

use kazasu_core::flows::LoginAttempt;
use kazasu_core::login::service::{RequestInfo, Service};
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

/// Who asks for a login and what it asks for, shown before any PIN is typed.
#[derive(Debug, Serialize)]
pub struct LoginRequestInfo {
    /// The service's origin (the one the card will sign for).
    pub origin: String,
    /// The OpenID Connect client as registered with the provider, when the link comes from an
    /// authorization page; `None` for a plain login.
    pub client: Option<String>,
    /// The personal-data claims the holder agreed to release (`name`, `address`, `birthdate`,
    /// `gender`); empty means authentication only, and only then is no signing PIN needed.
    pub claims: Vec<String>,
}

/// Reads who asks for a login and which claims it wants, from a challenge URL or a
/// `kazasu://login?url=…` link. Needs no card and uses no PIN try.
#[tauri::command(rename_all = "snake_case")]
pub async fn login_request(url: String) -> Result<LoginRequestInfo, AppError> {
    let service = Service::parse(&url)?;
    let info = asked(&service).await?;
    Ok(LoginRequestInfo {
        origin: service.origin().to_owned(),
        client: info.as_ref().map(|i| i.client.clone()),
        claims: info.map(|i| i.claims).unwrap_or_default(),
    })
}

/// What an OpenID Connect authorization behind `service`'s link asks for (`None` for a plain
/// login), asked over blocking HTTP off the async runtime's threads.
async fn asked(service: &Service) -> Result<Option<RequestInfo>, AppError> {
    let service = service.clone();
    tauri::async_runtime::spawn_blocking(move || service.request_info())
        .await
        .map_err(|e| {
            AppError::new("internal", "asking the service what it wants failed")
                .reason(e.to_string())
        })?
        .map_err(AppError::from)
}

/// Logs in to a `kazasu-rp` service with the card: card first, then the service. When the
/// authorization asks for personal data, `sign_pin` is required (refused before the card is
/// touched without it) and the signing certificate's proof goes with the login.
#[tauri::command(rename_all = "snake_case")]
pub async fn login<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    url: String,
    pin: String,
    sign_pin: Option<String>,
) -> Result<LoggedIn, AppError> {
    let pin = parse_pin(PinKind::Auth, pin)?;
    let sign_pin = sign_pin
        .filter(|p| !p.is_empty())
        .map(|p| parse_pin(PinKind::Sign, p))
        .transpose()?;
    let service = Service::parse(&url)?;
    let claims = asked(&service).await?.map(|i| i.claims).unwrap_or_default();
    if !claims.is_empty() && sign_pin.is_none() {
        return Err(AppError::invalid_input(format!(
            "the service asks for {} from your signing certificate: the signing PIN is needed",
            claims.join(", ")
        )));
    }
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
            // The signing PIN is used only when claims were consented: otherwise no personal data
            // leaves the card, even if one was typed.
            let session = match sign_pin.filter(|_| !claims.is_empty()) {
                Some(sign_pin) => request.complete_linked(&pin, &sign_pin, now, None)?,
                None => request.complete(&pin, now, None)?,
            };
            tracing::info!(origin, "logged in");
            Ok(LoggedIn {
                origin,
                serial: session.serial,
                expires_at: session.expires_at,
            })
        })
        .await
}
