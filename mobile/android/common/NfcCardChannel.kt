// The Android bridge's platform-independent part: everything IsoDepCardChannel needs except the
// android.nfc classes themselves, so that it compiles and is tested on a plain JVM
// (mobile/tests/kotlin/run-tests). Android's IsoDep fits IsoDepLink as it is.
package jp.kazasu.mobile.nfc

import jp.kazasu.mobile.CardChannel
import jp.kazasu.mobile.CardSession
import jp.kazasu.mobile.MobileException

/** What the bridge needs of an ISO-DEP (ISO 14443-4) tag: the members of android.nfc.tech.IsoDep. */
interface IsoDepLink {
    /** The largest command the phone's NFC controller can send, in bytes. */
    val maxTransceiveLength: Int

    /** Whether the phone can send extended-length APDUs (Lc or Le over 255/256). */
    val isExtendedLengthApduSupported: Boolean

    /** How long one transceive may take, in milliseconds. */
    var timeout: Int

    /** Sends a command APDU and blocks until the whole response (data + SW1 SW2) is back. */
    fun transceive(apdu: ByteArray): ByteArray
}

/**
 * A [CardChannel] over any [IsoDepLink]: raises the time-out so that an RSA signature fits, refuses
 * an APDU the phone cannot send with a clear reason (instead of an opaque I/O error), and turns a
 * lost tag into [MobileException.CardRemoved].
 *
 * @param isTagLost tells a lost tag from other failures (on Android: `it is TagLostException`).
 * @param timeoutMs the time-out to set if the link's is shorter.
 */
class NfcCardChannel(
    private val link: IsoDepLink,
    private val isTagLost: (Throwable) -> Boolean,
    timeoutMs: Int = DEFAULT_TIMEOUT_MS,
) : CardChannel {
    init {
        if (link.timeout < timeoutMs) link.timeout = timeoutMs
    }

    /** The time-out in force, in milliseconds. */
    val timeoutMs: Int get() = link.timeout

    /** Whether this phone's NFC sends extended-length APDUs (IsoDep.isExtendedLengthApduSupported). */
    val sendsExtendedLength: Boolean get() = link.isExtendedLengthApduSupported

    /**
     * A [CardSession] over this channel that uses extended-length APDUs when the phone sends them
     * (a certificate in one READ BINARY, a login in 5 APDUs) and short ones otherwise.
     */
    fun openSession(): CardSession =
        if (sendsExtendedLength) CardSession.withExtendedLength(this) else CardSession(this)

    override fun transceive(apdu: ByteArray): ByteArray {
        if (isExtendedLength(apdu) && !link.isExtendedLengthApduSupported) {
            throw MobileException.Transport(
                "this phone's NFC cannot send extended-length commands (${apdu.size} bytes)"
            )
        }
        if (apdu.size > link.maxTransceiveLength) {
            throw MobileException.Transport(
                "a command of ${apdu.size} bytes is longer than this phone's NFC can send (${link.maxTransceiveLength})"
            )
        }
        val response = try {
            link.transceive(apdu)
        } catch (e: MobileException) {
            throw e
        } catch (e: Exception) {
            throw when {
                isTagLost(e) -> MobileException.CardRemoved()
                e is java.io.InterruptedIOException ->
                    MobileException.Timeout(link.timeout.toULong())
                else -> MobileException.Transport(
                    "the NFC link failed (${e.javaClass.simpleName}: ${e.message}); hold the card still and try again"
                )
            }
        }
        if (response.size < 2) {
            throw MobileException.Transport("the card answered ${response.size} bytes: no status word")
        }
        return response
    }

    companion object {
        /**
         * An RSA-2048 signature takes the card about a second; Android's default IsoDep time-out is
         * far shorter, so raise it for every exchange (a longer one only matters when the card is gone).
         */
        const val DEFAULT_TIMEOUT_MS = 5000

        /** Whether a command APDU uses extended length (ISO 7816-4: a 00 byte after the header, then more). */
        fun isExtendedLength(apdu: ByteArray): Boolean = apdu.size > 5 && apdu[4] == 0.toByte()
    }
}
