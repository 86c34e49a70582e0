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
    /// File metadata, only for file records.
    public var fileMeta: JSONValue?

    enum CodingKeys: String, CodingKey {
        case recordID = "record_id", writerID = "writer_id", userID = "user_id", type, plain, created
        case lastModified = "last_modified", version, fileMeta = "file_meta"
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

    public init(
        timeoutMS: Int? = nil, retries: Int? = nil, caBundle: String? = nil, userAgent: String? = nil,
        allowInsecureHTTP: Bool? = nil
    ) {
        self.timeoutMS = timeoutMS
        self.retries = retries
        self.caBundle = caBundle
        self.userAgent = userAgent
        self.allowInsecureHTTP = allowInsecureHTTP
    }

    enum CodingKeys: String, CodingKey {
        case timeoutMS = "timeout_ms", retries, caBundle = "ca_bundle", userAgent = "user_agent"
        case allowInsecureHTTP = "allow_insecure_http"
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
