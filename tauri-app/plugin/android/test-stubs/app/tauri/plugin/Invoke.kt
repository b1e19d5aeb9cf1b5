// Stand-in: the members of tauri's app/tauri/plugin/Invoke.kt that KazasuNfcPlugin uses.
@file:Suppress("UNUSED_PARAMETER")

package app.tauri.plugin

class Invoke(val command: String) {
    fun<T> parseArgs(cls: Class<T>): T = throw UnsupportedOperationException("stand-in")

    fun resolve(data: JSObject?) {}

    fun resolve() {}

    fun reject(msg: String?, code: String?) {}
}
