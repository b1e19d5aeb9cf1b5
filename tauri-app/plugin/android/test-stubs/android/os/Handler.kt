// Stand-ins for android.os.Handler and android.os.Looper, with the SDK's signatures as Kotlin sees
// them (statics in companions). Never run.
@file:Suppress("UNUSED_PARAMETER")

package android.os

class Looper private constructor() {
    companion object {
        @JvmStatic
        fun getMainLooper(): Looper = Looper()

        @JvmStatic
        fun myLooper(): Looper? = null
    }
}

open class Handler(looper: Looper) {
    fun post(r: Runnable): Boolean = false

    fun postDelayed(r: Runnable, delayMillis: Long): Boolean = false

    fun removeCallbacks(r: Runnable) {}
}
