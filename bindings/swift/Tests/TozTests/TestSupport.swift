import Foundation
import Toz
import XCTest

/// Asserts that `expression` throws a TozError of `kind`; returns the error.
@discardableResult
func assertThrowsKind<T>(
    _ kind: ErrorKind, _ expression: @autoclosure () throws -> T,
    file: StaticString = #filePath, line: UInt = #line
) -> TozError? {
    var thrown: TozError?
    XCTAssertThrowsError(try expression(), file: file, line: line) { error in
        thrown = error as? TozError
        XCTAssertEqual(thrown?.kind, kind, "\(error)", file: file, line: line)
    }
    return thrown
}

/// The async form of ``assertThrowsKind(_:_:file:line:)``; `other` is a second acceptable kind.
/// It runs in the caller's isolation, so `body` never crosses actors.
@discardableResult
func assertThrowsKindAsync<T>(
    _ kind: ErrorKind, orAlso other: ErrorKind? = nil, isolation: isolated (any Actor)? = #isolation,
    file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T
) async -> TozError? {
    do {
        _ = try await body()
        XCTFail("expected a \(kind.name) error, but the call succeeded", file: file, line: line)
        return nil
    } catch {
        let thrown = error as? TozError
        XCTAssertTrue(thrown?.kind == kind || (other != nil && thrown?.kind == other), "\(error)", file: file, line: line)
        return thrown
    }
}

/// Asserts that `body` throws an error of type `E`: for a transfer cancelled by its progress
/// handler, the handler's own error rather than the library's `.cancelled`.
func assertThrowsAsync<E: Error, T>(
    _ type: E.Type, isolation: isolated (any Actor)? = #isolation,
    file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        XCTFail("expected \(E.self), but the call succeeded", file: file, line: line)
    } catch {
        XCTAssertTrue(error is E, "expected \(E.self), got \(error)", file: file, line: line)
    }
}

/// A fresh temporary directory, removed by `cleanup`.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("toz-swift-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A registered client and its credentials.
struct Party: Sendable {
    let credentials: Credentials
    let client: Client
    let id: String
    let publicKey: String
}

struct MissingEnvironment: Error, CustomStringConvertible {
    let description: String
}

/// The toz-server that scripts/with-server.sh started, from the variables it exports.
struct LiveServer: Sendable {
    let apiURL: String
    let registrationToken: String
    let backupCredentialsPath: String
    let accountEmail: String
    let database: String
    let serverBinary: String
    /// Where toz-server's `--mail-command` leaves every message it sends, one file each.
    let mailDirectory: String

    /// The server from the environment; records a failure (and throws) when a variable is missing,
    /// so that a suite run without a server cannot pass.
    static func fromEnvironment(file: StaticString = #filePath, line: UInt = #line) throws -> LiveServer {
        let environment = ProcessInfo.processInfo.environment
        func variable(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                let message = "\(name) is not set: run this suite through scripts/with-server.sh (bindings/swift/test.sh)"
                XCTFail(message, file: file, line: line)
                throw MissingEnvironment(description: message)
            }
            return value
        }
        return try LiveServer(
            apiURL: variable("TOZ_TEST_API_URL"),
            registrationToken: variable("TOZ_TEST_REGISTRATION_TOKEN"),
            backupCredentialsPath: variable("TOZ_TEST_BACKUP_CREDENTIALS"),
            accountEmail: variable("TOZ_TEST_ACCOUNT_EMAIL"),
            database: variable("TOZ_TEST_DATABASE"),
            serverBinary: variable("TOZ_SERVER_BIN"),
            mailDirectory: variable("TOZ_TEST_MAIL_DIR"))
    }

    /// The names of the messages in the mail directory now: pass them to
    /// ``mailedCode(noteID:after:)`` to skip older ones.
    func mailNames() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: mailDirectory))
    }

    /// The one-time code of the newest message about `noteID` (header `X-Toz-Note-Id: <noteID>`,
    /// body line `One-time code: <code>`) that is not among `before`. Waits up to 10 s for it,
    /// because the server may hand the message over after it answered.
    func mailedCode(noteID: String, after before: Set<String>) async throws -> String {
        let header = "X-Toz-Note-Id: \(noteID)"
        let prefix = "One-time code: "
        let deadline = Date().addingTimeInterval(10)
        while true {
            var newest: (modified: Date, lines: [String])?
            for name in try FileManager.default.contentsOfDirectory(atPath: mailDirectory) where !before.contains(name) {
                let path = URL(fileURLWithPath: mailDirectory).appendingPathComponent(name).path
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                let lines = text.components(separatedBy: .newlines).map { $0.trimmingCharacters(in: .whitespaces) }
                guard lines.contains(header) else { continue }
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let modified = attributes?[.modificationDate] as? Date ?? .distantPast
                if let current = newest, current.modified > modified { continue }
                newest = (modified, lines)
            }
            if let line = newest?.lines.first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            }
            guard Date() < deadline else {
                let message = "no message with a one-time code for note \(noteID) in \(mailDirectory)"
                XCTFail(message)
                throw MissingEnvironment(description: message)
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
    }

    /// Registers a new client with the unlimited token (blocking, so that async tests can call it
    /// without picking an async overload).
    func register(_ name: String, backup: Bool = false) throws -> Party {
        let credentials = try Credentials.register(
            apiURL: apiURL, token: registrationToken, name: name, backup: backup)
        let info = try credentials.publicInfo()
        XCTAssertFalse(info.clientID.isEmpty)
        return try Party(
            credentials: credentials, client: Client(credentials: credentials), id: info.clientID,
            publicKey: info.publicKey)
    }

    /// A client for the account's backup client (the "queen"), which can list and recover backups.
    func backupClient() throws -> Client {
        try Client(credentials: Credentials.load(fromFile: backupCredentialsPath))
    }

    #if os(macOS) || os(Linux)
    /// `toz-server token create --uses N` against the server's database.
    func createToken(uses: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: serverBinary)
        process.arguments = [
            "token", "create", "--database", database, "--email", accountEmail, "--uses", String(uses),
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MissingEnvironment(description: "toz-server token create exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #endif
}

/// Collects progress reports from whichever thread the transfer runs on.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(stage: ProgressStage, done: UInt64, total: UInt64)] = []

    func record(_ stage: ProgressStage, _ done: UInt64, _ total: UInt64) {
        lock.lock()
        recorded.append((stage, done, total))
        lock.unlock()
    }

    var events: [(stage: ProgressStage, done: UInt64, total: UInt64)] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// The reports come stage after stage in `stages` order, each stage's `done` never goes down
    /// and ends at its total, and a multi-block transfer reports more than once per stage.
    func check(stages: [ProgressStage], totals: [UInt64], file: StaticString = #filePath, line: UInt = #line) {
        let events = self.events
        var seen: [ProgressStage] = []
        for event in events where seen.last != event.stage {
            seen.append(event.stage)
        }
        XCTAssertEqual(seen, stages, "\(events)", file: file, line: line)
        for (stage, total) in zip(stages, totals) {
            let mine = events.filter { $0.stage == stage }
            XCTAssertGreaterThan(mine.count, 1, "\(stage)", file: file, line: line)
            XCTAssertTrue(mine.allSatisfy { $0.total == total }, "\(stage): \(mine), total \(total)", file: file, line: line)
            let dones = mine.map { $0.done }
            XCTAssertEqual(dones, dones.sorted(), "\(stage)", file: file, line: line)
            XCTAssertEqual(dones.last, total, "\(stage)", file: file, line: line)
        }
    }
}
