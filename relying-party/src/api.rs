//! The HTTP API: challenges, card and device logins, the status a browser polls for a
//! cross-device login, device revocation, a high-assurance example, and the JWKS.
//!
//! Every request is checked in full (size, JSON shape, nonce and assertion encoding) before the
//! store is touched, and a finish takes its challenge only once its signature verified under a
//! key the server trusts ([`Refusal::signed`]): a malformed or unsigned finish never consumes
//! anyone's challenge, a validly signed one always does (so it cannot be replayed). The
//! protocol checks themselves are the core's ([`Policy::check_card`], [`Policy::check_device`]).
//!
//! A cross-device login's token goes only to the browser that asked for the challenge: that
//! request gets a random secret in an HttpOnly, SameSite=Strict cookie (Secure over https)
//! scoped to the login's status URL, and the status answers anyone without it with no more
//! than `pending` or `done`. The nonce, which the QR code shows, is not enough.
//!
//! The handlers are here; reading a request is in `request`, what they ask of the server's
//! state in `service`.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kazasu_core::login::{Challenge, LoginError, Policy, Refusal, device_key_id};
use serde_json::{Value, json};

use crate::config::Config;
use crate::error::ApiError;
use crate::session::{SessionKey, subject_id};
use crate::store::{Status, StatusRecord, Store};
use crate::trust::Trust;

mod request;
mod service;

use request::path;

/// The largest request body accepted (a finish request with an 8 KiB certificate fits).
pub const MAX_BODY: usize = 16 * 1024;
/// The cookie that holds the secret binding a cross-device login to the browser that started it.
pub const LOGIN_COOKIE: &str = "kazasu_login";
/// Random bytes in a browser's login secret.
const SECRET_BYTES: usize = 32;
/// How long past its expiry a challenge is kept, so a late answer hears "expired", not "unknown".
const GRACE: Duration = Duration::from_secs(30);
/// How long the status of a finished login is kept for the polling browser.
const STATUS_KEEP: Duration = Duration::from_secs(300);
/// The audit log's target.
pub const AUDIT: &str = "kazasu_rp::audit";

/// Everything a request handler needs.
pub struct AppState {
    /// The configuration as loaded.
    pub config: Config,
    /// The URL this server is reached at (no trailing slash).
    pub public_url: String,
    /// The origin challenges are issued for by default.
    pub origin: String,
    /// The CAs, CRLs and rules logins are checked against.
    pub trust: Arc<Trust>,
    /// Challenges, statuses and device bindings.
    pub store: Arc<dyn Store>,
    /// The session token key (also the OpenID provider's ID token key).
    pub key: SessionKey,
    /// The OpenID Connect provider: issuer, clients, pairwise key.
    pub oidc: crate::oidc::Provider,
}

type Shared = State<Arc<AppState>>;

/// Now, in Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn ttl_secs(seconds: i64) -> Duration {
    Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
}

/// `POST /v1/login/challenge`: a new login challenge and its pending status.
pub async fn login_challenge(
    State(s): Shared,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    s.issue(&headers, bytes, true).await
}

/// `POST /v1/device/challenge`: a new challenge for a device login.
pub async fn device_challenge(
    State(s): Shared,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    s.issue(&headers, bytes, false).await
}

async fn pending(s: &AppState, nonce: &str) -> Result<Challenge, ApiError> {
    let unknown = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            LoginError::UnknownChallenge.to_string(),
        )
    };
    if !Challenge::is_nonce(nonce) {
        return Err(unknown());
    }
    match s.store.peek_challenge(nonce).await? {
        Some(c) if now() <= c.expires_at => Ok(c),
        _ => Err(unknown()),
    }
}

/// `GET /v1/login/challenge/{nonce}`: the challenge while it is pending (not consumed).
pub async fn get_challenge(
    State(s): Shared,
    nonce: Result<Path<String>, PathRejection>,
) -> Result<Json<Challenge>, ApiError> {
    Ok(Json(pending(&s, &path(nonce)?).await?))
}

/// `GET /v1/login/challenge/{nonce}/qr.svg`: the challenge URL as a QR code.
pub async fn challenge_qr(
    State(s): Shared,
    nonce: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let challenge = pending(&s, &path(nonce)?).await?;
    let url = s.challenge_url(&challenge.nonce);
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the URL does not fit a QR code",
        )
    })?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        svg,
    )
        .into_response())
}

/// Who an attempt was by, for the audit log: set only once a signature proved it (a refused
/// attempt's claims of who it is are not written down as if they were true).
#[derive(Default)]
struct Attempt {
    serial: Option<String>,
    device_id: Option<String>,
}

/// Writes one audit line per login attempt: kind, certificate serial, device, verdict.
/// Nothing secret is logged (the PIN never reaches the server).
fn audit<T>(kind: &'static str, attempt: &Attempt, result: &Result<T, ApiError>) {
    let verdict = match result {
        Ok(_) => "ok",
        Err(e) => e.reason.as_str(),
    };
    tracing::info!(
        target: AUDIT,
        event = "login",
        kind,
        serial = attempt.serial.as_deref().unwrap_or("-"),
        device_id = attempt.device_id.as_deref().unwrap_or("-"),
        verdict,
    );
}

/// `POST /v1/login/finish`: a card login. Refused before the store is touched if malformed;
/// otherwise the core verifies it against the pending challenge, which is then taken (once:
/// see the module's doc for when a refusal takes it too), and a session token is issued.
pub async fn login_finish(
    State(s): Shared,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut attempt = Attempt::default();
    let result = card_finish(&s, &headers, bytes, &mut attempt).await;
    audit("card", &attempt, &result);
    result.map(|v| Json(v).into_response())
}

async fn card_finish(
    s: &AppState,
    headers: &HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
    attempt: &mut Attempt,
) -> Result<Value, ApiError> {
    let (nonce, decoded, _, link) = s.finish_request(headers, bytes)?;
    let challenge = s
        .store
        .peek_challenge(&nonce)
        .await?
        .ok_or(LoginError::UnknownChallenge)?;
    let policy: Arc<Policy> = s.trust.policy();
    let login = match policy.check_card(&challenge, &nonce, &decoded, now()) {
        Ok(login) => login,
        Err(refusal) => return Err(s.refused(&nonce, refusal).await),
    };
    // A holder who consented to release personal data must send the signing-certificate
    // proof they come from; checked, like the proof, before the challenge is taken: a refused
    // attempt leaves the challenge for a corrected one.
    if link.is_none() && crate::oidc::authorize::proof_needed(s, &nonce).await? {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this service asks for personal data the holder agreed to release: log in with the signing PIN too (kazasu login --link)",
        ));
    }
    let holder = match &link {
        Some(proof) => {
            let certificate = decoded.certificate.as_deref().unwrap_or_default();
            Some(s.oidc.verify_link(&challenge, proof, certificate, now())?)
        }
        None => None,
    };
    // Taken only now, once the card's signature verified: of two good finishes, one wins.
    s.store
        .take_challenge(&nonce)
        .await?
        .ok_or(LoginError::UnknownChallenge)?;
    let subject = subject_id(&login.issuer, &login.serial);
    attempt.serial = Some(login.serial.clone());
    let device_id = match &login.device_key {
        Some(spki) => {
            let certificate = decoded.certificate.as_deref().unwrap_or_default();
            s.bind(&login.serial, &subject, spki, certificate).await?
        }
        None => None,
    };
    attempt.device_id = device_id.clone();
    let (token, expires_at) = s.token(&subject, "card", device_id.clone())?;
    let status = Status::LoggedIn {
        serial: login.serial.clone(),
    };
    s.update_status(&nonce, status, Some(&token)).await?;
    // A login started by an OpenID Connect authorization request: done, for its account.
    crate::oidc::authorize::card_logged_in(s, &nonce, &login, holder.as_ref()).await?;
    Ok(json!({
        "token": token,
        "expires_at": expires_at,
        "serial": login.serial,
        "sub": subject,
        "device_id": device_id,
    }))
}

impl AppState {
    /// A refused finish: a validly signed one uses up its challenge and fails the login the
    /// browser is waiting on; an unsigned one touches nothing.
    async fn refused(&self, nonce: &str, refusal: Refusal) -> ApiError {
        if refusal.signed {
            let consumed = async {
                self.store.take_challenge(nonce).await?;
                let failed = Status::Failed {
                    reason: refusal.error.to_string(),
                };
                self.update_status(nonce, failed, None).await?;
                let reason = refusal.error.to_string();
                crate::oidc::authorize::card_refused(self, nonce, &reason).await
            };
            if let Err(e) = consumed.await {
                return e.into();
            }
        }
        refusal.error.into()
    }

    /// Moves the status of a cross-device login on (keeping the browser it belongs to); a
    /// challenge without a status (device logins) has nothing to update.
    async fn update_status(
        &self,
        nonce: &str,
        status: Status,
        token: Option<&str>,
    ) -> Result<(), crate::store::StoreError> {
        let Some(record) = self.store.get_status(nonce).await? else {
            return Ok(());
        };
        let record = StatusRecord {
            status,
            browser: record.browser,
        };
        self.store
            .set_status(nonce, &record, token, STATUS_KEEP)
            .await
    }
}

/// `POST /v1/device/finish`: a login with a bound device key (ES256), no card.
pub async fn device_finish(
    State(s): Shared,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut attempt = Attempt::default();
    let result = device_finish_inner(&s, &headers, bytes, &mut attempt).await;
    audit("device", &attempt, &result);
    result.map(|v| Json(v).into_response())
}

async fn device_finish_inner(
    s: &AppState,
    headers: &HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
    attempt: &mut Attempt,
) -> Result<Value, ApiError> {
    let (nonce, decoded, data, link) = s.finish_request(headers, bytes)?;
    if link.is_some() {
        return Err(LoginError::Malformed("a device login carries no link proof").into());
    }
    let spki = data
        .device_key_der()
        .ok_or(LoginError::Malformed("a device login names its device key"))?;
    let id = device_key_id(&spki);
    let binding = match s.store.get_device(&id).await? {
        Some(b) if !b.revoked => b,
        _ => return Err(LoginError::DeviceUnknown.into()),
    };
    let bound_key = URL_SAFE_NO_PAD
        .decode(&binding.spki)
        .map_err(|_| LoginError::DeviceUnknown)?;
    let challenge = s
        .store
        .peek_challenge(&nonce)
        .await?
        .ok_or(LoginError::UnknownChallenge)?;
    let policy = s.trust.policy();
    if let Err(refusal) = policy.check_device(&challenge, &nonce, &decoded, &bound_key, now()) {
        return Err(s.refused(&nonce, refusal).await);
    }
    s.store
        .take_challenge(&nonce)
        .await?
        .ok_or(LoginError::UnknownChallenge)?;
    // Signed by the bound key: who it is, is known from here.
    attempt.serial = Some(binding.serial.clone());
    attempt.device_id = Some(id.clone());
    // The card behind the device must still be good: revoked or expired, the device stops too.
    let certificate = binding
        .certificate
        .as_deref()
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .ok_or(LoginError::DeviceUnknown)?;
    policy.recheck_certificate(&certificate, now())?;
    let (token, expires_at) = s.token(&binding.subject, "device", Some(id.clone()))?;
    Ok(json!({
        "token": token,
        "expires_at": expires_at,
        "serial": binding.serial,
        "sub": binding.subject,
        "device_id": id,
    }))
}

/// The login secret the request's cookies carry, if any.
fn login_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LOGIN_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// A fresh browser secret (base64url).
pub(crate) fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a browser secret: its SHA-256 (base64url). Comparing hashes does
/// not leak the secret through timing.
pub(crate) fn secret_hash(secret: &str) -> String {
    use sha2::Digest;
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(secret.as_bytes()))
}

/// `GET /v1/login/status/{nonce}`: for the browser that asked for the challenge (its cookie):
/// pending, logged in (the token, once), done, or failed; for anyone else, pending or done.
/// Never cached.
pub async fn login_status(
    State(s): Shared,
    headers: HeaderMap,
    nonce: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    let result = async {
        let nonce = path(nonce)?;
        let unknown = || ApiError::new(StatusCode::NOT_FOUND, "unknown or expired login");
        if !Challenge::is_nonce(&nonce) {
            return Err(unknown());
        }
        let record = s.store.get_status(&nonce).await?.ok_or_else(unknown)?;
        let owner = login_cookie(&headers).is_some_and(|c| secret_hash(&c) == record.browser);
        Ok(match (record.status, owner) {
            (Status::Pending, _) => json!({ "state": "pending" }),
            (_, false) => json!({ "state": "done" }),
            (Status::LoggedIn { serial }, true) => match s.store.take_token(&nonce).await? {
                Some(token) => json!({ "state": "logged_in", "token": token, "serial": serial }),
                None => json!({ "state": "done" }),
            },
            (Status::Failed { reason }, true) => json!({ "state": "failed", "reason": reason }),
        })
    }
    .await;
    match result {
        Ok(v) => Ok((no_store, Json(v)).into_response()),
        Err(e) => Ok((no_store, e).into_response()),
    }
}

/// True when `id` has the shape of a device id (base64url SHA-256).
fn is_device_id(id: &str) -> bool {
    id.len() == 43 && URL_SAFE_NO_PAD.decode(id).is_ok_and(|b| b.len() == 32)
}

/// `DELETE /v1/devices/{device_id}`: the card's holder revokes one of their devices.
pub async fn delete_device(
    State(s): Shared,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let claims = s.bearer(&headers).await?;
    let id = path(id)?;
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, "unknown device");
    if !is_device_id(&id) {
        return Err(unknown());
    }
    let binding = s.store.get_device(&id).await?.ok_or_else(unknown)?;
    if binding.subject != claims.sub {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this device is bound to another card",
        ));
    }
    s.store.revoke_device(&id).await?;
    tracing::info!(target: AUDIT, event = "device_revoked", by = "user", serial = %claims.sub, device_id = %id);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/high-assurance`: an example of an operation only a card login may do.
pub async fn high_assurance(State(s): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let claims = s.bearer(&headers).await?;
    if !claims.amr.iter().any(|m| m == "card") {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this operation needs the card",
        ));
    }
    let serial = crate::session::serial_of(&claims.sub);
    Ok(Json(
        json!({ "ok": true, "sub": claims.sub, "serial": serial }),
    ))
}

/// `GET /.well-known/jwks.json`: the session token key.
pub async fn jwks(State(s): Shared) -> Json<Value> {
    Json(s.key.jwks())
}

/// `GET /healthz`.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "ok": true }))
}

/// Anything else.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not found")
}
