//! `uniffi-bindgen generate --library target/debug/libkazasu_mobile.so --language kotlin …`:
//! see `scripts/build-mobile`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
