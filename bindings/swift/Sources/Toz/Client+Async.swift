// `async` overloads of every networked Client method. Each runs the blocking call on a Dispatch
// worker thread (see `offload`), so it never blocks an actor or the cooperative pool. In an
// async context Swift picks these; inside the synchronous closures below it picks the blocking
// method of the same name. Cancelling the task does not stop a started call: it ends within the
// timeout. A file transfer stops early when its progress handler throws (see ProgressHandler).

extension Client {
    public func writeRecord(type: String, data: [String: String], plain: [String: String] = [:]) async throws -> Record {
        try await offload { try self.writeRecord(type: type, data: data, plain: plain) }
    }

    public func readRecord(id: String, fields: [String]? = nil) async throws -> Record {
        try await offload { try self.readRecord(id: id, fields: fields) }
    }

    public func updateRecord(_ record: Record) async throws -> Record {
        try await offload { try self.updateRecord(record) }
    }

    public func deleteRecord(id: String, version: String? = nil) async throws {
        try await offload { try self.deleteRecord(id: id, version: version) }
    }

    public func query(_ query: Query) async throws -> QueryPage {
        try await offload { try self.query(query) }
    }

    public func search(_ search: Search) async throws -> SearchPage {
        try await offload { try self.search(search) }
    }

    public func writeNote(data: [String: String], to recipient: NoteRecipient, options: NoteOptions? = nil) async throws -> Note {
        try await offload { try self.writeNote(data: data, to: recipient, options: options) }
    }

    public func replaceNote(data: [String: String], to recipient: NoteRecipient, options: NoteOptions) async throws -> Note {
        try await offload { try self.replaceNote(data: data, to: recipient, options: options) }
    }

    public func readNote(id: String, toznyOTP: String? = nil, emailOTP: String? = nil) async throws -> Note {
        try await offload { try self.readNote(id: id, toznyOTP: toznyOTP, emailOTP: emailOTP) }
    }

    public func readNote(name: String, toznyOTP: String? = nil, emailOTP: String? = nil) async throws -> Note {
        try await offload { try self.readNote(name: name, toznyOTP: toznyOTP, emailOTP: emailOTP) }
    }

    public func primeNote(id: String, expiryMinutes: Int = 0) async throws -> String {
        try await offload { try self.primeNote(id: id, expiryMinutes: expiryMinutes) }
    }

    public func challengeNote(id: String, templateName: String? = nil, expiryMinutes: Int? = nil) async throws -> NoteChallenge {
        try await offload { try self.challengeNote(id: id, templateName: templateName, expiryMinutes: expiryMinutes) }
    }

    public func challengeNote(name: String, templateName: String? = nil, expiryMinutes: Int? = nil) async throws -> NoteChallenge {
        try await offload { try self.challengeNote(name: name, templateName: templateName, expiryMinutes: expiryMinutes) }
    }

    public func deleteNote(id: String) async throws {
        try await offload { try self.deleteNote(id: id) }
    }

    /// `progress` runs on the worker thread doing the transfer, outside the calling task (so
    /// `Task.isCancelled` is false there); throwing from it cancels the transfer.
    public func writeFile(
        type: String, path: String, plain: [String: String] = [:], progress: ProgressHandler? = nil
    ) async throws -> Record {
        try await offload { try self.writeFile(type: type, path: path, plain: plain, progress: progress) }
    }

    /// `progress` runs on the worker thread doing the transfer, outside the calling task (so
    /// `Task.isCancelled` is false there); throwing from it cancels the transfer.
    public func readFile(id: String, to destination: String, progress: ProgressHandler? = nil) async throws -> Record {
        try await offload { try self.readFile(id: id, to: destination, progress: progress) }
    }

    public func share(recordType: String, readerID: String) async throws {
        try await offload { try self.share(recordType: recordType, readerID: readerID) }
    }

    public func revoke(recordType: String, readerID: String) async throws {
        try await offload { try self.revoke(recordType: recordType, readerID: readerID) }
    }

    public func addAuthorizer(recordType: String, authorizerID: String) async throws {
        try await offload { try self.addAuthorizer(recordType: recordType, authorizerID: authorizerID) }
    }

    public func removeAuthorizer(recordType: String, authorizerID: String) async throws {
        try await offload { try self.removeAuthorizer(recordType: recordType, authorizerID: authorizerID) }
    }

    public func shareOnBehalfOf(writerID: String, recordType: String, readerID: String) async throws {
        try await offload { try self.shareOnBehalfOf(writerID: writerID, recordType: recordType, readerID: readerID) }
    }

    public func revokeOnBehalfOf(writerID: String, recordType: String, readerID: String) async throws {
        try await offload { try self.revokeOnBehalfOf(writerID: writerID, recordType: recordType, readerID: readerID) }
    }

    public func outgoingShares() async throws -> [OutgoingShare] {
        try await offload { try self.outgoingShares() }
    }

    public func incomingShares() async throws -> [IncomingShare] {
        try await offload { try self.incomingShares() }
    }

    public func authorizers() async throws -> [Authorization] {
        try await offload { try self.authorizers() }
    }

    public func grantedAuthorizations() async throws -> [Authorization] {
        try await offload { try self.grantedAuthorizations() }
    }

    public func clientInfo(id: String) async throws -> ClientInfo {
        try await offload { try self.clientInfo(id: id) }
    }

    public func listBackups() async throws -> [BackupEntry] {
        try await offload { try self.listBackups() }
    }

    public func recoverCredentials(clientID: String) async throws -> Credentials {
        try await offload { try self.recoverCredentials(clientID: clientID) }
    }
}
