@file:Suppress("UNUSED_PARAMETER")

package android.nfc.tech

import android.nfc.Tag

class IsoDep : java.io.Closeable {
    var timeout: Int = 0
    val maxTransceiveLength: Int get() = 0
    val isExtendedLengthApduSupported: Boolean get() = false

    fun connect() {}

    override fun close() {}

    fun transceive(data: ByteArray): ByteArray = data

    companion object {
        @JvmStatic
        fun get(tag: Tag): IsoDep? = null
    }
}
