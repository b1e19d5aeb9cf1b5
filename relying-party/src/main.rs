//! `kazasu-rp`: serve logins with the My Number Card, revoke a device binding, or write a
//! starting configuration.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kazasu_rp::{Config, open_store};

/// A relying party for "log in with the My Number Card".
#[derive(Parser)]
#[command(name = "kazasu-rp", version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// The configuration file (TOML) to serve with.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve (the default when only --config is given).
    Serve {
        /// The configuration file (TOML).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Revoke a device binding server-side (needs the shared Redis store).
    RevokeDevice {
        /// The configuration file (TOML).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The device id (as returned at the card login that bound it). Ids are base64url and may
        /// start with '-', so they are never taken for an option.
        #[arg(allow_hyphen_values = true)]
        device_id: String,
    },
    /// Manage the OpenID Connect clients registered in a configuration file.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Print a starting configuration to standard output.
    GenConfig {
        /// The authentication CA certificate (PEM or DER).
        #[arg(long, value_name = "PEM")]
        auth_ca: PathBuf,
        /// The authentication CA's CRL (PEM or DER).
        #[arg(long, value_name = "PEM")]
        crl: PathBuf,
        /// A Redis shared by several instances.
        #[arg(long, value_name = "URL")]
        redis: Option<String>,
        /// Where to listen.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: String,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Register a client: appended to the file as an `[[oidc.clients]]` table (comments kept,
    /// the result checked, written atomically). With --secret, a random client secret is made
    /// and printed once (the file keeps its SHA-256); with --jwks, the client authenticates
    /// with private_key_jwt under those keys.
    Add {
        /// The configuration file (TOML) to add the client to.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The client id.
        #[arg(long)]
        id: String,
        /// A name shown on the authorization page.
        #[arg(long)]
        name: Option<String>,
        /// A redirect URI (repeatable; matched exactly).
        #[arg(long = "redirect-uri", value_name = "URI", required = true)]
        redirect_uris: Vec<String>,
        /// A post-logout redirect URI (repeatable).
        #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
        post_logout_redirect_uris: Vec<String>,
        /// Authenticate with client_secret_basic: make a secret and print it.
        #[arg(long, conflicts_with = "jwks", required_unless_present = "jwks")]
        secret: bool,
        /// Authenticate with private_key_jwt under the keys of this JWKS file (public keys).
        #[arg(long, value_name = "FILE")]
        jwks: Option<PathBuf>,
        /// The pairwise sector (default: the first redirect URI's host).
        #[arg(long)]
        sector: Option<String>,
    },
}

fn add_client(command: ClientCommand) -> anyhow::Result<()> {
    use kazasu_rp::oidc::clients::{AuthMethod, ClientConfig, add_to_file, secret_hash};
    let ClientCommand::Add {
        config,
        id,
        name,
        redirect_uris,
        post_logout_redirect_uris,
        secret,
        jwks,
        sector,
    } = command;
    let made_secret = secret.then(|| {
        use base64::Engine as _;
        use rand::RngCore as _;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    });
    let jwks_file = jwks
        .map(|p| std::path::absolute(&p).with_context(|| format!("cannot resolve {}", p.display())))
        .transpose()?;
    if let Some(path) = &jwks_file {
        kazasu_rp::oidc::clients::load_jwks(path)
            .with_context(|| format!("in {}", path.display()))?;
    }
    let client = ClientConfig {
        client_id: id.clone(),
        name,
        redirect_uris,
        post_logout_redirect_uris,
        token_endpoint_auth_method: if made_secret.is_some() {
            AuthMethod::ClientSecretBasic
        } else {
            AuthMethod::PrivateKeyJwt
        },
        client_secret_sha256: made_secret.as_deref().map(secret_hash),
        jwks_file,
        sector,
    };
    add_to_file(&config, &client)?;
    eprintln!("registered client {id:?} in {}", config.display());
    if let Some(secret) = made_secret {
        // Printed once, to standard output only: the file keeps its hash.
        println!("{secret}");
    }
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KAZASU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

async fn serve(path: PathBuf) -> anyhow::Result<()> {
    let config = Config::load(&path)?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let app = kazasu_rp::App::new(config, addr).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{addr}")?;
    out.flush()?;
    drop(out);
    app.serve(listener, kazasu_rp::shutdown_signal()).await
}

async fn revoke_device(path: PathBuf, device_id: String) -> anyhow::Result<()> {
    let config = Config::load(&path)?;
    if config.redis_url.is_none() {
        anyhow::bail!(
            "{} has no redis_url: the in-memory store lives inside the server; \
             revoke through DELETE /v1/devices/{{id}} instead",
            path.display()
        );
    }
    let store = open_store(&config).await?;
    if store.revoke_device(&device_id).await? {
        tracing::info!(target: kazasu_rp::api::AUDIT, event = "device_revoked", by = "server", device_id = %device_id);
        println!("revoked {device_id}");
        Ok(())
    } else {
        anyhow::bail!("no device {device_id:?}")
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    init_logging();
    let cli = Cli::parse();
    let result = match (cli.command, cli.config) {
        (Some(Command::Serve { config }), _) | (None, Some(config)) => serve(config).await,
        (Some(Command::RevokeDevice { config, device_id }), _) => {
            revoke_device(config, device_id).await
        }
        (Some(Command::Client(command)), _) => add_client(command),
        (
            Some(Command::GenConfig {
                auth_ca,
                crl,
                redis,
                listen,
            }),
            _,
        ) => {
            Config::example(&auth_ca, &crl, redis.as_deref(), &listen).map(|text| print!("{text}"))
        }
        (None, None) => Err(anyhow::anyhow!(
            "nothing to do: kazasu-rp --config FILE (see --help)"
        )),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kazasu-rp: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
