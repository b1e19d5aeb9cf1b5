// The Android side of tauri-plugin-kazasu-nfc: an NFC session in reader mode and APDUs passed to
// the card through the Android bridge of mobile/android (IsoDepCardChannel → NfcCardChannel),
// compiled into this library as it is (see build.gradle.kts). All protocol logic is in Rust.
//
// Threads: Tauri runs these commands on the main thread; reader mode calls back on a binder
// thread; IsoDep.transceive blocks, so exchanges run on one worker thread of their own.
package jp.kazasu.tauri.nfc

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import androidx.appcompat.app.AppCompatActivity
import app.tauri.annotation.Command
import app.tauri.annotation.InvokeArg
import app.tauri.annotation.TauriPlugin
import app.tauri.plugin.Invoke
import app.tauri.plugin.JSObject
import app.tauri.plugin.Plugin
import jp.kazasu.mobile.android.IsoDepCardChannel
import jp.kazasu.mobile.android.KazasuReaderMode
import jp.kazasu.mobile.nfc.NfcCardChannel
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

@InvokeArg
class OpenSessionArgs {
    /** Chosen by Rust: later commands name it, so a late close cannot end a newer session. */
    var session: Int = 0
    /** The iOS sheet's text; Android has no system sheet (the app shows its own prompt). */
    var prompt: String = ""
    var timeoutMs: Int = NfcCardChannel.DEFAULT_TIMEOUT_MS
    var waitMs: Long = 60_000
}

@InvokeArg
class TransceiveArgs {
    var session: Int = 0
    var apdu: String = ""
}

@InvokeArg
class CloseSessionArgs {
    /** The session to close; absent: whatever is open or waiting. */
    var session: Int? = null
    var message: String? = null
    var success: Boolean = true
}

@TauriPlugin
class KazasuNfcPlugin(private val activity: Activity) : Plugin(activity) {
    private val main = Handler(Looper.getMainLooper())
    private val worker: ExecutorService = Executors.newSingleThreadExecutor { r -> Thread(r, "kazasu-nfc") }

    /** An openSession waiting for a card. */
    private class Waiting(val id: Int, val invoke: Invoke, val timeoutMs: Int, val giveUp: Runnable)

    /** The open session. */
    private class Connected(val id: Int, val channel: IsoDepCardChannel)

    // Guarded by `lock`.
    private val lock = Any()
    private var waiting: Waiting? = null
    private var connected: Connected? = null
    private var ended: Pair<Int, String>? = null
    private var resumed = true

    // Main thread only.
    private var readerMode = false

    @Command
    fun isAvailable(invoke: Invoke) {
        val reason = unavailableReason()
        val answer = JSObject()
        answer.put("available", reason == null)
        if (reason != null) answer.put("reason", reason)
        invoke.resolve(answer)
    }

    @Command
    fun openSession(invoke: Invoke) {
        val args = parse(invoke, OpenSessionArgs::class.java) ?: return
        unavailableReason()?.let { return reject(invoke, PhoneError.NFC_UNAVAILABLE, it) }
        val giveUp = Runnable { giveUp(args.session) }
        val replaced = synchronized(lock) {
            val old = endLocked("replaced by a new session")
            waiting = Waiting(args.session, invoke, args.timeoutMs, giveUp)
            old
        }
        replaced?.let { reject(it.invoke, PhoneError.CANCELLED, "replaced by a new session") }
        main.postDelayed(giveUp, args.waitMs)
        // Restarted, so that a card already lying on the phone (left there after a lost tag, or
        // seen while no session waited) is discovered again.
        updateReaderMode(restart = true)
    }

    @Command
    fun transceive(invoke: Invoke) {
        val args = parse(invoke, TransceiveArgs::class.java) ?: return
        val apdu = Hex.decode(args.apdu)
            ?: return reject(invoke, PhoneError.INVALID_ARGS, "the APDU is not hex or is too long")
        val channel = synchronized(lock) { connected?.takeIf { it.id == args.session }?.channel }
            ?: return reject(invoke, PhoneError.SESSION_CLOSED, endedReason(args.session))
        worker.execute {
            try {
                val response = channel.transceive(apdu)
                val answer = JSObject()
                answer.put("response", Hex.encode(response))
                invoke.resolve(answer)
            } catch (e: Exception) {
                // A session closed under a queued exchange fails as whatever IsoDep throws: say why.
                val still = synchronized(lock) { connected?.id == args.session }
                if (still) {
                    val (code, message) = PhoneError.of(e)
                    reject(invoke, code, message)
                } else {
                    reject(invoke, PhoneError.SESSION_CLOSED, endedReason(args.session))
                }
            }
        }
    }

    @Command
    fun closeSession(invoke: Invoke) {
        val args = parse(invoke, CloseSessionArgs::class.java) ?: return
        val cancelled = synchronized(lock) {
            val id = args.session
            if (id == null || waiting?.id == id || connected?.id == id) endLocked("closed by the app") else null
        }
        cancelled?.let { reject(it.invoke, PhoneError.CANCELLED, "cancelled by the app") }
        updateReaderMode()
        invoke.resolve()
    }

    override fun onPause(activity: AppCompatActivity) {
        // Reader mode only runs in the foreground, and the card's connection ends with it. A
        // waiting openSession keeps waiting: reader mode comes back in onResume.
        synchronized(lock) {
            resumed = false
            connected?.let { closeLocked(it, "the app went to the background") }
        }
        updateReaderMode()
        super.onPause(activity)
    }

    override fun onResume(activity: AppCompatActivity) {
        super.onResume(activity)
        synchronized(lock) { resumed = true }
        updateReaderMode()
    }

    /** Reader mode's callback, on a binder thread. */
    private fun onTag(tag: Tag) {
        val w = synchronized(lock) { waiting } ?: return
        val channel = try {
            IsoDepCardChannel.connect(tag, w.timeoutMs)
        } catch (e: Exception) {
            val (code, message) = PhoneError.of(e)
            // Brushed past and gone: keep waiting, reader mode calls again when it is back.
            if (code == PhoneError.CARD_REMOVED) return
            if (!finishWaiting(w)) return
            reject(w.invoke, code, message)
            updateReaderMode()
            return
        }
        val accepted = synchronized(lock) {
            if (waiting === w) {
                waiting = null
                connected = Connected(w.id, channel)
                true
            } else {
                false
            }
        }
        if (!accepted) {
            closeQuietly(channel)
            return
        }
        main.removeCallbacks(w.giveUp)
        val answer = JSObject()
        answer.put("session", w.id)
        w.invoke.resolve(answer)
    }

    private fun giveUp(id: Int) {
        val w = synchronized(lock) { waiting?.takeIf { it.id == id } } ?: return
        if (!finishWaiting(w)) return
        reject(w.invoke, PhoneError.NO_CARD, "no card was tapped")
        updateReaderMode()
    }

    /** Takes `w` off the waiting slot; false when something else already has. */
    private fun finishWaiting(w: Waiting): Boolean {
        val mine = synchronized(lock) {
            if (waiting === w) {
                waiting = null
                true
            } else {
                false
            }
        }
        if (mine) main.removeCallbacks(w.giveUp)
        return mine
    }

    /** Ends the open session and takes the waiting openSession, which the caller rejects. Holds `lock`. */
    private fun endLocked(reason: String): Waiting? {
        connected?.let { closeLocked(it, reason) }
        val w = waiting ?: return null
        waiting = null
        main.removeCallbacks(w.giveUp)
        return w
    }

    /** Closes `c` after the exchanges already queued. Holds `lock`. */
    private fun closeLocked(c: Connected, reason: String) {
        connected = null
        ended = c.id to reason
        worker.execute { closeQuietly(c.channel) }
    }

    private fun endedReason(id: Int): String =
        synchronized(lock) { ended?.takeIf { it.first == id }?.second } ?: "no open NFC session $id"

    /** Reader mode on while a session waits or is open and the app is in the foreground. */
    private fun updateReaderMode(restart: Boolean = false) {
        if (Looper.myLooper() != Looper.getMainLooper()) {
            main.post { updateReaderMode(restart) }
            return
        }
        val wanted = synchronized(lock) { resumed && (waiting != null || connected != null) }
        val adapter = NfcAdapter.getDefaultAdapter(activity) ?: return
        if (restart && readerMode) {
            KazasuReaderMode.disable(activity)
            readerMode = false
        }
        if (wanted && !readerMode) {
            // Fewer presence checks while the card computes a signature (as KazasuReaderMode).
            val extras = Bundle()
            extras.putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, PRESENCE_CHECK_DELAY_MS)
            try {
                adapter.enableReaderMode(activity, { tag -> onTag(tag) }, KazasuReaderMode.FLAGS, extras)
                readerMode = true
            } catch (e: IllegalStateException) {
                // Not in the foreground after all: onResume turns it on.
            }
        } else if (!wanted && readerMode) {
            KazasuReaderMode.disable(activity)
            readerMode = false
        }
    }

    private fun unavailableReason(): String? {
        val adapter = NfcAdapter.getDefaultAdapter(activity) ?: return "this phone has no NFC"
        return if (adapter.isEnabled) null else "NFC is switched off: turn it on in Settings"
    }

    private fun <T> parse(invoke: Invoke, cls: Class<T>): T? = try {
        invoke.parseArgs(cls)
    } catch (e: Exception) {
        reject(invoke, PhoneError.INVALID_ARGS, "${invoke.command}: ${e.javaClass.simpleName}: ${e.message}")
        null
    }

    private fun reject(invoke: Invoke, code: String, message: String) = invoke.reject(message, code)

    private fun closeQuietly(channel: IsoDepCardChannel) {
        try {
            channel.close()
        } catch (e: Exception) {
            // Already gone.
        }
    }

    private companion object {
        const val PRESENCE_CHECK_DELAY_MS = 1000
    }
}
