// The Android library of tauri-plugin-kazasu-nfc. Tauri's Android project includes it (the app's
// tauri-build writes its path into tauri.settings.gradle) and provides :tauri-android.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

// The bridge this plugin reuses, compiled in place from the repository (not copied):
// mobile/android/common (NfcCardChannel) and mobile/android/platform (IsoDepCardChannel,
// KazasuReaderMode), plus the uniffi Kotlin bindings they are written against (CardChannel,
// MobileException), which scripts/build-mobile generates into target/mobile-bindings/kotlin.
val repoRoot: File = projectDir.resolve("../../..").canonicalFile
val mobileBindings: File = (
    System.getenv("KAZASU_MOBILE_BINDINGS")?.let { File(it) }
        ?: System.getenv("CARGO_TARGET_DIR")?.let { repoRoot.resolve(it).resolve("mobile-bindings") }
        ?: repoRoot.resolve("target/mobile-bindings")
    ).resolve("kotlin")

android {
    namespace = "jp.kazasu.tauri.nfc"
    compileSdk = 36

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }

    sourceSets {
        getByName("main") {
            java.srcDirs(
                repoRoot.resolve("mobile/android/common"),
                repoRoot.resolve("mobile/android/platform"),
                mobileBindings,
            )
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget = JvmTarget.JVM_1_8
    }
}

dependencies {
    implementation("androidx.appcompat:appcompat:1.6.0")
    // The uniffi bindings are JNA code. The plugin never calls into them (no libkazasu_mobile.so
    // ships: the app's Rust is its own library), but their classes reference JNA's.
    implementation("net.java.dev.jna:jna:5.13.0@aar")
    implementation(project(":tauri-android"))
}

val checkBindings by tasks.registering {
    doLast {
        val file = mobileBindings.resolve("jp/kazasu/mobile/kazasu_mobile.kt")
        if (!file.isFile) {
            throw GradleException(
                "$file is missing: run scripts/build-mobile first (or set KAZASU_MOBILE_BINDINGS)"
            )
        }
    }
}
tasks.named("preBuild") { dependsOn(checkBindings) }
