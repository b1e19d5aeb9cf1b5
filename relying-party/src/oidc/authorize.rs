//! The authorization endpoint and the cross-device flow that follows it.
//!
//! `GET /oidc/authorize` checks the client and its redirect URI first (an unknown client or an
//! unregistered URI gets an error page: nothing is ever sent to a URI the client did not
//! register), then the rest of the request (errors go back to the registered URI), issues an
//! ordinary login challenge, and answers with the page: a QR code of the challenge URL for the
//! phone, a `kazasu://` link for this computer, and a random secret in a cookie
//! (HttpOnly, SameSite=Lax, Secure over https, scoped to this login's continue URL).
//!
//! The card answers the challenge through `POST /v1/login/finish` ([`card_logged_in`] and
//! [`card_refused`] record the outcome). `GET /oidc/status/{nonce}` tells anyone only
//! `pending` or `done`; `GET /oidc/continue/{nonce}` gives the code, by redirect, only to the
//! browser with the cookie.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kazasu_core::login::{CardLogin, Challenge};
use serde_json::json;

use super::codes::{self, AuthRequest, CodeGrant, Progress};
use super::errors::{AuthorizeError, Code, OAuthError, with_query};
use super::page::{self, AuthorizePage};
use super::{RegisteredClient, accounts};
use crate::api::{AppState, now};
use crate::store::StoreError;

/// The cookie binding an authorization to the browser that opened its page.
pub const COOKIE: &str = "kazasu_oidc";
/// The longest query string the authorization endpoint reads (bytes).
pub const MAX_QUERY: usize = 8192;
/// The longest `state` or `nonce` accepted (characters).
pub const MAX_STATE: usize = 512;
/// How long past the challenge's expiry an authorization request is kept, so a late browser
/// hears "expired" from the client rather than "unknown".
const KEEP_AFTER: Duration = Duration::from_secs(300);

type Shared = State<Arc<AppState>>;

/// The query's parameters; a repeated one is an error (RFC 6749 §3.1).
fn parameters(query: Option<String>) -> Result<HashMap<String, String>, &'static str> {
    let query = query.unwrap_or_default();
    if query.len() > MAX_QUERY {
        return Err("the request is too large");
    }
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if map.insert(k.into_owned(), v.into_owned()).is_some() {
            return Err("a parameter is repeated");
        }
    }
    Ok(map)
}

/// `GET /oidc/authorize`.
pub async fn authorize(
    State(s): Shared,
    RawQuery(query): RawQuery,
) -> Result<Response, AuthorizeError> {
    let params = parameters(query).map_err(|e| AuthorizeError::page(StatusCode::BAD_REQUEST, e))?;
    let provider = &s.oidc;
    let client_id = params.get("client_id").ok_or_else(|| {
        AuthorizeError::page(StatusCode::BAD_REQUEST, "the request names no client")
    })?;
    let client = provider.clients.get(client_id).ok_or_else(|| {
        AuthorizeError::page(
            StatusCode::BAD_REQUEST,
            "the request is from an unknown client",
        )
    })?;
    let redirect_uri = params.get("redirect_uri").ok_or_else(|| {
        AuthorizeError::page(StatusCode::BAD_REQUEST, "the request names no redirect_uri")
    })?;
    if !client.allows_redirect(redirect_uri) {
        return Err(AuthorizeError::page(
            StatusCode::BAD_REQUEST,
            "the redirect_uri is not one this client registered",
        ));
    }
    // From here on, errors go back to the client at its registered URI.
    let state = params.get("state").cloned();
    let back = |code: Code, description: &str| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.clone(),
        error: OAuthError::new(code, description),
        state: state.clone(),
        issuer: provider.issuer.clone(),
    };
    let request = checked_request(&params, client, redirect_uri).map_err(|(c, d)| back(c, d))?;
    start(&s, client, request).await
}

/// The rest of the request, checked: an error code and description otherwise.
fn checked_request(
    params: &HashMap<String, String>,
    client: &RegisteredClient,
    redirect_uri: &str,
) -> Result<AuthRequest, (Code, &'static str)> {
    let get = |k: &str| params.get(k).map(String::as_str);
    if get("request").is_some() || get("request_uri").is_some() {
        return Err((
            Code::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    match get("response_type") {
        Some("code") => {}
        None => return Err((Code::InvalidRequest, "response_type is required")),
        Some(_) => {
            return Err((
                Code::UnsupportedResponseType,
                "only the authorization code flow (response_type=code) is supported",
            ));
        }
    }
    if get("response_mode").is_some_and(|m| m != "query") {
        return Err((
            Code::InvalidRequest,
            "only response_mode=query is supported",
        ));
    }
    let scope = get("scope").unwrap_or_default();
    if !scope.split(' ').any(|s| s == "openid") {
        return Err((Code::InvalidScope, "the scope must include openid"));
    }
    let state = get("state").unwrap_or_default();
    if state.is_empty() || state.len() > MAX_STATE {
        return Err((
            Code::InvalidRequest,
            "state is required (at most 512 characters)",
        ));
    }
    let nonce = get("nonce").unwrap_or_default();
    if nonce.is_empty() || nonce.len() > MAX_STATE {
        return Err((
            Code::InvalidRequest,
            "nonce is required (at most 512 characters)",
        ));
    }
    if get("code_challenge_method") != Some("S256") {
        return Err((
            Code::InvalidRequest,
            "PKCE with code_challenge_method=S256 is required",
        ));
    }
    let code_challenge = get("code_challenge").unwrap_or_default();
    if !codes::is_pkce_text(code_challenge) {
        return Err((
            Code::InvalidRequest,
            "code_challenge is missing or malformed",
        ));
    }
    if get("prompt").is_some_and(|p| p.split(' ').any(|v| v == "none")) {
        return Err((Code::LoginRequired, "a card login always needs the person"));
    }
    Ok(AuthRequest {
        client_id: client.config.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scope: scope.to_owned(),
        state: state.to_owned(),
        nonce: nonce.to_owned(),
        code_challenge: code_challenge.to_owned(),
        browser: String::new(),
        personal: super::claims::personal_scopes(scope),
        consent: None,
        progress: Progress::Pending,
    })
}

/// Issues the login challenge, keeps the request, and answers with the page and its cookie.
async fn start(
    s: &AppState,
    client: &RegisteredClient,
    mut request: AuthRequest,
) -> Result<Response, AuthorizeError> {
    let ttl = s.config.challenge_ttl_seconds;
    let challenge = Challenge::new(&s.config.rp_id, &s.origin, now(), ttl);
    let keep = Duration::from_secs(u64::try_from(ttl).unwrap_or(0)) + KEEP_AFTER;
    s.store.put_challenge(&challenge, keep).await?;
    let secret = crate::api::new_secret();
    request.browser = crate::api::secret_hash(&secret);
    if let Err(e) = codes::put_request(s.store.as_ref(), &challenge.nonce, &request, keep).await {
        let _ = s.store.take_challenge(&challenge.nonce).await;
        return Err(e.into());
    }
    let secure = if s.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={secret}; Path=/oidc/continue/{}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        challenge.nonce,
        keep.as_secs()
    );
    let cookie = HeaderValue::from_str(&cookie)
        .map_err(|_| AuthorizeError::page(StatusCode::INTERNAL_SERVER_ERROR, "cookie"))?;
    if !request.personal.is_empty() {
        let items: Vec<&str> = request
            .personal
            .iter()
            .map(|p| super::claims::describe(p))
            .collect();
        return Ok(page::consent(
            client_name(client),
            &challenge.nonce,
            &items,
            cookie,
        ));
    }
    Ok(login(s, client, &challenge.nonce, &request, Some(cookie)))
}

fn client_name(client: &RegisteredClient) -> &str {
    client
        .config
        .name
        .as_deref()
        .unwrap_or(&client.config.client_id)
}

/// The consented personal scopes' descriptions.
fn released(request: &AuthRequest) -> Vec<&'static str> {
    if request.consent == Some(true) {
        request
            .personal
            .iter()
            .map(|p| super::claims::describe(p))
            .collect()
    } else {
        Vec::new()
    }
}

/// The page with the QR code, the `kazasu://` link and the status poll.
fn login(
    s: &AppState,
    client: &RegisteredClient,
    nonce: &str,
    request: &AuthRequest,
    cookie: Option<HeaderValue>,
) -> Response {
    let challenge_url = s.challenge_url(nonce);
    let qr = qrcode::QrCode::new(challenge_url.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    let app_link = with_query("kazasu://login", &[("url", challenge_url.as_str())]);
    let released = released(request);
    page::authorize(AuthorizePage {
        client: client_name(client),
        nonce,
        challenge_url: &challenge_url,
        qr_svg: &qr,
        app_link: &app_link,
        cookie,
        released: &released,
    })
}

/// The authorization request of `nonce` if the request comes from the browser that opened it.
async fn owned(
    s: &AppState,
    headers: &HeaderMap,
    nonce: &str,
) -> Result<AuthRequest, AuthorizeError> {
    let request = codes::get_request(s.store.as_ref(), nonce)
        .await?
        .ok_or_else(unknown)?;
    let owner =
        cookie_value(headers).is_some_and(|c| crate::api::secret_hash(&c) == request.browser);
    if !owner {
        tracing::info!(target: crate::api::AUDIT, event = "oidc_continue_refused", client_id = %request.client_id, "not the browser that started");
        return Err(AuthorizeError::page(
            StatusCode::FORBIDDEN,
            "this login was started in another browser: only that browser can continue it",
        ));
    }
    Ok(request)
}

/// `POST /oidc/continue/{nonce}/consent`: the holder's answer (`decision=allow` or `deny`),
/// from the browser that opened the page; then the QR page.
pub async fn consent(
    State(s): Shared,
    headers: HeaderMap,
    nonce: Result<Path<String>, PathRejection>,
    body: axum::body::Bytes,
) -> Result<Response, AuthorizeError> {
    let nonce = nonce_of(nonce).ok_or_else(unknown)?;
    let mut request = owned(&s, &headers, &nonce).await?;
    let decision = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "decision")
        .map(|(_, v)| v.into_owned());
    let allow = match decision.as_deref() {
        Some("allow") => true,
        Some("deny") => false,
        _ => {
            return Err(AuthorizeError::page(
                StatusCode::BAD_REQUEST,
                "the consent form was not answered",
            ));
        }
    };
    if request.personal.is_empty()
        || request.consent.is_some()
        || request.progress != Progress::Pending
    {
        return Err(AuthorizeError::page(
            StatusCode::CONFLICT,
            "this login has no question to answer",
        ));
    }
    request.consent = Some(allow);
    codes::put_request_again(s.store.as_ref(), &nonce, &request, progress_ttl(&s)).await?;
    tracing::info!(target: crate::api::AUDIT, event = "oidc_consent", client_id = %request.client_id, allow, scopes = %request.personal.join(" "));
    Ok(Redirect::to(&format!("/oidc/continue/{nonce}/login")).into_response())
}

/// `GET /oidc/continue/{nonce}/login`: the QR page again, for the browser that opened it, once
/// the consent question (if any) is answered.
pub async fn login_page(
    State(s): Shared,
    headers: HeaderMap,
    nonce: Result<Path<String>, PathRejection>,
) -> Result<Response, AuthorizeError> {
    let nonce = nonce_of(nonce).ok_or_else(unknown)?;
    let request = owned(&s, &headers, &nonce).await?;
    if !request.personal.is_empty() && request.consent.is_none() {
        return Err(AuthorizeError::page(
            StatusCode::CONFLICT,
            "answer the consent question first",
        ));
    }
    let client = s.oidc.clients.get(&request.client_id).ok_or_else(unknown)?;
    Ok(login(&s, client, &nonce, &request, None))
}

/// `GET /oidc/request/{nonce}`: for the phone, who asks and what will be released (the
/// consented scopes), so that it shows them and asks the signing PIN only then; 409 while the
/// browser has not answered the consent question.
pub async fn request_info(
    State(s): Shared,
    nonce: Result<Path<String>, PathRejection>,
) -> Result<Response, crate::error::ApiError> {
    let unknown = || crate::error::ApiError::new(StatusCode::NOT_FOUND, "unknown login");
    let nonce = nonce_of(nonce).ok_or_else(unknown)?;
    let request = codes::get_request(s.store.as_ref(), &nonce)
        .await?
        .ok_or_else(unknown)?;
    if !request.personal.is_empty() && request.consent.is_none() {
        return Err(crate::error::ApiError::new(
            StatusCode::CONFLICT,
            "the consent question in the browser is not answered yet",
        ));
    }
    let client = s.oidc.clients.get(&request.client_id).ok_or_else(unknown)?;
    let scopes: Vec<&String> = if request.consent == Some(true) {
        request.personal.iter().collect()
    } else {
        Vec::new()
    };
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(json!({ "client": client_name(client), "claims": scopes })),
    )
        .into_response())
}

/// Before a card login of `nonce` is accepted: whether it must carry a signing-certificate
/// proof (the holder consented to release personal data), or cannot be accepted yet (the
/// consent question is not answered).
pub async fn proof_needed(s: &AppState, nonce: &str) -> Result<bool, crate::error::ApiError> {
    let Some(request) = codes::get_request(s.store.as_ref(), nonce).await? else {
        return Ok(false);
    };
    if request.personal.is_empty() {
        return Ok(false);
    }
    match request.consent {
        None => Err(crate::error::ApiError::new(
            StatusCode::CONFLICT,
            "the consent question in the browser is not answered yet",
        )),
        Some(allow) => Ok(allow),
    }
}

fn unknown() -> AuthorizeError {
    AuthorizeError::page(
        StatusCode::BAD_REQUEST,
        "this login is unknown, expired or already used: go back to the service and start again",
    )
}

fn nonce_of(nonce: Result<Path<String>, PathRejection>) -> Option<String> {
    nonce
        .ok()
        .map(|Path(n)| n)
        .filter(|n| Challenge::is_nonce(n))
}

/// `GET /oidc/status/{nonce}`: `pending` or `done`, nothing more, to anyone; never cached.
pub async fn status(State(s): Shared, nonce: Result<Path<String>, PathRejection>) -> Response {
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    let Some(nonce) = nonce_of(nonce) else {
        return (
            StatusCode::NOT_FOUND,
            no_store,
            Json(json!({"error": "unknown login"})),
        )
            .into_response();
    };
    match codes::get_request(s.store.as_ref(), &nonce).await {
        Ok(Some(r)) => {
            let state = if r.progress == Progress::Pending {
                "pending"
            } else {
                "done"
            };
            (no_store, Json(json!({ "state": state }))).into_response()
        }
        Ok(None) => (
            StatusCode::NOT_FOUND,
            no_store,
            Json(json!({"error": "unknown login"})),
        )
            .into_response(),
        Err(e) => (no_store, crate::error::ApiError::from(e)).into_response(),
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// `GET /oidc/continue/{nonce}`: for the browser that opened the page (its cookie), the
/// redirect to the client with the code (or the refusal); for anyone else an error page, and
/// the login stays where it is.
pub async fn resume(
    State(s): Shared,
    headers: HeaderMap,
    nonce: Result<Path<String>, PathRejection>,
) -> Result<Response, AuthorizeError> {
    let nonce = nonce_of(nonce).ok_or_else(unknown)?;
    let store = s.store.as_ref();
    let request = codes::get_request(store, &nonce)
        .await?
        .ok_or_else(unknown)?;
    let owner =
        cookie_value(&headers).is_some_and(|c| crate::api::secret_hash(&c) == request.browser);
    if !owner {
        tracing::info!(target: crate::api::AUDIT, event = "oidc_continue_refused", client_id = %request.client_id, "not the browser that started");
        return Err(AuthorizeError::page(
            StatusCode::FORBIDDEN,
            "this login was started in another browser: only that browser can continue it",
        ));
    }
    if request.progress == Progress::Pending {
        return Ok(page::message(
            StatusCode::CONFLICT,
            "Still waiting",
            "The card has not answered yet: go back and wait for it.",
        ));
    }
    // Taken once: a second continue finds nothing.
    let request = codes::take_request(store, &nonce)
        .await?
        .ok_or_else(unknown)?;
    let provider = &s.oidc;
    let iss = provider.issuer.as_str();
    let location = match request.progress {
        Progress::Done {
            account,
            auth_time,
            claims,
        } => {
            let grant = CodeGrant {
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                scope: request.scope.clone(),
                nonce: request.nonce.clone(),
                code_challenge: request.code_challenge.clone(),
                account,
                auth_time,
                expires_at: now() + provider.code_ttl,
                claims,
            };
            let ttl = Duration::from_secs(u64::try_from(provider.code_ttl).unwrap_or(1));
            let code = codes::issue_code(store, &grant, ttl).await?;
            tracing::info!(target: crate::api::AUDIT, event = "oidc_code_issued", client_id = %request.client_id);
            with_query(
                &request.redirect_uri,
                &[("code", &code), ("state", &request.state), ("iss", iss)],
            )
        }
        Progress::Failed { reason } => with_query(
            &request.redirect_uri,
            &[
                ("error", Code::AccessDenied.as_str()),
                ("error_description", &reason),
                ("state", &request.state),
                ("iss", iss),
            ],
        ),
        Progress::Pending => return Err(unknown()),
    };
    let mut response = Redirect::to(&location).into_response();
    let clear =
        format!("{COOKIE}=; Path=/oidc/continue/{nonce}; Max-Age=0; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

fn progress_ttl(s: &AppState) -> Duration {
    Duration::from_secs(u64::try_from(s.config.challenge_ttl_seconds).unwrap_or(0)) + KEEP_AFTER
}

/// Called by the card finish once the card's login was accepted and its challenge taken: if
/// the challenge belongs to an authorization request, the request is done, for the account
/// the certificate logs in to.
pub async fn card_logged_in(
    s: &AppState,
    nonce: &str,
    login: &CardLogin,
    holder: Option<&kazasu_core::login::LinkedHolder>,
) -> Result<(), StoreError> {
    let store = s.store.as_ref();
    let Some(request) = codes::get_request(store, nonce).await? else {
        return Ok(());
    };
    let certificate = crate::session::subject_id(&login.issuer, &login.serial);
    let holder_key = holder.map(|h| s.oidc.pairwise_key.holder_key(h));
    let account = accounts::account_for(store, &certificate, holder_key.as_deref(), now()).await?;
    // Personal claims only for what the holder consented to, from the verified proof.
    let claims = match (&request.consent, holder) {
        (Some(true), Some(holder)) => Some(super::claims::claims(holder, &request.personal)),
        _ => None,
    };
    let done = Progress::Done {
        account,
        auth_time: now(),
        claims,
    };
    codes::set_progress(store, nonce, done, progress_ttl(s)).await
}

/// Called when a validly signed card login was refused (revoked, expired, wrong origin…): the
/// authorization request, if any, fails with that reason.
pub async fn card_refused(s: &AppState, nonce: &str, reason: &str) -> Result<(), StoreError> {
    let failed = Progress::Failed {
        reason: reason.to_owned(),
    };
    codes::set_progress(s.store.as_ref(), nonce, failed, progress_ttl(s)).await
}
