//! The mobile layer (kazasu-mobile) through the bindings uniffi generates from the built library:
//! the Python tests (pytest) and the Kotlin JVM test (kotlinc + JNA), both against the simulator.
//!
//! Each test first runs `scripts/build-mobile` (a no-op cargo build when nothing changed, then the
//! bindgen, under a second), so the bindings always match the library. A missing tool fails the
//! test with the step that installs it; nothing is skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Undoes what the test runner adds to the environment, so that the nested `cargo build` in
/// `scripts/build-mobile` sees the environment `cargo build --workspace` saw: build scripts that
/// watch variables (clang-sys watches `LD_LIBRARY_PATH`) would otherwise rebuild half the workspace.
fn as_outside_the_test_runner(command: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let added_by_cargo = key.starts_with("CARGO_")
            && !matches!(
                &*key,
                "CARGO_HOME" | "CARGO_TARGET_DIR" | "CARGO_TERM_COLOR"
            );
        if added_by_cargo || key.starts_with("NEXTEST") || key == "RUST_RECURSION_COUNT" {
            command.env_remove(&*key);
        }
    }
    if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
        // The runner prepends the target directory's and the toolchain's library directories.
        let target = root().join("target");
        let kept: Vec<PathBuf> = std::env::split_paths(&paths)
            .filter(|p| !p.starts_with(&target) && !p.to_string_lossy().contains("/toolchains/"))
            .collect();
        if kept.is_empty() {
            command.env_remove("LD_LIBRARY_PATH");
        } else {
            command.env(
                "LD_LIBRARY_PATH",
                std::env::join_paths(kept).expect("paths joined"),
            );
        }
    }
    command.env("CARGO", env!("CARGO"))
}

/// Runs `command` in the workspace root; panics with its whole output when it fails.
fn run(what: &str, command: &mut Command) -> (Output, Duration) {
    let started = Instant::now();
    let out = as_outside_the_test_runner(command)
        .current_dir(root())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e}"));
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what} failed ({}) after {took:.1?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    eprintln!("{what}: {took:.1?}\n{stdout}");
    (out, took)
}

/// Fails, naming the install step, when `program --version`-like `probe` does not run.
fn require(probe: &mut Command, missing: &str) {
    let ok = probe.output().is_ok_and(|o| o.status.success());
    assert!(ok, "{missing}");
}

fn build_bindings() {
    run(
        "scripts/build-mobile",
        &mut Command::new(root().join("scripts/build-mobile")),
    );
}

#[test]
fn python_bindings_run_the_flows_over_tcp_and_a_python_card_channel() {
    require(
        Command::new("python3").args(["-m", "pytest", "--version"]),
        "pytest is missing: run scripts/install-deps (it pip-installs pytest)",
    );
    require(
        Command::new("openssl").arg("version"),
        "openssl is missing: run scripts/install-deps",
    );
    build_bindings();
    let (out, took) = run(
        "pytest mobile/tests/python",
        Command::new("python3").args(["-m", "pytest", "mobile/tests/python", "-q"]),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(" passed") && !stdout.contains("skipped"),
        "{stdout}"
    );
    eprintln!("Python binding tests took {took:.1?}");
}

#[test]
fn kotlin_bindings_and_the_android_bridge_compile_and_run_on_the_jvm() {
    require(
        Command::new("java").arg("-version"),
        "java is missing: apt-get install default-jdk-headless",
    );
    build_bindings();
    let (out, took) = run(
        "mobile/tests/kotlin/run-tests",
        &mut Command::new(root().join("mobile/tests/kotlin/run-tests")),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    eprintln!("Kotlin compile and JVM test took {took:.1?}");
}

#[test]
fn the_tauri_plugins_android_side_compiles_with_the_reused_bridge() {
    require(
        Command::new("java").arg("-version"),
        "java is missing: apt-get install default-jdk-headless",
    );
    build_bindings();
    let (out, took) = run(
        "tauri-app/plugin/android/check-compiles",
        &mut Command::new(root().join("tauri-app/plugin/android/check-compiles")),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("The Tauri plugin's Kotlin check took {took:.1?}: {stdout}");
}

#[test]
fn swift_bindings_are_generated() {
    build_bindings();
    let swift = root().join("target/mobile-bindings/swift");
    let source = std::fs::read_to_string(swift.join("KazasuMobile.swift"))
        .expect("KazasuMobile.swift generated");
    for declaration in [
        "public protocol CardChannel",
        "open class CardSession",
        "enum MobileError: Swift.Error",
    ] {
        assert!(
            source.contains(declaration),
            "no `{declaration}` in the Swift bindings"
        );
    }
    for file in ["KazasuMobileFFI.h", "KazasuMobileFFI.modulemap"] {
        assert!(swift.join(file).exists(), "{file} not generated");
    }
}
