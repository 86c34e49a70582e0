import CToz

/// A TozStore client bound to one set of credentials (`toz_client`). Credentials from
/// ``Credentials/generate(apiURL:)`` (never registered) give an *anonymous* client, which can only
/// write and read notes: every other call throws ``ErrorKind/invalidArgument`` before any request.
///
/// One client may be used by many tasks and threads at once. Every method except `init` and
/// `close` talks to the server and blocks the calling thread for up to the configured timeout
/// per attempt; each has an `async` overload (Client+Async.swift) that runs it on a worker thread.
/// After ``close()`` every call throws ``ErrorKind/closed``; calls already running finish first.
public final class Client: Sendable {
    let native: NativeHandle

    /// A client for `credentials` (copied: the caller keeps its own handle). No network traffic
    /// happens here. Unregistered credentials give an anonymous client (notes only). A bad URL
    /// throws ``ErrorKind/invalidArgument``; plain http beyond loopback throws
    /// ``ErrorKind/insecureTransport``.
    public init(credentials: Credentials, options: HTTPOptions? = nil) throws {
        let optionsJSON = try options.map { try encodeJSON($0) }
        let pointer = try withOptionalCString(optionsJSON) { opts in
            try credentials.native.handle { toz_client_new($0, opts, $1) }
        }
        native = NativeHandle(pointer, name: "client") { toz_free_client($0) }
    }

    /// Frees the client now, or when the calls still running end. Closing twice is harmless.
    public func close() {
        native.close()
    }

    // MARK: Records

    /// Encrypts and writes a new record of `type`; `plain` is stored as searchable plaintext.
    public func writeRecord(type: String, data: [String: String], plain: [String: String] = [:]) throws -> Record {
        let dataJSON = try encodeJSON(data)
        let plainJSON = try encodeJSON(plain)
        return try native.json { toz_client_write_record($0, type, dataJSON, plainJSON, $1) }
    }

    /// Reads and decrypts a record; `fields` limits the data fields returned (nil for all).
    public func readRecord(id: String, fields: [String]? = nil) throws -> Record {
        let fieldsJSON = try fields.map { try encodeJSON($0) }
        return try withOptionalCString(fieldsJSON) { fields in
            try native.json(Record.self) { toz_client_read_record($0, id, fields, $1) }
        }
    }

    /// Replaces a record's data and plain meta. `record.meta` must carry the record id, type and
    /// the version read; a stale version throws ``ErrorKind/conflict``.
    public func updateRecord(_ record: Record) throws -> Record {
        let recordJSON = try encodeJSON(record)
        return try native.json { toz_client_update_record($0, recordJSON, $1) }
    }

    /// Deletes a record: with `version`, only if it is still that version (else
    /// ``ErrorKind/conflict``); with nil, unconditionally.
    public func deleteRecord(id: String, version: String? = nil) throws {
        try withOptionalCString(version) { version in
            try native.call { toz_client_delete_record($0, id, version) }
        }
    }

    /// Runs a v1 query, decrypting the data when `query.includeData`.
    public func query(_ query: Query) throws -> QueryPage {
        let queryJSON = try encodeJSON(query)
        return try native.json { toz_client_query($0, queryJSON, $1) }
    }

    /// Runs a v2 search, decrypting the data when `search.includeData`.
    public func search(_ search: Search) throws -> SearchPage {
        let searchJSON = try encodeJSON(search)
        return try native.json { toz_client_search($0, searchJSON, $1) }
    }

    // MARK: Notes

    /// The non-secret fields of this client's credentials, without a request; `clientID` is ""
    /// for an anonymous client. `NoteRecipient(info)` addresses a note to this client.
    public func publicInfo() throws -> CredentialsInfo {
        try native.json { toz_client_public_info($0, $1) }
    }

    /// One note write: `cFunction(client, data, recipient, options, out)`.
    private func note(
        _ data: [String: String], _ recipient: NoteRecipient, _ options: NoteOptions?,
        _ cFunction: (OpaquePointer, String, String, UnsafePointer<CChar>?, StringOut) -> OpaquePointer?
    ) throws -> Note {
        let dataJSON = try encodeJSON(data)
        let recipientJSON = try encodeJSON(recipient)
        let optionsJSON = try options.map { try encodeJSON($0) }
        return try withOptionalCString(optionsJSON) { opts in
            try native.json(Note.self) { cFunction($0, dataJSON, recipientJSON, opts, $1) }
        }
    }

    /// Encrypts `data` to `recipient`, signs every field with this client's signing key and stores
    /// the note; returns it as stored (`data` encrypted). A name already taken throws
    /// ``ErrorKind/conflict``.
    public func writeNote(data: [String: String], to recipient: NoteRecipient, options: NoteOptions? = nil) throws -> Note {
        try note(data, recipient, options) { toz_client_write_note($0, $1, $2, $3, $4) }
    }

    /// Replaces (or creates) this writer's note named `options.idString`, atomically; an unnamed
    /// note throws ``ErrorKind/invalidArgument``.
    public func replaceNote(data: [String: String], to recipient: NoteRecipient, options: NoteOptions) throws -> Note {
        try note(data, recipient, options) { toz_client_replace_note($0, $1, $2, $3, $4) }
    }

    /// Reads a note addressed to this client's keys, `data` decrypted and every signature verified
    /// (``ErrorKind/signature`` otherwise). Each read counts against its views:
    /// ``ErrorKind/notFound`` once they or its time ran out.
    ///
    /// A note with access policies (``Note/eacp``) also needs their proofs: `toznyOTP`, the
    /// password its writer got from ``primeNote(id:expiryMinutes:)``, and `emailOTP`, the code
    /// ``challengeNote(id:templateName:expiryMinutes:)`` had mailed; each proof opens the note once.
    /// A proof missing, wrong, expired or used throws ``ErrorKind/forbidden``. Without proofs this
    /// is `toz_client_read_note`, with any `toz_client_read_note_with_eacp`.
    public func readNote(id: String, toznyOTP: String? = nil, emailOTP: String? = nil) throws -> Note {
        guard toznyOTP != nil || emailOTP != nil else {
            return try native.json { toz_client_read_note($0, id, $1) }
        }
        return try readNoteWithEACP(NoteReadRequest(noteID: id, toznyOTP: toznyOTP, emailOTP: emailOTP))
    }

    /// Reads a note by its name (`idString`), as ``readNote(id:toznyOTP:emailOTP:)``.
    public func readNote(name: String, toznyOTP: String? = nil, emailOTP: String? = nil) throws -> Note {
        guard toznyOTP != nil || emailOTP != nil else {
            return try native.json { toz_client_read_note_by_name($0, name, $1) }
        }
        return try readNoteWithEACP(NoteReadRequest(idString: name, toznyOTP: toznyOTP, emailOTP: emailOTP))
    }

    private func readNoteWithEACP(_ request: NoteReadRequest) throws -> Note {
        let requestJSON = try encodeJSON(request)
        return try native.json { toz_client_read_note_with_eacp($0, requestJSON, $1) }
    }

    /// For the writer of a note with ``ToznyOTPEACP``: a one-time password for it, to hand to the
    /// reader out of band, who passes it to ``readNote(id:toznyOTP:emailOTP:)``. It opens the note
    /// once, within `expiryMinutes` (0: the server's default, 60 on toz-server; at most 10080;
    /// negative: ``ErrorKind/invalidArgument``). Priming again replaces the previous password.
    /// Anyone but the writer gets ``ErrorKind/forbidden``; a note without the policy,
    /// ``ErrorKind/http`` with status 400.
    public func primeNote(id: String, expiryMinutes: Int = 0) throws -> String {
        // `int32_t` in C; beyond its range the server would refuse the value anyway.
        let minutes = Int32(clamping: expiryMinutes)
        return try native.string { toz_client_prime_note($0, id, minutes, $1) }
    }

    /// For the recipient (or writer) of a note with ``EmailEACP``: has the server mail a new
    /// one-time code to the note's address (the previous code stops working); the reader passes it
    /// to ``readNote(id:toznyOTP:emailOTP:)`` as `emailOTP`. `templateName` picks the mail
    /// template and `expiryMinutes` how long the code is valid (nil: the default, e.g.
    /// ``EmailEACP/defaultExpirationMinutes``). A note without ``EmailEACP`` gives
    /// ``ErrorKind/http`` with status 400; anyone but its recipient and writer,
    /// ``ErrorKind/forbidden``; a mail the server could not send, ``ErrorKind/server`` (502).
    public func challengeNote(id: String, templateName: String? = nil, expiryMinutes: Int? = nil) throws -> NoteChallenge {
        try challenge(NoteChallengeRequest(noteID: id, templateName: templateName, expiryMinutes: expiryMinutes))
    }

    /// Challenges a note by its name (`idString`), as ``challengeNote(id:templateName:expiryMinutes:)``.
    public func challengeNote(name: String, templateName: String? = nil, expiryMinutes: Int? = nil) throws -> NoteChallenge {
        try challenge(NoteChallengeRequest(idString: name, templateName: templateName, expiryMinutes: expiryMinutes))
    }

    private func challenge(_ request: NoteChallengeRequest) throws -> NoteChallenge {
        let requestJSON = try encodeJSON(request)
        return try native.json { toz_client_challenge_note($0, requestJSON, $1) }
    }

    /// Deletes a note this client wrote.
    public func deleteNote(id: String) throws {
        try native.call { toz_client_delete_note($0, id) }
    }

    // MARK: Files

    /// Encrypts the file at `path` (streamed, in constant memory) and stores it as a record of
    /// `type`; the record returned carries `meta.fileMeta`. `progress` is called on the calling
    /// thread with ``ProgressStage/uploading`` (encrypted bytes), preceded by
    /// ``ProgressStage/encrypting`` (plaintext bytes) unless the upload runs in a single pass
    /// (toz-server, with `HTTPOptions.singlePassUploads` left on). An error thrown by `progress`
    /// cancels the upload at once (no record is stored) and is rethrown (see ``ProgressHandler``).
    public func writeFile(
        type: String, path: String, plain: [String: String] = [:], progress: ProgressHandler? = nil
    ) throws -> Record {
        let plainJSON = try encodeJSON(plain)
        return try withProgress(progress) { callback, userData in
            try native.json(Record.self) { toz_client_write_file($0, type, path, plainJSON, callback, userData, $1) }
        }
    }

    /// Downloads the file record `id` and decrypts it to `destination`, which appears only once the
    /// whole file decrypted and verified: on any failure nothing is left there
    /// (``ErrorKind/crypto`` for a tampered or truncated file). `progress` reports
    /// ``ProgressStage/downloading`` (encrypted bytes); an error it throws cancels the download at
    /// once (no file, nor partial file, is left) and is rethrown (see ``ProgressHandler``).
    public func readFile(id: String, to destination: String, progress: ProgressHandler? = nil) throws -> Record {
        try withProgress(progress) { callback, userData in
            try native.json(Record.self) { toz_client_read_file($0, id, destination, callback, userData, $1) }
        }
    }

    // MARK: Sharing and authorizers

    /// Shares this client's records of `recordType` (present and future) with `readerID`.
    public func share(recordType: String, readerID: String) throws {
        try native.call { toz_client_share($0, recordType, readerID) }
    }

    /// Stops sharing `recordType` with `readerID`.
    public func revoke(recordType: String, readerID: String) throws {
        try native.call { toz_client_revoke($0, recordType, readerID) }
    }

    /// Appoints `authorizerID` to share this client's `recordType` on its behalf.
    public func addAuthorizer(recordType: String, authorizerID: String) throws {
        try native.call { toz_client_add_authorizer($0, recordType, authorizerID) }
    }

    /// Withdraws an appointment made with ``addAuthorizer(recordType:authorizerID:)``.
    public func removeAuthorizer(recordType: String, authorizerID: String) throws {
        try native.call { toz_client_remove_authorizer($0, recordType, authorizerID) }
    }

    /// As an authorizer of `writerID`, shares its `recordType` with `readerID`
    /// (``ErrorKind/forbidden`` when not appointed).
    public func shareOnBehalfOf(writerID: String, recordType: String, readerID: String) throws {
        try native.call { toz_client_share_on_behalf_of($0, writerID, recordType, readerID) }
    }

    /// As an authorizer of `writerID`, revokes a share made on its behalf.
    public func revokeOnBehalfOf(writerID: String, recordType: String, readerID: String) throws {
        try native.call { toz_client_revoke_on_behalf_of($0, writerID, recordType, readerID) }
    }

    /// Readers this client shares with.
    public func outgoingShares() throws -> [OutgoingShare] {
        try native.json { toz_client_outgoing_shares($0, $1) }
    }

    /// Writers sharing with this client.
    public func incomingShares() throws -> [IncomingShare] {
        try native.json { toz_client_incoming_shares($0, $1) }
    }

    /// Authorizers this client appointed.
    public func authorizers() throws -> [Authorization] {
        try native.json { toz_client_authorizers($0, $1) }
    }

    /// Writers that appointed this client as their authorizer.
    public func grantedAuthorizations() throws -> [Authorization] {
        try native.json { toz_client_granted_authorizations($0, $1) }
    }

    // MARK: Clients and backups

    /// Public information about any client; an unknown id throws ``ErrorKind/notFound``.
    public func clientInfo(id: String) throws -> ClientInfo {
        try native.json { toz_client_info($0, id, $1) }
    }

    /// For the account's backup client: the clients whose credentials are backed up to it.
    public func listBackups() throws -> [BackupEntry] {
        try native.json { toz_client_list_backups($0, $1) }
    }

    /// For the account's backup client: the full credentials of `clientID` from its newest backup
    /// (``ErrorKind/notFound`` when there is none shared with this client).
    public func recoverCredentials(clientID: String) throws -> Credentials {
        try Credentials(owning: native.handle { toz_client_recover_credentials($0, clientID, $1) })
    }
}
