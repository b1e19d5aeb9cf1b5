// Stand-ins for the Android SDK classes that mobile/android/platform/IsoDepCardChannel.kt uses, with
// the SDK's signatures as Kotlin sees them (Java getters as properties, statics in companions). They
// let run-tests type-check that file on the JVM; they are never run and prove nothing beyond these
// signatures.
package android.content

open class Context
