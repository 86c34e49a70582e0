// The client against the live toz-server that scripts/with-server.sh starts (see test.sh):
// records, sharing, authorizers, query and search, backups and recovery, registration failures,
// and one client shared by 16 tasks. Run without the server, every test here fails.

import Foundation
import Toz
import XCTest

final class LiveServerTests: XCTestCase {
    func testRecordsRoundTripWithVersions() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let written = try await alice.client.writeRecord(
            type: "contact", data: ["name": "Alice", "ssn": "123-45-6789"], plain: ["team": "blue"])
        let id = try XCTUnwrap(written.meta.recordID)
        XCTAssertEqual(written.meta.writerID, alice.id)
        XCTAssertEqual(written.meta.type, "contact")
        XCTAssertEqual(written.meta.plain, ["team": "blue"])

        let read = try await alice.client.readRecord(id: id)
        XCTAssertEqual(read.data, ["name": "Alice", "ssn": "123-45-6789"])
        XCTAssertEqual(read.meta.version, written.meta.version)
        let onlyName = try await alice.client.readRecord(id: id, fields: ["name"])
        XCTAssertEqual(onlyName.data, ["name": "Alice"])

        var changed = read
        changed.data["name"] = "Alice B."
        let updated = try await alice.client.updateRecord(changed)
        XCTAssertNotEqual(updated.meta.version, read.meta.version)
        let reread = try await alice.client.readRecord(id: id)
        XCTAssertEqual(reread.data["name"], "Alice B.")

        // The old version is stale now: update and guarded delete both conflict.
        let stale = await assertThrowsKindAsync(.conflict) { try await alice.client.updateRecord(changed) }
        XCTAssertEqual(stale?.httpStatus, 409)
        await assertThrowsKindAsync(.conflict) { try await alice.client.deleteRecord(id: id, version: read.meta.version) }

        try await alice.client.deleteRecord(id: id, version: updated.meta.version)
        await assertThrowsKindAsync(.notFound) { try await alice.client.readRecord(id: id) }
        await assertThrowsKindAsync(.notFound) {
            try await alice.client.readRecord(id: "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11")
        }
    }

    /// The blocking API, from a synchronous context: an unconditional delete and closing.
    func testBlockingCallsAndClose() throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let record = try alice.client.writeRecord(type: "contact", data: ["name": "Bob"])
        let id = try XCTUnwrap(record.meta.recordID)
        XCTAssertEqual(try alice.client.readRecord(id: id).data, ["name": "Bob"])
        try alice.client.deleteRecord(id: id)
        assertThrowsKind(.notFound, try alice.client.readRecord(id: id))

        alice.client.close()
        alice.client.close()
        assertThrowsKind(.closed, try alice.client.writeRecord(type: "t", data: ["a": "b"]))
        assertThrowsKind(.closed, try alice.client.outgoingShares())
        // The credentials are a separate handle and still work.
        let again = try Client(credentials: alice.credentials)
        XCTAssertEqual(try again.writeRecord(type: "t", data: ["a": "b"]).data, ["a": "b"])
    }

    func testShareRevokeAndRecoverFromBackup() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice", backup: true)
        let bob = try server.register("bob")
        let record = try await alice.client.writeRecord(type: "medical", data: ["note": "allergic to penicillin"])
        let id = try XCTUnwrap(record.meta.recordID)

        await assertThrowsKindAsync(.forbidden, orAlso: .notFound) { try await bob.client.readRecord(id: id) }
        try await alice.client.share(recordType: "medical", readerID: bob.id)
        let shared = try await bob.client.readRecord(id: id)
        XCTAssertEqual(shared.data, record.data)

        let outgoing = try await alice.client.outgoingShares()
        XCTAssertTrue(outgoing.contains { $0.readerID == bob.id && $0.recordType == "medical" && $0.readerName == "bob" })
        let incoming = try await bob.client.incomingShares()
        XCTAssertTrue(incoming.contains { $0.writerID == alice.id && $0.recordType == "medical" })

        try await alice.client.revoke(recordType: "medical", readerID: bob.id)
        await assertThrowsKindAsync(.forbidden, orAlso: .notFound) { try await bob.client.readRecord(id: id) }
        let afterRevoke = try await alice.client.outgoingShares()
        XCTAssertFalse(afterRevoke.contains { $0.recordType == "medical" })

        // The account owner recovers alice's credentials from her backup and reads as her.
        let queen = try server.backupClient()
        let backups = try await queen.listBackups()
        XCTAssertTrue(backups.contains { $0.clientID == alice.id })
        XCTAssertFalse(backups.contains { $0.clientID == bob.id }, "bob registered without backup")
        let recovered = try await queen.recoverCredentials(clientID: alice.id)
        XCTAssertEqual(try recovered.toJSON(), try alice.credentials.toJSON())
        let asAlice = try Client(credentials: recovered)
        let readAsAlice = try await asAlice.readRecord(id: id)
        XCTAssertEqual(readAsAlice.data, record.data)
        await assertThrowsKindAsync(.notFound) { try await queen.recoverCredentials(clientID: bob.id) }
    }

    func testAuthorizersShareOnBehalfOfTheWriter() async throws {
        let server = try LiveServer.fromEnvironment()
        let writer = try server.register("writer")
        let authorizer = try server.register("authorizer")
        let reader = try server.register("reader")
        let record = try await writer.client.writeRecord(type: "invoice", data: ["amount": "42"])
        let id = try XCTUnwrap(record.meta.recordID)

        await assertThrowsKindAsync(.forbidden) {
            try await authorizer.client.shareOnBehalfOf(writerID: writer.id, recordType: "invoice", readerID: reader.id)
        }
        try await writer.client.addAuthorizer(recordType: "invoice", authorizerID: authorizer.id)
        let appointed = try await writer.client.authorizers()
        XCTAssertTrue(appointed.contains { $0.authorizerID == authorizer.id && $0.recordType == "invoice" })
        let granted = try await authorizer.client.grantedAuthorizations()
        XCTAssertTrue(granted.contains { $0.writerID == writer.id })

        try await authorizer.client.shareOnBehalfOf(writerID: writer.id, recordType: "invoice", readerID: reader.id)
        let shared = try await reader.client.readRecord(id: id)
        XCTAssertEqual(shared.data["amount"], "42")

        try await authorizer.client.revokeOnBehalfOf(writerID: writer.id, recordType: "invoice", readerID: reader.id)
        await assertThrowsKindAsync(.forbidden, orAlso: .notFound) { try await reader.client.readRecord(id: id) }

        try await writer.client.removeAuthorizer(recordType: "invoice", authorizerID: authorizer.id)
        // A fresh client of the former authorizer (no cached keys) can no longer share.
        let fresh = try Client(credentials: authorizer.credentials)
        do {
            try await fresh.shareOnBehalfOf(writerID: writer.id, recordType: "invoice", readerID: reader.id)
            XCTFail("a removed authorizer could still share")
        } catch is TozError {}
    }

    func testQueryAndSearchDecryptAndPage() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        for i in 0..<6 {
            _ = try await alice.client.writeRecord(
                type: "paint", data: ["n": String(i)], plain: ["color": i % 2 == 0 ? "red" : "green"])
        }
        _ = try await alice.client.writeRecord(type: "other", data: ["n": "x"])

        let red = try await alice.client.query(Query(
            includeData: true, contentTypes: ["paint"], plain: ["eq": ["name": "color", "value": "red"]]))
        XCTAssertEqual(red.results.count, 3)
        XCTAssertTrue(red.results.allSatisfy { $0.meta.plain["color"] == "red" && $0.data["n"] != nil })

        let first = try await alice.client.query(Query(count: 5, contentTypes: ["paint"]))
        XCTAssertEqual(first.results.count, 5)
        XCTAssertTrue(first.results.allSatisfy { $0.data.isEmpty }, "no data without includeData")
        let second = try await alice.client.query(Query(count: 5, contentTypes: ["paint"], afterIndex: first.lastIndex))
        XCTAssertEqual(second.results.count, 1)

        let page = try await alice.client.search(Search(
            limit: 2, includeData: true, match: [SearchParams(terms: SearchTerms(contentTypes: ["paint"]))]))
        XCTAssertEqual(page.totalResults, 6)
        XCTAssertEqual(page.results.count, 2)
        XCTAssertTrue(page.results.allSatisfy { $0.data["n"] != nil })
        XCTAssertEqual(page.lastIndex, 2)
        let next = try await alice.client.search(Search(
            limit: 2, nextToken: page.lastIndex, match: [SearchParams(terms: SearchTerms(contentTypes: ["paint"]))]))
        XCTAssertEqual(next.results.count, 2)
        let firstIDs = Set(page.results.compactMap { $0.meta.recordID })
        XCTAssertTrue(firstIDs.isDisjoint(with: next.results.compactMap { $0.meta.recordID }))
    }

    func testRegistrationFailuresAreClearErrors() async throws {
        let server = try LiveServer.fromEnvironment()
        do {
            _ = try await Credentials.register(apiURL: server.apiURL, token: "not-a-token", name: "x", backup: false)
            XCTFail("an unknown token registered a client")
        } catch let error as TozError {
            XCTAssertTrue((400..<500).contains(error.httpStatus), "\(error)")
            XCTAssertFalse(error.message.contains("not-a-token"))
        }

        #if os(macOS) || os(Linux)
        let oneTime = try server.createToken(uses: 1)
        _ = try await Credentials.register(apiURL: server.apiURL, token: oneTime, name: "first", backup: false)
        do {
            _ = try await Credentials.register(apiURL: server.apiURL, token: oneTime, name: "second", backup: false)
            XCTFail("a spent one-time token registered a client")
        } catch let error as TozError {
            XCTAssertTrue((400..<500).contains(error.httpStatus), "\(error)")
        }
        #endif
    }

    func testClientInfoAndUnknownClients() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let info = try await alice.client.clientInfo(id: bob.id)
        XCTAssertEqual(info.clientID, bob.id)
        XCTAssertEqual(info.publicKey.curve25519, bob.publicKey)
        XCTAssertEqual(info.signingKey?.ed25519, try bob.credentials.publicInfo().publicSigningKey)
        await assertThrowsKindAsync(.notFound) { try await alice.client.clientInfo(id: "doesnt exist") }
        do {
            try await alice.client.share(recordType: "t", readerID: "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11")
            XCTFail("shared with a client that does not exist")
        } catch is TozError {}
    }

    func testOneClientSharedBySixteenTasks() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for i in 0..<5 {
                        let value = "\(task)-\(i)"
                        let written = try await alice.client.writeRecord(type: "concurrent", data: ["v": value])
                        let back = try await alice.client.readRecord(id: XCTUnwrap(written.meta.recordID))
                        XCTAssertEqual(back.data["v"], value)
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try await alice.client.query(Query(count: 1000, contentTypes: ["concurrent"]))
        XCTAssertEqual(all.results.count, 80)
    }

    func testClosedClientThrowsClosedAsync() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        alice.client.close()
        await assertThrowsKindAsync(.closed) { try await alice.client.writeRecord(type: "t", data: ["a": "b"]) }
        await assertThrowsKindAsync(.closed) { try await alice.client.listBackups() }
    }
}
