// Stand-in: tauri's app/tauri/plugin/JSObject.kt (an org.json.JSONObject) with the puts it declares.
@file:Suppress("UNUSED_PARAMETER")

package app.tauri.plugin

class JSObject {
    fun put(key: String, value: Boolean): JSObject = this

    fun put(key: String, value: Int): JSObject = this

    fun put(key: String, value: Long): JSObject = this

    fun put(key: String, value: Double): JSObject = this

    fun put(key: String, value: Any?): JSObject = this

    fun put(key: String, value: String?): JSObject = this
}
