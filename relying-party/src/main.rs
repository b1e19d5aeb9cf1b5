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
