// The iOS side of tauri-plugin-kazasu-nfc: an NFCTagReaderSession (the system sheet) and APDUs
// passed to the card through mobile/ios's CoreNfcCardChannel. All protocol logic is in Rust.
//
// NOT COMPILED OR RUN HERE: this project's machines have no Swift toolchain, Xcode or iPhone.
// Written against Tauri 2.12's iOS API (mobile/ios-api in the tauri crate) and CoreNFC (iOS 13+).
//
// Threads: Tauri runs commands on its serial "ipc" queue. The reader session, its delegate
// callbacks and all the state below live on `queue`. CoreNfcCardChannel.transceive waits on a
// semaphore for an answer that arrives on `queue`, so exchanges run on `worker`, never on `queue`
// nor on Tauri's queue (which a long wait would hold up for every plugin).

import CoreNFC
import Foundation
import KazasuMobileBridge
import Tauri

struct OpenSessionArgs: Decodable {
  /// Chosen by Rust: later commands name it, so a late close cannot end a newer session.
  let session: Int
  let prompt: String
  let timeoutMs: Int?
  let waitMs: Int?
}

struct TransceiveArgs: Decodable {
  let session: Int
  let apdu: String
}

struct CloseSessionArgs: Decodable {
  /// Absent: whatever is open or waiting.
  let session: Int?
  let message: String?
  let success: Bool?
}

/// The codes commands are rejected with; the Rust side turns them into its `Error`.
enum PhoneError {
  static let nfcUnavailable = "NFC_UNAVAILABLE"
  static let cancelled = "CANCELLED"
  static let noCard = "NO_CARD"
  static let notMyNumberCard = "NOT_MY_NUMBER_CARD"
  static let cardRemoved = "CARD_REMOVED"
  static let timeout = "TIMEOUT"
  static let sessionClosed = "SESSION_CLOSED"
  static let transport = "TRANSPORT"
  static let invalidArgs = "INVALID_ARGS"

  /// What the reused CoreNfcCardChannel raised. Reads the cases only: `description` and
  /// `userMessage()` call into Rust.
  static func of(_ error: MobileError) -> (code: String, reason: String) {
    switch error {
    case .CardRemoved: return (cardRemoved, "the card was removed")
    case .NoCard: return (noCard, "no card")
    case .NotMyNumberCard: return (notMyNumberCard, "not a My Number Card")
    case .Timeout(let millis): return (timeout, "the card did not answer within \(millis) ms")
    case .Transport(let reason): return (transport, reason)
    case .Unexpected(let reason): return (transport, reason)
    default: return (transport, "the NFC channel failed")
    }
  }

  /// Why CoreNFC ended (or would not start) a session.
  static func of(session error: Error, waiting: Bool) -> (code: String, reason: String) {
    guard let nfc = error as? NFCReaderError else {
      return (waiting ? transport : sessionClosed, error.localizedDescription)
    }
    switch nfc.code {
    case .readerSessionInvalidationErrorUserCanceled:
      return (cancelled, "the NFC sheet was closed")
    case .readerSessionInvalidationErrorSessionTimeout:
      return waiting
        ? (noCard, "no card was tapped before the NFC session timed out")
        : (sessionClosed, "iOS ended the NFC session after its time limit (about a minute)")
    case .readerSessionInvalidationErrorSystemIsBusy:
      return (nfcUnavailable, "the iPhone's NFC reader is busy")
    case .readerErrorUnsupportedFeature:
      return (nfcUnavailable, "this iPhone cannot read NFC cards")
    case .readerErrorSecurityViolation:
      return (
        nfcUnavailable,
        "iOS refused the NFC session: check the app's NFC entitlement and Info.plist (MOBILE.md)"
      )
    default:
      return (waiting ? transport : sessionClosed, nfc.localizedDescription)
    }
  }
}

/// APDUs cross the bridge as hex strings (JSON has no bytes).
enum Hex {
  /// The longest command APDU (ISO 7816-4 extended: 4 + 3 + 65535 + 2 bytes), in hex digits.
  static let maxCommandDigits = 2 * (4 + 3 + 65_535 + 2)

  private static let digits = Array("0123456789ABCDEF".utf8)

  static func encode(_ data: Data) -> String {
    var out = [UInt8]()
    out.reserveCapacity(data.count * 2)
    for byte in data {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The bytes of `text` (either case), or nil when it is not an even number of hex digits or
  /// too long.
  static func decode(_ text: String) -> Data? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0, chars.count <= maxCommandDigits else { return nil }
    var data = Data(capacity: chars.count / 2)
    var i = 0
    while i < chars.count {
      guard let hi = value(chars[i]), let lo = value(chars[i + 1]) else { return nil }
      data.append(hi << 4 | lo)
      i += 2
    }
    return data
  }

  private static func value(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    default: return nil
    }
  }
}

class KazasuNfcPlugin: Plugin, NFCTagReaderSessionDelegate {
  private let queue = DispatchQueue(label: "jp.kazasu.nfc.session")
  private let worker = DispatchQueue(label: "jp.kazasu.nfc.exchange")

  // On `queue` only.
  private var session: NFCTagReaderSession?
  private var sessionId: Int?
  private var waiting: Invoke?
  private var giveUpTimer: DispatchWorkItem?
  private var timeout: TimeInterval = CoreNfcCardChannel.defaultTimeout
  private var channel: CoreNfcCardChannel?
  private var ended: (id: Int, code: String, reason: String)?

  @objc public func isAvailable(_ invoke: Invoke) {
    if NFCTagReaderSession.readingAvailable {
      invoke.resolve(["available": true])
    } else {
      invoke.resolve(["available": false, "reason": "this iPhone cannot read NFC cards"])
    }
  }

  @objc public func openSession(_ invoke: Invoke) throws {
    let args = try invoke.parseArgs(OpenSessionArgs.self)
    guard NFCTagReaderSession.readingAvailable else {
      invoke.reject("this iPhone cannot read NFC cards", code: PhoneError.nfcUnavailable)
      return
    }
    queue.async {
      self.end(
        waitingCode: PhoneError.cancelled, reason: "replaced by a new session",
        invalidate: { $0.invalidate() })
      // Optional either way, whether this SDK's initializer is failable or not.
      let created: NFCTagReaderSession? = NFCTagReaderSession(
        pollingOption: .iso14443, delegate: self, queue: self.queue)
      guard let session = created else {
        invoke.reject("CoreNFC could not start a reader session", code: PhoneError.nfcUnavailable)
        return
      }
      session.alertMessage = args.prompt
      self.session = session
      self.sessionId = args.session
      self.waiting = invoke
      self.timeout = TimeInterval(args.timeoutMs ?? 10_000) / 1000
      let giveUp = DispatchWorkItem { [weak self] in self?.giveUpWaiting(session) }
      self.giveUpTimer = giveUp
      self.queue.asyncAfter(deadline: .now() + .milliseconds(args.waitMs ?? 60_000), execute: giveUp)
      session.begin()
    }
  }

  @objc public func transceive(_ invoke: Invoke) throws {
    let args = try invoke.parseArgs(TransceiveArgs.self)
    guard let apdu = Hex.decode(args.apdu) else {
      invoke.reject("the APDU is not hex or is too long", code: PhoneError.invalidArgs)
      return
    }
    queue.async {
      guard args.session == self.sessionId, let channel = self.channel else {
        let failure = self.endedError(args.session)
        invoke.reject(failure.reason, code: failure.code)
        return
      }
      self.worker.async {
        do {
          let response = try channel.transceive(apdu: apdu)
          invoke.resolve(["response": Hex.encode(response)])
        } catch {
          // A session that ended under the exchange fails as whatever CoreNFC says: say why.
          let current = self.queue.sync { args.session == self.sessionId }
          let failure: (code: String, reason: String)
          if !current {
            failure = self.queue.sync { self.endedError(args.session) }
          } else if let mobile = error as? MobileError {
            failure = PhoneError.of(mobile)
          } else {
            failure = (PhoneError.transport, "the NFC channel failed")
          }
          invoke.reject(failure.reason, code: failure.code)
        }
      }
    }
  }

  @objc public func closeSession(_ invoke: Invoke) throws {
    let args = try invoke.parseArgs(CloseSessionArgs.self)
    queue.async {
      if args.session == nil || args.session == self.sessionId {
        let success = args.success ?? true
        self.end(
          waitingCode: PhoneError.cancelled, reason: "closed by the app",
          invalidate: { session in
            guard let message = args.message else { return session.invalidate() }
            if success {
              session.alertMessage = message
              session.invalidate()
            } else {
              session.invalidate(errorMessage: message)
            }
          })
      }
      invoke.resolve()
    }
  }

  // MARK: NFCTagReaderSessionDelegate, on `queue`

  public func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

  public func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
    // Our own invalidate() calls back here too, after `self.session` was cleared.
    guard session === self.session else { return }
    let (code, reason) = PhoneError.of(session: error, waiting: waiting != nil)
    end(waitingCode: code, endedCode: code, reason: reason, invalidate: nil)
  }

  public func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
    guard session === self.session, waiting != nil else { return }
    guard let first = tags.first, case let .iso7816(tag) = first else {
      // The system has already tried the AIDs of Info.plist: neither JPKI nor card-info answered.
      end(
        waitingCode: PhoneError.notMyNumberCard, reason: "this is not a My Number Card",
        invalidate: { $0.invalidate(errorMessage: "This is not a My Number Card.") })
      return
    }
    session.connect(to: first) { error in
      self.queue.async {
        guard session === self.session, let invoke = self.waiting else { return }
        if let error = error {
          let (code, reason) = PhoneError.of(CoreNfcCardChannel.map(error))
          if code == PhoneError.cardRemoved {
            // Brushed past: keep polling for the card.
            session.restartPolling()
            return
          }
          self.end(
            waitingCode: code, reason: reason, invalidate: { $0.invalidate(errorMessage: reason) })
          return
        }
        self.giveUpTimer?.cancel()
        self.giveUpTimer = nil
        self.waiting = nil
        self.channel = CoreNfcCardChannel(tag: tag, timeout: self.timeout)
        invoke.resolve(["session": self.sessionId ?? 0])
      }
    }
  }

  // MARK: state, on `queue`

  private func giveUpWaiting(_ session: NFCTagReaderSession) {
    guard session === self.session, waiting != nil else { return }
    end(
      waitingCode: PhoneError.noCard, reason: "no card was tapped",
      invalidate: { $0.invalidate(errorMessage: "No card was found.") })
  }

  /// Ends the current session: a waiting openSession is rejected with `waitingCode`, later
  /// exchanges of it with `endedCode`, and the sheet is closed with `invalidate`.
  private func end(
    waitingCode: String, endedCode: String = PhoneError.sessionClosed, reason: String,
    invalidate: ((NFCTagReaderSession) -> Void)?
  ) {
    giveUpTimer?.cancel()
    giveUpTimer = nil
    if let invoke = waiting {
      waiting = nil
      invoke.reject(reason, code: waitingCode)
    }
    if let id = sessionId {
      ended = (id, endedCode, reason)
    }
    if let session = session, let invalidate = invalidate {
      invalidate(session)
    }
    session = nil
    sessionId = nil
    channel = nil
  }

  private func endedError(_ id: Int) -> (code: String, reason: String) {
    if let ended = ended, ended.id == id {
      return (ended.code, ended.reason)
    }
    return (PhoneError.sessionClosed, "no open NFC session \(id)")
  }
}

@_cdecl("init_plugin_kazasu_nfc")
func initPlugin() -> Plugin {
  return KazasuNfcPlugin()
}
