//! Generates the plugin's permissions and, for a phone target, prepares its native part:
//!
//! - Android: the Gradle library in `android/` compiles the bridges of `mobile/android` and the
//!   uniffi Kotlin bindings in place (its `sourceSets`); here we only check the bindings exist, so a
//!   missing `scripts/build-mobile` is reported before Gradle runs.
//! - iOS: SwiftPM does not accept sources outside the package, so the bridge
//!   (`mobile/ios/CoreNfcCardChannel.swift`) and the uniffi Swift bindings are copied, unchanged,
//!   into `ios/Sources/` (ignored by git) before tauri-plugin builds the Swift package.

use std::path::{Path, PathBuf};
use std::{env, fs};

/// The plugin's mobile commands, in the snake_case Tauri uses for permissions.
const COMMANDS: &[&str] = &[
    "is_available",
    "open_session",
    "transceive",
    "close_session",
];

fn main() {
    println!("cargo:rerun-if-env-changed=KAZASU_MOBILE_BINDINGS");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    match env::var("CARGO_CFG_TARGET_OS").as_deref() {
        Ok("android") => {
            require(&bindings_dir().join("kotlin/jp/kazasu/mobile/kazasu_mobile.kt"));
        }
        Ok("ios") => copy_ios_bridge(),
        _ => {}
    }
    tauri_plugin::Builder::new(COMMANDS)
        .android_path("android")
        .ios_path("ios")
        .build();
}

/// The repository root: this crate lives in `tauri-app/plugin`.
fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    manifest.join("../..")
}

/// Where `scripts/build-mobile` writes the bindings: `$KAZASU_MOBILE_BINDINGS`, else
/// `${CARGO_TARGET_DIR:-target}/mobile-bindings` under the repository root.
fn bindings_dir() -> PathBuf {
    if let Some(dir) = env::var_os("KAZASU_MOBILE_BINDINGS") {
        return PathBuf::from(dir);
    }
    let target =
        env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    repo_root().join(target).join("mobile-bindings")
}

fn require(path: &Path) {
    if !path.is_file() {
        panic!(
            "{} is missing: run scripts/build-mobile first (it generates the uniffi bindings the \
             plugin's Android and iOS code compile with), or set KAZASU_MOBILE_BINDINGS",
            path.display()
        );
    }
    println!("cargo:rerun-if-changed={}", path.display());
}

/// Copies `from` to `to` unless `to` already has the same bytes (so Swift does not rebuild).
fn copy_unchanged(from: &Path, to: &Path) {
    require(from);
    let bytes = fs::read(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
    if fs::read(to).ok().as_deref() == Some(bytes.as_slice()) {
        return;
    }
    fs::create_dir_all(to.parent().expect("a file in a directory"))
        .unwrap_or_else(|e| panic!("creating the directory of {}: {e}", to.display()));
    fs::write(to, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", to.display()));
}

fn copy_ios_bridge() {
    let swift = bindings_dir().join("swift");
    let sources = Path::new("ios/Sources");
    copy_unchanged(
        &repo_root().join("mobile/ios/CoreNfcCardChannel.swift"),
        &sources.join("KazasuMobileBridge/CoreNfcCardChannel.swift"),
    );
    copy_unchanged(
        &swift.join("KazasuMobile.swift"),
        &sources.join("KazasuMobileBridge/KazasuMobile.swift"),
    );
    copy_unchanged(
        &swift.join("KazasuMobileFFI.h"),
        &sources.join("KazasuMobileFFI/include/KazasuMobileFFI.h"),
    );
}
