package dev.toz

import com.sun.jna.Callback
import com.sun.jna.Native
import com.sun.jna.NativeLibrary
import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference
import java.io.File

/**
 * The ABI version this binding was written for (`TOZ_ABI_VERSION` in include/toz.h).
 */
internal const val BINDING_ABI_VERSION: Int = 2

/**
 * Every function of include/toz.h, bound with JNA direct mapping (static native methods: the
 * fastest JNA mode, and supported on Android).
 *
 * Type choices:
 * - `const char *` inputs are NUL-terminated UTF-8 [ByteArray]s made by [cString], never
 *   [String]: the encoding is explicit and secret inputs (passphrases) can be wiped afterwards.
 * - owned `char *` outputs and handle outputs are [PointerByReference] (see [outSlot]); the
 *   pointer is kept so it can be passed to `toz_free_string` / `toz_free_*`.
 * - `bool` is a [Byte] (C `bool` is one byte; JNA's `boolean` is an `int`).
 * - `uint32_t` and `int32_t` are an [Int], `uint16_t` a [Short] (read unsigned).
 *
 * Loading: `TOZ_LIBRARY` (absolute path of libtoz.so) if set, else JNA's search for "toz"
 * (`jna.library.path`, then the system paths; on Android the app's native library directory).
 */
@Suppress("FunctionName", "LongParameterList")
internal object LibToz {
    init {
        val override = System.getenv("TOZ_LIBRARY")?.takeIf { it.isNotEmpty() }
        val library = try {
            if (override != null) {
                if (!File(override).isFile) {
                    throw UnsatisfiedLinkError("TOZ_LIBRARY=$override is not a file")
                }
                NativeLibrary.getInstance(override)
            } else {
                NativeLibrary.getInstance("toz")
            }
        } catch (e: UnsatisfiedLinkError) {
            throw UnsatisfiedLinkError(
                "cannot load libtoz (set TOZ_LIBRARY to the absolute path of libtoz.so, or put it on " +
                    "jna.library.path): ${e.message}",
            )
        }
        // Checked before binding the other functions, so a library of another ABI version is
        // reported as such even when its set of functions differs.
        val found = library.getFunction("toz_abi_version").invokeInt(emptyArray())
        if (found != BINDING_ABI_VERSION) {
            throw UnsatisfiedLinkError(
                "libtoz ABI version mismatch: the library at ${library.file ?: library.name} has ABI " +
                    "version $found, but this binding needs ABI version $BINDING_ABI_VERSION",
            )
        }
        Native.register(LibToz::class.java, library)
    }

    // --- version and errors
    @JvmStatic external fun toz_abi_version(): Int
    @JvmStatic external fun toz_version(): Pointer?
    @JvmStatic external fun toz_error_get_kind(err: Pointer?): Int
    @JvmStatic external fun toz_error_get_http_status(err: Pointer?): Short
    @JvmStatic external fun toz_error_get_message(err: Pointer?): Pointer?
    @JvmStatic external fun toz_free_error(err: Pointer?)
    @JvmStatic external fun toz_free_string(s: Pointer?)

    // --- credentials
    @JvmStatic external fun toz_credentials_generate(apiUrl: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_credentials_from_json(json: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_credentials_to_json(credentials: Pointer?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_credentials_public_info(credentials: Pointer?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_credentials_load_file(path: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_credentials_save_file(credentials: Pointer?, path: ByteArray?, overwrite: Byte): Pointer?
    @JvmStatic external fun toz_credentials_load_profile(profile: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_credentials_save_profile(credentials: Pointer?, profile: ByteArray?, overwrite: Byte): Pointer?
    @JvmStatic external fun toz_credentials_seal(
        credentials: Pointer?,
        passphrase: ByteArray?,
        optionsJson: ByteArray?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_credentials_unseal(sealed: ByteArray?, passphrase: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_free_credentials(credentials: Pointer?)

    // --- access keys and offline records
    @JvmStatic external fun toz_access_key_generate(out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_access_key_from_string(text: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_access_key_to_string(accessKey: Pointer?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_access_key_wrap(
        accessKey: Pointer?,
        readerPublicKey: ByteArray?,
        authorizer: Pointer?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_access_key_unwrap(
        eak: ByteArray?,
        authorizerPublicKey: ByteArray?,
        reader: Pointer?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_free_access_key(accessKey: Pointer?)
    @JvmStatic external fun toz_record_encrypt(accessKey: Pointer?, dataJson: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_record_decrypt(accessKey: Pointer?, encryptedJson: ByteArray?, out: PointerByReference?): Pointer?

    // --- registration and clients
    @JvmStatic external fun toz_register(
        apiUrl: ByteArray?,
        registrationToken: ByteArray?,
        clientName: ByteArray?,
        backup: Byte,
        optionsJson: ByteArray?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_client_new(credentials: Pointer?, optionsJson: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_free_client(client: Pointer?)
    @JvmStatic external fun toz_client_info(client: Pointer?, clientId: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_public_info(client: Pointer?, out: PointerByReference?): Pointer?

    // --- records, query, search
    @JvmStatic external fun toz_client_write_record(
        client: Pointer?,
        recordType: ByteArray?,
        dataJson: ByteArray?,
        plainJson: ByteArray?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_client_read_record(
        client: Pointer?,
        recordId: ByteArray?,
        fieldsJson: ByteArray?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_client_update_record(client: Pointer?, recordJson: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_delete_record(client: Pointer?, recordId: ByteArray?, version: ByteArray?): Pointer?
    @JvmStatic external fun toz_client_query(client: Pointer?, queryJson: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_search(client: Pointer?, searchJson: ByteArray?, out: PointerByReference?): Pointer?

    // --- sharing and authorizers
    @JvmStatic external fun toz_client_share(client: Pointer?, recordType: ByteArray?, readerId: ByteArray?): Pointer?
    @JvmStatic external fun toz_client_revoke(client: Pointer?, recordType: ByteArray?, readerId: ByteArray?): Pointer?
    @JvmStatic external fun toz_client_add_authorizer(client: Pointer?, recordType: ByteArray?, authorizerId: ByteArray?): Pointer?
    @JvmStatic external fun toz_client_remove_authorizer(client: Pointer?, recordType: ByteArray?, authorizerId: ByteArray?): Pointer?
    @JvmStatic external fun toz_client_share_on_behalf_of(
        client: Pointer?,
        writerId: ByteArray?,
        recordType: ByteArray?,
        readerId: ByteArray?,
    ): Pointer?
    @JvmStatic external fun toz_client_revoke_on_behalf_of(
        client: Pointer?,
        writerId: ByteArray?,
        recordType: ByteArray?,
        readerId: ByteArray?,
    ): Pointer?
    @JvmStatic external fun toz_client_outgoing_shares(client: Pointer?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_incoming_shares(client: Pointer?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_authorizers(client: Pointer?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_granted_authorizations(client: Pointer?, out: PointerByReference?): Pointer?

    // --- notes
    @JvmStatic external fun toz_client_write_note(
        client: Pointer?,
        dataJson: ByteArray?,
        recipientJson: ByteArray?,
        optionsJson: ByteArray?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_client_replace_note(
        client: Pointer?,
        dataJson: ByteArray?,
        recipientJson: ByteArray?,
        optionsJson: ByteArray?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_client_read_note(client: Pointer?, noteId: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_read_note_by_name(client: Pointer?, idString: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_delete_note(client: Pointer?, noteId: ByteArray?): Pointer?
    @JvmStatic external fun toz_client_read_note_with_eacp(client: Pointer?, requestJson: ByteArray?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_prime_note(
        client: Pointer?,
        noteId: ByteArray?,
        expiryMinutes: Int,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_client_challenge_note(client: Pointer?, requestJson: ByteArray?, out: PointerByReference?): Pointer?

    // --- files
    /**
     * `toz_progress_fn`: `int (*)(void *user_data, uint32_t stage, uint64_t done, uint64_t total)`.
     * Returns 0 to go on; any other value cancels the transfer (the call fails with CANCELLED).
     */
    fun interface ProgressFn : Callback {
        fun invoke(userData: Pointer?, stage: Int, done: Long, total: Long): Int
    }

    @JvmStatic external fun toz_client_write_file(
        client: Pointer?,
        recordType: ByteArray?,
        path: ByteArray?,
        plainJson: ByteArray?,
        progress: ProgressFn?,
        userData: Pointer?,
        out: PointerByReference?,
    ): Pointer?
    @JvmStatic external fun toz_client_read_file(
        client: Pointer?,
        recordId: ByteArray?,
        destinationPath: ByteArray?,
        progress: ProgressFn?,
        userData: Pointer?,
        out: PointerByReference?,
    ): Pointer?

    // --- backups
    @JvmStatic external fun toz_client_list_backups(client: Pointer?, out: PointerByReference?): Pointer?
    @JvmStatic external fun toz_client_recover_credentials(client: Pointer?, clientId: ByteArray?, out: PointerByReference?): Pointer?
}
