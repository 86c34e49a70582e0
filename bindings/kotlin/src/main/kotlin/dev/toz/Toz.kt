package dev.toz

/** Library-level functions: version, registration and offline record encryption. */
public object Toz {
    /** The ABI version this binding was written for; [abiVersion] equals it once loaded. */
    public const val BINDING_ABI: Int = BINDING_ABI_VERSION

    /** The library version, e.g. "0.1.0" (`toz_version`). */
    @JvmStatic
    public fun version(): String = LibToz.toz_version()?.getString(0, "UTF-8") ?: ""

    /** The library's ABI version (`toz_abi_version`). */
    @JvmStatic
    public fun abiVersion(): Int = LibToz.toz_abi_version()

    /**
     * Registers a new client with a registration [token] (`toz_register`). With [backup] the
     * credentials are also backed up to the account's backup client (see
     * [Client.recoverCredentials]); without it the private keys exist only in the result.
     *
     * @throws UnauthorizedException, ForbiddenException, NotFoundException or HttpException when
     *   the token is refused; NetworkException, TimeoutException, TlsException,
     *   InsecureTransportException.
     */
    @JvmStatic
    @JvmOverloads
    public fun register(
        apiUrl: String,
        token: String,
        name: String,
        backup: Boolean,
        options: Options? = null,
    ): Credentials {
        val secret = cString(token)
        try {
            val opts = options?.let { encodeArg(Options.serializer(), it) }
            return Credentials(
                callForHandle {
                    LibToz.toz_register(cString(apiUrl), secret, cString(name), cBool(backup), opts, it)
                },
            )
        } finally {
            secret.fill(0)
        }
    }

    /**
     * Encrypts a record's [data] with [accessKey] offline (`toz_record_encrypt`): the same field
     * names with `EDK.EDKN.EF.EFN` values, readable by every TozStore SDK holding the key.
     */
    @JvmStatic
    public fun encryptRecord(accessKey: AccessKey, data: Map<String, String>): Map<String, String> =
        accessKey.withPointer { k ->
            val input = encodeArg(stringMap, data)
            try {
                decodeResult(stringMap, callForString { LibToz.toz_record_encrypt(k, input, it) })
            } finally {
                input.fill(0)
            }
        }

    /**
     * Decrypts fields made by [encryptRecord] (`toz_record_decrypt`).
     * @throws CryptoException for a wrong key or a tampered field.
     */
    @JvmStatic
    public fun decryptRecord(accessKey: AccessKey, encrypted: Map<String, String>): Map<String, String> =
        accessKey.withPointer { k ->
            decodeResult(stringMap, callForString { LibToz.toz_record_decrypt(k, encodeArg(stringMap, encrypted), it) })
        }
}
