// The Android-specific part of the bridge: Android's IsoDep adapted to IsoDepLink, and reader
// mode set up for the My Number Card (NFC-B). Everything else is in common/NfcCardChannel.kt,
// which is compiled and tested on the JVM; this file needs the Android SDK and is not compiled
// here (see README.md).
package jp.kazasu.mobile.android

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import android.os.Bundle
import jp.kazasu.mobile.CardChannel
import jp.kazasu.mobile.CardSession
import jp.kazasu.mobile.MobileException
import jp.kazasu.mobile.nfc.IsoDepLink
import jp.kazasu.mobile.nfc.NfcCardChannel

/** Android's IsoDep as an [IsoDepLink]; it has these members already. */
private class AndroidIsoDep(private val isoDep: IsoDep) : IsoDepLink {
    override val maxTransceiveLength: Int get() = isoDep.maxTransceiveLength
    override val isExtendedLengthApduSupported: Boolean get() = isoDep.isExtendedLengthApduSupported
    override var timeout: Int
        get() = isoDep.timeout
        set(value) { isoDep.timeout = value }
    override fun transceive(apdu: ByteArray): ByteArray = isoDep.transceive(apdu)
}

/**
 * The card on the phone, as a [CardChannel] for [openSession] (or `CardSession(channel)`). Blocking: use it off the
 * main thread (reader mode's callback thread, or a background dispatcher). Close it when done.
 */
class IsoDepCardChannel private constructor(
    private val isoDep: IsoDep,
    private val channel: NfcCardChannel,
) : CardChannel by channel, AutoCloseable {
    override fun close() = isoDep.close()

    /** A session over this card: extended-length APDUs when this phone sends them, else short ones. */
    fun openSession(): CardSession = channel.openSession()

    companion object {
        /** Connects to a tag found in reader mode; a tag that is not ISO-DEP cannot be a My Number Card. */
        fun connect(tag: Tag, timeoutMs: Int = NfcCardChannel.DEFAULT_TIMEOUT_MS): IsoDepCardChannel {
            val isoDep = IsoDep.get(tag) ?: throw MobileException.NotMyNumberCard()
            try {
                isoDep.connect()
            } catch (e: TagLostException) {
                throw MobileException.CardRemoved()
            }
            // A stale Tag object throws SecurityException: the card has left and come back.
            val lost = { e: Throwable -> e is TagLostException || e is SecurityException }
            return IsoDepCardChannel(isoDep, NfcCardChannel(AndroidIsoDep(isoDep), lost, timeoutMs))
        }
    }
}

/** Reader mode for the My Number Card: NFC-B only, no NDEF probing, no system sound. */
object KazasuReaderMode {
    const val FLAGS = NfcAdapter.FLAG_READER_NFC_B or
        NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK or
        NfcAdapter.FLAG_READER_NO_PLATFORM_SOUNDS

    /**
     * Starts reader mode in `activity` (call from onResume); `onCard` runs on the NFC callback
     * thread with a connected channel, which it must close.
     */
    fun enable(activity: Activity, onCard: (IsoDepCardChannel) -> Unit, onError: (MobileException) -> Unit) {
        val adapter = NfcAdapter.getDefaultAdapter(activity)
            ?: return onError(MobileException.Transport("this phone has no NFC"))
        if (!adapter.isEnabled) return onError(MobileException.Transport("NFC is switched off: turn it on in Settings"))
        // Fewer presence checks while the card computes a signature.
        val extras = Bundle().apply { putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, 1000) }
        adapter.enableReaderMode(activity, { tag ->
            try {
                onCard(IsoDepCardChannel.connect(tag))
            } catch (e: MobileException) {
                onError(e)
            }
        }, FLAGS, extras)
    }

    /** Stops reader mode (call from onPause). */
    fun disable(activity: Activity) {
        NfcAdapter.getDefaultAdapter(activity)?.disableReaderMode(activity)
    }
}
