//! `kazasu-sim serve`: puts the card behind real reader stacks (vpcd, a PN532 on a pty, TCP) and
//! takes `remove` / `insert` / `tear [INS]` / `status` / `quit` lines on standard input.

use std::io::{BufRead, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use kazasu_sim::MY_NUMBER_CARD_ATR;
use kazasu_sim::frontend::latency;
use kazasu_sim::frontend::pn532::{Pn532, pty::PtyLink};
use kazasu_sim::frontend::slot::lock;
use kazasu_sim::frontend::{CardSlot, SharedSlot, Tear, tcp, vpcd};

#[derive(Args)]
pub struct ServeArgs {
    /// Plug the card into pcscd's virtual reader (vsmartcard-vpcd) at HOST:PORT.
    #[arg(long, value_name = "HOST:PORT", num_args = 0..=1, default_missing_value = vpcd::DEFAULT_ADDRESS)]
    vpcd: Option<String>,
    /// Emulate a PN532 on a pseudo-terminal, for libnfc's `pn532_uart` driver.
    #[arg(long)]
    pn532: bool,
    /// With --pn532: also make a symlink to the pseudo-terminal here.
    #[arg(long, value_name = "PATH", requires = "pn532")]
    link: Option<PathBuf>,
    /// Serve the card over TCP at ADDR (e.g. 127.0.0.1:35970; port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
    /// The answer to reset the card reports, in hex (default: a My Number Card's, 3BE000FF8131FE4514).
    #[arg(long, value_parser = parse_hex)]
    atr: Option<Vec<u8>>,
    /// Start with the card away from the reader (type `insert` to put it on).
    #[arg(long)]
    removed: bool,
    /// How long the card takes to answer: `card` (a My Number Card over NFC: about a second
    /// per signature, a few milliseconds per read) or `none` (at once, the default).
    #[arg(long, value_name = "MODEL", default_value = "none", value_parser = ["card", "none"])]
    latency: String,
}

fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let bytes = hex::decode(s.replace([' ', ':'], "")).map_err(|e| format!("not hex: {e}"))?;
    if bytes.len() < 2 || bytes.len() > 33 {
        return Err("an ATR is 2 to 33 bytes".to_owned());
    }
    Ok(bytes)
}

static SIGNALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: nix::libc::c_int) {
    SIGNALLED.store(true, Ordering::Relaxed);
}

fn install_signal_handlers() -> Result<()> {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { sigaction(sig, &action) }.context("installing signal handlers")?;
    }
    Ok(())
}

/// Runs the chosen front-ends on the card at `card` until `quit`, end of input plus a signal, or a signal.
pub fn serve(card: &Path, args: ServeArgs) -> Result<()> {
    if args.vpcd.is_none() && !args.pn532 && args.tcp.is_none() {
        bail!("choose at least one front-end: --vpcd, --pn532 or --tcp");
    }
    if !card.exists() {
        bail!(
            "no card at {}: issue one with `kazasu-sim new`",
            card.display()
        );
    }
    let mut slot = CardSlot::open(
        card.to_owned(),
        args.atr
            .clone()
            .unwrap_or_else(|| MY_NUMBER_CARD_ATR.to_vec()),
    )
    .with_context(|| format!("loading {}", card.display()))?;
    if args.removed {
        slot.remove();
    }
    let model = latency::parse(&args.latency).map_err(anyhow::Error::msg)?;
    slot.set_latency(model);
    if let Some(latency) = model {
        println!(
            "latency: {} ms a command, {} ms per 256 bytes, {} ms a signature",
            latency.command.as_millis(),
            latency.per_256_bytes.as_millis(),
            latency.signature.as_millis()
        );
    }
    let slot = slot.shared();
    install_signal_handlers()?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    // Keep the pty open (and its symlink) for as long as we serve.
    let mut pty_holder = None;

    if let Some(address) = args.vpcd.clone() {
        println!("vpcd: plugging the card into {address}");
        let (slot, stop) = (slot.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            vpcd::run(&address, &slot, &stop)
        }));
    }
    if let Some(address) = &args.tcp {
        let listener =
            TcpListener::bind(address).with_context(|| format!("listening on {address}"))?;
        println!("tcp: listening on {}", listener.local_addr()?);
        let (slot, stop) = (slot.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            if let Err(e) = tcp::run(&listener, &slot, &stop) {
                tracing::error!(%e, "tcp front-end stopped");
            }
        }));
    }
    if args.pn532 {
        let link =
            Arc::new(PtyLink::open(args.link.as_deref()).context("opening a pseudo-terminal")?);
        println!("pn532: pn532_uart:{}", link.slave_path().display());
        if let Some(path) = &args.link {
            println!("pn532: linked at {}", path.display());
        }
        let (slot, stop, serving) = (slot.clone(), stop.clone(), link.clone());
        threads.push(std::thread::spawn(move || {
            let mut chip = Pn532::new(slot);
            if let Err(e) = serving.serve(&mut chip, &stop) {
                tracing::error!(%e, "PN532 front-end stopped");
            }
        }));
        pty_holder = Some(link);
    }
    println!("ready: type remove, insert, tear [verify|sign|INS], status or quit");
    std::io::stdout().flush()?;

    control_loop(&slot);
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    drop(pty_holder);
    Ok(())
}

/// An instruction byte by name or in hex.
fn parse_ins(text: &str) -> Option<u8> {
    match text.trim().to_ascii_lowercase().as_str() {
        "verify" => Some(0x20),
        "sign" => Some(0x2A),
        "read" => Some(0xB0),
        "select" => Some(0xA4),
        "change" => Some(0x24),
        hex => u8::from_str_radix(hex, 16).ok(),
    }
}

/// Reads control lines until `quit` or a signal; end of input just stops reading.
fn control_loop(slot: &SharedSlot) {
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut input_open = true;
    while !SIGNALLED.load(Ordering::Relaxed) {
        if !input_open {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        let line = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                input_open = false;
                continue;
            }
        };
        let reply = match line.trim() {
            "" => continue,
            "remove" => {
                lock(slot).remove();
                "ok: card removed".to_owned()
            }
            "insert" => match lock(slot).insert() {
                Ok(()) => "ok: card inserted".to_owned(),
                Err(e) => format!("error: {e}"),
            },
            "tear" => {
                lock(slot).arm_tear(Tear::NextCommand);
                "ok: the card will be pulled away when the next command arrives".to_owned()
            }
            cmd if cmd.starts_with("tear ") => match parse_ins(&cmd[5..]) {
                Some(ins) => {
                    lock(slot).arm_tear(Tear::NextIns(ins));
                    format!(
                        "ok: the card will be pulled away when the next command with INS {ins:02X} arrives"
                    )
                }
                None => {
                    "error: tear takes an instruction: verify, sign, read, select or two hex digits"
                        .to_owned()
                }
            },
            "status" => {
                let s = lock(slot);
                format!(
                    "ok: card {}",
                    if s.is_present() { "present" } else { "removed" }
                )
            }
            "quit" | "exit" => break,
            other => {
                format!("error: unknown command {other:?} (remove, insert, tear, status, quit)")
            }
        };
        println!("{reply}");
        let _ = std::io::stdout().flush();
    }
}
