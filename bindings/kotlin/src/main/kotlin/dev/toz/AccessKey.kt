package dev.toz

import com.sun.jna.Pointer

/**
 * A 32-byte access key (the secretbox key of one record type), kept inside libtoz. Immutable and
 * safe to share between threads; close it when done, which zeroes it.
 */
public class AccessKey internal constructor(pointer: Pointer) :
    NativeHandle(pointer, LibToz::toz_free_access_key) {

    /**
     * The key as base64url text (`toz_access_key_to_string`). **Sensitive**: whoever has this text
     * can decrypt every record of the type, and a JVM string cannot be wiped.
     */
    public fun toSensitiveString(): String =
        withPointer { p -> callForString { LibToz.toz_access_key_to_string(p, it) } }

    /**
     * Encrypts this key for a reader (`toz_access_key_wrap`): the EAK string, boxed from the
     * [authorizer]'s private key to [readerPublicKey] (base64url Curve25519).
     */
    public fun wrap(readerPublicKey: String, authorizer: Credentials): String = withPointer { p ->
        authorizer.withPointer { a ->
            callForString { LibToz.toz_access_key_wrap(p, cString(readerPublicKey), a, it) }
        }
    }

    /** Never the key itself. */
    override fun toString(): String = if (isClosed) "AccessKey(closed)" else "AccessKey(***)"

    public companion object {
        /** A random access key (`toz_access_key_generate`). */
        @JvmStatic
        public fun generate(): AccessKey = AccessKey(callForHandle { LibToz.toz_access_key_generate(it) })

        /**
         * Parses a key from [toSensitiveString] text (`toz_access_key_from_string`).
         * @throws InvalidArgumentException for bad base64 or a wrong length.
         */
        @JvmStatic
        public fun fromString(text: String): AccessKey {
            val bytes = cString(text)
            try {
                return AccessKey(callForHandle { LibToz.toz_access_key_from_string(bytes, it) })
            } finally {
                bytes.fill(0)
            }
        }

        /**
         * Opens an EAK made by [wrap] (`toz_access_key_unwrap`) with the authorizer's public key
         * and the [reader]'s private key.
         * @throws CryptoException when the keys do not match or the EAK was altered.
         */
        @JvmStatic
        public fun unwrap(eak: String, authorizerPublicKey: String, reader: Credentials): AccessKey =
            reader.withPointer { r ->
                AccessKey(
                    callForHandle {
                        LibToz.toz_access_key_unwrap(cString(eak), cString(authorizerPublicKey), r, it)
                    },
                )
            }
    }
}
