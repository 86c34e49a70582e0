// Everything that needs no server: version and ABI, the error mapping, credentials (JSON, files,
// profiles, sealing), access keys, offline record encryption, and handle lifetimes.

import Foundation
@testable import Toz
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

final class OfflineTests: XCTestCase {
    func testVersionAndABI() {
        XCTAssertEqual(TozLibrary.abiVersion, TozLibrary.supportedABIVersion)
        XCTAssertEqual(TozLibrary.version.split(separator: ".").count, 3, TozLibrary.version)
    }

    func testErrorKindTableCoversEveryKindWithTheHeadersNumbers() {
        for row in ErrorKind.table {
            XCTAssertEqual(row.kind.rawValue, row.code, row.name)
            XCTAssertEqual(ErrorKind(code: row.code), row.kind)
            XCTAssertEqual(row.kind.name, row.name)
        }
        let mapped = Set(ErrorKind.table.map { $0.kind })
        XCTAssertEqual(mapped, Set(ErrorKind.allCases).subtracting([.unknown]))
        XCTAssertEqual(ErrorKind(code: 0), .unknown)
        XCTAssertEqual(ErrorKind(code: 9999), .unknown)
    }

    func testCredentialsGenerateAndJSONRoundTrip() throws {
        let credentials = try Credentials.generate(apiURL: "https://toz.example")
        let info = try credentials.publicInfo()
        XCTAssertEqual(info.apiURL, "https://toz.example")
        XCTAssertEqual(info.clientID, "", "not registered yet")
        XCTAssertEqual(info.version, 2)
        XCTAssertFalse(info.publicKey.isEmpty)
        XCTAssertFalse(info.publicSigningKey.isEmpty)

        let json = try credentials.toJSON()
        XCTAssertTrue(json.contains("private_key"))
        XCTAssertEqual(try Credentials.fromJSON(json).toJSON(), json)
        XCTAssertEqual(try Credentials.generate().publicInfo().apiURL, "https://api.e3db.com")
        XCTAssertNotEqual(try Credentials.generate().publicInfo().publicKey, info.publicKey)
    }

    func testCredentialsFromBadJSON() {
        assertThrowsKind(.json, try Credentials.fromJSON("{not json"))
        assertThrowsKind(.json, try Credentials.fromJSON(""))
        assertThrowsKind(.json, try Credentials.fromJSON("{}"))
        assertThrowsKind(.json, try Credentials.fromJSON("[1,2]"))
    }

    func testCredentialsFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/e3db.json").path
        let credentials = try Credentials.generate()
        let other = try Credentials.generate()

        try credentials.save(toFile: path)
        XCTAssertEqual(try Credentials.load(fromFile: path).toJSON(), try credentials.toJSON())
        assertThrowsKind(.alreadyExists, try other.save(toFile: path))
        try other.save(toFile: path, overwrite: true)
        XCTAssertEqual(try Credentials.load(fromFile: path).toJSON(), try other.toJSON())

        assertThrowsKind(.notFound, try Credentials.load(fromFile: directory.appendingPathComponent("missing.json").path))
        assertThrowsKind(.io, try Credentials.load(fromFile: directory.path))
    }

    func testProfiles() throws {
        let home = try temporaryDirectory()
        let oldHome = ProcessInfo.processInfo.environment["HOME"]
        setenv("HOME", home.path, 1)
        defer {
            if let oldHome { setenv("HOME", oldHome, 1) } else { unsetenv("HOME") }
            try? FileManager.default.removeItem(at: home)
        }
        let credentials = try Credentials.generate()
        let work = try Credentials.generate(apiURL: "https://work.example")

        try credentials.saveProfile()
        XCTAssertTrue(FileManager.default.fileExists(atPath: home.appendingPathComponent(".tozny/e3db.json").path))
        assertThrowsKind(.alreadyExists, try work.saveProfile(nil))
        XCTAssertEqual(try Credentials.loadProfile().toJSON(), try credentials.toJSON())

        try work.saveProfile("work-1")
        XCTAssertEqual(try Credentials.loadProfile("work-1").publicInfo().apiURL, "https://work.example")
        try credentials.saveProfile("work-1", overwrite: true)
        XCTAssertEqual(try Credentials.loadProfile("work-1").toJSON(), try credentials.toJSON())

        assertThrowsKind(.invalidArgument, try credentials.saveProfile("../evil"))
        assertThrowsKind(.invalidArgument, try Credentials.loadProfile("../.tozny"))
        assertThrowsKind(.notFound, try Credentials.loadProfile("nobody"))
    }

    func testSealAndUnseal() throws {
        let credentials = try Credentials.generate()
        let fast = SealOptions(opslimit: 1, memlimit: 8 * 1024 * 1024)
        let sealed = try credentials.seal(passphrase: "correct horse battery staple", options: fast)
        XCTAssertFalse(sealed.contains("private_key"))
        let opened = try Credentials.unseal(sealed, passphrase: "correct horse battery staple")
        XCTAssertEqual(try opened.toJSON(), try credentials.toJSON())

        let wrong = assertThrowsKind(.wrongPassphrase, try Credentials.unseal(sealed, passphrase: "wrong horse"))
        XCTAssertFalse(wrong?.message.contains("correct horse") ?? true)
        assertThrowsKind(.invalidArgument, try credentials.seal(passphrase: "p", options: SealOptions(opslimit: 1, memlimit: 1024)))
        assertThrowsKind(.invalidArgument, try credentials.seal(passphrase: "", options: fast))
        assertThrowsKind(.json, try Credentials.unseal("not sealed", passphrase: "p"))
        XCTAssertFalse(try credentials.seal(passphrase: "default options").isEmpty)
    }

    func testAccessKeyText() throws {
        let key = try AccessKey.generate()
        let text = try key.toSensitiveString()
        XCTAssertEqual(text.count, 43)
        XCTAssertEqual(try AccessKey.fromString(text).toSensitiveString(), text)
        XCTAssertEqual(try AccessKey.fromString(text + "=").toSensitiveString(), text)
        XCTAssertNotEqual(try AccessKey.generate().toSensitiveString(), text)
        assertThrowsKind(.invalidArgument, try AccessKey.fromString("not base64 !!"))
        assertThrowsKind(.invalidArgument, try AccessKey.fromString("AAAA"))
        assertThrowsKind(.invalidArgument, try AccessKey.fromString(""))
    }

    func testAccessKeyWrapAndUnwrap() throws {
        let writer = try Credentials.generate()
        let reader = try Credentials.generate()
        let stranger = try Credentials.generate()
        let writerKey = try writer.publicInfo().publicKey
        let key = try AccessKey.generate()

        let eak = try key.wrap(readerPublicKey: reader.publicInfo().publicKey, authorizer: writer)
        XCTAssertFalse(eak.contains(try key.toSensitiveString()))
        let opened = try AccessKey.unwrap(eak: eak, authorizerPublicKey: writerKey, reader: reader)
        XCTAssertEqual(try opened.toSensitiveString(), try key.toSensitiveString())

        assertThrowsKind(.crypto, try AccessKey.unwrap(eak: eak, authorizerPublicKey: writerKey, reader: stranger))
        assertThrowsKind(.invalidArgument, try AccessKey.unwrap(eak: "no-dot-here", authorizerPublicKey: writerKey, reader: reader))
        assertThrowsKind(.invalidArgument, try key.wrap(readerPublicKey: "AAAA", authorizer: writer))
    }

    func testRecordEncryptAndDecrypt() throws {
        let key = try AccessKey.generate()
        let data = ["name": "Alice", "ssn": "123-45-6789", "empty": ""]
        let encrypted = try key.encryptRecord(data)
        XCTAssertEqual(Set(encrypted.keys), Set(data.keys))
        XCTAssertFalse(encrypted.values.contains("123-45-6789"))
        XCTAssertEqual(try key.decryptRecord(encrypted), data)

        assertThrowsKind(.crypto, try AccessKey.generate().decryptRecord(encrypted))
        var tampered = encrypted
        var field = Array(encrypted["ssn"] ?? "")
        field[5] = field[5] == "A" ? "B" : "A"
        tampered["ssn"] = String(field)
        XCTAssertThrowsError(try key.decryptRecord(tampered))
        assertThrowsKind(.invalidArgument, try key.decryptRecord(["name": "not a field"]))
    }

    /// A client of fresh unregistered credentials at a loopback port nobody listens on.
    private func anonymousClient() throws -> (Client, CredentialsInfo) {
        let credentials = try Credentials.generate(apiURL: "http://127.0.0.1:1")
        let client = try Client(credentials: credentials, options: HTTPOptions(timeoutMS: 3000, retries: 0))
        return (client, try credentials.publicInfo())
    }

    /// Unregistered credentials give an anonymous client: notes only. The rest is refused before
    /// any request (a request to the dead port would throw `.network` instead).
    func testUnregisteredCredentialsMakeAnAnonymousClient() throws {
        let (client, info) = try anonymousClient()
        XCTAssertEqual(try client.publicInfo(), info)
        XCTAssertEqual(try client.publicInfo().clientID, "")
        let refused = assertThrowsKind(.invalidArgument, try client.writeRecord(type: "t", data: ["a": "b"]))
        XCTAssertTrue(refused?.message.contains("unregistered") ?? false, "\(String(describing: refused))")
        assertThrowsKind(.invalidArgument, try client.share(recordType: "t", readerID: "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"))

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("src").path
        XCTAssertTrue(FileManager.default.createFile(atPath: source, contents: Data("hello".utf8)))
        let log = ProgressLog()
        assertThrowsKind(.invalidArgument, try client.writeFile(type: "t", path: source) { log.record($0, $1, $2) })
        assertThrowsKind(.invalidArgument, try client.readFile(
            id: "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11", to: directory.appendingPathComponent("dst").path) { log.record($0, $1, $2) })
        XCTAssertTrue(log.events.isEmpty)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["src"])

        // Notes are attempted: the request reaches the network.
        let recipient = NoteRecipient(try Credentials.generate().publicInfo())
        assertThrowsKind(.network, try client.writeNote(data: ["a": "b"], to: recipient))
        assertThrowsKind(.network, try client.readNote(id: "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"))
    }

    func testNoteAndFileArgumentsAreCheckedBeforeAnyRequest() throws {
        let (client, _) = try anonymousClient()
        let info = try Credentials.generate().publicInfo()
        let recipient = NoteRecipient(info)
        XCTAssertEqual(recipient, NoteRecipient(publicKey: info.publicKey, publicSigningKey: info.publicSigningKey))
        assertThrowsKind(.network, try client.writeNote(data: ["a": "b"], to: recipient, options: NoteOptions(maxViews: 2, type: "t")))
        let badKey = assertThrowsKind(.invalidArgument, try client.writeNote(
            data: ["a": "b"], to: NoteRecipient(publicKey: "not-a-key", publicSigningKey: info.publicSigningKey)))
        XCTAssertTrue(badKey?.message.contains("public_key") ?? false, "\(String(describing: badKey))")
        let unnamed = assertThrowsKind(.invalidArgument, try client.replaceNote(data: ["a": "b"], to: recipient, options: NoteOptions()))
        XCTAssertTrue(unnamed?.message.contains("id_string") ?? false, "\(String(describing: unnamed))")
        assertThrowsKind(.network, try client.replaceNote(data: ["a": "b"], to: recipient, options: NoteOptions(idString: "swift-name")))
        assertThrowsKind(.network, try client.deleteNote(id: "n"))

        let missing = assertThrowsKind(.notFound, try client.writeFile(type: "t", path: "/nonexistent/toz-swift-file"))
        XCTAssertTrue(missing?.message.contains("file to upload") ?? false, "\(String(describing: missing))")

        client.close()
        assertThrowsKind(.closed, try client.publicInfo())
        assertThrowsKind(.closed, try client.writeNote(data: ["a": "b"], to: recipient))
        assertThrowsKind(.closed, try client.readNote(name: "n"))
        assertThrowsKind(.closed, try client.writeFile(type: "t", path: "/tmp/x") { _, _, _ in })
        assertThrowsKind(.closed, try client.readFile(id: "r", to: "/tmp/x"))
    }

    func testNoteAndFileMetaJSONShapes() throws {
        let options = try encodeJSON(NoteOptions(idString: "n", maxViews: 2))
        XCTAssertEqual(try JSONDecoder().decode([String: JSONValue].self, from: Data(options.utf8)), ["id_string": "n", "max_views": 2])
        let recipient = try encodeJSON(NoteRecipient(publicKey: "p", publicSigningKey: "s"))
        XCTAssertEqual(try JSONDecoder().decode([String: String].self, from: Data(recipient.utf8)), ["public_key": "p", "public_signing_key": "s"])

        let text = #"{"meta":{"record_id":"r","writer_id":"w","user_id":"w","type":"t","plain":{},"file_meta":{"file_url":"http://x/f","file_name":"a.bin","checksum":"c==","compression":"raw","size":42}},"data":{}}"#
        let record = try decodeJSON(Record.self, from: text)
        XCTAssertEqual(record.meta.fileMeta?.size, 42)
        XCTAssertEqual(record.meta.fileMeta?.fileName, "a.bin")
        XCTAssertEqual(record.meta.fileMeta?.checksum, "c==")
        let plain = try decodeJSON(Record.self, from: #"{"meta":{"writer_id":"w","user_id":"w","type":"t","plain":{}},"data":{"a":"b"}}"#)
        XCTAssertNil(plain.meta.fileMeta)
        XCTAssertFalse(try encodeJSON(plain).contains("file_meta"))
        XCTAssertEqual(ProgressStage(rawValue: 1), .encrypting)
        XCTAssertEqual(ProgressStage(rawValue: 2), .uploading)
        XCTAssertEqual(ProgressStage(rawValue: 3), .downloading)
    }

    func testPlainHTTPBeyondLoopbackIsRefused() async throws {
        await assertThrowsKindAsync(.insecureTransport) {
            try await Credentials.register(apiURL: "http://192.0.2.1:8000", token: "t", name: "x", backup: false)
        }
    }

    func testUnreachableServerIsANetworkError() async throws {
        let options = HTTPOptions(timeoutMS: 5000, retries: 0)
        await assertThrowsKindAsync(.network) {
            try await Credentials.register(apiURL: "http://127.0.0.1:1", token: "t", name: "x", backup: false, options: options)
        }
    }

    func testClosedHandlesThrowClosedAndCloseTwiceIsHarmless() throws {
        let credentials = try Credentials.generate()
        let key = try AccessKey.generate()
        credentials.close()
        key.close()
        credentials.close()
        key.close()
        assertThrowsKind(.closed, try credentials.toJSON())
        assertThrowsKind(.closed, try credentials.publicInfo())
        assertThrowsKind(.closed, try key.toSensitiveString())
        assertThrowsKind(.closed, try key.encryptRecord(["a": "b"]))
        assertThrowsKind(.closed, try key.wrap(readerPublicKey: "AAAA", authorizer: Credentials.generate()))
        assertThrowsKind(.closed, try AccessKey.generate().wrap(readerPublicKey: "AAAA", authorizer: credentials))
        assertThrowsKind(.closed, try Client(credentials: credentials))
    }

    func testHandlesAreSharedAcrossTasks() async throws {
        let key = try AccessKey.generate()
        let data = (0..<10).reduce(into: [String: String]()) { $0["f\($1)"] = String(repeating: "x", count: 100) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    for _ in 0..<50 {
                        XCTAssertEqual(try key.decryptRecord(key.encryptRecord(data)), data)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    func testCloseWhileInUseLetsTheCallsInFlightFinish() async throws {
        let key = try AccessKey.generate()
        let data = ["f": String(repeating: "x", count: 10_000)]
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    // Round trips until close() takes effect; each one either completes or
                    // throws CLOSED, never touches a freed key.
                    for _ in 0..<1_000_000 {
                        do {
                            let back = try key.decryptRecord(key.encryptRecord(data))
                            XCTAssertEqual(back, data)
                        } catch let error as TozError where error.kind == .closed {
                            return true
                        }
                    }
                    return false
                }
            }
            key.close()
            for try await sawClosed in group {
                XCTAssertTrue(sawClosed)
            }
        }
    }

    func testErrorDescriptions() {
        let error = TozError(kind: .conflict, httpStatus: 409, message: "stale version")
        XCTAssertEqual(error.description, "toz CONFLICT (HTTP 409): stale version")
        XCTAssertEqual(TozError(kind: .io, message: "m").description, "toz IO: m")
        XCTAssertEqual(TozError(kind: .cancelled, message: "m").description, "toz CANCELLED: m")
    }
}
