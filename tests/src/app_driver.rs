//! The app's real window for end-to-end tests: tauri-driver (which starts WebKitWebDriver, which
//! starts the app) inside a virtual X display, in English, with the app's data in a directory of
//! the test's own. Killed, display and all, when dropped.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use std::io::Write;
use std::process::ChildStdin;
use std::sync::mpsc::Receiver;

use crate::bins::bin;
use crate::child::{Killed, free_ports, line_with, lines_of, log};

/// How long one scripted step in the window may take.
pub const SCRIPT_STEP: Duration = Duration::from_secs(120);

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

impl AppDriver {
    /// Runs `tests/browser/SCRIPT` with node against this driver: the app (`kazasu-app`), the
    /// driver's URL and `shots` (screenshots; the script's log goes there too) are passed as
    /// `KAZASU_APP`, `TAURI_DRIVER_URL` and `SHOTS_DIR`, with `env` added. `context` gives the
    /// other logs worth reading when a step never comes.
    pub fn script<'a>(
        &'a self,
        script: &str,
        shots: &Path,
        env: &[(&str, &std::ffi::OsStr)],
        context: impl Fn() -> String + 'a,
    ) -> WindowScript<'a> {
        let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
        assert!(
            browser_dir.join("node_modules/selenium-webdriver").is_dir(),
            "selenium-webdriver is not installed: run `npm ci --prefix tests/browser` (scripts/install-deps does it)"
        );
        let log_path = shots.join(format!("{}.log", script.trim_end_matches(".mjs")));
        let mut command = Command::new("node");
        command
            .arg(script)
            .current_dir(&browser_dir)
            .env("KAZASU_APP", bin("kazasu-app"))
            .env("TAURI_DRIVER_URL", self.url())
            .env("SHOTS_DIR", shots);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut node = Killed::new(
            command
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(File::create(&log_path).expect("script log"))
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run node: {e}")),
        );
        let lines = lines_of(node.child());
        let stdin = node.child().stdin.take().expect("script stdin");
        WindowScript {
            driver: self,
            node,
            lines,
            stdin,
            log: log_path,
            context: Box::new(context),
        }
    }
}

/// A script driving the app's window, and what it has said so far.
pub struct WindowScript<'a> {
    driver: &'a AppDriver,
    node: Killed,
    lines: Receiver<String>,
    stdin: ChildStdin,
    log: PathBuf,
    context: Box<dyn Fn() -> String + 'a>,
}

impl WindowScript<'_> {
    /// The rest of the script's next line starting with `prefix` (waiting up to
    /// [`SCRIPT_STEP`]); a step that never comes fails the test with every log.
    pub fn step(&self, prefix: &str) -> String {
        line_with(&self.lines, prefix, SCRIPT_STEP).unwrap_or_else(|e| {
            panic!(
                "the window never got to {prefix:?}: {e}\nscript log:\n{}\ntauri-driver log:\n{}\n{}",
                log(&self.log),
                self.driver.log(),
                (self.context)()
            )
        })
    }

    /// Waits (up to 30 s) for the script to end, which it must do successfully.
    pub fn finish(mut self) {
        let exit = self
            .node
            .wait_for(Duration::from_secs(30))
            .expect("the script ends");
        assert!(
            exit.success(),
            "the window script: {exit}; log:\n{}",
            log(&self.log)
        );
    }

    /// Tells the script (waiting on its standard input) to go on.
    pub fn tell(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").expect("tell the script");
    }
}
