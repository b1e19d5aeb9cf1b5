//! `GET /oidc/end_session` (RP-initiated logout). The provider keeps no login session of its
//! own (every login reads the card again), so there is nothing to end here: the person is sent
//! back to the client's registered `post_logout_redirect_uri` (with `state`), or shown a page.
//! The client is named by `client_id` or by the `aud` of an `id_token_hint` this provider
//! signed (expired ones too: that is what a hint after the session usually is).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::errors::with_query;
use super::page;
use super::token::IdToken;
use crate::api::AppState;

/// The end-session endpoint.
pub async fn end_session(State(s): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let bad = |text: &str| page::message(StatusCode::BAD_REQUEST, "Cannot log out", text);
    if query.len() > super::authorize::MAX_QUERY {
        return bad("the request is too large");
    }
    let mut params = std::collections::HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if params.insert(k.into_owned(), v.into_owned()).is_some() {
            return bad("a parameter is repeated");
        }
    }
    let hinted = match params.get("id_token_hint") {
        Some(hint) => match s.key.verify_claims::<IdToken>(hint, "JWT") {
            Ok(claims) if claims.iss == s.oidc.issuer => Some(claims.aud),
            _ => return bad("id_token_hint is not an ID token of this provider"),
        },
        None => None,
    };
    let client_id = match (params.get("client_id"), hinted) {
        (Some(a), Some(b)) if *a != b => return bad("client_id and id_token_hint disagree"),
        (Some(a), _) => Some(a.clone()),
        (None, b) => b,
    };
    let Some(uri) = params.get("post_logout_redirect_uri") else {
        return page::message(StatusCode::OK, "Logged out", "You can close this page.");
    };
    let client = client_id.and_then(|id| s.oidc.clients.get(&id));
    let Some(client) = client else {
        return bad("post_logout_redirect_uri needs client_id or id_token_hint");
    };
    if !client
        .config
        .post_logout_redirect_uris
        .iter()
        .any(|u| u == uri)
    {
        return bad("post_logout_redirect_uri is not one this client registered");
    }
    let location = match params.get("state") {
        Some(state) => with_query(uri, &[("state", state.as_str())]),
        None => uri.clone(),
    };
    Redirect::to(&location).into_response()
}
