// SwiftPM wants a source file in a C target; the module is include/KazasuMobileFFI.h, copied from
// the uniffi bindings by ../../../build.rs. The functions it declares are kazasu-mobile's, linked
// into the app's Rust library.
#include "KazasuMobileFFI.h"
