//! `kazasu`: the My Number Card from the command line.

mod args;
mod commands;
mod exit;
mod output;
mod progress;
mod prompt;
mod reader;
mod session;

use clap::Parser;

use crate::args::Cli;

/// Restores the default SIGPIPE action, so that `kazasu … | head` ends quietly instead of
/// panicking on a closed standard output (Rust ignores SIGPIPE by default).
fn quiet_on_closed_pipe() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: setting the default disposition installs no handler code.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
}

fn main() {
    quiet_on_closed_pipe();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KAZASU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    let cli = Cli::parse();
    let code = match commands::run(&cli) {
        Ok(()) => exit::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", output::escape_controls(&exit::describe(&err)));
            exit::code_for(&err)
        }
    };
    std::process::exit(code);
}
