// swift-tools-version:5.3
// The iOS side of tauri-plugin-kazasu-nfc. tauri-plugin's build script builds it with SwiftPM and
// links the static library into the app's Rust library.
//
// Sources/KazasuMobileBridge (CoreNfcCardChannel.swift from mobile/ios and the uniffi Swift
// bindings) and Sources/KazasuMobileFFI/include (the bindings' C header) are copied in, unchanged,
// by ../build.rs for an iOS build: SwiftPM takes no sources from outside the package.

import PackageDescription

let package = Package(
  name: "tauri-plugin-kazasu-nfc",
  platforms: [
    .macOS(.v10_13),
    .iOS(.v13),
  ],
  products: [
    .library(
      name: "tauri-plugin-kazasu-nfc",
      type: .static,
      targets: ["tauri-plugin-kazasu-nfc"])
  ],
  dependencies: [
    .package(name: "Tauri", path: "../.tauri/tauri-api")
  ],
  targets: [
    // The C declarations of kazasu-mobile's FFI; the symbols are linked into the app's Rust
    // library through the plugin crate's iOS dependency on kazasu-mobile.
    .target(
      name: "KazasuMobileFFI",
      path: "Sources/KazasuMobileFFI"),
    // mobile/ios's CoreNfcCardChannel and the bindings it is written against, as they are.
    .target(
      name: "KazasuMobileBridge",
      dependencies: ["KazasuMobileFFI"],
      path: "Sources/KazasuMobileBridge"),
    .target(
      name: "tauri-plugin-kazasu-nfc",
      dependencies: [
        .byName(name: "Tauri"),
        "KazasuMobileBridge",
      ],
      path: "Sources/KazasuNfcPlugin"),
  ]
)
