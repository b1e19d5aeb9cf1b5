// Stand-in: the members of tauri's app/tauri/plugin/Plugin.kt that KazasuNfcPlugin uses.
package app.tauri.plugin

import android.app.Activity
import androidx.appcompat.app.AppCompatActivity

@Suppress("UNUSED_PARAMETER")
abstract class Plugin(private val activity: Activity) {
    open fun onPause(activity: AppCompatActivity) {}

    open fun onResume(activity: AppCompatActivity) {}
}
