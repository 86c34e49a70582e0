import CToz

/// A client's credentials: ids, API key and key pairs (`toz_credentials`). The secrets stay inside
/// the library's handle; they become text only through ``toJSON()`` and ``seal(passphrase:options:)``.
///
/// Immutable and safe to share between tasks. ``close()`` frees (and zeroes) the handle early;
/// after it every call throws ``ErrorKind/closed``. Otherwise `deinit` frees it.
public final class Credentials: Sendable {
    let native: NativeHandle

    init(owning pointer: OpaquePointer) {
        native = NativeHandle(pointer, name: "credentials") { toz_free_credentials($0) }
    }

    /// Fresh, unregistered credentials with new key pairs; `apiURL` nil for https://api.e3db.com.
    public static func generate(apiURL: String? = nil) throws -> Credentials {
        try Credentials(owning: withOptionalCString(apiURL) { url in
            try invokeReturningHandle { toz_credentials_generate(url, $0) }
        })
    }

    /// Registers a new client with a registration token and returns its credentials. With
    /// `backup` the credentials are also stored for the account's backup client to recover.
    /// Blocks on the network; see the `async` overload.
    public static func register(
        apiURL: String, token: String, name: String, backup: Bool, options: HTTPOptions? = nil
    ) throws -> Credentials {
        let optionsJSON = try options.map { try encodeJSON($0) }
        return try Credentials(owning: withOptionalCString(optionsJSON) { opts in
            try invokeReturningHandle { toz_register(apiURL, token, name, backup, opts, $0) }
        })
    }

    /// ``register(apiURL:token:name:backup:options:)`` on a worker thread.
    public static func register(
        apiURL: String, token: String, name: String, backup: Bool, options: HTTPOptions? = nil
    ) async throws -> Credentials {
        try await offload {
            try Credentials.register(apiURL: apiURL, token: token, name: name, backup: backup, options: options)
        }
    }

    /// Parses e3db.json text (Tozny's format) and checks every key pair.
    public static func fromJSON(_ json: String) throws -> Credentials {
        try Credentials(owning: invokeReturningHandle { toz_credentials_from_json(json, $0) })
    }

    /// Loads an e3db.json file.
    public static func load(fromFile path: String) throws -> Credentials {
        try Credentials(owning: invokeReturningHandle { toz_credentials_load_file(path, $0) })
    }

    /// Loads `~/.tozny/<profile>/e3db.json`, or `~/.tozny/e3db.json` for nil.
    public static func loadProfile(_ profile: String? = nil) throws -> Credentials {
        try Credentials(owning: withOptionalCString(profile) { name in
            try invokeReturningHandle { toz_credentials_load_profile(name, $0) }
        })
    }

    /// Imports credentials sealed by ``seal(passphrase:options:)``; a wrong passphrase throws
    /// ``ErrorKind/wrongPassphrase``.
    public static func unseal(_ sealed: String, passphrase: String) throws -> Credentials {
        try Credentials(owning: invokeReturningHandle { toz_credentials_unseal(sealed, passphrase, $0) })
    }

    /// The credentials as e3db.json text. **Sensitive**: it contains the private keys and the API
    /// secret, and a Swift String cannot be wiped.
    public func toJSON() throws -> String {
        try native.string { toz_credentials_to_json($0, $1) }
    }

    /// The non-secret fields.
    public func publicInfo() throws -> CredentialsInfo {
        try native.json { toz_credentials_public_info($0, $1) }
    }

    /// Writes an e3db.json file (mode 0600); an existing file is replaced only with `overwrite`
    /// (else ``ErrorKind/alreadyExists``).
    public func save(toFile path: String, overwrite: Bool = false) throws {
        try native.call { toz_credentials_save_file($0, path, overwrite) }
    }

    /// Saves as a profile (see ``loadProfile(_:)``), never replacing one unless `overwrite`.
    public func saveProfile(_ profile: String? = nil, overwrite: Bool = false) throws {
        try withOptionalCString(profile) { name in
            try native.call { toz_credentials_save_profile($0, name, overwrite) }
        }
    }

    /// Exports the credentials encrypted under a passphrase (Argon2id + XChaCha20-Poly1305); the
    /// result is safe to store anywhere the passphrase is not. `options` nil for the defaults.
    public func seal(passphrase: String, options: SealOptions? = nil) throws -> String {
        let optionsJSON = try options.map { try encodeJSON($0) }
        return try withOptionalCString(optionsJSON) { opts in
            try native.string { toz_credentials_seal($0, passphrase, opts, $1) }
        }
    }

    /// Frees the handle now (zeroing the secrets). Closing twice is harmless.
    public func close() {
        native.close()
    }
}
