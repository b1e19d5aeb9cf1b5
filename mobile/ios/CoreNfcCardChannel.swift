// The iOS bridge: the My Number Card through CoreNFC as a `CardChannel` for `CardSession`, and a
// small reader that runs one card job in an NFCTagReaderSession.
//
// NOT COMPILED OR RUN HERE: this project's machines have no Swift toolchain, Xcode or iPhone.
// It is reviewed code written against the CoreNFC API (iOS 13+); see README.md.

import CoreNFC
import Foundation

/// The card on the iPhone, as a `CardChannel`.
///
/// `CardSession` calls `transceive` synchronously; CoreNFC answers through a completion handler,
/// which runs on the reader session's delegate queue. So `transceive` sends the command and waits
/// on a semaphore, and must be called neither on that queue nor on the main thread: run
/// `CardSession` methods on a queue of your own (as `MyNumberCardReader` does).
public final class CoreNfcCardChannel: CardChannel, @unchecked Sendable {
    /// Longest wait for one answer. An RSA-2048 signature takes the card about a second.
    public static let defaultTimeout: TimeInterval = 10

    private let tag: NFCISO7816Tag
    private let timeout: TimeInterval

    public init(tag: NFCISO7816Tag, timeout: TimeInterval = CoreNfcCardChannel.defaultTimeout) {
        self.tag = tag
        self.timeout = timeout
    }

    public func transceive(apdu: Data) throws -> Data {
        if Thread.isMainThread {
            throw MobileError.Unexpected(
                reason: "CardSession was called on the main thread; call it on a background queue")
        }
        // Parses the whole command APDU (header, Lc and data, Le; short or extended).
        guard let command = NFCISO7816APDU(data: apdu) else {
            throw MobileError.Transport(reason: "CoreNFC cannot send this command (\(apdu.count) bytes)")
        }
        let answer = Answer()
        let done = DispatchSemaphore(value: 0)
        tag.sendCommand(apdu: command) { data, sw1, sw2, error in
            if let error {
                answer.result = .failure(CoreNfcCardChannel.map(error))
            } else {
                var response = data
                response.append(sw1)
                response.append(sw2)
                answer.result = .success(response)
            }
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            throw MobileError.Timeout(millis: UInt64(timeout * 1000))
        }
        // The semaphore orders the handler's write before this read.
        return try answer.result!.get()
    }

    /// CoreNFC's errors in the core's terms: a lost tag is `CardRemoved`.
    public static func map(_ error: Error) -> MobileError {
        if let mobile = error as? MobileError { return mobile }
        guard let nfc = error as? NFCReaderError else {
            return .Transport(reason: error.localizedDescription)
        }
        switch nfc.code {
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagNotConnected:
            return .CardRemoved
        case .readerSessionInvalidationErrorSessionTimeout:
            return .Transport(reason: "the NFC session timed out (iOS allows about a minute); start again")
        case .readerSessionInvalidationErrorUserCanceled:
            return .Transport(reason: "reading the card was cancelled")
        case .readerTransceiveErrorSessionInvalidated,
             .readerSessionInvalidationErrorSessionTerminatedUnexpectedly:
            return .Transport(reason: "the NFC session has ended; start again")
        default:
            return .Transport(reason: nfc.localizedDescription)
        }
    }

    /// The completion handler's result, handed across the semaphore.
    private final class Answer: @unchecked Sendable {
        var result: Result<Data, MobileError>?
    }
}

/// Runs one job with the card: shows the system NFC sheet, polls ISO 14443, connects to the first
/// ISO 7816 tag, runs `job` with a `CardSession` on a background queue, and closes the sheet with
/// the job's message (or the error's).
///
/// ```swift
/// let reader = MyNumberCardReader()
/// reader.begin(alertMessage: "Hold your My Number Card to the top of the iPhone") { session in
///     let assertion = try session.loginAssertion(challengeJson: challenge, origin: origin,
///                                                pin: pin, deviceKeySpki: nil)
///     return ("Logged in", assertion)
/// } completion: { result in
///     DispatchQueue.main.async { /* update the UI with result */ }
/// }
/// ```
public final class MyNumberCardReader: NSObject, NFCTagReaderSessionDelegate, @unchecked Sendable {
    public typealias Job = (CardSession) throws -> (message: String, value: String)

    private let delegateQueue = DispatchQueue(label: "kazasu.nfc.delegate")
    private let workQueue = DispatchQueue(label: "kazasu.nfc.work")
    private var session: NFCTagReaderSession?
    private var job: Job?
    private var completion: ((Result<String, MobileError>) -> Void)?

    public func begin(alertMessage: String, job: @escaping Job,
                      completion: @escaping (Result<String, MobileError>) -> Void) {
        guard NFCTagReaderSession.readingAvailable else {
            completion(.failure(.Transport(reason: "this iPhone cannot read NFC cards")))
            return
        }
        self.job = job
        self.completion = completion
        session = NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: delegateQueue)
        session?.alertMessage = alertMessage
        session?.begin()
    }

    public func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    public func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        finish(.failure(CoreNfcCardChannel.map(error)))
    }

    public func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard let first = tags.first, case let .iso7816(tag) = first else {
            // The system has already tried the AIDs in Info.plist: no JPKI or card-info application.
            session.invalidate(errorMessage: "This is not a My Number Card.")
            finish(.failure(.NotMyNumberCard))
            return
        }
        guard let job = self.job else { return }
        session.connect(to: first) { error in
            if let error {
                let mapped = CoreNfcCardChannel.map(error)
                session.invalidate(errorMessage: mapped.userMessage())
                self.finish(.failure(mapped))
                return
            }
            // Off the delegate queue, where sendCommand's completion handlers arrive.
            self.workQueue.async {
                let card = CardSession(channel: CoreNfcCardChannel(tag: tag))
                do {
                    let (message, value) = try job(card)
                    session.alertMessage = message
                    session.invalidate()
                    self.finish(.success(value))
                } catch {
                    let mapped = CoreNfcCardChannel.map(error)
                    session.invalidate(errorMessage: mapped.userMessage())
                    self.finish(.failure(mapped))
                }
            }
        }
    }

    /// Reports once: invalidating the session calls `didInvalidateWithError` afterwards.
    private func finish(_ result: Result<String, MobileError>) {
        delegateQueue.async {
            guard let completion = self.completion else { return }
            self.completion = nil
            self.job = nil
            self.session = nil
            completion(result)
        }
    }
}
