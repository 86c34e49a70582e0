// Notes with access policies (`eacp`) against the live toz-server (see test.sh): one-time
// passwords primed by the writer, one-time codes mailed on a challenge (read from the mail
// directory of scripts/with-server.sh), and the refusals around them. The JSON tests need no
// server; the others fail without it.

import Foundation
import Toz
import XCTest

final class NoteEACPTests: XCTestCase {
    private let unknownID = "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"
    private let otpOnly = NoteEACP(toznyOTPEACP: ToznyOTPEACP(include: true))

    private func uniqueName() -> String {
        "swift-eacp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
    }

    private func recipient(_ party: Party) throws -> NoteRecipient {
        NoteRecipient(try party.client.publicInfo())
    }

    /// `value` encoded as this binding sends it, parsed back as a JSON value.
    private func encoded<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    /// JSON text as a JSON value (parsed the same way as ``encoded(_:)``, so numbers compare alike).
    private func parsed(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// An RFC 3339 time. ISO8601DateFormatter takes at most milliseconds, so the fraction (which
    /// no check here needs) is dropped first.
    private func rfc3339(_ text: String) -> Date? {
        var whole = text
        if let dot = text.firstIndex(of: "."),
           let end = text[text.index(after: dot)...].firstIndex(where: { !$0.isNumber }) {
            whole = String(text[..<dot]) + String(text[end...])
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: whole)
    }

    /// The refusal of a prime or a challenge for a note without that policy: HTTP 400.
    private func assertBadRequest<T>(
        file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T
    ) async {
        let refused = await assertThrowsKindAsync(.http, file: file, line: line, body)
        XCTAssertEqual(refused?.httpStatus, 400, file: file, line: line)
    }

    func testPoliciesAreSentWithTheirWireNamesAndAbsentFieldsLeftOut() throws {
        let options = NoteOptions(eacp: NoteEACP(
            toznyOTPEACP: ToznyOTPEACP(),
            emailEACP: EmailEACP(emailAddress: "reader@example.com", templateFields: ["name": "Bob"])))
        XCTAssertEqual(try encoded(options), try parsed("""
            {"eacp": {"tozny_otp_eacp": {"include": true},
                      "email_eacp": {"email_address": "reader@example.com", "template_fields": {"name": "Bob"}}}}
            """))
        XCTAssertEqual(try encoded(NoteOptions()), try parsed("{}"))

        let full = EmailEACP(
            emailAddress: "a@b.example", template: "otp", providerLink: "open-here", templateFields: ["k": "v"],
            defaultExpirationMinutes: 15)
        XCTAssertEqual(try encoded(full), try parsed("""
            {"email_address": "a@b.example", "template": "otp", "provider_link": "open-here",
             "template_fields": {"k": "v"}, "default_expiration_minutes": 15}
            """))
        let both = NoteEACP(toznyOTPEACP: ToznyOTPEACP(include: true), emailEACP: full)
        XCTAssertEqual(try JSONDecoder().decode(NoteEACP.self, from: JSONEncoder().encode(both)), both)

        let challenge = try JSONDecoder().decode(NoteChallenge.self, from: Data("""
            {"email_eacp": {"expires_at": "2030-01-02T03:04:05.123456789Z", "template_name": "otp"}}
            """.utf8))
        XCTAssertEqual(challenge.emailEACP?.expiresAt, "2030-01-02T03:04:05.123456789Z")
        XCTAssertEqual(challenge.emailEACP?.templateName, "otp")
        XCTAssertEqual(rfc3339("2030-01-02T03:04:05.123456789Z"), rfc3339("2030-01-02T03:04:05Z"))
        XCTAssertNotNil(rfc3339("2030-01-02T03:04:05Z"))
    }

    func testToznyOTPOpensTheNoteOnceForItsPrimedPassword() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let carol = try server.register("carol")
        let name = uniqueName()
        let data = ["secret": "the vault code"]
        let written = try await alice.client.writeNote(
            data: data, to: recipient(bob), options: NoteOptions(idString: name, eacp: otpOnly))
        let noteID = try XCTUnwrap(written.noteID)
        XCTAssertEqual(written.eacp, otpOnly)

        // Holding the recipient's keys is not enough, nor is a made-up password.
        let refused = await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(id: noteID) }
        XCTAssertEqual(refused?.httpStatus, 403)
        await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(name: name) }
        await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(id: noteID, toznyOTP: "not-the-password") }

        // Only the writer primes.
        for intruder in [bob.client, carol.client] {
            await assertThrowsKindAsync(.forbidden) { try await intruder.primeNote(id: noteID) }
        }

        let otp = try await alice.client.primeNote(id: noteID)
        XCTAssertFalse(otp.isEmpty)
        let read = try await bob.client.readNote(id: noteID, toznyOTP: otp)
        XCTAssertEqual(read.data, data)
        XCTAssertEqual(read.noteID, noteID)
        XCTAssertEqual(read.eacp, otpOnly)
        // Single use.
        await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(id: noteID, toznyOTP: otp) }

        // A new prime (with an expiry) replaces the password before it; by name works the same.
        let replaced = try await alice.client.primeNote(id: noteID, expiryMinutes: 5)
        let latest = try await alice.client.primeNote(id: noteID, expiryMinutes: 5)
        XCTAssertNotEqual(replaced, latest)
        let byName = try await bob.client.readNote(name: name, toznyOTP: latest)
        XCTAssertEqual(byName.data, data)
        await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(id: noteID, toznyOTP: replaced) }
        await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(name: name, toznyOTP: latest) }
    }

    func testPrimingOrChallengingANoteWithoutThatPolicyIsRefused() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let plain = try await alice.client.writeNote(data: ["a": "b"], to: recipient(bob))
        let plainID = try XCTUnwrap(plain.noteID)
        XCTAssertNil(plain.eacp)
        let otpNote = try await alice.client.writeNote(
            data: ["a": "b"], to: recipient(bob), options: NoteOptions(eacp: otpOnly))
        let otpID = try XCTUnwrap(otpNote.noteID)
        let mailNote = try await alice.client.writeNote(
            data: ["a": "b"], to: recipient(bob),
            options: NoteOptions(eacp: NoteEACP(emailEACP: EmailEACP(emailAddress: "bob@example.com"))))
        let mailID = try XCTUnwrap(mailNote.noteID)

        await assertBadRequest { try await alice.client.primeNote(id: plainID) }
        await assertBadRequest { try await alice.client.primeNote(id: mailID) }
        await assertBadRequest { try await bob.client.challengeNote(id: plainID) }
        await assertBadRequest { try await bob.client.challengeNote(id: otpID) }
        await assertThrowsKindAsync(.notFound) { try await alice.client.primeNote(id: self.unknownID) }
        await assertThrowsKindAsync(.notFound) { try await bob.client.challengeNote(id: self.unknownID) }
        await assertThrowsKindAsync(.notFound) { try await bob.client.challengeNote(name: self.uniqueName()) }

        // A note without policies reads as before, and proofs it does not need do no harm.
        let read = try await bob.client.readNote(id: plainID)
        XCTAssertNil(read.eacp)
        let again = try await bob.client.readNote(id: plainID, toznyOTP: "unneeded")
        XCTAssertEqual(again.data, ["a": "b"])
    }

    func testEmailEACPMailsACodeOnChallenge() async throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let carol = try server.register("carol")
        let name = uniqueName()
        let data = ["secret": "sent by mail"]
        let policy = EmailEACP(
            emailAddress: "bob@example.com", templateFields: ["greeting": "Hello Bob"], defaultExpirationMinutes: 30)
        let written = try await alice.client.writeNote(
            data: data, to: recipient(bob), options: NoteOptions(idString: name, eacp: NoteEACP(emailEACP: policy)))
        let noteID = try XCTUnwrap(written.noteID)
        XCTAssertEqual(written.eacp?.emailEACP, policy)
        XCTAssertNil(written.eacp?.toznyOTPEACP)
        await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(id: noteID) }
        await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(id: noteID, emailOTP: "000000") }

        // The recipient asks for a code; the server mails it to the note's address.
        let before = try server.mailNames()
        let challenge = try await bob.client.challengeNote(id: noteID)
        let expiresAt = try XCTUnwrap(challenge.emailEACP?.expiresAt)
        let expiry = try XCTUnwrap(rfc3339(expiresAt), expiresAt)
        XCTAssertGreaterThan(expiry, Date())
        let code = try await server.mailedCode(noteID: noteID, after: before)
        XCTAssertFalse(code.isEmpty)

        let read = try await bob.client.readNote(id: noteID, emailOTP: code)
        XCTAssertEqual(read.data, data)
        XCTAssertEqual(read.eacp?.emailEACP, policy)
        // Single use.
        await assertThrowsKindAsync(.forbidden) { try await bob.client.readNote(id: noteID, emailOTP: code) }

        // By name, with an expiry: a fresh code opens it once more.
        let second = try server.mailNames()
        let asked = Date()
        let byName = try await bob.client.challengeNote(name: name, expiryMinutes: 10)
        let secondExpiry = try XCTUnwrap(rfc3339(XCTUnwrap(byName.emailEACP?.expiresAt)))
        XCTAssertGreaterThan(secondExpiry, asked.addingTimeInterval(9 * 60))
        XCTAssertLessThan(secondExpiry, Date().addingTimeInterval(11 * 60))
        let secondCode = try await server.mailedCode(noteID: noteID, after: second)
        let again = try await bob.client.readNote(name: name, emailOTP: secondCode)
        XCTAssertEqual(again.data, data)

        // The writer may challenge too, naming a template; anyone else may not.
        let byWriter = try await alice.client.challengeNote(id: noteID, templateName: "reminder")
        XCTAssertEqual(byWriter.emailEACP?.templateName, "reminder")
        await assertThrowsKindAsync(.forbidden) { try await carol.client.challengeNote(id: noteID) }
    }

    /// The blocking forms, from a synchronous context (where Swift picks them).
    func testBlockingPrimeAndRead() throws {
        let server = try LiveServer.fromEnvironment()
        let alice = try server.register("alice")
        let bob = try server.register("bob")
        let note = try alice.client.writeNote(data: ["k": "v"], to: recipient(bob), options: NoteOptions(eacp: otpOnly))
        let noteID = try XCTUnwrap(note.noteID)
        assertThrowsKind(.forbidden, try bob.client.readNote(id: noteID))
        let otp = try alice.client.primeNote(id: noteID)
        XCTAssertEqual(try bob.client.readNote(id: noteID, toznyOTP: otp).data, ["k": "v"])
        assertThrowsKind(.forbidden, try bob.client.readNote(id: noteID, toznyOTP: otp))
    }
}
