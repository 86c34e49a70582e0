package dev.toz

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.JsonElement

// The JSON structures of the C ABI as Kotlin data classes. Property names are Kotlin style; the
// JSON keys (@SerialName) are the wire names used by include/toz.h and the TozStore protocol.

/**
 * Transport options of [Client] and [Toz.register] (`options_json`). Null means the library
 * default (30 s timeout, 2 retries of idempotent requests, the built-in web roots, plain http
 * only to loopback).
 */
@Serializable
public data class Options(
    /** Whole-request timeout in milliseconds; a file transfer instead fails when it stalls that long. */
    @SerialName("timeout_ms") val timeoutMs: Long? = null,
    /** Extra attempts for idempotent requests after a network error, 429 or 502/503/504. */
    val retries: Int? = null,
    /** Path of a PEM file of CA certificates to trust instead of the built-in roots. */
    @SerialName("ca_bundle") val caBundle: String? = null,
    /** User-Agent header. */
    @SerialName("user_agent") val userAgent: String? = null,
    /** Allow plain http to hosts other than loopback (API secrets would cross readable). */
    @SerialName("allow_insecure_http") val allowInsecureHttp: Boolean? = null,
    /**
     * Upload files in one pass where the server offers it (toz-server; the default). False
     * always encrypts to a temporary file first, for the checksum Tozny's protocol announces.
     */
    @SerialName("single_pass_uploads") val singlePassUploads: Boolean? = null,
)

/** Argon2id work factors for [Credentials.seal]: `opslimit` >= 1, `memlimit` >= 8 MiB. */
@Serializable
public data class SealOptions(
    /** Argon2id passes. */
    val opslimit: Long,
    /** Argon2id memory in bytes. */
    val memlimit: Long,
)

/** The non-secret fields of [Credentials] (`toz_credentials_public_info`); safe to log. */
@Serializable
public data class PublicInfo(
    val version: Int = 0,
    @SerialName("client_id") val clientId: String = "",
    @SerialName("api_key_id") val apiKeyId: String = "",
    @SerialName("client_email") val clientEmail: String = "",
    /** Curve25519 public key, base64url. */
    @SerialName("public_key") val publicKey: String = "",
    /** Ed25519 public key, base64url. */
    @SerialName("public_signing_key") val publicSigningKey: String = "",
    @SerialName("api_url") val apiUrl: String = "",
)

/** Server metadata of a record. Server-assigned fields are null on records not yet stored. */
@Serializable
public data class RecordMeta(
    @SerialName("record_id") val recordId: String? = null,
    @SerialName("writer_id") val writerId: String = "",
    @SerialName("user_id") val userId: String = "",
    /** The record type. */
    val type: String = "",
    /** Plaintext, searchable metadata. */
    val plain: Map<String, String> = emptyMap(),
    val created: String? = null,
    @SerialName("last_modified") val lastModified: String? = null,
    /** Version, new on every update; guards [Client.updateRecord] and [Client.deleteRecord]. */
    val version: String? = null,
    /** File metadata: set for file records ([Client.writeFile]), null otherwise. */
    @SerialName("file_meta") val fileMeta: FileMeta? = null,
)

/** `meta.file_meta` of a file record. */
@Serializable
public data class FileMeta(
    /** Where the encrypted bytes are downloaded from. */
    @SerialName("file_url") val fileUrl: String? = null,
    /** The name of the uploaded file. */
    @SerialName("file_name") val fileName: String? = null,
    /** Padded standard base64 of the MD5 of the encrypted file. */
    val checksum: String = "",
    /** Always "raw". */
    val compression: String = "",
    /** Encrypted size in bytes. */
    val size: Long = 0,
)

/** A record with decrypted data: `{"meta":{...},"data":{"field":"plaintext",...}}`. */
@Serializable
public data class Record(
    val meta: RecordMeta = RecordMeta(),
    val data: Map<String, String> = emptyMap(),
)

/**
 * A v1 query (`toz_client_query`, spec §6.1). Empty lists and nulls are left out of the request.
 * [plain] is an `eq`/`and`/`or`/`not` filter or a flat object of equalities.
 */
@Serializable
public data class Query(
    val count: Int? = null,
    @SerialName("include_data") val includeData: Boolean = false,
    @SerialName("writer_ids") val writerIds: List<String> = emptyList(),
    @SerialName("user_ids") val userIds: List<String> = emptyList(),
    @SerialName("record_ids") val recordIds: List<String> = emptyList(),
    @SerialName("content_types") val contentTypes: List<String> = emptyList(),
    val plain: JsonElement? = null,
    /** Only records after this index: [QueryPage.lastIndex] of the previous page. */
    @SerialName("after_index") val afterIndex: Long = 0,
    @SerialName("include_all_writers") val includeAllWriters: Boolean = false,
)

/** One page of [Client.query] results; send [lastIndex] as [Query.afterIndex] for the next. */
@Serializable
public data class QueryPage(
    val results: List<Record> = emptyList(),
    @SerialName("last_index") val lastIndex: Long = 0,
)

/** The `terms` of a [SearchParams] block. */
@Serializable
public data class SearchTerms(
    @SerialName("writer_ids") val writerIds: List<String> = emptyList(),
    @SerialName("user_ids") val userIds: List<String> = emptyList(),
    @SerialName("record_ids") val recordIds: List<String> = emptyList(),
    @SerialName("content_types") val contentTypes: List<String> = emptyList(),
    /** Plain meta keys. */
    val keys: List<String> = emptyList(),
    /** Plain meta values. */
    val values: List<String> = emptyList(),
    /** Plain meta key/value pairs. */
    val tags: Map<String, String> = emptyMap(),
    /** Readers the record type is shared with. */
    @SerialName("shared_with") val sharedWith: List<String> = emptyList(),
)

/** One `match` or `exclude` block of a [Search]. */
@Serializable
public data class SearchParams(
    /** "OR" (default): any term; "AND": every term. */
    val condition: String? = null,
    /** "EXACT" (default), "FUZZY", "WILDCARD" or "REGEXP". */
    val strategy: String? = null,
    val terms: SearchTerms = SearchTerms(),
)

/** Time range of a [Search]. */
@Serializable
public data class SearchRange(
    /** "CREATED" (default) or "MODIFIED". */
    @SerialName("range_key") val rangeKey: String? = null,
    /** RFC 3339 lower bound (exclusive). */
    val after: String? = null,
    /** RFC 3339 upper bound (exclusive). */
    val before: String? = null,
)

/** Result order of a [Search]. */
@Serializable
public data class SearchOrder(
    /** "ASCENDING" (default) or "DESCENDING". */
    @SerialName("sort_order") val sortOrder: String? = null,
)

/** A v2 search (`toz_client_search`, spec §6.2). */
@Serializable
public data class Search(
    /** Page size: null = 50, at most 1000. */
    val limit: Int? = null,
    /** [SearchPage.lastIndex] of the previous page. */
    @SerialName("next_token") val nextToken: Long? = null,
    @SerialName("include_all_writers") val includeAllWriters: Boolean = false,
    @SerialName("include_data") val includeData: Boolean = false,
    /** ORed blocks; empty = everything. */
    val match: List<SearchParams> = emptyList(),
    /** Blocks whose matches are removed. */
    val exclude: List<SearchParams> = emptyList(),
    val range: SearchRange? = null,
    val order: SearchOrder? = null,
)

/** One page of [Client.search] results; [lastIndex] 0 means no more pages. */
@Serializable
public data class SearchPage(
    val results: List<Record> = emptyList(),
    @SerialName("last_index") val lastIndex: Long = 0,
    @SerialName("total_results") val totalResults: Long = 0,
)

/** A reader this client shares a record type with ([Client.outgoingShares]). */
@Serializable
public data class OutgoingShare(
    @SerialName("reader_id") val readerId: String,
    @SerialName("reader_name") val readerName: String = "",
    @SerialName("record_type") val recordType: String,
)

/** A writer sharing a record type with this client ([Client.incomingShares]). */
@Serializable
public data class IncomingShare(
    @SerialName("writer_id") val writerId: String,
    @SerialName("writer_name") val writerName: String = "",
    @SerialName("record_type") val recordType: String,
)

/** An authorizer appointment ([Client.authorizers], [Client.grantedAuthorizations]). */
@Serializable
public data class AuthorizerPolicy(
    @SerialName("authorizer_id") val authorizerId: String,
    @SerialName("writer_id") val writerId: String,
    @SerialName("user_id") val userId: String,
    @SerialName("record_type") val recordType: String,
    @SerialName("authorized_by") val authorizedBy: String,
)

/** `{"curve25519": "<base64url>"}`. */
@Serializable
public data class PublicKey(val curve25519: String = "")

/** `{"ed25519": "<base64url>"}`; [ed25519] null when the client has no signing key. */
@Serializable
public data class SigningKey(val ed25519: String? = null)

/** Public information about a client ([Client.clientInfo]). */
@Serializable
public data class ClientInfo(
    @SerialName("client_id") val clientId: String,
    @SerialName("public_key") val publicKey: PublicKey = PublicKey(),
    @SerialName("signing_key") val signingKey: SigningKey? = null,
    val validated: Boolean = false,
)

/** A client whose credentials are backed up to the account's backup client. */
@Serializable
public data class BackupEntry(
    @SerialName("client_id") val clientId: String,
    @SerialName("record_id") val recordId: String,
    val created: String,
)

/**
 * Who a note is for: the recipient's public keys (base64url), e.g. [PublicInfo.publicKey] and
 * [PublicInfo.publicSigningKey] of its credentials. Only the holder of the matching secret keys
 * can read the note.
 */
@Serializable
public data class NoteRecipient(
    /** Curve25519 public key. */
    @SerialName("public_key") val publicKey: String,
    /** Ed25519 public key. */
    @SerialName("public_signing_key") val publicSigningKey: String,
)

/** Options of [Client.writeNote] and [Client.replaceNote]; null fields are left out. */
@Serializable
public data class NoteOptions(
    /** A globally unique name to read the note by ([Client.readNoteByName]; registered writers only). */
    @SerialName("id_string") val idString: String? = null,
    /** How many reads are allowed; null or -1 = unlimited. */
    @SerialName("max_views") val maxViews: Long? = null,
    /** RFC 3339 time after which the note is gone. */
    val expiration: String? = null,
    /** Free-form type. */
    val type: String? = null,
    /** Plaintext metadata. */
    val plain: Map<String, String> = emptyMap(),
    /**
     * Proofs the server demands before it hands the note out (see [NoteEacp]); null for none.
     * toz-server enforces [NoteEacp.toznyOtpEacp] and [NoteEacp.emailEacp].
     */
    val eacp: NoteEacp? = null,
)

/**
 * A note's extended access control policies (`eacp`, spec §8.1): each one present is a proof the
 * reader must bring to [Client.readNote] on top of holding the recipient's keys. Null fields are
 * left out. toz-server refuses the other policies of Tozny's hosted service (`last_access_eacp`,
 * `tozid_eacp`) with HTTP 400, as it has no TozID realm.
 */
@Serializable
public data class NoteEacp(
    /** A one-time password the writer gets from [Client.primeNote] and hands to the reader. */
    @SerialName("tozny_otp_eacp") val toznyOtpEacp: ToznyOtpEacp? = null,
    /** A one-time code the server mails on [Client.challengeNote]. */
    @SerialName("email_eacp") val emailEacp: EmailEacp? = null,
)

/**
 * `tozny_otp_eacp`: reading needs a password primed by the note's writer ([Client.primeNote]).
 * [include] has no default on purpose: this binding leaves default values out of the JSON it
 * sends, and `{}` would not ask for the policy.
 */
@Serializable
public data class ToznyOtpEacp(
    /** True to require the password. */
    val include: Boolean,
)

/** `email_eacp`: reading needs a code that [Client.challengeNote] has the server mail to [emailAddress]. */
@Serializable
public data class EmailEacp(
    /** Where the server mails the one-time code. */
    @SerialName("email_address") val emailAddress: String,
    /** The name of the mail template. */
    val template: String? = null,
    /** A link the mail offers the reader, e.g. the page that opens the note. */
    @SerialName("provider_link") val providerLink: String? = null,
    /** Values for the template's placeholders. */
    @SerialName("template_fields") val templateFields: Map<String, String>? = null,
    /** How long a mailed code stays valid unless the challenge says otherwise. */
    @SerialName("default_expiration_minutes") val defaultExpirationMinutes: Int? = null,
)

/**
 * The request of `toz_client_read_note_with_eacp`: exactly one of [noteId] and [idString], plus
 * the proofs the note's policies demand. Built by [Client.readNote] / [Client.readNoteByName].
 */
@Serializable
internal data class NoteReadRequest(
    @SerialName("note_id") val noteId: String? = null,
    @SerialName("id_string") val idString: String? = null,
    @SerialName("tozny_otp") val toznyOtp: String? = null,
    @SerialName("email_otp") val emailOtp: String? = null,
)

/**
 * The request of `toz_client_challenge_note`: exactly one of [noteId] and [idString]. Built by
 * [Client.challengeNote] / [Client.challengeNoteByName].
 */
@Serializable
internal data class NoteChallengeRequest(
    @SerialName("note_id") val noteId: String? = null,
    @SerialName("id_string") val idString: String? = null,
    @SerialName("template_name") val templateName: String? = null,
    @SerialName("expiry_minutes") val expiryMinutes: Int? = null,
)

/** What [Client.challengeNote] started: `{"email_eacp":{...}}`. */
@Serializable
public data class NoteChallenge(
    /** The mailed code's challenge. */
    @SerialName("email_eacp") val emailEacp: EmailEacpChallenge? = null,
)

/** The challenge of a note's [EmailEacp]: a code is on its way to the note's address. */
@Serializable
public data class EmailEacpChallenge(
    /** RFC 3339 time after which the mailed code no longer opens the note. */
    @SerialName("expires_at") val expiresAt: String,
    /** The mail template the server used. */
    @SerialName("template_name") val templateName: String? = null,
)

/**
 * A note (spec §8.1). [data] is plaintext in what [Client.readNote] returns, and encrypted (and
 * signed) in what [Client.writeNote] returns.
 */
@Serializable
public data class Note(
    @SerialName("note_id") val noteId: String? = null,
    /** The note's name, "" when it has none. */
    @SerialName("id_string") val idString: String = "",
    /** The writer's client id (null for anonymous writers). */
    @SerialName("client_id") val clientId: String? = null,
    val mode: String = "",
    @SerialName("recipient_signing_key") val recipientSigningKey: String = "",
    @SerialName("writer_signing_key") val writerSigningKey: String = "",
    @SerialName("writer_encryption_key") val writerEncryptionKey: String = "",
    @SerialName("encrypted_access_key") val encryptedAccessKey: String = "",
    val type: String = "",
    val data: Map<String, String> = emptyMap(),
    val plain: Map<String, String> = emptyMap(),
    @SerialName("file_meta") val fileMeta: JsonElement? = null,
    val signature: String = "",
    /** Reads allowed; -1 = unlimited. */
    @SerialName("max_views") val maxViews: Long = -1,
    /** Reads so far. */
    val views: Long = 0,
    val expiration: String? = null,
    /** Whether [expiration] applies. */
    val expires: Boolean = false,
    /** The note's access policies, null when it has none. */
    val eacp: NoteEacp? = null,
    @SerialName("created_at") val createdAt: String? = null,
)

/** The stage a file transfer reports progress for (`stage` of `toz_progress_fn`). */
public enum class TransferStage(public val code: Int) {
    /** Encrypting the local file before a checksum-first upload; bytes are plaintext bytes. */
    ENCRYPTING(1),

    /** Uploading (in a single-pass upload, encrypting as it goes); bytes are encrypted bytes. */
    UPLOADING(2),

    /** Downloading and decrypting; bytes are encrypted bytes. */
    DOWNLOADING(3),
}

/**
 * Progress of [Client.writeFile] / [Client.readFile], called synchronously on the calling thread.
 *
 * Throwing cancels the transfer: it stops at once and nothing is stored (no record for an
 * upload; no file, nor partial file, at a download's destination). The call then throws that
 * same exception, not a [TozException], so e.g. a coroutine's `CancellationException` reaches
 * the coroutine unchanged; the library's [CancelledException] is attached to it as suppressed.
 * The callback is not called again after it threw.
 */
public fun interface TransferProgress {
    public fun onProgress(stage: TransferStage, done: Long, total: Long)
}
