//! kazasu-rp: a relying party that lets people log in with the My Number Card.
//!
//! It issues single-use challenges, has the core verify the card's (or a bound device's)
//! assertion, and issues ES256 session tokens whose key it publishes as JWKS. Challenges live in
//! a [`store::Store`]: memory for one instance, Redis for several behind a load balancer.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let config = kazasu_rp::Config::load(std::path::Path::new("kazasu-rp.toml"))?;
//! let listener = tokio::net::TcpListener::bind(&config.listen).await?;
//! kazasu_rp::run(config, listener).await
//! # }
//! ```

pub mod api;
pub mod config;
pub mod error;
pub mod oidc;
pub mod page;
pub mod redis_store;
pub mod session;
pub mod store;
pub mod trust;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{delete, get, post};

pub use api::AppState;
pub use config::Config;
pub use session::{Claims, SessionKey};
pub use store::{MemoryStore, Store};

/// Opens the store the configuration names: Redis if `redis_url` is set, else memory.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match &config.redis_url {
        Some(url) => Arc::new(redis_store::RedisStore::connect(url).await?),
        None => Arc::new(MemoryStore::new()),
    })
}

/// The routes, over a prepared state.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/healthz", get(api::healthz))
        .route("/.well-known/jwks.json", get(api::jwks))
        .route("/v1/login/challenge", post(api::login_challenge))
        .route("/v1/login/challenge/{nonce}", get(api::get_challenge))
        .route("/v1/login/challenge/{nonce}/qr.svg", get(api::challenge_qr))
        .route("/v1/login/finish", post(api::login_finish))
        .route("/v1/login/status/{nonce}", get(api::login_status))
        .route("/v1/device/challenge", post(api::device_challenge))
        .route("/v1/device/finish", post(api::device_finish))
        .route("/v1/devices/{device_id}", delete(api::delete_device))
        .route("/v1/high-assurance", get(api::high_assurance))
        .merge(oidc::routes())
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(api::MAX_BODY))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// The Content-Security-Policy of every response that sets none of its own (the API's JSON
/// and the QR code): nothing may load from it, and no page may frame it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds to every response (errors and the 404 fallback included): a Content-Security-Policy
/// with `frame-ancestors 'none'` (the page sets its own, which says so too) and
/// `X-Frame-Options: DENY` so that no other site can frame the login page (clickjacking);
/// `X-Content-Type-Options: nosniff`; and `Referrer-Policy: no-referrer`, so that the URLs,
/// which carry nonces, are not sent to other sites.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(API_CSP));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// A configured server, before and while it serves: tests keep a clone to force a CRL refresh.
#[derive(Clone)]
pub struct App {
    state: Arc<AppState>,
}

impl App {
    /// Loads the trust anchors, CRLs and session key and opens the store; `bound` is the
    /// listening address (for the default public URL and origin).
    pub async fn new(config: Config, bound: SocketAddr) -> anyhow::Result<App> {
        let store = open_store(&config).await?;
        App::with_store(config, bound, store).await
    }

    /// Like [`App::new`] with a store made by the caller.
    pub async fn with_store(
        config: Config,
        bound: SocketAddr,
        store: Arc<dyn Store>,
    ) -> anyhow::Result<App> {
        let public_url = config.public_url_for(bound);
        let origin = config.origin.clone().unwrap_or_else(|| public_url.clone());
        let mut trust = trust::Trust::load(&config).await?;
        trust.set_default_origin(&origin);
        if !trust.policy().allowed_origins.contains(&origin) {
            anyhow::bail!(
                "the origin {origin:?} challenges are issued for is not in allowed_origins: \
                 every login would be refused"
            );
        }
        let key = SessionKey::load_or_create(&config.resolve(&config.session_key))?;
        let oidc = oidc::Provider::load(&config, &public_url)?;
        Ok(App {
            state: Arc::new(AppState {
                config,
                public_url,
                origin,
                trust: Arc::new(trust),
                store,
                key,
                oidc,
            }),
        })
    }

    /// The shared state.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// The routes.
    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Re-reads the CRLs now (the background task does it every `crl_refresh_seconds`).
    pub async fn refresh_crls(&self) {
        self.state.trust.refresh().await;
    }

    /// Serves on `listener` until `shutdown` completes, refreshing the CRLs in the background.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let period = Duration::from_secs(self.state.config.crl_refresh_seconds);
        let refresher = self.state.trust.spawn_refresh(period);
        let result = axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await;
        refresher.abort();
        Ok(result?)
    }
}

/// Serves `config` on `listener` until Ctrl-C or SIGTERM.
pub async fn run(config: Config, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = App::new(config, listener.local_addr()?).await?;
    app.serve(listener, shutdown_signal()).await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
