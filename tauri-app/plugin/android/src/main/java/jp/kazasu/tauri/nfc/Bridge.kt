// The plugin's platform-independent part: APDUs as hex strings, and the error codes the Rust side
// maps (tauri-app/plugin/src/error.rs). Compiled and run on a plain JVM by ../check-compiles.
package jp.kazasu.tauri.nfc

import jp.kazasu.mobile.MobileException

/** APDUs cross the bridge as hex strings (JSON has no bytes). */
object Hex {
    /** The longest command APDU (ISO 7816-4 extended: 4 + 3 + 65535 + 2 bytes), in hex digits. */
    const val MAX_COMMAND_DIGITS = 2 * (4 + 3 + 65535 + 2)

    private const val DIGITS = "0123456789ABCDEF"

    fun encode(bytes: ByteArray): String {
        val out = StringBuilder(bytes.size * 2)
        for (b in bytes) {
            val v = b.toInt() and 0xFF
            out.append(DIGITS[v ushr 4]).append(DIGITS[v and 0x0F])
        }
        return out.toString()
    }

    /** The bytes of `text` (either case), or null when it is not an even number of hex digits or too long. */
    fun decode(text: String, maxDigits: Int = MAX_COMMAND_DIGITS): ByteArray? {
        if (text.length % 2 != 0 || text.length > maxDigits) return null
        val out = ByteArray(text.length / 2)
        for (i in out.indices) {
            val hi = Character.digit(text[2 * i], 16)
            val lo = Character.digit(text[2 * i + 1], 16)
            if (hi < 0 || lo < 0) return null
            out[i] = ((hi shl 4) or lo).toByte()
        }
        return out
    }
}

/** The codes commands are rejected with; the Rust side turns them into its `Error`. */
object PhoneError {
    const val NFC_UNAVAILABLE = "NFC_UNAVAILABLE"
    const val CANCELLED = "CANCELLED"
    const val NO_CARD = "NO_CARD"
    const val NOT_MY_NUMBER_CARD = "NOT_MY_NUMBER_CARD"
    const val CARD_REMOVED = "CARD_REMOVED"
    const val TIMEOUT = "TIMEOUT"
    const val SESSION_CLOSED = "SESSION_CLOSED"
    const val TRANSPORT = "TRANSPORT"
    const val INVALID_ARGS = "INVALID_ARGS"

    /**
     * The code and message for what the reused bridge (NfcCardChannel, IsoDepCardChannel) raised.
     *
     * Reads only the variants' fields: `toString()` and `userMessage()` of a MobileException call
     * into libkazasu_mobile, which a Tauri app does not ship (its Rust is the app's own library), so
     * they must never run here — nor may an exception reach a logger or Tauri, which print it.
     */
    fun of(e: MobileException): Pair<String, String> = when (e) {
        is MobileException.CardRemoved -> CARD_REMOVED to "the card was removed"
        is MobileException.NoCard -> NO_CARD to "no card"
        is MobileException.NotMyNumberCard -> NOT_MY_NUMBER_CARD to "the tag is not ISO-DEP: not a My Number Card"
        is MobileException.Timeout -> TIMEOUT to "the card did not answer within ${e.millis} ms"
        is MobileException.Transport -> TRANSPORT to e.reason
        is MobileException.Unexpected -> TRANSPORT to e.reason
        else -> TRANSPORT to "the NFC channel failed (${e.javaClass.simpleName})"
    }

    /** The code and message for any other exception (its class and message, never the exception itself). */
    fun of(e: Throwable): Pair<String, String> =
        if (e is MobileException) of(e) else TRANSPORT to "${e.javaClass.simpleName}: ${e.message}"
}
