//! What the handlers ask of the server's state: issuing challenges, taking them once, checking
//! assertions against the trust anchors, issuing and recording sessions and device bindings.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kazasu_core::login::{Challenge, ClientData, DecodedAssertion, LoginError, device_key_id};
use p256::pkcs8::DecodePublicKey;
use serde_json::json;

use super::request::{ChallengeRequest, FinishRequest, body, parse_json};
use super::{
    AUDIT, AppState, GRACE, LOGIN_COOKIE, STATUS_KEEP, new_secret, now, secret_hash, ttl_secs,
};
use crate::error::ApiError;
use crate::session::{Claims, new_jti};
use crate::store::{DeviceBinding, Status, StatusRecord};

impl AppState {
    pub(crate) fn challenge_url(&self, nonce: &str) -> String {
        format!("{}/v1/login/challenge/{nonce}", self.public_url)
    }

    pub(super) async fn issue(
        &self,
        headers: &HeaderMap,
        bytes: Result<Bytes, BytesRejection>,
        with_status: bool,
    ) -> Result<Response, ApiError> {
        let bytes = body(bytes)?;
        let request: ChallengeRequest = parse_json(headers, &bytes, true)?;
        let origin = match request.origin {
            None => self.origin.clone(),
            Some(o) if self.trust.policy().allowed_origins.contains(&o) => o,
            Some(_) => return Err(ApiError::new(StatusCode::FORBIDDEN, "origin not allowed")),
        };
        let ttl = self.config.challenge_ttl_seconds;
        let challenge = Challenge::new(&self.config.rp_id, &origin, now(), ttl);
        let keep = ttl_secs(ttl) + GRACE;
        self.store.put_challenge(&challenge, keep).await?;
        let mut cookie = None;
        if with_status {
            let secret = new_secret();
            let record = StatusRecord {
                status: Status::Pending,
                browser: secret_hash(&secret),
            };
            if let Err(e) = self
                .store
                .set_status(&challenge.nonce, &record, None, keep)
                .await
            {
                // No status, no login: the challenge goes too.
                let _ = self.store.take_challenge(&challenge.nonce).await;
                return Err(e.into());
            }
            let secure = if self.public_url.starts_with("https://") {
                "; Secure"
            } else {
                ""
            };
            let value = format!(
                "{LOGIN_COOKIE}={secret}; Path=/v1/login/status/{}; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
                challenge.nonce,
                (keep + STATUS_KEEP).as_secs()
            );
            cookie = HeaderValue::from_str(&value).ok();
        }
        let url = self.challenge_url(&challenge.nonce);
        let mut response = (
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Json(json!({ "challenge": challenge, "challenge_url": url })),
        )
            .into_response();
        if let Some(cookie) = cookie {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        Ok(response)
    }

    /// The request checked in full before the store is touched: size, JSON shape, the nonce,
    /// the assertion's encoding, and the signed client data (parsed strictly by the core), which
    /// must name the same nonce: a request for one challenge cannot burn another's.
    pub(super) fn finish_request(
        &self,
        headers: &HeaderMap,
        bytes: Result<Bytes, BytesRejection>,
    ) -> Result<
        (
            String,
            DecodedAssertion,
            ClientData,
            Option<DecodedAssertion>,
        ),
        ApiError,
    > {
        let bytes = body(bytes)?;
        let request: FinishRequest = parse_json(headers, &bytes, false)?;
        if !Challenge::is_nonce(&request.nonce) {
            return Err(LoginError::Malformed("nonce is not a nonce").into());
        }
        let decoded = request.assertion.decode()?;
        let data = ClientData::parse_strict(&decoded.client_data)?;
        if data.nonce != request.nonce {
            return Err(LoginError::NonceMismatch.into());
        }
        let link = request.link.as_ref().map(|l| l.decode()).transpose()?;
        Ok((request.nonce, decoded, data, link))
    }

    /// A session token for the card `subject` (see [`subject_id`]).
    pub(super) fn token(
        &self,
        subject: &str,
        amr: &str,
        device_id: Option<String>,
    ) -> Result<(String, i64), ApiError> {
        let iat = now();
        let exp = iat + self.config.session_ttl_seconds;
        let claims = Claims {
            iss: self.config.rp_id.clone(),
            aud: self.config.rp_id.clone(),
            sub: subject.to_owned(),
            iat,
            exp,
            amr: vec![amr.to_owned()],
            device_id,
            jti: new_jti(),
        };
        Ok((self.key.sign(&claims)?, exp))
    }

    /// Binds the device key a card login asked for; returns its id if it is bound to this card.
    pub(super) async fn bind(
        &self,
        serial: &str,
        subject: &str,
        spki: &[u8],
        certificate: &[u8],
    ) -> Result<Option<String>, ApiError> {
        if p256::ecdsa::VerifyingKey::from_public_key_der(spki).is_err() {
            tracing::warn!(target: AUDIT, serial, "device key is not a P-256 key: not bound");
            return Ok(None);
        }
        let id = device_key_id(spki);
        let spki = URL_SAFE_NO_PAD.encode(spki);
        let binding = DeviceBinding {
            serial: serial.to_owned(),
            subject: subject.to_owned(),
            spki: spki.clone(),
            created: now(),
            revoked: false,
            certificate: Some(URL_SAFE_NO_PAD.encode(certificate)),
        };
        if self.store.put_device(&id, &binding).await? {
            tracing::info!(target: AUDIT, event = "device_bound", serial, device_id = %id);
            return Ok(Some(id));
        }
        match self.store.get_device(&id).await? {
            Some(b) if b.subject == subject && b.spki == spki && !b.revoked => Ok(Some(id)),
            _ => {
                tracing::warn!(target: AUDIT, serial, device_id = %id, "device key revoked or bound to another card: not bound");
                Ok(None)
            }
        }
    }

    /// The claims of a valid bearer token. A device token also needs its device still bound
    /// and the card it was bound with still good by the current CRL: revoking either stops
    /// tokens already issued, not only new logins.
    pub(super) async fn bearer(&self, headers: &HeaderMap) -> Result<Claims, ApiError> {
        let value = headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing bearer token"))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "malformed token"))?;
        let claims = self.key.verify(token.trim(), &self.config.rp_id, now())?;
        if claims.amr.iter().any(|m| m == "device") {
            let stopped = || ApiError::new(StatusCode::UNAUTHORIZED, "this device was revoked");
            let id = claims.device_id.as_deref().ok_or_else(stopped)?;
            let binding = self.store.get_device(id).await?.ok_or_else(stopped)?;
            if binding.revoked || binding.subject != claims.sub {
                return Err(stopped());
            }
            let certificate = binding
                .certificate
                .as_deref()
                .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
                .ok_or_else(stopped)?;
            self.trust
                .policy()
                .recheck_certificate(&certificate, now())?;
        }
        Ok(claims)
    }
}
