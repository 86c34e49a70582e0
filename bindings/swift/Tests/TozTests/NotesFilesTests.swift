// Notes and large files against the live toz-server (see test.sh): notes between registered and
// anonymous clients, names, replacement, view limits, refused and undecryptable notes; files with
// progress reports, read back, shared and revoked, and cancelled by a throwing progress handler.
// Run without the server, every test here fails.

import Foundation
import Toz
import XCTest

final class NotesFilesTests: XCTestCase {
    private let unknownID = "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"

    private func uniqueName() -> String {
        "swift-note-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
    }

    private func recipient(_ party: Party) throws -> NoteRecipient {
        NoteRecipient(try party.client.publicInfo())
    }

    /// A fresh temporary directory (the caller removes it) with a file `name` of `size` random bytes.
    private func randomSource(_ name: String, size: Int) throws -> (directory: URL, path: String, data: Data) {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent(name).path
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: data))
        return (directory, path, data)
    }

    /// What a progress handler throws in these tests to cancel a transfer.
    private struct HandlerFailure: Error {}

    /// The records of `type` that `client` can see (none after a cancelled upload).
    private func records(of type: String, by client: Client) throws -> [Record] {
        try client.query(Query(contentTypes: [type])).results
    }

    /// A handler that records every report and, as a caller cancelling would, throws a
    /// `CancellationError` once half of `stage` is done.
    private func cancelHalfway(through stage: ProgressStage, log: ProgressLog) -> ProgressHandler {
        return { reported, done, total in
            log.record(reported, done, total)
            if reported == stage && done * 2 >= total { throw CancellationError() }
        }
    }

    /// Every report was of `stage`, and the last one (which cancelled) came halfway: past half of
    /// the stage but before its end, after earlier reports.
    private func assertStoppedHalfway(
        _ log: ProgressLog, _ stage: ProgressStage, file: StaticString = #filePath, line: UInt = #line
    ) {
        let events = log.events
        guard let last = events.last else {
            XCTFail("no progress report", file: file, line: line)
            return
        }
        XCTAssertTrue(events.allSatisfy { $0.stage == stage }, "\(events)", file: file, line: line)
        XCTAssertGreaterThan(events.count, 1, "\(events)", file: file, line: line)
        XCTAssertTrue(last.done * 2 >= last.total && last.done < last.total,
                      "stopped at \(last.done) of \(last.total)", file: file, line: line)
    }

    func testNoteRoundTripBetweenRegisteredClients() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let data = ["message": "meet at noon", "pin": "1234"]
        let written = try await alice.client.writeNote(
            data: data, to: recipient(bob), options: NoteOptions(type: "greeting", plain: ["lang": "en"]))
        let noteID = try XCTUnwrap(written.noteID)
        XCTAssertEqual(written.clientID, alice.id)
        XCTAssertEqual(written.recipientSigningKey, try bob.credentials.publicInfo().publicSigningKey)
        XCTAssertEqual(written.writerSigningKey, try alice.credentials.publicInfo().publicSigningKey)
        XCTAssertEqual(Set(written.data.keys), Set(data.keys))
        XCTAssertFalse(written.data.values.contains { $0.contains("noon") }, "stored in the clear")

        let read = try await bob.client.readNote(id: noteID)
        XCTAssertEqual(read.data, data)
        XCTAssertEqual(read.type, "greeting")
        XCTAssertEqual(read.plain, ["lang": "en"])
        XCTAssertEqual(read.clientID, alice.id)
        XCTAssertEqual(read.maxViews, -1)

        let refused = await assertThrowsKindAsync(.forbidden) { try await bob.client.deleteNote(id: noteID) }
        XCTAssertEqual(refused?.httpStatus, 403)
        try await alice.client.deleteNote(id: noteID)
        await assertThrowsKindAsync(.notFound) { try await bob.client.readNote(id: noteID) }
        let malformed = await assertThrowsKindAsync(.http) { try await bob.client.readNote(id: "not-a-note-id") }
        XCTAssertEqual(malformed?.httpStatus, 400)
    }

    func testNoteNamesConflictsAndReplace() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let name = uniqueName()
        let first = try await alice.client.writeNote(data: ["v": "1"], to: recipient(bob), options: NoteOptions(idString: name))
        XCTAssertEqual(first.idString, name)
        let byName = try await bob.client.readNote(name: name)
        XCTAssertEqual(byName.data, ["v": "1"])

        let duplicate = await assertThrowsKindAsync(.conflict) {
            try await alice.client.writeNote(data: ["v": "2"], to: self.recipient(bob), options: NoteOptions(idString: name))
        }
        XCTAssertEqual(duplicate?.httpStatus, 409)
        _ = try await alice.client.replaceNote(data: ["v": "3"], to: recipient(bob), options: NoteOptions(idString: name))
        let replaced = try await bob.client.readNote(name: name)
        XCTAssertEqual(replaced.data, ["v": "3"])
        await assertThrowsKindAsync(.notFound) { try await bob.client.readNote(name: self.uniqueName()) }
    }

    func testNoteViewLimit() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let note = try await alice.client.writeNote(data: ["once": "or twice"], to: recipient(bob), options: NoteOptions(maxViews: 2))
        let noteID = try XCTUnwrap(note.noteID)
        XCTAssertEqual(note.maxViews, 2)
        for views in 1...2 {
            let read = try await bob.client.readNote(id: noteID)
            XCTAssertEqual(read.data, ["once": "or twice"])
            XCTAssertEqual(read.views, views)
        }
        await assertThrowsKindAsync(.notFound) { try await bob.client.readNote(id: noteID) }
    }

    func testAnonymousNotesBothWays() async throws {
        let server = try LiveServer.fromEnvironment()
        let bob = try server.register("bob")
        let anonymous = try Client(credentials: Credentials.generate(apiURL: server.apiURL))
        let anonymousInfo = try anonymous.publicInfo()
        XCTAssertEqual(anonymousInfo.clientID, "")

        let sent = try await anonymous.writeNote(data: ["tip": "anonymous"], to: recipient(bob))
        XCTAssertTrue(sent.clientID?.isEmpty ?? true, "anonymous writer has client id \(String(describing: sent.clientID))")
        let read = try await bob.client.readNote(id: XCTUnwrap(sent.noteID))
        XCTAssertEqual(read.data, ["tip": "anonymous"])
        XCTAssertEqual(read.writerSigningKey, anonymousInfo.publicSigningKey)

        let reply = try await bob.client.writeNote(data: ["thanks": "received"], to: NoteRecipient(anonymousInfo))
        XCTAssertEqual(reply.clientID, bob.id)
        let back = try await anonymous.readNote(id: XCTUnwrap(reply.noteID))
        XCTAssertEqual(back.data, ["thanks": "received"])
        await assertThrowsKindAsync(.invalidArgument) { try await anonymous.writeRecord(type: "t", data: ["a": "b"]) }
    }

    func testNotesForOthersOrToOtherKeysAreRefused() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let carol = try server.register("carol")
        let note = try await alice.client.writeNote(data: ["for": "bob only"], to: recipient(bob))
        let noteID = try XCTUnwrap(note.noteID)
        for intruder in [carol.client, alice.client] {  // the writer is no recipient either
            let refused = await assertThrowsKindAsync(.forbidden) { try await intruder.readNote(id: noteID) }
            XCTAssertEqual(refused?.httpStatus, 403)
        }
        await assertThrowsKindAsync(.forbidden) { try await carol.client.deleteNote(id: noteID) }
        let forBob = try await bob.client.readNote(id: noteID)
        XCTAssertEqual(forBob.data, ["for": "bob only"])

        // Signing key of bob, encryption key of carol: the server hands it to bob, the library
        // cannot open it.
        let carolKey = try carol.client.publicInfo().publicKey
        let bobSigningKey = try bob.client.publicInfo().publicSigningKey
        let mismatched = NoteRecipient(publicKey: carolKey, publicSigningKey: bobSigningKey)
        let odd = try await alice.client.writeNote(data: ["secret": "s"], to: mismatched)
        await assertThrowsKindAsync(.crypto) { try await bob.client.readNote(id: XCTUnwrap(odd.noteID)) }
    }

    func testFileRoundTripWithProgress() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let (directory, source, original) = try randomSource("photo.bin", size: 200 * 1024)
        defer { try? FileManager.default.removeItem(at: directory) }

        let up = ProgressLog()
        let record = try await alice.client.writeFile(
            type: "swift-files", path: source, plain: ["album": "summer"], progress: { up.record($0, $1, $2) })
        let id = try XCTUnwrap(record.meta.recordID)
        let fileMeta = try XCTUnwrap(record.meta.fileMeta)
        XCTAssertEqual(record.meta.plain, ["album": "summer"])
        XCTAssertEqual(fileMeta.fileName, "photo.bin")
        XCTAssertEqual(fileMeta.compression, "raw")
        XCTAssertFalse(fileMeta.checksum.isEmpty)
        XCTAssertGreaterThan(fileMeta.size, UInt64(original.count))
        // toz-server takes the upload in one pass: encrypted as it is sent.
        up.check(stages: [.uploading], totals: [fileMeta.size])

        let down = ProgressLog()
        let output = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let destination = output.appendingPathComponent("photo.bin").path
        let back = try await alice.client.readFile(id: id, to: destination, progress: { down.record($0, $1, $2) })
        XCTAssertEqual(back.meta.recordID, id)
        XCTAssertEqual(FileManager.default.contents(atPath: destination), original)
        down.check(stages: [.downloading], totals: [fileMeta.size])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), ["photo.bin"])
    }

    func testThrowingProgressHandlerCancelsTheTransfer() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let (directory, source, original) = try randomSource("doc.bin", size: 100 * 1024)
        defer { try? FileManager.default.removeItem(at: directory) }

        // The handler's error surfaces, the upload stops at its first report and stores nothing.
        let up = ProgressLog()
        await assertThrowsAsync(HandlerFailure.self) {
            try await alice.client.writeFile(type: "swift-cancelled", path: source) { stage, done, total in
                up.record(stage, done, total)
                throw HandlerFailure()
            }
        }
        XCTAssertEqual(up.events.map { $0.stage }, [.uploading], "no report after the handler threw")
        XCTAssertEqual(try records(of: "swift-cancelled", by: alice.client).count, 0)

        // The same for a download: no file, nor partial file, in the destination's directory.
        let record = try await alice.client.writeFile(type: "swift-cancelled-download", path: source)
        let id = try XCTUnwrap(record.meta.recordID)
        let output = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let destination = output.appendingPathComponent("doc.bin").path
        let down = ProgressLog()
        await assertThrowsAsync(HandlerFailure.self) {
            try await alice.client.readFile(id: id, to: destination) { stage, done, total in
                down.record(stage, done, total)
                throw HandlerFailure()
            }
        }
        XCTAssertEqual(down.events.map { $0.stage }, [.downloading], "no report after the handler threw")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), [])

        // The client still works.
        _ = try await alice.client.readFile(id: id, to: destination)
        XCTAssertEqual(FileManager.default.contents(atPath: destination), original)
    }

    func testCancellingHalfwayStoresNothing() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        // Many 64 KiB blocks and reads, so that halfway lies well inside each transfer.
        let (directory, source, original) = try randomSource("big.bin", size: 1_000_000)
        defer { try? FileManager.default.removeItem(at: directory) }

        // A single-pass upload (toz-server), cancelled while uploading.
        let upload = ProgressLog()
        let cancelUpload = cancelHalfway(through: .uploading, log: upload)
        await assertThrowsAsync(CancellationError.self) {
            try await alice.client.writeFile(type: "swift-halfway", path: source, progress: cancelUpload)
        }
        assertStoppedHalfway(upload, .uploading)
        XCTAssertEqual(try records(of: "swift-halfway", by: alice.client).count, 0)

        // A checksum-first upload, cancelled while encrypting to its temporary file.
        let checksumFirst = try Client(credentials: alice.credentials, options: HTTPOptions(singlePassUploads: false))
        let encrypting = ProgressLog()
        let cancelEncrypting = cancelHalfway(through: .encrypting, log: encrypting)
        await assertThrowsAsync(CancellationError.self) {
            try await checksumFirst.writeFile(type: "swift-halfway-checksum-first", path: source, progress: cancelEncrypting)
        }
        assertStoppedHalfway(encrypting, .encrypting)
        XCTAssertEqual(try records(of: "swift-halfway-checksum-first", by: checksumFirst).count, 0)
        // That client still works after a cancelled transfer.
        _ = try await checksumFirst.writeFile(type: "swift-halfway-checksum-first", path: source)
        XCTAssertEqual(try records(of: "swift-halfway-checksum-first", by: checksumFirst).count, 1)

        // A download cancelled halfway: no file, nor partial file, in the destination's directory.
        let record = try await alice.client.writeFile(type: "swift-halfway", path: source)
        let id = try XCTUnwrap(record.meta.recordID)
        let output = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let destination = output.appendingPathComponent("big.bin").path
        let download = ProgressLog()
        let cancelDownload = cancelHalfway(through: .downloading, log: download)
        await assertThrowsAsync(CancellationError.self) {
            try await alice.client.readFile(id: id, to: destination, progress: cancelDownload)
        }
        assertStoppedHalfway(download, .downloading)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), [])

        // Afterwards the client transfers as usual.
        _ = try await alice.client.readFile(id: id, to: destination)
        XCTAssertEqual(FileManager.default.contents(atPath: destination), original)
        XCTAssertEqual(try records(of: "swift-halfway", by: alice.client).count, 1)
    }

    /// The blocking forms, from a synchronous context (where Swift picks them), without callbacks.
    func testBlockingFileAndNoteCalls() throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let (directory, source, original) = try randomSource("src.bin", size: 100 * 1024)
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = try alice.client.writeFile(type: "swift-blocking-files", path: source)
        let again = directory.appendingPathComponent("again.bin").path
        _ = try alice.client.readFile(id: XCTUnwrap(record.meta.recordID), to: again)
        XCTAssertEqual(FileManager.default.contents(atPath: again), original)

        let note = try alice.client.writeNote(data: ["k": "v"], to: recipient(bob))
        XCTAssertEqual(try bob.client.readNote(id: XCTUnwrap(note.noteID)).data, ["k": "v"])
        try alice.client.deleteNote(id: XCTUnwrap(note.noteID))
        assertThrowsKind(.notFound, try bob.client.readNote(id: XCTUnwrap(note.noteID)))
    }

    func testFileSharingAndRevocation() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let (directory, source, original) = try randomSource("report.pdf", size: 70 * 1024)
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = try await alice.client.writeFile(type: "swift-shared-files", path: source)
        let id = try XCTUnwrap(record.meta.recordID)
        let output = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let destination = output.appendingPathComponent("report.pdf").path

        await assertThrowsKindAsync(.forbidden, orAlso: .notFound) { try await bob.client.readFile(id: id, to: destination) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), [])
        try await alice.client.share(recordType: "swift-shared-files", readerID: bob.id)
        _ = try await bob.client.readFile(id: id, to: destination)
        XCTAssertEqual(FileManager.default.contents(atPath: destination), original)

        try await alice.client.revoke(recordType: "swift-shared-files", readerID: bob.id)
        try FileManager.default.removeItem(atPath: destination)
        await assertThrowsKindAsync(.forbidden, orAlso: .notFound) { try await bob.client.readFile(id: id, to: destination) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), [])
    }
}
