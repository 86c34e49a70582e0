// The plain data that crosses the ABI as JSON, as Codable structs. Field names follow the wire
// format (src/sdk/wire.rs, records.rs, query.rs, backup.rs, http.rs); explicit CodingKeys map
// them, because a key strategy would also rewrite the field names inside record data.

/// A record: server metadata and plaintext data (`{"meta":{...},"data":{...}}`).
public struct Record: Codable, Sendable, Equatable {
    public var meta: RecordMeta
    /// The decrypted fields.
    public var data: [String: String]
}

/// Record metadata. Server-assigned fields are nil until the record is stored.
public struct RecordMeta: Codable, Sendable, Equatable {
    public var recordID: String?
    public var writerID: String
    public var userID: String
    public var type: String
    /// Plaintext, searchable metadata.
    public var plain: [String: String]
    public var created: String?
    public var lastModified: String?
    /// Changes on every update; pass it to `deleteRecord` for a guarded delete.
    public var version: String?
    /// File metadata, only for file records (``Client/writeFile(type:path:plain:progress:)``).
    public var fileMeta: FileMeta?

    enum CodingKeys: String, CodingKey {
        case recordID = "record_id", writerID = "writer_id", userID = "user_id", type, plain, created
        case lastModified = "last_modified", version, fileMeta = "file_meta"
    }
}

/// `meta.file_meta` of a file record. Missing fields decode as empty, as in the library.
public struct FileMeta: Codable, Sendable, Equatable {
    /// Where the server serves the encrypted bytes (on records read back).
    public var fileURL: String?
    /// The name of the file given at upload.
    public var fileName: String?
    /// Standard padded base64 of the MD5 of the encrypted file.
    public var checksum: String
    /// "raw".
    public var compression: String
    /// Encrypted size in bytes.
    public var size: UInt64

    enum CodingKeys: String, CodingKey {
        case fileURL = "file_url", fileName = "file_name", checksum, compression, size
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileURL = try container.decodeIfPresent(String.self, forKey: .fileURL)
        fileName = try container.decodeIfPresent(String.self, forKey: .fileName)
        checksum = try container.decodeIfPresent(String.self, forKey: .checksum) ?? ""
        compression = try container.decodeIfPresent(String.self, forKey: .compression) ?? ""
        size = try container.decodeIfPresent(UInt64.self, forKey: .size) ?? 0
    }
}

/// One page of a v1 query; pass `lastIndex` back as `Query.afterIndex` for the next one.
public struct QueryPage: Codable, Sendable, Equatable {
    public var results: [Record]
    public var lastIndex: Int

    enum CodingKeys: String, CodingKey {
        case results, lastIndex = "last_index"
    }
}

/// One page of a v2 search; `lastIndex` 0 means no more pages, else pass it as `Search.nextToken`.
public struct SearchPage: Codable, Sendable, Equatable {
    public var results: [Record]
    public var lastIndex: Int
    /// Matches over all pages.
    public var totalResults: Int

    enum CodingKeys: String, CodingKey {
        case results, lastIndex = "last_index", totalResults = "total_results"
    }
}

/// A v1 query (spec §6.1). Nil fields are left out and take the server's defaults.
public struct Query: Encodable, Sendable, Equatable {
    /// Page size (server default 50, at most 1000).
    public var count: Int?
    /// Return (and decrypt) each record's data.
    public var includeData: Bool
    public var writerIDs: [String]?
    public var userIDs: [String]?
    public var recordIDs: [String]?
    /// Record types.
    public var contentTypes: [String]?
    /// A plain-meta filter: `["eq": ["name": "k", "value": "v"]]`, `and`/`or`/`not` of those, or a
    /// flat object of equalities.
    public var plain: JSONValue?
    /// Only records after this index (a previous page's `lastIndex`).
    public var afterIndex: Int?
    /// Also records other writers shared with this client.
    public var includeAllWriters: Bool

    public init(
        count: Int? = nil, includeData: Bool = false, writerIDs: [String]? = nil, userIDs: [String]? = nil,
        recordIDs: [String]? = nil, contentTypes: [String]? = nil, plain: JSONValue? = nil,
        afterIndex: Int? = nil, includeAllWriters: Bool = false
    ) {
        self.count = count
        self.includeData = includeData
        self.writerIDs = writerIDs
        self.userIDs = userIDs
        self.recordIDs = recordIDs
        self.contentTypes = contentTypes
        self.plain = plain
        self.afterIndex = afterIndex
        self.includeAllWriters = includeAllWriters
    }

    enum CodingKeys: String, CodingKey {
        case count, includeData = "include_data", writerIDs = "writer_ids", userIDs = "user_ids"
        case recordIDs = "record_ids", contentTypes = "content_types", plain, afterIndex = "after_index"
        case includeAllWriters = "include_all_writers"
    }
}

/// A v2 search (spec §6.2).
public struct Search: Encodable, Sendable, Equatable {
    /// Page size: nil = 50, at most 1000.
    public var limit: Int?
    /// A previous page's `lastIndex`.
    public var nextToken: Int?
    public var includeAllWriters: Bool
    public var includeData: Bool
    /// ORed blocks; none = everything.
    public var match: [SearchParams]?
    /// Blocks whose matches are removed.
    public var exclude: [SearchParams]?
    public var range: SearchRange?
    public var order: SearchOrder?

    public init(
        limit: Int? = nil, nextToken: Int? = nil, includeAllWriters: Bool = false, includeData: Bool = false,
        match: [SearchParams]? = nil, exclude: [SearchParams]? = nil, range: SearchRange? = nil,
        order: SearchOrder? = nil
    ) {
        self.limit = limit
        self.nextToken = nextToken
        self.includeAllWriters = includeAllWriters
        self.includeData = includeData
        self.match = match
        self.exclude = exclude
        self.range = range
        self.order = order
    }

    enum CodingKeys: String, CodingKey {
        case limit, nextToken = "next_token", includeAllWriters = "include_all_writers"
        case includeData = "include_data", match, exclude, range, order
    }
}

/// One `match` or `exclude` block of a search.
public struct SearchParams: Encodable, Sendable, Equatable {
    /// "OR" (default: any term) or "AND" (every term).
    public var condition: String?
    /// "EXACT" (default), "FUZZY", "WILDCARD" or "REGEXP".
    public var strategy: String?
    public var terms: SearchTerms

    public init(condition: String? = nil, strategy: String? = nil, terms: SearchTerms) {
        self.condition = condition
        self.strategy = strategy
        self.terms = terms
    }
}

/// The terms of a search block.
public struct SearchTerms: Encodable, Sendable, Equatable {
    public var writerIDs: [String]?
    public var userIDs: [String]?
    public var recordIDs: [String]?
    /// Record types.
    public var contentTypes: [String]?
    /// Plain-meta keys.
    public var keys: [String]?
    /// Plain-meta values.
    public var values: [String]?
    /// Plain-meta key/value pairs.
    public var tags: [String: String]?
    /// Readers the record type is shared with.
    public var sharedWith: [String]?

    public init(
        writerIDs: [String]? = nil, userIDs: [String]? = nil, recordIDs: [String]? = nil,
        contentTypes: [String]? = nil, keys: [String]? = nil, values: [String]? = nil,
        tags: [String: String]? = nil, sharedWith: [String]? = nil
    ) {
        self.writerIDs = writerIDs
        self.userIDs = userIDs
        self.recordIDs = recordIDs
        self.contentTypes = contentTypes
        self.keys = keys
        self.values = values
        self.tags = tags
        self.sharedWith = sharedWith
    }

    enum CodingKeys: String, CodingKey {
        case writerIDs = "writer_ids", userIDs = "user_ids", recordIDs = "record_ids"
        case contentTypes = "content_types", keys, values, tags, sharedWith = "shared_with"
    }
}

/// A time range of a search (RFC 3339 bounds, both exclusive).
public struct SearchRange: Encodable, Sendable, Equatable {
    /// "CREATED" (default) or "MODIFIED".
    public var rangeKey: String?
    public var after: String?
    public var before: String?

    public init(rangeKey: String? = nil, after: String? = nil, before: String? = nil) {
        self.rangeKey = rangeKey
        self.after = after
        self.before = before
    }

    enum CodingKeys: String, CodingKey {
        case rangeKey = "range_key", after, before
    }
}

/// The order of search results.
public struct SearchOrder: Encodable, Sendable, Equatable {
    /// "ASCENDING" (default) or "DESCENDING".
    public var sortOrder: String?

    public init(sortOrder: String? = nil) {
        self.sortOrder = sortOrder
    }

    enum CodingKeys: String, CodingKey {
        case sortOrder = "sort_order"
    }
}

/// A reader this client shares a record type with.
public struct OutgoingShare: Codable, Sendable, Equatable {
    public var readerID: String
    public var readerName: String
    public var recordType: String

    enum CodingKeys: String, CodingKey {
        case readerID = "reader_id", readerName = "reader_name", recordType = "record_type"
    }
}

/// A writer sharing a record type with this client.
public struct IncomingShare: Codable, Sendable, Equatable {
    public var writerID: String
    public var writerName: String
    public var recordType: String

    enum CodingKeys: String, CodingKey {
        case writerID = "writer_id", writerName = "writer_name", recordType = "record_type"
    }
}

/// An authorizer appointment: `authorizerID` may share `writerID`'s `recordType`.
public struct Authorization: Codable, Sendable, Equatable {
    public var authorizerID: String
    public var writerID: String
    public var userID: String
    public var recordType: String
    public var authorizedBy: String

    enum CodingKeys: String, CodingKey {
        case authorizerID = "authorizer_id", writerID = "writer_id", userID = "user_id"
        case recordType = "record_type", authorizedBy = "authorized_by"
    }
}

/// A client whose credentials are backed up to the account's backup client.
public struct BackupEntry: Codable, Sendable, Equatable {
    public var clientID: String
    public var recordID: String
    public var created: String

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", recordID = "record_id", created
    }
}

/// Public information about a client (`toz_client_info`).
public struct ClientInfo: Codable, Sendable, Equatable {
    public var clientID: String
    public var publicKey: PublicKey
    /// Nil when the client registered no signing key.
    public var signingKey: SigningKey?
    public var validated: Bool

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", publicKey = "public_key", signingKey = "signing_key", validated
    }
}

/// `{"curve25519": "<base64url>"}`.
public struct PublicKey: Codable, Sendable, Equatable {
    public var curve25519: String
}

/// `{"ed25519": "<base64url>"}`, or `{}` when absent.
public struct SigningKey: Codable, Sendable, Equatable {
    public var ed25519: String?
}

/// The non-secret fields of credentials (`toz_credentials_public_info`); safe to log.
public struct CredentialsInfo: Codable, Sendable, Equatable {
    public var version: Int
    /// Empty until registered.
    public var clientID: String
    public var apiKeyID: String
    public var clientEmail: String
    /// Curve25519 public key, base64url.
    public var publicKey: String
    /// Ed25519 public key, base64url.
    public var publicSigningKey: String
    public var apiURL: String

    enum CodingKeys: String, CodingKey {
        case version, clientID = "client_id", apiKeyID = "api_key_id", clientEmail = "client_email"
        case publicKey = "public_key", publicSigningKey = "public_signing_key", apiURL = "api_url"
    }
}

/// Transport options for `Credentials.register` and `Client.init`. Nil fields take the library's
/// defaults (30 s timeout, 2 retries, built-in web roots, no plain http beyond loopback).
public struct HTTPOptions: Encodable, Sendable, Equatable {
    /// Whole-request timeout in milliseconds.
    public var timeoutMS: Int?
    /// Extra attempts for idempotent requests after a network error, 429 or 502/503/504.
    public var retries: Int?
    /// PEM file of CA certificates to trust instead of the built-in roots.
    public var caBundle: String?
    public var userAgent: String?
    /// Allow plain http to hosts other than loopback (API secrets would cross readable).
    public var allowInsecureHTTP: Bool?
    /// Upload files in one pass where the server offers it (toz-server; the default). False
    /// always encrypts to a temporary file first, for the checksum Tozny's protocol announces.
    public var singlePassUploads: Bool?

    public init(
        timeoutMS: Int? = nil, retries: Int? = nil, caBundle: String? = nil, userAgent: String? = nil,
        allowInsecureHTTP: Bool? = nil, singlePassUploads: Bool? = nil
    ) {
        self.timeoutMS = timeoutMS
        self.retries = retries
        self.caBundle = caBundle
        self.userAgent = userAgent
        self.allowInsecureHTTP = allowInsecureHTTP
        self.singlePassUploads = singlePassUploads
    }

    enum CodingKeys: String, CodingKey {
        case timeoutMS = "timeout_ms", retries, caBundle = "ca_bundle", userAgent = "user_agent"
        case allowInsecureHTTP = "allow_insecure_http", singlePassUploads = "single_pass_uploads"
    }
}

/// Argon2id work factors for `Credentials.seal` (at least 1 pass and 8 MiB).
public struct SealOptions: Encodable, Sendable, Equatable {
    /// Argon2id passes.
    public var opslimit: UInt64
    /// Argon2id memory in bytes.
    public var memlimit: UInt64

    public init(opslimit: UInt64, memlimit: UInt64) {
        self.opslimit = opslimit
        self.memlimit = memlimit
    }
}

// MARK: Notes and files

/// Who a note is for: the recipient's public keys (base64url), as in its ``CredentialsInfo``.
public struct NoteRecipient: Encodable, Sendable, Equatable {
    /// Curve25519 public key: the note is encrypted to it.
    public var publicKey: String
    /// Ed25519 public key: only its holder may read the note.
    public var publicSigningKey: String

    public init(publicKey: String, publicSigningKey: String) {
        self.publicKey = publicKey
        self.publicSigningKey = publicSigningKey
    }

    /// The address of the holder of `info`'s credentials (``Client/publicInfo()``).
    public init(_ info: CredentialsInfo) {
        self.init(publicKey: info.publicKey, publicSigningKey: info.publicSigningKey)
    }

    enum CodingKeys: String, CodingKey {
        case publicKey = "public_key", publicSigningKey = "public_signing_key"
    }
}

/// Options of a new note; nil fields are left out. An anonymous writer cannot name a note and gets
/// the server's default limits.
public struct NoteOptions: Encodable, Sendable, Equatable {
    /// A globally unique name to read the note by; required by `replaceNote`.
    public var idString: String?
    /// How many reads are allowed (nil or -1: unlimited).
    public var maxViews: Int?
    /// RFC 3339 time after which the note is gone.
    public var expiration: String?
    public var type: String?
    /// Plaintext metadata.
    public var plain: [String: String]?
    /// Proofs the server demands before it hands the note out (see ``NoteEACP``). toz-server
    /// enforces `toznyOTPEACP` and `emailEACP`.
    public var eacp: NoteEACP?

    public init(
        idString: String? = nil, maxViews: Int? = nil, expiration: String? = nil, type: String? = nil,
        plain: [String: String]? = nil, eacp: NoteEACP? = nil
    ) {
        self.idString = idString
        self.maxViews = maxViews
        self.expiration = expiration
        self.type = type
        self.plain = plain
        self.eacp = eacp
    }

    enum CodingKeys: String, CodingKey {
        case idString = "id_string", maxViews = "max_views", expiration, type, plain, eacp
    }
}

/// A note's extended access control policies (`eacp`, spec §8.1): each one present is a proof the
/// reader must bring to `readNote` on top of holding the recipient's keys. Nil fields are left
/// out. toz-server refuses the other policies of Tozny's hosted service (`last_access_eacp`,
/// `tozid_eacp`) with HTTP 400, as it has no TozID realm.
public struct NoteEACP: Codable, Sendable, Equatable {
    /// A one-time password the writer gets from ``Client/primeNote(id:expiryMinutes:)`` and hands
    /// to the reader.
    public var toznyOTPEACP: ToznyOTPEACP?
    /// A one-time code the server mails on ``Client/challengeNote(id:templateName:expiryMinutes:)``.
    public var emailEACP: EmailEACP?

    public init(toznyOTPEACP: ToznyOTPEACP? = nil, emailEACP: EmailEACP? = nil) {
        self.toznyOTPEACP = toznyOTPEACP
        self.emailEACP = emailEACP
    }

    enum CodingKeys: String, CodingKey {
        case toznyOTPEACP = "tozny_otp_eacp", emailEACP = "email_eacp"
    }
}

/// `tozny_otp_eacp`: reading needs a password primed by the note's writer
/// (``Client/primeNote(id:expiryMinutes:)``).
public struct ToznyOTPEACP: Codable, Sendable, Equatable {
    /// True to require the password.
    public var include: Bool

    public init(include: Bool = true) {
        self.include = include
    }
}

/// `email_eacp`: reading needs a code that ``Client/challengeNote(id:templateName:expiryMinutes:)``
/// has the server mail to `emailAddress`.
public struct EmailEACP: Codable, Sendable, Equatable {
    /// Where the server mails the one-time code.
    public var emailAddress: String
    /// The name of the mail template.
    public var template: String?
    /// A link the mail offers the reader, e.g. the page that opens the note.
    public var providerLink: String?
    /// Values for the template's placeholders.
    public var templateFields: [String: String]?
    /// How long a mailed code stays valid unless the challenge says otherwise.
    public var defaultExpirationMinutes: Int?

    public init(
        emailAddress: String, template: String? = nil, providerLink: String? = nil,
        templateFields: [String: String]? = nil, defaultExpirationMinutes: Int? = nil
    ) {
        self.emailAddress = emailAddress
        self.template = template
        self.providerLink = providerLink
        self.templateFields = templateFields
        self.defaultExpirationMinutes = defaultExpirationMinutes
    }

    enum CodingKeys: String, CodingKey {
        case emailAddress = "email_address", template, providerLink = "provider_link"
        case templateFields = "template_fields", defaultExpirationMinutes = "default_expiration_minutes"
    }
}

/// The request of `toz_client_read_note_with_eacp`: exactly one of `noteID` and `idString`, plus
/// the proofs the note's policies demand. Built by `Client.readNote`.
struct NoteReadRequest: Encodable {
    var noteID: String?
    var idString: String?
    var toznyOTP: String?
    var emailOTP: String?

    enum CodingKeys: String, CodingKey {
        case noteID = "note_id", idString = "id_string", toznyOTP = "tozny_otp", emailOTP = "email_otp"
    }
}

/// The request of `toz_client_challenge_note`: exactly one of `noteID` and `idString`. Built by
/// `Client.challengeNote`.
struct NoteChallengeRequest: Encodable {
    var noteID: String?
    var idString: String?
    var templateName: String?
    var expiryMinutes: Int?

    enum CodingKeys: String, CodingKey {
        case noteID = "note_id", idString = "id_string", templateName = "template_name"
        case expiryMinutes = "expiry_minutes"
    }
}

/// What ``Client/challengeNote(id:templateName:expiryMinutes:)`` started: `{"email_eacp":{...}}`.
public struct NoteChallenge: Codable, Sendable, Equatable {
    /// The mailed code's challenge.
    public var emailEACP: EmailEACPChallenge?

    enum CodingKeys: String, CodingKey {
        case emailEACP = "email_eacp"
    }
}

/// The challenge of a note's ``EmailEACP``: a code is on its way to the note's address.
public struct EmailEACPChallenge: Codable, Sendable, Equatable {
    /// RFC 3339 time after which the mailed code no longer opens the note.
    public var expiresAt: String
    /// The mail template the server used.
    public var templateName: String?

    enum CodingKeys: String, CodingKey {
        case expiresAt = "expires_at", templateName = "template_name"
    }
}

/// A note as stored (`writeNote`: `data` encrypted) or as read (`readNote`: `data` decrypted and
/// every signature verified).
public struct Note: Codable, Sendable, Equatable {
    public var noteID: String?
    public var idString: String
    /// The writer's client id; empty or nil for an anonymous writer.
    public var clientID: String?
    public var mode: String
    public var recipientSigningKey: String
    public var writerSigningKey: String
    public var writerEncryptionKey: String
    public var encryptedAccessKey: String
    public var type: String
    public var data: [String: String]
    public var plain: [String: String]
    public var fileMeta: JSONValue?
    public var signature: String
    /// -1: unlimited.
    public var maxViews: Int
    public var views: Int
    public var expiration: String?
    /// Whether `expiration` applies.
    public var expires: Bool
    /// The note's access policies; nil when it has none.
    public var eacp: NoteEACP?
    public var createdAt: String?

    enum CodingKeys: String, CodingKey {
        case noteID = "note_id", idString = "id_string", clientID = "client_id", mode
        case recipientSigningKey = "recipient_signing_key", writerSigningKey = "writer_signing_key"
        case writerEncryptionKey = "writer_encryption_key", encryptedAccessKey = "encrypted_access_key"
        case type, data, plain, fileMeta = "file_meta", signature, maxViews = "max_views", views
        case expiration, expires, eacp, createdAt = "created_at"
    }
}

/// What a file-transfer progress report is about (the `stage` of `toz_progress_fn`).
public enum ProgressStage: UInt32, Sendable, CaseIterable {
    /// A stage this binding does not know (from a newer libtoz).
    case unknown = 0
    /// Encrypting the local file before a checksum-first upload; done and total are plaintext
    /// bytes. A single-pass upload (toz-server) reports `uploading` only.
    case encrypting = 1
    /// Uploading the encrypted file; done and total are encrypted bytes.
    case uploading = 2
    /// Downloading and decrypting; done and total are encrypted bytes.
    case downloading = 3
}

/// Receives progress reports of `writeFile` and `readFile`, synchronously on the thread running the
/// transfer (a worker thread for the `async` overloads), while the client is in use.
///
/// Throwing cancels the transfer: it stops at once and nothing is stored (no record for an
/// upload; no file, nor partial file, at a download's destination). `writeFile` / `readFile`
/// then throw that same error (e.g. a `CancellationError`) in place of the library's
/// ``ErrorKind/cancelled``. The handler is not called again after it threw.
public typealias ProgressHandler = @Sendable (_ stage: ProgressStage, _ done: UInt64, _ total: UInt64) throws -> Void
