//! The workspace's programs, run as a user runs them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The path of a workspace binary (`kazasu`, `kazasu-sim`) built beside the running test.
///
/// # Panics
/// If it has not been built: `cargo build --workspace --bins` (the test script does it) first.
/// `KAZASU_BIN_DIR`, when set, names another directory to take them from: a target directory
/// shared by several checkouts holds whichever checkout built last.
pub fn bin(name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("KAZASU_BIN_DIR") {
        let path = PathBuf::from(dir).join(name);
        assert!(path.exists(), "{} is missing", path.display());
        return path;
    }
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let path = exe.ancestors().nth(2).expect("target directory").join(name);
    assert!(
        path.exists(),
        "{} is not built: run `cargo build --workspace --bins` first",
        path.display()
    );
    path
}

/// Runs `kazasu ARGS` in `home` (also its home and data directory) with `stdin` fed in and no
/// reader chosen by the environment.
pub fn run_kazasu(kazasu: &Path, home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(kazasu)
        .args(args)
        .current_dir(home)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("KAZASU_READER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kazasu");
    // kazasu may exit before reading stdin (a locked PIN is refused first): a closed pipe is fine.
    let _ = child
        .stdin
        .take()
        .expect("stdin was piped")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("the command ran")
}

/// Lossy UTF-8, for assertions and messages.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `kazasu-sim --card CARD ARGS` in the card's directory, and asserts that it succeeded.
pub fn run_sim(card: &Path, args: &[&str]) -> Output {
    let out = Command::new(bin("kazasu-sim"))
        .arg("--card")
        .arg(card)
        .args(args)
        .current_dir(card.parent().unwrap_or(Path::new(".")))
        .output()
        .expect("run kazasu-sim");
    assert!(
        out.status.success(),
        "kazasu-sim {args:?}: {}",
        text(&out.stderr)
    );
    out
}
