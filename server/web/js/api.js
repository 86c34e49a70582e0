// HTTP calls to the toz-server that served this page (same origin), and a TozStore client that
// authenticates with OAuth client credentials (§3.1) and does the record, access-key, sharing and
// query calls the Dashboard needs. Crypto is in toz.js; nothing secret is put in a URL or a log.

import * as toz from './toz.js';

/** An error to show to the user; `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Base URL written into credentials: the origin the Dashboard was loaded from. */
export const apiUrl = () => window.location.origin;

/**
 * One request. `body` is sent as JSON unless `form` (a string) is given. Resolves to
 * `{status, json, headers}`; rejects with ApiError carrying the server's `{"error"}` text.
 */
export async function request(method, path, { body, form, auth, okStatuses } = {}) {
  const headers = {};
  if (auth) headers.Authorization = auth;
  let payload;
  if (form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = form;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: payload, cache: 'no-store', credentials: 'omit', redirect: 'error' });
  } catch {
    throw new ApiError(0, 'The server is unreachable: check that toz-server is running and try again.');
  }
  const text = await resp.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  if (!resp.ok && !(okStatuses || []).includes(resp.status)) {
    const msg = json && typeof json.error === 'string' ? json.error : `HTTP ${resp.status}`;
    throw new ApiError(resp.status, msg);
  }
  return { status: resp.status, json, headers: resp.headers };
}

const seg = encodeURIComponent;

/** A TozStore client acting with one set of credentials (e3db.json fields). */
export class TozClient {
  constructor(creds) {
    this.creds = creds;
    this.accessToken = null;
    this.expires = 0;
    this.aks = new Map();
  }

  get id() {
    return this.creds.client_id;
  }

  async token(force = false) {
    if (!force && this.accessToken && Date.now() < this.expires) return this.accessToken;
    const basic = btoa(`${this.creds.api_key_id}:${this.creds.api_secret}`);
    const { json } = await request('POST', '/v1/auth/token', {
      auth: `Basic ${basic}`,
      form: 'grant_type=client_credentials',
    });
    this.accessToken = json.access_token;
    this.expires = Date.now() + Math.max(30, (json.expires_in || 3600) - 60) * 1000;
    return this.accessToken;
  }

  /** An authenticated call; refreshes the OAuth token once on 401. */
  async call(method, path, opts = {}) {
    try {
      return await request(method, path, { ...opts, auth: `Bearer ${await this.token()}` });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
      return request(method, path, { ...opts, auth: `Bearer ${await this.token(true)}` });
    }
  }

  async clientInfo(id) {
    return (await this.call('GET', `/v1/storage/clients/${seg(id)}`)).json;
  }

  eakPath(writer, reader, type) {
    return `/v1/storage/access_keys/${seg(writer)}/${seg(writer)}/${seg(reader)}/${seg(type)}`;
  }

  /** The EAK info for (writer, type) addressed to this client, or null (404). */
  async getEak(writer, type) {
    const r = await this.call('GET', this.eakPath(writer, this.id, type), { okStatuses: [404] });
    return r.status === 404 ? null : r.json;
  }

  openEak(info) {
    return toz.unwrapAccessKey(info.eak, info.authorizer_public_key.curve25519, this.creds.private_key);
  }

  /** This client's own access key for `type`, created and stored (self-boxed) on first use (§4.5). */
  async ownAccessKey(type) {
    if (this.aks.has(type)) return this.aks.get(type);
    let info = await this.getEak(this.id, type);
    if (!info) {
      const ak = toz.generateAccessKey();
      const eak = toz.wrapAccessKey(ak, this.creds.public_key, this.creds.private_key);
      const put = await this.call('PUT', this.eakPath(this.id, this.id, type), { body: { eak }, okStatuses: [409] });
      if (put.status !== 409) {
        this.aks.set(type, ak);
        return ak;
      }
      info = await this.getEak(this.id, type); // another writer won the race: use its key
      if (!info) throw new ApiError(409, 'access key conflict');
    }
    const ak = this.openEak(info);
    this.aks.set(type, ak);
    return ak;
  }

  /** Encrypts and writes a record (§4.1-4.3). */
  async writeRecord(type, data, plain = {}) {
    const ak = await this.ownAccessKey(type);
    const body = {
      meta: { writer_id: this.id, user_id: this.id, type, plain },
      data: toz.encryptData(ak, data),
    };
    return (await this.call('POST', '/v1/storage/records', { body })).json;
  }

  /** Shares `type` with `readerId`: PUT its EAK (409 = already there), then allow read (§5.2). */
  async share(type, readerId) {
    if (readerId === this.id) return;
    const ak = await this.ownAccessKey(type);
    const reader = await this.clientInfo(readerId);
    const eak = toz.wrapAccessKey(ak, reader.public_key.curve25519, this.creds.private_key);
    await this.call('PUT', this.eakPath(this.id, readerId, type), { body: { eak }, okStatuses: [409] });
    await this.call('PUT', `/v1/storage/policy/${seg(this.id)}/${seg(this.id)}/${seg(readerId)}/${seg(type)}`, {
      body: { allow: [{ read: {} }] },
    });
  }

  /** Every result of a v1 query (§6.1), following `last_index`. */
  async queryAll(req) {
    const count = 100;
    let after = 0;
    const all = [];
    for (let page = 0; page < 1000; page++) {
      const { json } = await this.call('POST', '/v1/storage/search', { body: { ...req, count, after_index: after } });
      all.push(...json.results);
      if (json.results.length < count || json.last_index === after) break;
      after = json.last_index;
    }
    return all;
  }
}
