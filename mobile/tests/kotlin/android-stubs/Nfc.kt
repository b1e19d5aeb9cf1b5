@file:Suppress("UNUSED_PARAMETER")

package android.nfc

import android.app.Activity
import android.content.Context
import android.os.Bundle

class Tag

open class TagLostException : java.io.IOException()

class NfcAdapter {
    val isEnabled: Boolean get() = false

    fun enableReaderMode(activity: Activity, callback: ReaderCallback, flags: Int, extras: Bundle?) {}

    fun disableReaderMode(activity: Activity) {}

    fun interface ReaderCallback {
        fun onTagDiscovered(tag: Tag)
    }

    companion object {
        const val FLAG_READER_NFC_B = 0x2
        const val FLAG_READER_SKIP_NDEF_CHECK = 0x80
        const val FLAG_READER_NO_PLATFORM_SOUNDS = 0x100
        const val EXTRA_READER_PRESENCE_CHECK_DELAY = "presence"

        @JvmStatic
        fun getDefaultAdapter(context: Context): NfcAdapter? = null
    }
}
