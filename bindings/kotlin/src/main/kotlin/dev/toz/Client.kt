package dev.toz

import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference
import kotlinx.serialization.KSerializer
import kotlinx.serialization.builtins.ListSerializer

/**
 * A TozStore client bound to one set of credentials (`toz_client_new`; the credentials are
 * copied, so the caller still closes its own [Credentials]). Unregistered credentials (from
 * [Credentials.generate]) give an anonymous client that can only write and read notes. One client
 * may be used by many threads at once. Every call blocks on the network for at most the
 * configured timeout per attempt. No traffic happens until the first call.
 *
 * @throws InvalidArgumentException for a bad URL;
 *   InsecureTransportException for plain http to a non-loopback host without
 *   [Options.allowInsecureHttp].
 */
public class Client private constructor(pointer: Pointer) : NativeHandle(pointer, LibToz::toz_free_client) {

    @JvmOverloads
    public constructor(credentials: Credentials, options: Options? = null) : this(
        credentials.withPointer { c ->
            val opts = options?.let { encodeArg(Options.serializer(), it) }
            callForHandle { LibToz.toz_client_new(c, opts, it) }
        },
    )

    private fun <T> string(call: (Pointer, PointerByReference) -> Pointer?, parse: (String) -> T): T =
        withPointer { p -> parse(callForString { call(p, it) }) }

    private fun <T> listing(serializer: KSerializer<T>, call: (Pointer, PointerByReference) -> Pointer?): List<T> =
        string(call) { decodeResult(ListSerializer(serializer), it) }

    private fun record(call: (Pointer, PointerByReference) -> Pointer?): Record =
        string(call) { decodeResult(Record.serializer(), it) }

    private fun unit(call: (Pointer) -> Pointer?): Unit = withPointer { p -> check(call(p)) }

    /**
     * Adapts a [TransferProgress] to `toz_progress_fn`. An exception must never unwind into the
     * native caller, so the bridge keeps it for after the call and returns non-zero instead,
     * which cancels the transfer: throwing is how a Kotlin caller cancels.
     */
    private class ProgressBridge(private val progress: TransferProgress) : LibToz.ProgressFn {
        var failure: Throwable? = null

        override fun invoke(userData: Pointer?, stage: Int, done: Long, total: Long): Int {
            // A stage this binding does not know (a newer library) is not reported, nor cancelled.
            val known = TransferStage.entries.firstOrNull { it.code == stage } ?: return GO_ON
            return try {
                progress.onProgress(known, done, total)
                GO_ON
            } catch (t: Throwable) {
                failure = t
                CANCEL
            }
        }

        private companion object {
            const val GO_ON = 0
            const val CANCEL = 1
        }
    }

    /**
     * Runs a transfer with [progress]. When the callback threw, its exception is the one thrown
     * (it caused the cancellation, and a coroutine's CancellationException must stay one), with
     * the call's own error (the library's [CancelledException]) attached as suppressed.
     */
    private fun <T> withProgress(progress: TransferProgress?, call: (LibToz.ProgressFn?) -> T): T {
        val bridge = progress?.let(::ProgressBridge)
        val outcome = runCatching { call(bridge) }
        bridge?.failure?.let { failure ->
            outcome.exceptionOrNull()?.let(failure::addSuppressed)
            throw failure
        }
        return outcome.getOrThrow()
    }

    // ---------------------------------------------------------------------------------------
    // Records

    /**
     * Encrypts and writes a new record of [type] (`toz_client_write_record`); [plain] is stored
     * as searchable plaintext. Returns the stored record (with its id and version).
     */
    @JvmOverloads
    public fun writeRecord(type: String, data: Map<String, String>, plain: Map<String, String>? = null): Record {
        val dataJson = encodeArg(stringMap, data)
        try {
            return record { p, out ->
                LibToz.toz_client_write_record(p, cString(type), dataJson, plain?.let { encodeArg(stringMap, it) }, out)
            }
        } finally {
            dataJson.fill(0)
        }
    }

    /**
     * Reads and decrypts a record (`toz_client_read_record`); [fields] limits the data fields
     * returned (null for all).
     * @throws NotFoundException for an unknown record; ForbiddenException (or NotFoundException)
     *   when it is not shared with this client or was revoked.
     */
    @JvmOverloads
    public fun readRecord(recordId: String, fields: List<String>? = null): Record = record { p, out ->
        LibToz.toz_client_read_record(p, cString(recordId), fields?.let { encodeArg(stringList, it) }, out)
    }

    /**
     * Replaces a record's data and plain meta (`toz_client_update_record`). [record] is one
     * returned by a read or write, changed with `copy`; its meta's record id, version and type
     * identify it. Returns the record with its new version.
     * @throws ConflictException when the record changed since `record.meta.version`.
     */
    public fun updateRecord(record: Record): Record {
        val recordJson = encodeArg(Record.serializer(), record)
        try {
            return record { p, out -> LibToz.toz_client_update_record(p, recordJson, out) }
        } finally {
            recordJson.fill(0)
        }
    }

    /**
     * Deletes a record (`toz_client_delete_record`). With [version] the delete is refused if the
     * record changed; with null it is unconditional.
     * @throws ConflictException for a stale [version].
     */
    @JvmOverloads
    public fun deleteRecord(recordId: String, version: String? = null): Unit = unit { p ->
        LibToz.toz_client_delete_record(p, cString(recordId), cStringOrNull(version))
    }

    /** Runs a v1 query (`toz_client_query`); data is decrypted when [Query.includeData]. */
    public fun query(query: Query): QueryPage = string({ p, out ->
        LibToz.toz_client_query(p, encodeArg(Query.serializer(), query), out)
    }) { decodeResult(QueryPage.serializer(), it) }

    /** Runs a v2 search (`toz_client_search`); data is decrypted when [Search.includeData]. */
    public fun search(search: Search): SearchPage = string({ p, out ->
        LibToz.toz_client_search(p, encodeArg(Search.serializer(), search), out)
    }) { decodeResult(SearchPage.serializer(), it) }

    // ---------------------------------------------------------------------------------------
    // Sharing and authorizers

    /** Shares this client's records of [recordType], present and future (`toz_client_share`). */
    public fun share(recordType: String, readerId: String): Unit = unit { p ->
        LibToz.toz_client_share(p, cString(recordType), cString(readerId))
    }

    /** Revokes a share (`toz_client_revoke`). */
    public fun revoke(recordType: String, readerId: String): Unit = unit { p ->
        LibToz.toz_client_revoke(p, cString(recordType), cString(readerId))
    }

    /** Appoints [authorizerId] to share [recordType] on this client's behalf (`toz_client_add_authorizer`). */
    public fun addAuthorizer(recordType: String, authorizerId: String): Unit = unit { p ->
        LibToz.toz_client_add_authorizer(p, cString(recordType), cString(authorizerId))
    }

    /** Withdraws an authorizer (`toz_client_remove_authorizer`). */
    public fun removeAuthorizer(recordType: String, authorizerId: String): Unit = unit { p ->
        LibToz.toz_client_remove_authorizer(p, cString(recordType), cString(authorizerId))
    }

    /**
     * As an authorizer of [writerId], shares its [recordType] with [readerId]
     * (`toz_client_share_on_behalf_of`).
     * @throws ForbiddenException when this client is not an authorizer for it.
     */
    public fun shareOnBehalfOf(writerId: String, recordType: String, readerId: String): Unit = unit { p ->
        LibToz.toz_client_share_on_behalf_of(p, cString(writerId), cString(recordType), cString(readerId))
    }

    /** As an authorizer of [writerId], revokes a share (`toz_client_revoke_on_behalf_of`). */
    public fun revokeOnBehalfOf(writerId: String, recordType: String, readerId: String): Unit = unit { p ->
        LibToz.toz_client_revoke_on_behalf_of(p, cString(writerId), cString(recordType), cString(readerId))
    }

    /** Readers this client shares with (`toz_client_outgoing_shares`). */
    public fun outgoingShares(): List<OutgoingShare> =
        listing(OutgoingShare.serializer()) { p, out -> LibToz.toz_client_outgoing_shares(p, out) }

    /** Writers sharing with this client (`toz_client_incoming_shares`). */
    public fun incomingShares(): List<IncomingShare> =
        listing(IncomingShare.serializer()) { p, out -> LibToz.toz_client_incoming_shares(p, out) }

    /** Authorizers this client appointed (`toz_client_authorizers`). */
    public fun authorizers(): List<AuthorizerPolicy> =
        listing(AuthorizerPolicy.serializer()) { p, out -> LibToz.toz_client_authorizers(p, out) }

    /** Writers that appointed this client as their authorizer (`toz_client_granted_authorizations`). */
    public fun grantedAuthorizations(): List<AuthorizerPolicy> =
        listing(AuthorizerPolicy.serializer()) { p, out -> LibToz.toz_client_granted_authorizations(p, out) }

    // ---------------------------------------------------------------------------------------
    // Notes

    /**
     * Writes a note (`toz_client_write_note`): [data] is encrypted to [recipient] and every field
     * is signed with this client's signing key. A client made from unregistered credentials
     * writes anonymously. Returns the stored note (data encrypted).
     * @throws ConflictException when [NoteOptions.idString] is already taken.
     */
    @JvmOverloads
    public fun writeNote(data: Map<String, String>, recipient: NoteRecipient, options: NoteOptions? = null): Note =
        note(data, recipient, options, LibToz::toz_client_write_note)

    /**
     * Replaces (or creates) this writer's note named [NoteOptions.idString], atomically
     * (`toz_client_replace_note`).
     */
    public fun replaceNote(data: Map<String, String>, recipient: NoteRecipient, options: NoteOptions): Note =
        note(data, recipient, options, LibToz::toz_client_replace_note)

    private fun note(
        data: Map<String, String>,
        recipient: NoteRecipient,
        options: NoteOptions?,
        call: (Pointer?, ByteArray?, ByteArray?, ByteArray?, PointerByReference?) -> Pointer?,
    ): Note {
        val dataJson = encodeArg(stringMap, data)
        try {
            return string({ p, out ->
                call(
                    p,
                    dataJson,
                    encodeArg(NoteRecipient.serializer(), recipient),
                    options?.let { encodeArg(NoteOptions.serializer(), it) },
                    out,
                )
            }) { decodeResult(Note.serializer(), it) }
        } finally {
            dataJson.fill(0)
        }
    }

    private fun noteRead(call: (Pointer, PointerByReference) -> Pointer?): Note =
        string(call) { decodeResult(Note.serializer(), it) }

    /**
     * Reads, decrypts and verifies a note addressed to this client's keys; each read counts
     * against its view limit. A note with access policies ([Note.eacp]) also needs their proofs:
     * [toznyOtp], the password its writer got from [primeNote], and [emailOtp], the code
     * [challengeNote] had mailed; each proof opens the note once. Without proofs this is
     * `toz_client_read_note`, with any `toz_client_read_note_with_eacp`.
     * @throws NotFoundException (also once its views or time ran out); SignatureException;
     *   ForbiddenException when a proof the note needs is missing, wrong, expired or used.
     */
    @JvmOverloads
    public fun readNote(noteId: String, toznyOtp: String? = null, emailOtp: String? = null): Note =
        if (toznyOtp == null && emailOtp == null) {
            noteRead { p, out -> LibToz.toz_client_read_note(p, cString(noteId), out) }
        } else {
            readNoteWithEacp(NoteReadRequest(noteId = noteId, toznyOtp = toznyOtp, emailOtp = emailOtp))
        }

    /**
     * Reads a note by its name, as [readNote] (`toz_client_read_note_by_name`, or
     * `toz_client_read_note_with_eacp` with proofs).
     */
    @JvmOverloads
    public fun readNoteByName(idString: String, toznyOtp: String? = null, emailOtp: String? = null): Note =
        if (toznyOtp == null && emailOtp == null) {
            noteRead { p, out -> LibToz.toz_client_read_note_by_name(p, cString(idString), out) }
        } else {
            readNoteWithEacp(NoteReadRequest(idString = idString, toznyOtp = toznyOtp, emailOtp = emailOtp))
        }

    private fun readNoteWithEacp(request: NoteReadRequest): Note {
        // The proofs are secrets until the read spends them: wipe the request's bytes afterwards.
        val requestJson = encodeArg(NoteReadRequest.serializer(), request)
        try {
            return noteRead { p, out -> LibToz.toz_client_read_note_with_eacp(p, requestJson, out) }
        } finally {
            requestJson.fill(0)
        }
    }

    /**
     * For the writer of a note with [ToznyOtpEacp]: a one-time password for it
     * (`toz_client_prime_note`), to hand to the reader out of band, who passes it to [readNote]
     * as `toznyOtp`. It opens the note once, within [expiryMinutes] (0: the server's default, 60
     * on toz-server; at most 10080). Priming again replaces the previous password.
     * @throws ForbiddenException for anyone but the note's writer; HttpException (HTTP 400) for
     *   a note without [ToznyOtpEacp]; InvalidArgumentException for a negative [expiryMinutes].
     */
    @JvmOverloads
    public fun primeNote(noteId: String, expiryMinutes: Int = 0): String = withPointer { p ->
        callForString { LibToz.toz_client_prime_note(p, cString(noteId), expiryMinutes, it) }
    }

    /**
     * For the recipient (or writer) of a note with [EmailEacp]: has the server mail a new one-time
     * code to the note's address (`toz_client_challenge_note`; the previous code stops working);
     * the reader passes it to [readNote] as `emailOtp`. [templateName] picks the mail template
     * and [expiryMinutes] how long the code is valid (null: the default, e.g.
     * [EmailEacp.defaultExpirationMinutes]).
     * @throws HttpException (HTTP 400) for a note without [EmailEacp]; ForbiddenException for
     *   anyone but its recipient and writer; ServerException (502) when the server could not send
     *   the mail.
     */
    @JvmOverloads
    public fun challengeNote(noteId: String, templateName: String? = null, expiryMinutes: Int? = null): NoteChallenge =
        challenge(NoteChallengeRequest(noteId = noteId, templateName = templateName, expiryMinutes = expiryMinutes))

    /** Challenges a note by its name, as [challengeNote]. */
    @JvmOverloads
    public fun challengeNoteByName(idString: String, templateName: String? = null, expiryMinutes: Int? = null): NoteChallenge =
        challenge(NoteChallengeRequest(idString = idString, templateName = templateName, expiryMinutes = expiryMinutes))

    private fun challenge(request: NoteChallengeRequest): NoteChallenge = string({ p, out ->
        LibToz.toz_client_challenge_note(p, encodeArg(NoteChallengeRequest.serializer(), request), out)
    }) { decodeResult(NoteChallenge.serializer(), it) }

    /** Deletes a note this client wrote (`toz_client_delete_note`). */
    public fun deleteNote(noteId: String): Unit = unit { p -> LibToz.toz_client_delete_note(p, cString(noteId)) }

    // ---------------------------------------------------------------------------------------
    // Files

    /**
     * Encrypts the file at [path] (streamed, in constant memory) and stores it as a record of
     * [type] (`toz_client_write_file`). Returns the file record, with [RecordMeta.fileMeta].
     * [progress] sees [TransferStage.UPLOADING], preceded by [TransferStage.ENCRYPTING] unless
     * the upload runs in a single pass (toz-server, with [Options.singlePassUploads] left on).
     * An exception thrown by [progress] cancels the upload at once: no record is stored, and that
     * exception is rethrown (see [TransferProgress]).
     */
    @JvmOverloads
    public fun writeFile(
        type: String,
        path: String,
        plain: Map<String, String>? = null,
        progress: TransferProgress? = null,
    ): Record = withProgress(progress) { callback ->
        record { p, out ->
            LibToz.toz_client_write_file(
                p, cString(type), cString(path), plain?.let { encodeArg(stringMap, it) }, callback, null, out,
            )
        }
    }

    /**
     * Downloads the file record [recordId] and decrypts it to [destinationPath]
     * (`toz_client_read_file`). The destination appears only once the whole file decrypted and
     * verified; on any failure nothing is left there. An exception thrown by [progress] cancels
     * the download at once (no file, nor partial file, is left) and is rethrown (see
     * [TransferProgress]).
     * @throws CryptoException for a tampered or truncated file.
     */
    @JvmOverloads
    public fun readFile(recordId: String, destinationPath: String, progress: TransferProgress? = null): Record =
        withProgress(progress) { callback ->
            record { p, out ->
                LibToz.toz_client_read_file(p, cString(recordId), cString(destinationPath), callback, null, out)
            }
        }

    // ---------------------------------------------------------------------------------------
    // Clients and backups

    /** The non-secret fields of this client's credentials (`toz_client_public_info`). */
    public fun publicInfo(): PublicInfo = string({ p, out ->
        LibToz.toz_client_public_info(p, out)
    }) { decodeResult(PublicInfo.serializer(), it) }

    /**
     * Public information about any client (`toz_client_info`).
     * @throws NotFoundException for an unknown or malformed id.
     */
    public fun clientInfo(clientId: String): ClientInfo = string({ p, out ->
        LibToz.toz_client_info(p, cString(clientId), out)
    }) { decodeResult(ClientInfo.serializer(), it) }

    /** For the account's backup client: the clients backed up to it (`toz_client_list_backups`). */
    public fun listBackups(): List<BackupEntry> =
        listing(BackupEntry.serializer()) { p, out -> LibToz.toz_client_list_backups(p, out) }

    /**
     * For the account's backup client: recovers the credentials of [clientId] from its newest
     * backup (`toz_client_recover_credentials`).
     * @throws NotFoundException when no backup of that client is shared with this one.
     */
    public fun recoverCredentials(clientId: String): Credentials = withPointer { p ->
        Credentials(callForHandle { LibToz.toz_client_recover_credentials(p, cString(clientId), it) })
    }
}
