// Account flows of the Dashboard: sign up, log in, registration tokens, the account's clients,
// creating a client with an encrypted backup, and recovering a backed-up client. No DOM here.
//
// What leaves the browser: e-mail, salts, the password-derived Ed25519 *public* key, the queen
// client's public keys, signatures, ciphertext. Never the password, a derived key or a private key.

import * as toz from './toz.js';
import { ApiError, TozClient, apiUrl, request } from './api.js';

const seg = encodeURIComponent;

/** Argon2id (toz.KDF) of `password` with a b64url salt, in a Web Worker. */
export function deriveKey(password, saltB64) {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker(new URL('./kdf-worker.js', import.meta.url), { type: 'module' });
    } catch (e) {
      reject(new Error(`cannot start the key-derivation worker: ${e.message}`));
      return;
    }
    worker.onmessage = (ev) => {
      worker.terminate();
      if (ev.data.error) reject(new Error(`key derivation failed: ${ev.data.error}`));
      else resolve(ev.data.key);
    };
    worker.onerror = (ev) => {
      worker.terminate();
      reject(new Error(`key derivation failed: ${ev.message || 'worker error'}`));
    };
    worker.postMessage({ password, salt: saltB64 });
  });
}

/** A logged-in account: the session token (account API) and the queen client (OAuth). */
export class Session {
  constructor(auth, queenCreds) {
    this.token = auth.token;
    this.email = auth.profile.email;
    this.accountId = auth.account.account_id || auth.profile.id;
    this.queen = new TozClient(queenCreds);
    this.expired = false;
  }

  /** A call on the account API with the session token. */
  async call(method, path, opts = {}) {
    try {
      return await request(method, path, { ...opts, auth: `Bearer ${this.token}` });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        this.expired = true;
        throw new ApiError(401, 'Your session has expired: log in again.');
      }
      throw e;
    }
  }
}

async function retry(fn, tries) {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= tries || !(e instanceof ApiError) || (e.status >= 400 && e.status < 500)) throw e;
      await new Promise((r) => setTimeout(r, 300 * i));
    }
  }
}

/**
 * Creates an account: salts and keys made here, only public keys sent; the queen client's
 * credentials are stored in profile meta encrypted with the password-derived key (§2.3).
 */
export async function signUp(email, password, step) {
  await toz.ready;
  const authSalt = toz.b64(toz.randomBytes(16));
  const encSalt = toz.b64(toz.randomBytes(16));
  step('Deriving your sign-in key from the password (step 1 of 2)…');
  const seed = await deriveKey(password, authSalt);
  const signing = toz.signingKeyFromSeed(seed);
  toz.wipe(seed);
  toz.wipe(signing.privateKey);
  step('Deriving your backup encryption key from the password (step 2 of 2)…');
  const encKey = await deriveKey(password, encSalt);
  try {
    step('Creating the account…');
    const queenKeys = toz.generateClientKeys();
    const { json } = await request('POST', '/v1/account/profile', {
      body: {
        profile: {
          name: '',
          email,
          auth_salt: authSalt,
          enc_salt: encSalt,
          signing_key: { ed25519: toz.b64(signing.publicKey) },
          paper_auth_salt: '',
          paper_enc_salt: '',
          paper_signing_key: {},
        },
        account: {
          company: '',
          plan: 'free0',
          public_key: { curve25519: queenKeys.public_key },
          signing_key: { ed25519: queenKeys.public_signing_key },
        },
      },
    }).catch((e) => {
      if (e.status === 409) throw new ApiError(409, 'An account with this e-mail address already exists: log in instead.');
      throw e;
    });
    const c = json.account.client;
    const queen = toz.normalizeCredentials({
      version: 2, client_id: c.client_id, api_key_id: c.api_key_id, api_secret: c.api_secret,
      client_email: '', ...queenKeys, api_url: apiUrl(),
    });
    step('Storing the encrypted backup client…');
    const meta = { backupEnabled: 'enabled', backupClient: toz.sealString(encKey, toz.credentialsJson(queen)) };
    try {
      await retry(() => request('PUT', '/v1/account/profile/meta', { auth: `Bearer ${json.token}`, body: meta }), 3);
    } catch (e) {
      const err = new ApiError(e.status || 0,
        `The account was created, but its backup client could not be saved (${e.message}). ` +
        'Download its credentials below now: without them backed-up clients cannot be recovered.');
      err.credentials = queen;
      err.session = new Session(json, queen);
      throw err;
    }
    return new Session(json, queen);
  } finally {
    toz.wipe(encKey);
  }
}

/** Logs in: signs the server's challenge with the password-derived key, then opens the backup client. */
export async function logIn(email, password, step) {
  await toz.ready;
  step('Asking the server for a login challenge…');
  const { json: ch } = await request('POST', '/v1/account/challenge', { body: { email } }).catch((e) => {
    if (e.status === 404) throw new ApiError(404, 'No account with this e-mail address.');
    throw e;
  });
  step('Deriving your sign-in key from the password (step 1 of 2)…');
  const seed = await deriveKey(password, ch.auth_salt);
  const signing = toz.signingKeyFromSeed(seed);
  toz.wipe(seed);
  const response = toz.signChallenge(ch.challenge, signing.privateKey);
  toz.wipe(signing.privateKey);
  step('Signing in…');
  const { json: auth } = await request('POST', '/v1/account/auth', {
    body: { email, challenge: ch.challenge, response, keyid: 'password' },
  }).catch((e) => {
    if (e.status === 401) throw new ApiError(401, 'Wrong e-mail or password.');
    throw e;
  });
  step('Deriving your backup encryption key from the password (step 2 of 2)…');
  const encKey = await deriveKey(password, auth.profile.enc_salt);
  try {
    step('Opening the account backup client…');
    const { json: meta } = await request('GET', '/v1/account/profile/meta', { auth: `Bearer ${auth.token}` });
    if (!meta || !meta.backupClient) {
      throw new ApiError(0, 'This account has no encrypted backup client in its profile, so the Dashboard cannot manage it.');
    }
    const queen = toz.normalizeCredentials(JSON.parse(toz.openString(encKey, meta.backupClient)));
    if (auth.account.client && auth.account.client.client_id !== queen.client_id) {
      throw new ApiError(0, "The stored backup client is not this account's backup client.");
    }
    return new Session(auth, queen);
  } finally {
    toz.wipe(encKey);
  }
}

// --- registration tokens ------------------------------------------------------------------

/** `{name, uses: 'one'|'limited'|'unlimited', count, expiresAt: Date|null, allowedTypes}`. */
export async function createToken(session, t) {
  const body = {
    name: t.name,
    permissions: { enabled: true, one_time: t.uses === 'one', allowed_types: t.allowedTypes || [] },
    total_uses_allowed: t.uses === 'limited' ? t.count : t.uses === 'one' ? 1 : 0,
  };
  if (t.expiresAt) body.expires_at = t.expiresAt.toISOString();
  return (await session.call('POST', '/v1/account/tokens', { body })).json;
}

export async function listTokens(session) {
  return (await session.call('GET', '/v1/account/tokens')).json || [];
}

export async function deleteToken(session, idOrToken) {
  await session.call('DELETE', `/v1/account/tokens/${seg(idOrToken)}`);
}

// --- clients ------------------------------------------------------------------------------

/** Every client of the account (`GET /v1/client/admin` as the queen client, paged). */
export async function listClients(session) {
  const all = [];
  let next = 0;
  for (let page = 0; page < 1000; page++) {
    const { json } = await session.queen.call('GET', `/v1/client/admin?next=${next}&limit=100`);
    all.push(...json.clients);
    if (!json.next_token || json.clients.length === 0) break;
    next = json.next_token;
  }
  return all;
}

export async function setClientEnabled(session, clientId, enabled) {
  return (await session.queen.call('PATCH', `/v1/client/admin/${seg(clientId)}/enable`, { body: { enabled } })).json;
}

/**
 * Creates a client in one action: keys generated here, registered with `token` (or a one-time
 * token made for it and deleted afterwards), and its credentials written as a tozny.key_backup
 * record shared with the account's backup client (§2.2), exactly as libtoz's `register` does.
 */
export async function createClient(session, name, token, step) {
  await toz.ready;
  let tok = token;
  let ownToken = false;
  if (!tok) {
    step('Creating a one-time registration token…');
    tok = (await createToken(session, { name: `Dashboard: ${name}`, uses: 'one', allowedTypes: ['general'] })).token;
    ownToken = true;
  }
  let creds = null;
  try {
    step('Generating keys and registering the client…');
    const keys = toz.generateClientKeys();
    const reg = await request('POST', '/v1/account/e3db/clients/register', {
      body: {
        token: tok,
        client: {
          name, type: 'general',
          public_key: { curve25519: keys.public_key },
          signing_key: { ed25519: keys.public_signing_key },
        },
      },
    }).catch((e) => {
      if (e.status === 403) throw new ApiError(403, `Registration refused: ${e.message}.`);
      throw e;
    });
    const d = reg.json;
    creds = toz.normalizeCredentials({
      version: 2, client_id: d.client_id, api_key_id: d.api_key_id, api_secret: d.api_secret,
      client_email: '', ...keys, api_url: apiUrl(),
    });
    const backupClient = reg.headers.get('X-Backup-Client');
    try {
      if (!backupClient) throw new Error('the server named no backup client (X-Backup-Client)');
      step('Writing the encrypted credential backup…');
      const client = new TozClient(creds);
      await client.writeRecord(toz.BACKUP_RECORD_TYPE, toz.backupData(creds), { client: creds.client_id });
      await client.share(toz.BACKUP_RECORD_TYPE, backupClient);
      await client.call('POST', `/v1/account/backup/${seg(tok)}/${seg(creds.client_id)}`);
    } catch (e) {
      const err = new ApiError(e.status || 0,
        `Client ${creds.client_id} was registered, but its credential backup failed (${e.message}). ` +
        'Its credentials are shown below: save them now, they cannot be recovered.');
      err.credentials = creds;
      throw err;
    }
    return creds;
  } finally {
    if (ownToken) await deleteToken(session, tok).catch(() => {});
  }
}

/**
 * Recovers a client's credentials from its newest tozny.key_backup record, as the account's
 * backup client (libtoz `recover_credentials`): query, open the EAK, decrypt the fields.
 */
export async function recoverClient(session, clientId) {
  await toz.ready;
  const q = session.queen;
  if (clientId === q.id) return q.creds;
  const results = await q.queryAll({
    include_data: true, writer_ids: [clientId], content_types: [toz.BACKUP_RECORD_TYPE], include_all_writers: true,
  });
  const own = results.filter((r) => r.meta.writer_id === clientId && ((r.meta.plain || {}).client ?? clientId) === clientId);
  if (own.length === 0) throw new ApiError(404, 'No credential backup of this client is shared with the account backup client.');
  const rec = own[own.length - 1];
  const info = rec.access_key || (await q.getEak(clientId, toz.BACKUP_RECORD_TYPE));
  if (!info) throw new ApiError(404, 'The backup record has no access key for the account backup client.');
  const ak = q.openEak(info);
  try {
    const creds = toz.credentialsFromBackup(toz.decryptData(ak, rec.record_data));
    if (creds.client_id !== clientId) throw new Error('the backup record names a different client');
    return creds;
  } finally {
    toz.wipe(ak);
  }
}
