// The Dashboard's crypto and wire formats, byte-for-byte those of libtoz (src/sdk) and of the
// spec (shared/spec/tozstore-protocol.md): e3db.json credentials (§1.2), field encryption
// EDK.EDKN.EF.EFN (§4.3), encrypted access keys (§4.4), the tozny.key_backup record (§2.2) and
// the account's encrypted backup-client blob (§2.3). Everything here runs in the browser; nothing
// secret is ever sent to the server.

import sodium from '../vendor/libsodium-wrappers-sumo.mjs';

/** Resolves when libsodium's WebAssembly is ready. */
export const ready = sodium.ready;

export const BACKUP_RECORD_TYPE = 'tozny.key_backup';
/** e3db.json field order (libtoz `Credentials::to_json`, backup record fields). */
export const CREDENTIAL_FIELDS = [
  'version', 'client_id', 'api_key_id', 'api_secret', 'client_email', 'public_key',
  'private_key', 'public_signing_key', 'private_signing_key', 'api_url',
];

/**
 * Account key derivation ("KDF v1", docs/dashboard.md): Argon2id (libsodium crypto_pwhash,
 * ALG_ARGON2ID13) with t=3 passes over 64 MiB (RFC 9106's second recommended setting, one lane as
 * libsodium has), 32-byte output, a separate random 16-byte salt per derived key.
 */
export const KDF = Object.freeze({ opslimit: 3, memlimit: 64 * 1024 * 1024, bytes: 32 });

// --- encodings ------------------------------------------------------------------------------

/** Unpadded base64url, as every SDK emits. */
export function b64(bytes) {
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

/** Decodes base64url, padded or not (the spec's "accept padded input"). */
export function unb64(text, what = 'value') {
  if (typeof text !== 'string') throw new Error(`${what} is missing`);
  try {
    return sodium.from_base64(text.replace(/=+$/, ''), sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    throw new Error(`${what} is not valid base64url`);
  }
}

function unb64len(text, len, what) {
  const bytes = unb64(text, what);
  if (bytes.length !== len) throw new Error(`${what} must be ${len} bytes`);
  return bytes;
}

export function randomBytes(n) {
  return sodium.randombytes_buf(n);
}

export function wipe(bytes) {
  if (bytes instanceof Uint8Array) sodium.memzero(bytes);
}

// --- keys and credentials (§1.1, §1.2) -----------------------------------------------------

/** Fresh Curve25519 and Ed25519 key pairs, b64url, in e3db.json field names. */
export function generateClientKeys() {
  const box = sodium.crypto_box_keypair();
  const sign = sodium.crypto_sign_keypair();
  const keys = {
    public_key: b64(box.publicKey),
    private_key: b64(box.privateKey),
    public_signing_key: b64(sign.publicKey),
    private_signing_key: b64(sign.privateKey),
  };
  wipe(box.privateKey);
  wipe(sign.privateKey);
  return keys;
}

/**
 * Normalises and checks a credentials object the way libtoz's `Credentials::from_json` does:
 * version 1 or 2 (string or number), every key of the right length, each public key matching its
 * secret key and the Ed25519 secret ending with the public signing key. Returns a plain object
 * with the e3db.json fields in order and `version` as an integer (libtoz writes an integer).
 */
export function normalizeCredentials(input) {
  const c = {};
  const signing = input.private_signing_key || '';
  let version = input.version;
  if (version === undefined || version === null || version === '') version = signing ? 2 : 1;
  version = Number(String(version).trim());
  if (version !== 1 && version !== 2) throw new Error('credentials: version must be 1 or 2');
  for (const f of CREDENTIAL_FIELDS) c[f] = f === 'version' ? version : String(input[f] ?? '');
  if (!c.api_url) c.api_url = 'https://api.e3db.com';
  const pub = unb64len(c.public_key, 32, 'public_key');
  const priv = unb64len(c.private_key, 32, 'private_key');
  const derived = sodium.crypto_scalarmult_base(priv);
  wipe(priv);
  if (sodium.compare(derived, pub) !== 0) throw new Error('credentials: public_key does not match private_key');
  if (c.private_signing_key || c.public_signing_key) {
    const spub = unb64len(c.public_signing_key, 32, 'public_signing_key');
    const ssec = unb64len(c.private_signing_key, 64, 'private_signing_key');
    const fromSeed = sodium.crypto_sign_seed_keypair(ssec.subarray(0, 32));
    const ok = sodium.compare(fromSeed.publicKey, spub) === 0 && sodium.compare(ssec.subarray(32), spub) === 0;
    wipe(ssec);
    wipe(fromSeed.privateKey);
    if (!ok) throw new Error('credentials: public_signing_key does not match private_signing_key');
  }
  return c;
}

/** e3db.json text: the fields in libtoz's order, two-space indented like serde_json's pretty form. */
export function credentialsJson(creds) {
  const c = normalizeCredentials(creds);
  return JSON.stringify(c, null, 2);
}

// --- field encryption (§4.3) ----------------------------------------------------------------

/** Encrypts one field value (a string) under the 32-byte access key: "EDK.EDKN.EF.EFN". */
export function encryptField(ak, plaintext) {
  const dk = sodium.randombytes_buf(32);
  const efN = sodium.randombytes_buf(24);
  const edkN = sodium.randombytes_buf(24);
  const ef = sodium.crypto_secretbox_easy(sodium.from_string(plaintext), efN, dk);
  const edk = sodium.crypto_secretbox_easy(dk, edkN, ak);
  wipe(dk);
  return `${b64(edk)}.${b64(edkN)}.${b64(ef)}.${b64(efN)}`;
}

/** Decrypts one four-part field value to a string. */
export function decryptField(ak, value, name = 'field') {
  const parts = String(value).split('.');
  if (parts.length !== 4) throw new Error(`encrypted field '${name}' must have four '.'-separated parts`);
  const edk = unb64(parts[0], 'field key');
  const edkN = unb64len(parts[1], 24, 'field key nonce');
  const ef = unb64(parts[2], 'field');
  const efN = unb64len(parts[3], 24, 'field nonce');
  let dk;
  try {
    dk = sodium.crypto_secretbox_open_easy(edk, edkN, ak);
  } catch {
    throw new Error(`could not decrypt the key of field '${name}': wrong access key or corrupted field`);
  }
  try {
    return sodium.to_string(sodium.crypto_secretbox_open_easy(ef, efN, dk));
  } catch {
    throw new Error(`could not decrypt field '${name}': corrupted or tampered data`);
  } finally {
    wipe(dk);
  }
}

export function encryptData(ak, data) {
  const out = {};
  for (const [k, v] of Object.entries(data)) out[k] = encryptField(ak, v);
  return out;
}

export function decryptData(ak, data) {
  const out = {};
  for (const [k, v] of Object.entries(data)) out[k] = decryptField(ak, v, k);
  return out;
}

// --- access keys (§4.4) ---------------------------------------------------------------------

export function generateAccessKey() {
  return sodium.randombytes_buf(32);
}

/** EAK = b64url(crypto_box_easy(ak, nonce, reader_pub, authorizer_sec)) "." b64url(nonce). */
export function wrapAccessKey(ak, readerPublicB64, authorizerPrivateB64) {
  const nonce = sodium.randombytes_buf(24);
  const sec = unb64len(authorizerPrivateB64, 32, 'private key');
  try {
    const ct = sodium.crypto_box_easy(ak, nonce, unb64len(readerPublicB64, 32, 'reader public key'), sec);
    return `${b64(ct)}.${b64(nonce)}`;
  } finally {
    wipe(sec);
  }
}

/** Opens an EAK with the authorizer's public key and the reader's private key. */
export function unwrapAccessKey(eak, authorizerPublicB64, readerPrivateB64) {
  const parts = String(eak).split('.');
  if (parts.length !== 2) throw new Error("EAK must have two '.'-separated parts");
  const sec = unb64len(readerPrivateB64, 32, 'private key');
  try {
    const ak = sodium.crypto_box_open_easy(
      unb64(parts[0], 'EAK'), unb64len(parts[1], 24, 'EAK nonce'),
      unb64len(authorizerPublicB64, 32, 'authorizer public key'), sec);
    if (ak.length !== 32) throw new Error('decrypted access key has the wrong length');
    return ak;
  } catch (e) {
    if (e instanceof Error && e.message.includes('wrong length')) throw e;
    throw new Error('could not decrypt access key: wrong key or corrupted EAK');
  } finally {
    wipe(sec);
  }
}

// --- credential backup (§2.2) ---------------------------------------------------------------

/**
 * The plaintext data of a tozny.key_backup record: every value JSON-encoded as a string literal
 * ("\"<uuid>\""), except `version`, written bare ("2") as Python and libtoz do.
 */
export function backupData(creds) {
  const c = normalizeCredentials(creds);
  const data = {};
  for (const f of CREDENTIAL_FIELDS) data[f] = f === 'version' ? String(c.version) : JSON.stringify(c[f]);
  return data;
}

/** One decrypted backup value: JSON-encoded (string or number) or, leniently, raw text. */
function backupValue(text) {
  try {
    const v = JSON.parse(text);
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
  } catch { /* raw text */ }
  return text;
}

/** Rebuilds (and checks) credentials from the decrypted fields of a backup record. */
export function credentialsFromBackup(data) {
  const c = {};
  for (const f of CREDENTIAL_FIELDS) if (f in data) c[f] = backupValue(data[f]);
  return normalizeCredentials(c);
}

// --- account secrets (§2.3) -----------------------------------------------------------------

/** Ed25519 key pair from the 32-byte password-derived seed. */
export function signingKeyFromSeed(seed) {
  return sodium.crypto_sign_seed_keypair(seed);
}

/** b64url Ed25519 detached signature over the decoded challenge bytes. */
export function signChallenge(challengeB64, privateKey) {
  return b64(sodium.crypto_sign_detached(unb64(challengeB64, 'challenge'), privateKey));
}

/** `b64url(nonce24) ":" b64url(secretbox(text, nonce, key))`. */
export function sealString(key, text) {
  const nonce = sodium.randombytes_buf(24);
  return `${b64(nonce)}:${b64(sodium.crypto_secretbox_easy(sodium.from_string(text), nonce, key))}`;
}

export function openString(key, sealed) {
  const parts = String(sealed).split(':');
  if (parts.length !== 2) throw new Error('encrypted value must be nonce:ciphertext');
  try {
    return sodium.to_string(sodium.crypto_secretbox_open_easy(unb64(parts[1]), unb64len(parts[0], 24, 'nonce'), key));
  } catch {
    throw new Error('could not decrypt the account backup client: wrong password or corrupted data');
  }
}

