//! The desktop app's entry point: everything is in the `kazasu_app_lib` library.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    kazasu_app_lib::run();
}
