import CToz

/// A 32-byte record access key (`toz_access_key`), for offline encryption and for wrapping keys
/// between clients. Immutable and safe to share between tasks; ``close()`` zeroes it early, and
/// after it every call throws ``ErrorKind/closed``.
public final class AccessKey: Sendable {
    let native: NativeHandle

    init(owning pointer: OpaquePointer) {
        native = NativeHandle(pointer, name: "access key") { toz_free_access_key($0) }
    }

    /// A random access key.
    public static func generate() throws -> AccessKey {
        try AccessKey(owning: invokeReturningHandle { toz_access_key_generate($0) })
    }

    /// Parses the unpadded base64url text of ``toSensitiveString()`` (padding accepted).
    public static func fromString(_ text: String) throws -> AccessKey {
        try AccessKey(owning: invokeReturningHandle { toz_access_key_from_string(text, $0) })
    }

    /// Opens an EAK made by ``wrap(readerPublicKey:authorizer:)``: `authorizerPublicKey` is the
    /// wrapping client's Curve25519 public key (base64url); `reader` holds the private key.
    public static func unwrap(eak: String, authorizerPublicKey: String, reader: Credentials) throws -> AccessKey {
        try AccessKey(owning: reader.native.handle { toz_access_key_unwrap(eak, authorizerPublicKey, $0, $1) })
    }

    /// The key as base64url text. **Sensitive**, and a Swift String cannot be wiped.
    public func toSensitiveString() throws -> String {
        try native.string { toz_access_key_to_string($0, $1) }
    }

    /// Encrypts the key for the holder of `readerPublicKey` (base64url), from the `authorizer`'s
    /// private key: the EAK text of spec §4.4.
    public func wrap(readerPublicKey: String, authorizer: Credentials) throws -> String {
        try native.borrow { key in
            try authorizer.native.string { toz_access_key_wrap(key, readerPublicKey, $0, $1) }
        }
    }

    /// Encrypts record data field by field; the result (same field names) is readable by every
    /// TozStore SDK that holds this key.
    public func encryptRecord(_ data: [String: String]) throws -> [String: String] {
        let json = try encodeJSON(data)
        return try native.json { toz_record_encrypt($0, json, $1) }
    }

    /// Decrypts what ``encryptRecord(_:)`` made; a wrong key or altered field throws
    /// ``ErrorKind/crypto``.
    public func decryptRecord(_ encrypted: [String: String]) throws -> [String: String] {
        let json = try encodeJSON(encrypted)
        return try native.json { toz_record_decrypt($0, json, $1) }
    }

    /// Frees (and zeroes) the key now. Closing twice is harmless.
    public func close() {
        native.close()
    }
}
