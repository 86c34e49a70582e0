package dev.toz

import com.sun.jna.Pointer

/**
 * A client's credentials (ids, API key and secret, Curve25519 and Ed25519 key pairs), kept inside
 * libtoz. The secrets become text only through [toJson] and [seal]. Safe to use from several
 * threads; close it when done (`use {}`), which zeroes the secrets.
 */
public class Credentials internal constructor(pointer: Pointer) :
    NativeHandle(pointer, LibToz::toz_free_credentials) {

    /** The non-secret fields (`toz_credentials_public_info`). */
    public fun publicInfo(): PublicInfo = withPointer { p ->
        decodeResult(PublicInfo.serializer(), callForString { LibToz.toz_credentials_public_info(p, it) })
    }

    /**
     * The credentials as e3db.json text (`toz_credentials_to_json`). **Sensitive**: the text holds
     * the private keys and the API secret, and a JVM string cannot be wiped.
     */
    public fun toJson(): String = withPointer { p -> callForString { LibToz.toz_credentials_to_json(p, it) } }

    /**
     * Writes an e3db.json file (mode 0600) at [path] (`toz_credentials_save_file`).
     * @throws AlreadyExistsException when the file exists and [overwrite] is false.
     */
    @JvmOverloads
    public fun saveFile(path: String, overwrite: Boolean = false): Unit = withPointer { p ->
        check(LibToz.toz_credentials_save_file(p, cString(path), cBool(overwrite)))
    }

    /**
     * Saves as the profile `~/.tozny/<profile>/e3db.json`, or `~/.tozny/e3db.json` for null
     * (`toz_credentials_save_profile`). `~` is the process's `HOME`.
     * @throws AlreadyExistsException when the profile exists and [overwrite] is false.
     */
    @JvmOverloads
    public fun saveProfile(profile: String? = null, overwrite: Boolean = false): Unit = withPointer { p ->
        check(LibToz.toz_credentials_save_profile(p, cStringOrNull(profile), cBool(overwrite)))
    }

    /**
     * Exports the credentials encrypted under [passphrase] (`toz_credentials_seal`); null
     * [options] for the library's defaults. The result is safe to store where the passphrase is not.
     */
    @JvmOverloads
    public fun seal(passphrase: String, options: SealOptions? = null): String = withPointer { p ->
        val secret = cString(passphrase)
        try {
            val opts = options?.let { encodeArg(SealOptions.serializer(), it) }
            callForString { LibToz.toz_credentials_seal(p, secret, opts, it) }
        } finally {
            secret.fill(0)
        }
    }

    /** The client id only, never a secret. */
    override fun toString(): String = try {
        "Credentials(${publicInfo().clientId})"
    } catch (_: ClosedException) {
        "Credentials(closed)"
    }

    public companion object {
        /** Fresh, unregistered credentials (`toz_credentials_generate`); null for the default API URL. */
        @JvmStatic
        @JvmOverloads
        public fun generate(apiUrl: String? = null): Credentials =
            Credentials(callForHandle { LibToz.toz_credentials_generate(cStringOrNull(apiUrl), it) })

        /** Parses e3db.json text (`toz_credentials_from_json`). */
        @JvmStatic
        public fun fromJson(json: String): Credentials =
            Credentials(callForHandle { LibToz.toz_credentials_from_json(cString(json), it) })

        /**
         * Loads an e3db.json file (`toz_credentials_load_file`).
         * @throws NotFoundException when the file does not exist.
         */
        @JvmStatic
        public fun loadFile(path: String): Credentials =
            Credentials(callForHandle { LibToz.toz_credentials_load_file(cString(path), it) })

        /** Loads a profile saved by [saveProfile] (`toz_credentials_load_profile`). */
        @JvmStatic
        @JvmOverloads
        public fun loadProfile(profile: String? = null): Credentials =
            Credentials(callForHandle { LibToz.toz_credentials_load_profile(cStringOrNull(profile), it) })

        /**
         * Imports credentials sealed by [seal] (`toz_credentials_unseal`).
         * @throws WrongPassphraseException for a wrong passphrase or altered data.
         */
        @JvmStatic
        public fun unseal(sealed: String, passphrase: String): Credentials {
            val secret = cString(passphrase)
            try {
                return Credentials(callForHandle { LibToz.toz_credentials_unseal(cString(sealed), secret, it) })
            } finally {
                secret.fill(0)
            }
        }
    }
}
