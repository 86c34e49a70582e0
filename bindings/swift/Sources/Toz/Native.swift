// The whole bridge to the C ABI: the ABI check, error conversion, string and handle results,
// handle ownership, JSON, and running blocking calls off the caller's executor. Every wrapper in
// this module is one call to one of these helpers.

import CToz
import Dispatch
import Foundation

/// libtoz facts that need no handle.
public enum TozLibrary {
    /// The ABI version (`TOZ_ABI_VERSION`) this binding was written for. Before its first fallible
    /// call the binding compares it with `toz_abi_version()` and, if they differ, every call
    /// throws a ``TozError`` of kind ``ErrorKind/invalidArgument`` naming both numbers.
    public static let supportedABIVersion: UInt32 = 2

    /// The loaded library's version, e.g. "0.1.0" (`toz_version`).
    public static var version: String { String(cString: toz_version()) }

    /// The loaded library's ABI version (`toz_abi_version`).
    public static var abiVersion: UInt32 { toz_abi_version() }
}

/// The result of the ABI check. A global is initialised lazily, exactly once and thread-safely,
/// so the library is asked once, before the first fallible call.
private let abiMismatch: TozError? = {
    let found = toz_abi_version()
    guard found != TozLibrary.supportedABIVersion else { return nil }
    return TozError(
        kind: .invalidArgument,
        message: "libtoz has ABI version \(found) but this Swift binding was written for ABI "
            + "version \(TozLibrary.supportedABIVersion); use a libtoz and a binding of the same release")
}()

/// A `char **` out-parameter.
typealias StringOut = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
/// A `toz_x **` out-parameter.
typealias HandleOut = UnsafeMutablePointer<OpaquePointer?>

/// Throws the error a C call returned (NULL is success), freeing it at once with `toz_free_error`.
func checkError(_ error: OpaquePointer?) throws {
    guard let error else { return }
    defer { toz_free_error(error) }
    throw TozError(
        kind: ErrorKind(code: kindCode(toz_error_get_kind(error))),
        httpStatus: Int(toz_error_get_http_status(error)),
        message: String(cString: toz_error_get_message(error)))
}

/// The number of an error kind. `toz_error_kind` is `uint32_t` in C, so `toz_error_get_kind`
/// returns an integer, while the `TOZ_ERROR_KIND_*` enumerators (and, in C++ or C23 mode, the
/// getter) come in as the imported enum, a RawRepresentable struct. These two overloads accept
/// either form, so the mapping does not depend on the importer's choice.
func kindCode<I: BinaryInteger>(_ code: I) -> UInt32 { UInt32(code) }
func kindCode<K: RawRepresentable>(_ kind: K) -> UInt32 where K.RawValue: BinaryInteger {
    UInt32(kind.rawValue)
}

/// Runs one fallible C call after the ABI check.
func invoke(_ body: () -> OpaquePointer?) throws {
    if let abiMismatch { throw abiMismatch }
    try checkError(body())
}

/// Runs a C call with a `char **` result, copies the string and frees it with `toz_free_string`
/// (which zeroes it; the Swift copy cannot be wiped).
func invokeReturningString(_ body: (StringOut) -> OpaquePointer?) throws -> String {
    var out: UnsafeMutablePointer<CChar>? = nil
    try invoke { body(&out) }
    guard let string = out else {
        throw TozError(kind: .unknown, message: "libtoz returned success without a string")
    }
    defer { toz_free_string(string) }
    return String(cString: string)
}

/// Runs a C call with a handle result; the caller wraps the pointer in a ``NativeHandle`` at once.
func invokeReturningHandle(_ body: (HandleOut) -> OpaquePointer?) throws -> OpaquePointer {
    var out: OpaquePointer? = nil
    try invoke { body(&out) }
    guard let handle = out else {
        throw TozError(kind: .unknown, message: "libtoz returned success without a handle")
    }
    return handle
}

/// Passes an optional string as a C string or NULL.
func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
    guard let string else { return try body(nil) }
    return try string.withCString { try body($0) }
}

/// What `toz_progress_fn` returns: 0 lets the transfer go on, anything else cancels it.
private let progressGoOn: Int32 = 0
private let progressCancel: Int32 = 1

/// The `user_data` of one file transfer: the Swift handler, retained by ``withProgress(_:_:)``
/// for as long as the C call runs, and the error it threw, if it did. Used on the calling
/// thread only (the library calls back synchronously).
private final class ProgressBox {
    let handler: ProgressHandler
    var failure: (any Error)?

    init(_ handler: @escaping ProgressHandler) {
        self.handler = handler
    }
}

/// The C callback (`toz_progress_fn`). A global function that captures nothing, so it converts to
/// a `@convention(c)` pointer; it finds the handler through `user_data` without taking ownership.
/// A Swift error is an ordinary return, not an unwind, so catching it here keeps it out of the
/// library's C frames; it is kept for ``withProgress(_:_:)`` and answered with "cancel".
private func progressTrampoline(
    _ userData: UnsafeMutableRawPointer?, _ stage: UInt32, _ done: UInt64, _ total: UInt64
) -> Int32 {
    guard let userData else { return progressGoOn }
    let box = Unmanaged<ProgressBox>.fromOpaque(userData).takeUnretainedValue()
    do {
        try box.handler(ProgressStage(rawValue: stage) ?? .unknown, done, total)
        return progressGoOn
    } catch {
        box.failure = error
        return progressCancel
    }
}

/// Runs `body` with the `progress` and `user_data` arguments of a file call for `handler`: the
/// trampoline and an unmanaged, retained box released after `body` returns; NULL and NULL for nil.
/// When the handler threw, its error is the one thrown: it caused the cancellation (and a
/// `CancellationError` must stay one), so it replaces the library's ``ErrorKind/cancelled``.
func withProgress<R>(
    _ handler: ProgressHandler?, _ body: (toz_progress_fn?, UnsafeMutableRawPointer?) throws -> R
) throws -> R {
    guard let handler else { return try body(nil, nil) }
    let box = ProgressBox(handler)
    let userData = Unmanaged.passRetained(box)
    defer { userData.release() }
    let trampoline: @convention(c) (UnsafeMutableRawPointer?, UInt32, UInt64, UInt64) -> Int32 = progressTrampoline
    let outcome = Result { try body(trampoline, userData.toOpaque()) }
    if let failure = box.failure { throw failure }
    return try outcome.get()
}

/// Owns one `toz_credentials *`, `toz_access_key *` or `toz_client *`.
///
/// `@unchecked Sendable` because the C contract allows it: every handle may move between
/// threads, and every function taking `const toz_x *` (all of them but `toz_free_*`) may run
/// concurrently on the same handle. The one rule left, that the free function must not race with
/// any other use, is kept by counting the calls in flight: `close()` marks the handle closed at
/// once (later calls throw ``ErrorKind/closed``) and the last call still running frees it.
/// `deinit` frees a handle that was never closed.
final class NativeHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var pointer: OpaquePointer?
    private var callsInFlight = 0
    private var closed = false
    private let name: String
    private let free: (OpaquePointer) -> Void

    init(_ pointer: OpaquePointer, name: String, free: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.name = name
        self.free = free
    }

    /// Runs `body` with the live pointer; throws ``ErrorKind/closed`` after `close()`.
    func borrow<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        lock.lock()
        guard !closed, let pointer else {
            lock.unlock()
            throw TozError(kind: .closed, message: "the \(name) handle was used after close()")
        }
        callsInFlight += 1
        lock.unlock()
        defer { endCall() }
        return try body(pointer)
    }

    private func endCall() {
        lock.lock()
        callsInFlight -= 1
        let last = closed && callsInFlight == 0 ? pointer : nil
        if last != nil { pointer = nil }
        lock.unlock()
        if let last { free(last) }
    }

    /// Frees the handle now, or when the last call in flight returns. Closing twice is harmless.
    func close() {
        lock.lock()
        let now = !closed && callsInFlight == 0 ? pointer : nil
        closed = true
        if now != nil { pointer = nil }
        lock.unlock()
        if let now { free(now) }
    }

    deinit {
        if let pointer { free(pointer) }
    }

    /// A fallible call without a result.
    func call(_ body: (OpaquePointer) -> OpaquePointer?) throws {
        try borrow { live in try invoke { body(live) } }
    }

    /// A call with a string result.
    func string(_ body: (OpaquePointer, StringOut) -> OpaquePointer?) throws -> String {
        try borrow { live in try invokeReturningString { body(live, $0) } }
    }

    /// A call with a JSON result, decoded as `T`.
    func json<T: Decodable>(_ type: T.Type = T.self, _ body: (OpaquePointer, StringOut) -> OpaquePointer?) throws -> T {
        try decodeJSON(T.self, from: string(body))
    }

    /// A call with a handle result.
    func handle(_ body: (OpaquePointer, HandleOut) -> OpaquePointer?) throws -> OpaquePointer {
        try borrow { live in try invokeReturningHandle { body(live, $0) } }
    }
}

/// Encodes a value as the JSON text an ABI function takes.
func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    do {
        let data = try JSONEncoder().encode(value)
        return String(decoding: data, as: UTF8.self)
    } catch {
        throw TozError(kind: .json, message: "cannot encode \(T.self) as JSON: \(describe(error))")
    }
}

/// Decodes the JSON text an ABI function returned.
func decodeJSON<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    } catch {
        throw TozError(kind: .json, message: "unexpected JSON from libtoz for \(T.self): \(describe(error))")
    }
}

/// A coding error without the underlying parser's text, which may quote the (possibly secret)
/// input.
private func describe(_ error: any Error) -> String {
    let context: DecodingError.Context
    switch error {
    case EncodingError.invalidValue(_, let c):
        return c.debugDescription
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
         DecodingError.keyNotFound(_, let c), DecodingError.dataCorrupted(let c):
        context = c
    default:
        return "\(type(of: error))"
    }
    let path = context.codingPath.map { $0.stringValue }.joined(separator: ".")
    return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
}

/// Runs a blocking libtoz call on a Dispatch worker thread, so that it never blocks the caller's
/// actor or the cooperative thread pool. Cancelling the task does not stop the call (only a file
/// transfer's progress handler can, by throwing); it ends within the client's configured timeout.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
