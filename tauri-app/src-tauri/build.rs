//! Tauri's build step: reads tauri.conf.json and the capabilities, and embeds the built front end.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist/index.html");
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.exists() {
        // tauri-build's own error names a path; this one says what to run.
        panic!(
            "the app's front end is not built: run `npm ci --prefix tauri-app && npm run build --prefix tauri-app` \
             (scripts/setup and scripts/test do it)"
        );
    }
    tauri_build::build()
}
