// Run by ../check-compiles on a plain JVM, with JNA but WITHOUT libkazasu_mobile: the plugin's hex
// and error mapping, through the reused NfcCardChannel, need no uniffi native library (a Tauri app
// does not ship one) — as long as nothing calls MobileException.toString()/userMessage().
package jp.kazasu.tauri.nfc.check

import jp.kazasu.mobile.MobileException
import jp.kazasu.mobile.nfc.IsoDepLink
import jp.kazasu.mobile.nfc.NfcCardChannel
import jp.kazasu.tauri.nfc.Hex
import jp.kazasu.tauri.nfc.PhoneError

private class Lost : java.io.IOException("tag lost")

/** An IsoDep that answers with `answer` or throws `failure`. */
private class FakeLink(
    private val answer: ByteArray = byteArrayOf(0x90.toByte(), 0x00),
    private val failure: Exception? = null,
    override val isExtendedLengthApduSupported: Boolean = true,
) : IsoDepLink {
    override val maxTransceiveLength: Int = 65546
    override var timeout: Int = 618
    var sent: ByteArray? = null

    override fun transceive(apdu: ByteArray): ByteArray {
        sent = apdu
        failure?.let { throw it }
        return answer
    }
}

private var failures = 0

private fun check(what: String, ok: Boolean) {
    println((if (ok) "ok   " else "FAIL ") + what)
    if (!ok) failures++
}

private fun codeOf(link: FakeLink, apdu: ByteArray = byteArrayOf(0, 0xB0.toByte(), 0, 0, 0)): Pair<String, String>? = try {
    NfcCardChannel(link, { it is Lost }).transceive(apdu)
    null
} catch (e: Exception) {
    PhoneError.of(e)
}

fun main() {
    // Hex, both ways.
    val select = byteArrayOf(0x00, 0xA4.toByte(), 0x04, 0x0C, 0x0A, 0xD3.toByte(), 0x92.toByte(), 0xF0.toByte())
    check("hex encodes upper case", Hex.encode(select) == "00A4040C0AD392F0")
    check("hex decodes either case", Hex.decode("00a4040C0aD392f0")!!.contentEquals(select))
    check("hex refuses an odd length", Hex.decode("900") == null)
    check("hex refuses a non-digit", Hex.decode("90zz") == null)
    check("hex refuses a sign", Hex.decode("-1") == null && Hex.decode("+1") == null)
    check("hex takes the longest command", Hex.decode("00".repeat(Hex.MAX_COMMAND_DIGITS / 2))?.size == 65544)
    check("hex refuses a longer one", Hex.decode("00".repeat(Hex.MAX_COMMAND_DIGITS / 2 + 1)) == null)

    // Through the reused NfcCardChannel, as the plugin's transceive does.
    val link = FakeLink(answer = byteArrayOf(0x01, 0x02, 0x90.toByte(), 0x00))
    val channel = NfcCardChannel(link, { it is Lost }, 5000)
    check("the channel raises IsoDep's time-out to the session's", link.timeout == 5000)
    check("an answer passes unchanged", Hex.encode(channel.transceive(select)) == "01029000")
    check("the command passes unchanged", link.sent!!.contentEquals(select))

    check("a lost tag is CARD_REMOVED", codeOf(FakeLink(failure = Lost()))?.first == PhoneError.CARD_REMOVED)
    val timeout = codeOf(FakeLink(failure = java.io.InterruptedIOException("slow")))
    check("no answer in time is TIMEOUT", timeout?.first == PhoneError.TIMEOUT && timeout.second.contains("5000"))
    val io = codeOf(FakeLink(failure = java.io.IOException("transceive failed")))
    check("another I/O failure is TRANSPORT with a reason", io?.first == PhoneError.TRANSPORT && io.second.contains("IOException"))
    val extended = byteArrayOf(0, 0x2A, 0x9E.toByte(), 0x9A.toByte(), 0, 0, 1, 0x55, 0, 0)
    val noExtended = codeOf(FakeLink(isExtendedLengthApduSupported = false), extended)
    check("an extended APDU the phone cannot send is TRANSPORT", noExtended?.first == PhoneError.TRANSPORT && noExtended.second.contains("extended"))
    check("a response without a status word is TRANSPORT", codeOf(FakeLink(answer = byteArrayOf(0x90.toByte())))?.first == PhoneError.TRANSPORT)
    check("NotMyNumberCard keeps its code", PhoneError.of(MobileException.NotMyNumberCard()).first == PhoneError.NOT_MY_NUMBER_CARD)
    check("Unexpected is TRANSPORT with its reason", PhoneError.of(MobileException.Unexpected("x")) == (PhoneError.TRANSPORT to "x"))
    check("a foreign exception is TRANSPORT", PhoneError.of(IllegalStateException("closed")).second == "IllegalStateException: closed")

    // The hazard the plugin avoids: toString() of a MobileException calls into the missing library.
    val toStringNeedsTheLibrary = try {
        MobileException.CardRemoved().toString()
        false
    } catch (e: Throwable) {
        e is UnsatisfiedLinkError || e is NoClassDefFoundError || e is ExceptionInInitializerError
    }
    check("(control) MobileException.toString() does need libkazasu_mobile", toStringNeedsTheLibrary)

    if (failures > 0) {
        System.err.println("$failures check(s) failed")
        kotlin.system.exitProcess(1)
    }
    println("all checks passed, without libkazasu_mobile")
}
