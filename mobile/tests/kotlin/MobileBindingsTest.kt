// The generated Kotlin bindings and the Android bridge's platform-independent part
// (NfcCardChannel) against the simulator, on a plain JVM with JNA. A CardChannel written in
// Kotlin (SocketLink: the simulator's TCP framing over java.net.Socket, in place of IsoDep)
// carries every flow. Run by mobile/tests/kotlin/run-tests.
//
// Arguments: the kazasu-sim binary, a scratch directory.
package jp.kazasu.mobile.test

import java.io.ByteArrayInputStream
import java.io.DataInputStream
import java.io.EOFException
import java.io.File
import java.net.InetSocketAddress
import java.net.Socket
import java.net.SocketException
import java.security.MessageDigest
import java.security.Signature
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.util.Base64
import java.util.concurrent.TimeUnit
import jp.kazasu.mobile.CardChannel
import jp.kazasu.mobile.CardSession
import jp.kazasu.mobile.CertSlot
import jp.kazasu.mobile.DigestKind
import jp.kazasu.mobile.Lifecycle
import jp.kazasu.mobile.MobileException
import jp.kazasu.mobile.PinKind
import jp.kazasu.mobile.PinStatus
import jp.kazasu.mobile.Sex
import jp.kazasu.mobile.TokenKind
import jp.kazasu.mobile.nfc.IsoDepLink
import jp.kazasu.mobile.nfc.NfcCardChannel

const val AUTH_PIN = "4321"
const val SIGN_PIN = "TEST2026"
const val CARD_INFO_PIN = "8765"
const val ORIGIN = "https://login.example.jp"

/**
 * The simulator's TCP link as an IsoDepLink: 2-byte big-endian length, then the payload; a one-byte
 * 0x04 asks for the ATR, 0x02 resets. Defaults mimic a phone without extended length.
 */
class SocketLink(
    address: String,
    override val maxTransceiveLength: Int = 261,
    override val isExtendedLengthApduSupported: Boolean = false,
) : IsoDepLink, AutoCloseable {
    private val socket = Socket()
    private val input: DataInputStream
    val sent = mutableListOf<ByteArray>()

    init {
        val (host, port) = address.split(":")
        socket.connect(InetSocketAddress(host, port.toInt()), 5000)
        socket.tcpNoDelay = true
        input = DataInputStream(socket.getInputStream())
        socket.soTimeout = 1000
        try {
            request(byteArrayOf(0x04))
        } catch (e: EOFException) {
            throw MobileException.NoCard()
        }
        send(byteArrayOf(0x02))
    }

    override var timeout: Int
        get() = socket.soTimeout
        set(value) { socket.soTimeout = value }

    private fun send(payload: ByteArray) {
        val out = socket.getOutputStream()
        out.write(byteArrayOf((payload.size shr 8).toByte(), payload.size.toByte()) + payload)
        out.flush()
    }

    private fun request(payload: ByteArray): ByteArray {
        send(payload)
        val length = input.readUnsignedShort()
        return ByteArray(length).also { input.readFully(it) }
    }

    override fun transceive(apdu: ByteArray): ByteArray {
        sent.add(apdu)
        return request(apdu)
    }

    override fun close() = socket.close()
}

/** The lost-tag test for a socket: the peer closed (Android's is `it is TagLostException`). */
val socketLost = { e: Throwable -> e is EOFException || e is SocketException }

/** `kazasu-sim serve --tcp 127.0.0.1:0` on a fresh card, with its control input. */
class Simulator(private val sim: File, val dir: File) : AutoCloseable {
    private val card = File(dir, "card.json")
    private val process: Process
    private val lines: java.util.concurrent.BlockingQueue<String> = java.util.concurrent.LinkedBlockingQueue()
    val address: String

    init {
        dir.mkdirs()
        run(sim.path, "--card", card.path, "new", "--auth-pin", AUTH_PIN, "--sign-pin", SIGN_PIN,
            "--card-info-pin", CARD_INFO_PIN)
        run(sim.path, "--card", card.path, "office", "export-trust", File(dir, "trust").path)
        process = ProcessBuilder(sim.path, "--card", card.path, "serve", "--tcp", "127.0.0.1:0")
            .redirectError(File(dir, "serve.log"))
            .start()
        Thread {
            process.inputStream.bufferedReader().forEachLine { lines.put(it) }
        }.apply { isDaemon = true }.start()
        var found: String? = null
        while (true) {
            val line = next("the server to start")
            if (line.startsWith("tcp: listening on ")) found = line.removePrefix("tcp: listening on ")
            if (line.startsWith("ready:")) break
        }
        address = found ?: error("kazasu-sim printed no TCP address")
    }

    private fun next(what: String): String =
        lines.poll(20, TimeUnit.SECONDS) ?: error("no answer from kazasu-sim serve while waiting for $what")

    fun control(command: String) {
        process.outputStream.write("$command\n".toByteArray())
        process.outputStream.flush()
        val answer = next(command)
        check(answer.startsWith("ok:")) { "$command: $answer" }
    }

    fun trust(name: String) = File(dir, "trust/$name")

    override fun close() {
        process.destroy()
        process.waitFor(5, TimeUnit.SECONDS)
    }
}

fun run(vararg command: String): String {
    val p = ProcessBuilder(*command).redirectErrorStream(true).start()
    val out = p.inputStream.bufferedReader().readText()
    check(p.waitFor() == 0) { "${command.joinToString(" ")} failed:\n$out" }
    return out
}

fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

inline fun <reified E : Throwable> assertThrows(block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

fun b64u(text: String): ByteArray = Base64.getUrlDecoder().decode(text)

fun jsonField(json: String, name: String): String =
    Regex("\"$name\":\"([^\"]*)\"").find(json)?.groupValues?.get(1) ?: error("no $name in $json")

fun certificate(der: ByteArray): X509Certificate =
    CertificateFactory.getInstance("X.509").generateCertificate(ByteArrayInputStream(der)) as X509Certificate

fun pemCertificate(file: File): X509Certificate =
    CertificateFactory.getInstance("X.509").generateCertificate(file.inputStream()) as X509Certificate

fun challengeJson(): String {
    val nonce = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(ByteArray(32).also { java.security.SecureRandom().nextBytes(it) })
    val now = System.currentTimeMillis() / 1000
    return """{"nonce":"$nonce","rp_id":"login.example.jp","origin":"$ORIGIN","issued_at":$now,"expires_at":${now + 120}}"""
}

/** A session through the bridge over a fresh socket; both closed after `block`. */
fun <T> bridged(sim: Simulator, block: (CardSession, SocketLink, NfcCardChannel) -> T): T =
    SocketLink(sim.address).use { link ->
        val channel = NfcCardChannel(link, socketLost)
        CardSession(channel).use { session -> block(session, link, channel) }
    }

fun main(args: Array<String>) {
    val sim = File(args[0])
    val scratch = File(args[1])
    val tests = linkedMapOf<String, (Simulator) -> Unit>()

    tests["a phone that sends extended APDUs reads a certificate in one READ BINARY"] = { s ->
        val counts = listOf(false, true).map { extended ->
            SocketLink(s.address, maxTransceiveLength = 65546, isExtendedLengthApduSupported = extended).use { link ->
                NfcCardChannel(link, socketLost).openSession().use { session ->
                    check(session.certificate(CertSlot.AUTH, null).size > 1500)
                }
                link.sent.size
            }
        }
        // SELECT and one READ BINARY by short identifier, against SELECT, SELECT EF and 7 reads.
        check(counts[1] == 2 && counts[0] > 6) { "short $counts[0], extended $counts[1]" }
    }

    tests["status: token, certificates with expiry and renewal, tries left"] = { s ->
        bridged(s) { session, _, _ ->
            val status = session.status(null)
            check(status.token == TokenKind.MyNumberCard) { "${status.token}" }
            check(status.certificates.map { it.slot } == listOf(CertSlot.AUTH, CertSlot.AUTH_CA, CertSlot.SIGN, CertSlot.SIGN_CA)) { "$status" }
            val auth = status.certificates[0].summary!!
            // Issued today, valid to the holder's 5th birthday after issue (born 15 March).
            val year = auth.expiresOn.take(4).toInt()
            check(auth.expiresOn == "$year-03-15" && auth.lifecycle == Lifecycle.Valid) { "$auth" }
            check(status.certificates[2].needsPin == PinKind.SIGN) { "${status.certificates[2]}" }
            check(status.pins.map { it.kind to it.status } == listOf(
                PinKind.AUTH to PinStatus.Remaining(3u),
                PinKind.SIGN to PinStatus.Remaining(5u),
                PinKind.CARD_INFO to PinStatus.Remaining(3u),
            )) { "${status.pins}" }
            val later = session.status("$year-01-10").certificates[0].summary!!.lifecycle
            check(later == Lifecycle.RenewalWindow("${year - 1}-12-15")) { "$later" }
            val expired = session.status("$year-03-16").certificates[0].summary!!.lifecycle
            check(expired == Lifecycle.Expired) { "$expired" }
        }
    }

    tests["verify a wrong then the right PIN"] = { s ->
        bridged(s) { session, _, _ ->
            val e = assertThrows<MobileException.WrongPin> { session.verifyPin(PinKind.AUTH, "0000") }
            check(e.kind == PinKind.AUTH && e.triesLeft.toInt() == 2) { "$e" }
            check(e.userMessage() == "wrong authentication PIN: 2 tries left") { e.userMessage() }
            session.verifyPin(PinKind.AUTH, AUTH_PIN)
            check(session.pins()[0].status == PinStatus.Remaining(3u)) { "${session.pins()}" }
        }
    }

    tests["a malformed PIN is refused before any APDU"] = { s ->
        bridged(s) { session, link, _ ->
            val e = assertThrows<MobileException.InvalidPin> { session.verifyPin(PinKind.SIGN, "abc") }
            check(e.reason.contains("nothing was sent")) { e.reason }
            check(link.sent.isEmpty()) { "${link.sent.size} APDUs sent" }
        }
    }

    tests["login assertion: signature verifies with the certificate, chain to the auth CA"] = { s ->
        bridged(s) { session, _, _ ->
            val challenge = challengeJson()
            val assertion = session.loginAssertion(challenge, ORIGIN, AUTH_PIN, null)
            val clientData = b64u(jsonField(assertion, "client_data"))
            val cert = certificate(b64u(jsonField(assertion, "certificate")))
            cert.verify(pemCertificate(s.trust("auth-ca.pem")).publicKey)
            val verifier = Signature.getInstance("SHA256withRSA").apply {
                initVerify(cert.publicKey)
                update(clientData)
            }
            check(verifier.verify(b64u(jsonField(assertion, "signature")))) { "signature does not verify" }
            val text = String(clientData)
            check(text.contains(jsonField(challenge, "nonce")) && text.contains(ORIGIN)) { text }
        }
    }

    tests["sign a document digest: CAdES verified by openssl cms"] = { s ->
        bridged(s) { session, _, _ ->
            val document = File(s.dir, "document.txt").apply { writeText("signed from Kotlin\n".repeat(50)) }
            val digest = MessageDigest.getInstance("SHA-256").digest(document.readBytes())
            val cms = session.signDigest(digest, DigestKind.SHA256, SIGN_PIN)
            val p7s = File(s.dir, "document.p7s").apply { writeBytes(cms) }
            run("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", p7s.path,
                "-content", document.path, "-CAfile", s.trust("sign-ca.pem").path, "-purpose", "any",
                "-out", "/dev/null")
            assertThrows<MobileException.InvalidInput> { session.signDigest(ByteArray(20), DigestKind.SHA256, SIGN_PIN) }
        }
    }

    tests["read My Number and the basic facts"] = { s ->
        bridged(s) { session, _, _ ->
            val identity = session.readIdentity(CARD_INFO_PIN)
            check(identity.myNumber == "123456789018" && identity.sex == Sex.MALE) { identity.name }
            check(identity.birthDate == "1990-03-15") { identity.birthDate }
        }
    }

    tests["change a PIN"] = { s ->
        bridged(s) { session, _, _ ->
            session.changePin(PinKind.CARD_INFO, CARD_INFO_PIN, "2468")
            assertThrows<MobileException.WrongPin> { session.verifyPin(PinKind.CARD_INFO, CARD_INFO_PIN) }
            session.verifyPin(PinKind.CARD_INFO, "2468")
        }
    }

    tests["tag lost during VERIFY is CardRemoved and costs no try"] = { s ->
        bridged(s) { session, _, _ ->
            s.control("tear verify")
            val e = assertThrows<MobileException.CardRemoved> { session.verifyPin(PinKind.AUTH, AUTH_PIN) }
            check(e.userMessage().contains("hold it still")) { e.userMessage() }
        }
        assertThrows<MobileException.NoCard> { SocketLink(s.address) }
        s.control("insert")
        bridged(s) { session, _, _ ->
            check(session.pins()[0].status == PinStatus.Remaining(3u)) { "${session.pins()}" }
        }
    }

    tests["the bridge raises the time-out for an RSA signature"] = { s ->
        bridged(s) { _, link, channel ->
            check(link.timeout == NfcCardChannel.DEFAULT_TIMEOUT_MS && channel.timeoutMs == 5000) { "${link.timeout}" }
        }
    }

    tests["the bridge refuses extended or oversized APDUs the phone cannot send"] = { s ->
        bridged(s) { _, link, channel ->
            val extended = byteArrayOf(0, 0xB0.toByte(), 0, 0, 0, 0x04, 0)
            check(NfcCardChannel.isExtendedLength(extended)) { "not detected" }
            check(!NfcCardChannel.isExtendedLength(byteArrayOf(0, 0xB0.toByte(), 0, 0, 0))) { "case 2 short" }
            check(!NfcCardChannel.isExtendedLength(byteArrayOf(0, 0xA4.toByte(), 4, 0x0C, 2, 0x3F, 0))) { "case 3 short" }
            val e = assertThrows<MobileException.Transport> { channel.transceive(extended) }
            check(e.reason.contains("extended-length")) { e.reason }
            val long = byteArrayOf(0, 0xD6.toByte(), 0, 0, 0xFF.toByte()) + ByteArray(255) + byteArrayOf(0, 0)
            assertThrows<MobileException.Transport> { channel.transceive(long) }
            check(link.sent.isEmpty()) { "sent anyway" }
        }
    }

    tests["an exception thrown by Kotlin channel code is an error value, not a crash"] = { s ->
        val broken = object : CardChannel {
            override fun transceive(apdu: ByteArray): ByteArray = throw IllegalStateException("bug in the bridge")
        }
        CardSession(broken).use { session ->
            val e = assertThrows<MobileException.Unexpected> { session.pins() }
            check(e.reason.contains("bug in the bridge")) { e.reason }
        }
        val notACard = object : CardChannel {
            override fun transceive(apdu: ByteArray): ByteArray = byteArrayOf(0x6A, 0x82.toByte())
        }
        CardSession(notACard).use { assertThrows<MobileException.NotMyNumberCard> { it.status(null) } }
    }

    tests["the in-built TCP channel runs the same flow"] = { s ->
        CardSession.connectTcp(s.address).use { session ->
            check(session.status(null).token == TokenKind.MyNumberCard) { "token" }
            assertThrows<MobileException.WrongPin> { session.verifyPin(PinKind.SIGN, "WRONG1") }
            session.verifyPin(PinKind.SIGN, SIGN_PIN)
            val sign = certificate(session.certificate(CertSlot.SIGN, SIGN_PIN))
            sign.verify(pemCertificate(s.trust("sign-ca.pem")).publicKey)
        }
    }

    var passed = 0
    var failed = 0
    for ((name, test) in tests) {
        val started = System.nanoTime()
        val dir = File(scratch, "test-${passed + failed}")
        try {
            Simulator(sim, dir).use { test(it) }
            passed++
            println("PASS  $name (${(System.nanoTime() - started) / 1_000_000} ms)")
        } catch (e: Throwable) {
            failed++
            println("FAIL  $name: $e")
            e.printStackTrace(System.out)
            val log = File(dir, "serve.log")
            if (log.exists()) println("--- serve.log\n${log.readText()}")
        }
    }
    println("$passed passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}
