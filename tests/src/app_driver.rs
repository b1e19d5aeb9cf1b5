//! The app's real window for end-to-end tests: tauri-driver (which starts WebKitWebDriver, which
//! starts the app) inside a virtual X display, in English, with the app's data in a directory of
//! the test's own. Killed, display and all, when dropped.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::child::{Killed, free_ports, log};

/// How long Xvfb and tauri-driver may take to listen.
pub const DRIVER_READY: Duration = Duration::from_secs(30);

/// tauri-driver: on `PATH`, or where `cargo install` puts it.
pub fn tauri_driver() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|home| home.join("bin"));
    on_path
        .chain(cargo_bin)
        .map(|dir| dir.join("tauri-driver"))
        .find(|path| path.is_file())
        .expect(
            "tauri-driver is missing: `cargo install --locked tauri-driver` (scripts/install-deps does it)",
        )
}

/// A running tauri-driver in its own virtual display.
pub struct AppDriver {
    port: u16,
    log: PathBuf,
    _driver: Killed,
}

impl AppDriver {
    /// Starts tauri-driver in a virtual display, the app's data and configuration under `home`,
    /// the system language English (the texts tests check are known), `env` added, its output in
    /// `log`; returns once it listens.
    pub fn start(home: &Path, env: &[(&str, &std::ffi::OsStr)], log_path: PathBuf) -> AppDriver {
        let [port, native_port] = free_ports::<2>();
        let mut command = Command::new("xvfb-run");
        command
            .args(["-a", "-s", "-screen 0 1280x1024x24", "--"])
            .arg(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("LANG", "C.UTF-8")
            .env("LANGUAGE", "en");
        for (key, value) in env {
            command.env(key, value);
        }
        let out = File::create(&log_path).expect("driver log");
        let err = out.try_clone().expect("driver log");
        let driver = Killed::group(
            command
                .stdout(out)
                .stderr(Stdio::from(err))
                .process_group(0)
                .spawn()
                .expect("run xvfb-run tauri-driver"),
        );
        let deadline = Instant::now() + DRIVER_READY;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port} within {DRIVER_READY:?}; its log:\n{}",
                log(&log_path)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        AppDriver {
            port,
            log: log_path,
            _driver: driver,
        }
    }

    /// The WebDriver URL the test scripts connect to.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Its log, for a failure report.
    pub fn log(&self) -> String {
        log(&self.log)
    }
}
