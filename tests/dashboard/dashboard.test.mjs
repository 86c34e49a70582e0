// End-to-end tests of the Dashboard: a real toz-server on loopback with a temporary SQLite
// database, Debian's Chromium driven by playwright-core, and libtoz (through the Python binding)
// on the other side of every format the browser writes or reads. Run by tests/dashboard/run.sh.
//
// The steps share one account and run in order (node:test runs them sequentially).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

import sodium from '../../server/web/vendor/libsodium-wrappers-sumo.mjs';
import { KDF } from '../../server/web/js/toz.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const target = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
const SERVER = process.env.TOZ_SERVER_BIN || path.join(target, 'debug/toz-server');
const LIBTOZ = process.env.TOZ_LIBRARY || path.join(target, 'debug/libtoz.so');
const PYTHON = process.env.PYTHON || 'python3';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.TOZ_DASHBOARD_ARTIFACTS || path.join(root, 'artifacts/dashboard');

const EMAIL = `owner-${process.pid}@example.com`;
const PASSWORD = `Correct horse battery staple ${process.pid} ✓`;
const WRONG_PASSWORD = `${PASSWORD} but wrong`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'toz-dashboard-'));
const dbPath = path.join(tmp, 'toz.db');
let server; // { proc, url, logs }
let context;
let page;
const consoleProblems = [];

// Everything secret seen during the run, to look for in the database afterwards.
const secrets = new Map(); // label -> Buffer[] (forms)
const created = {}; // the clients and tokens of the run

// --- helpers --------------------------------------------------------------------------------

function addSecret(label, value) {
  if (!value) return;
  const forms = [];
  const text = Buffer.from(value, 'utf8');
  forms.push(text);
  let raw = null;
  if (/^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0) raw = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9_-]+={0,2}$/.test(value) && value.length >= 22) raw = Buffer.from(value, 'base64url');
  if (raw) forms.push(raw);
  for (const bytes of raw ? [raw, text] : [text]) {
    forms.push(Buffer.from(bytes.toString('hex')), Buffer.from(bytes.toString('hex').toUpperCase()),
      Buffer.from(bytes.toString('base64')), Buffer.from(bytes.toString('base64').replace(/=+$/, '')),
      Buffer.from(bytes.toString('base64url')));
  }
  secrets.set(label, forms);
}

function addCredentials(label, creds) {
  addSecret(`${label}.private_key`, creds.private_key);
  addSecret(`${label}.private_signing_key`, creds.private_signing_key);
  addSecret(`${label}.signing_seed`, Buffer.from(creds.private_signing_key, 'base64url').subarray(0, 32).toString('base64url'));
  addSecret(`${label}.api_secret`, creds.api_secret);
}

async function startServer() {
  const proc = spawn(SERVER, ['serve', '--listen', '127.0.0.1:0', '--database', `sqlite://${dbPath}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TOZ_LOG_LEVEL: 'info' },
  });
  const logs = [];
  proc.stderr.on('data', (d) => logs.push(d));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('toz-server did not print its address within 60 s')), 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(out.slice(0, nl).trim());
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first stdout line: ${out.slice(0, nl)}`));
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`toz-server exited (${code}): ${Buffer.concat(logs).toString()}`));
    });
  });
  return { proc, url, logs };
}

async function stopServer() {
  if (!server || server.proc.exitCode !== null) return;
  const exited = new Promise((r) => server.proc.once('exit', r));
  server.proc.kill('SIGTERM');
  await exited;
}

const run = promisify(execFile);

/** Runs interop.py (libtoz through the Python binding); resolves to its JSON output. */
async function libtoz(...args) {
  let stdout;
  try {
    ({ stdout } = await run(PYTHON, [path.join(here, 'interop.py'), ...args], {
      env: { ...process.env, TOZ_LIBRARY: LIBTOZ, PYTHONPATH: path.join(root, 'bindings/python') },
      timeout: 120000,
    }));
  } catch (e) {
    const out = (e.stdout || '').trim();
    if (e.code === 3 && out) {
      const err = JSON.parse(out.split('\n').pop());
      throw Object.assign(new Error(`libtoz: ${err.error}`), err);
    }
    throw new Error(`interop.py ${args[0]} failed (${e.code}): ${e.stderr || e.message}`);
  }
  return JSON.parse(stdout.trim().split('\n').pop());
}

function writeJson(name, value) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value), { mode: 0o600 });
  return file;
}

const FIELDS = ['version', 'client_id', 'api_key_id', 'api_secret', 'client_email', 'public_key',
  'private_key', 'public_signing_key', 'private_signing_key', 'api_url'];

function assertSameCredentials(actual, expected, what) {
  for (const f of FIELDS) {
    assert.equal(String(actual[f]), String(expected[f]), `${what}: field ${f} differs`);
  }
}

/** Waits until the page's current action (if any) is over. */
async function settled() {
  await page.waitForFunction(() => !document.body.hasAttribute('aria-busy'), null, { timeout: 60000 });
}

async function click(selectorOrLocator) {
  const loc = typeof selectorOrLocator === 'string' ? page.locator(selectorOrLocator) : selectorOrLocator;
  await loc.click();
  await settled();
}

async function errorText() {
  const box = page.locator('#error');
  return (await box.isVisible()) ? (await box.textContent()).trim() : '';
}

async function assertNoError() {
  assert.equal(await errorText(), '', 'the page shows an error');
}

async function shot(name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

async function selectTab(name) {
  await page.getByRole('tab', { name }).click();
  assert.equal(await page.getByRole('tab', { name }).getAttribute('aria-selected'), 'true');
}

async function clientRow(id) {
  const row = page.locator(`#clients-table tbody tr[data-client-id="${id}"]`);
  await row.waitFor();
  return row;
}

function tokenRow(name) {
  return page.locator('#tokens-table tbody tr', { has: page.locator('td:first-child', { hasText: new RegExp(`^${name}$`) }) });
}

async function clipboard() {
  return page.evaluate(() => navigator.clipboard.readText());
}

async function createToken({ name, uses, count, expires, types = ['general'] }) {
  await selectTab('Tokens');
  await page.fill('#token-name', name);
  await page.check(`input[name="uses"][value="${uses}"]`);
  if (count) await page.fill('#token-count', String(count));
  if (expires) await page.fill('#token-expires', expires);
  for (const t of ['general', 'identity', 'broker']) {
    if (types.includes(t)) await page.check(`input[name="types"][value="${t}"]`);
    else await page.uncheck(`input[name="types"][value="${t}"]`);
  }
  await click('#create-token-form button[type="submit"]');
  await assertNoError();
  await page.locator('#new-token-panel').waitFor();
  const token = await page.inputValue('#new-token-value');
  assert.match(token, /^[0-9a-f]{64}$/, 'a fresh registration token is 64 hex characters');
  addSecret(`token ${name}`, token);
  return token;
}

/** Signs in over the API the way the page does, from node, with the documented KDF. */
async function deriveAccountKeys() {
  await sodium.ready;
  const post = async (p, body) => {
    const r = await fetch(server.url + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, `${p} answered ${r.status}`);
    return r.json();
  };
  const pwhash = (salt) => sodium.crypto_pwhash(KDF.bytes, PASSWORD, sodium.from_base64(salt, sodium.base64_variants.URLSAFE_NO_PADDING),
    KDF.opslimit, KDF.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  const ch = await post('/v1/account/challenge', { email: EMAIL });
  const seed = pwhash(ch.auth_salt);
  const kp = sodium.crypto_sign_seed_keypair(seed);
  const response = sodium.to_base64(sodium.crypto_sign_detached(
    sodium.from_base64(ch.challenge, sodium.base64_variants.URLSAFE_NO_PADDING), kp.privateKey),
  sodium.base64_variants.URLSAFE_NO_PADDING);
  const auth = await post('/v1/account/auth', { email: EMAIL, challenge: ch.challenge, response, keyid: 'password' });
  const enc = pwhash(auth.profile.enc_salt);
  return { seed: Buffer.from(seed), signing: Buffer.from(kp.privateKey), enc: Buffer.from(enc), profile: auth.profile, token: auth.token };
}

// --- setup ----------------------------------------------------------------------------------

before(async () => {
  for (const [what, file] of [['toz-server', SERVER], ['libtoz', LIBTOZ], ['Chromium', CHROMIUM]]) {
    assert.ok(fs.existsSync(file), `${what} not found at ${file}`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  const userData = fs.mkdtempSync(path.join(tmp, 'chromium-'));
  context = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30000);
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) consoleProblems.push(m.text());
  });
  page.on('pageerror', (e) => consoleProblems.push(`uncaught: ${e.message}`));
  addSecret('password', PASSWORD);
  addSecret('wrong password', WRONG_PASSWORD);
});

after(async () => {
  await context?.close().catch(() => {});
  await stopServer().catch(() => {});
  if (!process.env.TOZ_DASHBOARD_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
});

// --- the flow -------------------------------------------------------------------------------

test('the Dashboard is served at / with strict security headers', async () => {
  const root = await fetch(`${server.url}/`, { redirect: 'manual' });
  assert.ok([301, 302, 303, 307, 308].includes(root.status), `/ answered ${root.status}`);
  assert.equal(root.headers.get('location'), '/dashboard/');
  const resp = await page.goto(`${server.url}/`);
  assert.equal(new URL(page.url()).pathname, '/dashboard/');
  const h = resp.headers();
  assert.match(h['content-type'], /^text\/html/);
  assert.match(h['content-security-policy'], /default-src 'none'/);
  assert.match(h['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.doesNotMatch(h['content-security-policy'], /'unsafe-inline'|'unsafe-eval'/);
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['cache-control'], 'no-store');
  const js = await fetch(`${server.url}/dashboard/js/app.js`);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
  await page.waitForSelector('html[data-ready="true"]');
  await page.locator('#login-form').waitFor();
  await shot('01-sign-in.png');
});

test('sign up derives keys in the browser with a progress indicator', async () => {
  await page.fill('#signup-email', EMAIL);
  await page.fill('#signup-password', PASSWORD);
  await page.fill('#signup-confirm', PASSWORD);
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), body: r.postData() || '' }));
  await page.locator('#signup-form button[type="submit"]').click();
  await page.locator('#progress').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#progress-text'), /Deriving/);
  await settled();
  await assertNoError();
  await page.locator('#app-view').waitFor();
  assert.equal(await page.textContent('#who-email'), EMAIL);
  assert.equal(await page.isVisible('#progress'), false, 'the progress indicator is hidden when done');
  // Nothing sent during sign-up contains the password.
  for (const r of requests) {
    assert.ok(!r.body.includes(PASSWORD) && !r.url.includes(encodeURIComponent(PASSWORD)), `password sent to ${r.url}`);
  }
  const signup = requests.find((r) => r.url.endsWith('/v1/account/profile'));
  assert.ok(signup, 'the page called POST /v1/account/profile');
  const body = JSON.parse(signup.body);
  assert.equal(Buffer.from(body.profile.auth_salt, 'base64url').length, 16);
  assert.equal(Buffer.from(body.profile.enc_salt, 'base64url').length, 16);
  assert.notEqual(body.profile.auth_salt, body.profile.enc_salt);
  assert.deepEqual(Object.keys(body.account.public_key), ['curve25519']);

  // The account's keys follow the documented KDF: node derives them and logs in with them.
  const keys = await deriveAccountKeys();
  assert.equal(keys.profile.signing_key.ed25519, body.profile.signing_key.ed25519);
  addSecret('account signing seed', keys.seed.toString('base64url'));
  addSecret('account signing key', keys.signing.toString('base64url'));
  addSecret('account encryption key', keys.enc.toString('base64url'));
  created.encKey = keys.enc;
  created.sessionToken = keys.token;
});

test('the account backup client is listed and its credentials open in the page', async () => {
  const queenRow = page.locator('#clients-table tbody tr', { hasText: 'account backup client' });
  await queenRow.waitFor();
  created.queenId = await queenRow.getAttribute('data-client-id');
  await click(queenRow.getByRole('button', { name: /Show credentials/ }));
  await assertNoError();
  const queen = JSON.parse(await page.inputValue('#cred-json'));
  assert.equal(queen.client_id, created.queenId);
  assert.equal(queen.version, 2);
  assert.equal(queen.api_url, server.url);
  created.queen = queen;
  addCredentials('queen', queen);
  // The profile meta holds it only sealed with the password-derived key, in the §2.3 format
  // b64url(nonce) ":" b64url(secretbox(e3db.json)).
  const meta = await (await fetch(`${server.url}/v1/account/profile/meta`, {
    headers: { Authorization: `Bearer ${created.sessionToken}` },
  })).json();
  assert.equal(meta.backupEnabled, 'enabled');
  const m = /^([A-Za-z0-9_-]{32}):([A-Za-z0-9_-]+)$/.exec(meta.backupClient);
  assert.ok(m, 'backupClient is nonce:ciphertext in unpadded base64url');
  const opened = sodium.crypto_secretbox_open_easy(Buffer.from(m[2], 'base64url'), Buffer.from(m[1], 'base64url'), created.encKey);
  assertSameCredentials(JSON.parse(Buffer.from(opened).toString('utf8')), queen, 'sealed backup client');
  assert.ok(!meta.backupClient.includes(queen.private_key));
  await click('#cred-close');
});

test('Tokens tab: create a token, copy it, see its use count', async () => {
  const token = await createToken({ name: 'fleet', uses: 'limited', count: 3 });
  await click('#new-token-copy');
  assert.equal(await clipboard(), token, 'Copy put the token on the clipboard');
  const row = tokenRow('fleet');
  await row.waitFor();
  assert.equal((await row.locator('td.uses').textContent()).trim(), '0 of 3');
  assert.equal((await row.locator('td.status').textContent()).trim(), 'Active');
  // The listing never shows the raw token (the server keeps only its hash).
  assert.ok(!(await page.locator('#tokens-table').textContent()).includes(token));
  created.fleetToken = token;
  await shot('03-tokens.png');
});

test('Clients tab: create a client in one action, copy and download its credentials', async () => {
  await selectTab('Clients');
  await page.fill('#client-name', 'web-created');
  await click('#create-client-form button[type="submit"]');
  await assertNoError();
  await page.locator('#credentials-panel').waitFor();
  const text = await page.inputValue('#cred-json');
  const shown = JSON.parse(text);
  assert.equal(shown.version, 2);
  assert.match(shown.client_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(shown.api_url, server.url);
  assert.deepEqual(Object.keys(shown), FIELDS, 'e3db.json fields in libtoz order');

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#cred-download').click()]);
  await settled();
  assert.equal(download.suggestedFilename(), 'e3db.json');
  const file = path.join(tmp, 'web-created.e3db.json');
  await download.saveAs(file);
  const downloaded = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(downloaded, shown);
  await click('#cred-copy');
  assert.deepEqual(JSON.parse(await clipboard()), shown);

  created.web = downloaded;
  created.webFile = file;
  addCredentials('web-created', downloaded);
  const row = await clientRow(downloaded.client_id);
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[0], 'web-created');
  assert.equal(cells[4], 'Yes', 'has backup');
  assert.equal(cells[5], 'Yes', 'enabled');
  // The one-time token made for it was deleted after use.
  await selectTab('Tokens');
  assert.equal(await page.locator('#tokens-table tbody tr', { hasText: 'Dashboard: web-created' }).count(), 0);
  await selectTab('Clients');
  await shot('02-clients.png');
});

test('the downloaded credentials work with libtoz (write and read a record)', async () => {
  const r = await libtoz('roundtrip', created.webFile);
  assert.equal(r.writer_id, created.web.client_id);
  assert.equal(r.read_back, true);
  assert.equal(r.queried, true);
});

test("libtoz's recover_credentials recovers the browser-written backup", async () => {
  const queenFile = writeJson('queen.json', created.queen);
  created.queenFile = queenFile;
  const recovered = await libtoz('recover', queenFile, created.web.client_id);
  assertSameCredentials(recovered, created.web, 'libtoz recovery of the browser backup');
});

test('a client registered by an SDK with the token shows up in the list', async () => {
  const sdk = await libtoz('register', server.url, created.fleetToken, 'sdk-client');
  created.sdk = sdk;
  addCredentials('sdk-client', sdk);
  await click('#clients-refresh');
  const row = await clientRow(sdk.client_id);
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[0], 'sdk-client');
  assert.equal(cells[4], 'Yes', 'the SDK backed it up');
  // The Created column shows what the server reports, if it reports it.
  const admin = await libtozAdminList();
  const entry = admin.find((c) => c.client_id === sdk.client_id);
  if (entry && entry.created) assert.notEqual(cells[3], '—');
  await selectTab('Tokens');
  await click('#tokens-refresh');
  assert.equal((await tokenRow('fleet').locator('td.uses').textContent()).trim(), '1 of 3');
  await selectTab('Clients');
});

/** GET /v1/client/admin as the queen, from node (to compare the page with the API). */
async function libtozAdminList() {
  const basic = Buffer.from(`${created.queen.api_key_id}:${created.queen.api_secret}`).toString('base64');
  const tok = await (await fetch(`${server.url}/v1/auth/token`, {
    method: 'POST', headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })).json();
  const list = await (await fetch(`${server.url}/v1/client/admin?limit=1000`, {
    headers: { Authorization: `Bearer ${tok.access_token}` },
  })).json();
  return list.clients;
}

test('recover backed-up credentials in the page: equal to the created ones', async () => {
  for (const [name, expected] of [['sdk-client', created.sdk], ['web-created', created.web]]) {
    const row = await clientRow(expected.client_id);
    await click(row.getByRole('button', { name: `Recover credentials of ${name}` }));
    await assertNoError();
    const recovered = JSON.parse(await page.inputValue('#cred-json'));
    assertSameCredentials(recovered, expected, `page recovery of ${name}`);
    assert.match(await page.textContent('#cred-title'), new RegExp(name));
    if (name === 'sdk-client') await shot('04-recovered.png');
  }
  await click('#cred-close');
});

test('disable and enable a client', async () => {
  const id = created.sdk.client_id;
  const file = writeJson('sdk.json', created.sdk);
  await click((await clientRow(id)).getByRole('button', { name: 'Disable sdk-client' }));
  await assertNoError();
  assert.equal((await (await clientRow(id)).locator('td').nth(5).textContent()).trim(), 'No');
  await assert.rejects(libtoz('roundtrip', file), /disabled|401|Unauthorized|auth/i, 'a disabled client is refused');
  await click((await clientRow(id)).getByRole('button', { name: 'Enable sdk-client' }));
  assert.equal((await (await clientRow(id)).locator('td').nth(5).textContent()).trim(), 'Yes');
  assert.equal((await libtoz('roundtrip', file)).read_back, true);
});

test('a used-up token is refused, by the SDK and in the page', async () => {
  const once = await createToken({ name: 'once', uses: 'one' });
  const first = await libtoz('register', server.url, once, 'once-client');
  addCredentials('once-client', first);
  const second = await libtoz('refused', server.url, once);
  assert.equal(second.refused, true);
  assert.equal(second.http_status, 403);
  await selectTab('Clients');
  await page.fill('#client-name', 'must-fail');
  await page.fill('#client-token', once);
  await click('#create-client-form button[type="submit"]');
  assert.match(await errorText(), /Registration refused.*used up/);
  assert.equal(await page.isVisible('#credentials-panel'), false);
  await page.fill('#client-token', '');
  await page.fill('#client-name', '');
  await selectTab('Tokens');
  await click('#tokens-refresh');
  assert.equal((await tokenRow('once').locator('td.status').textContent()).trim(), 'Used up');
});

test('an expired token is refused', async () => {
  const expires = await page.evaluate(() => {
    const d = new Date(Date.now() + 9000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  });
  const token = await createToken({ name: 'short-lived', uses: 'unlimited', expires });
  const ok = await libtoz('register', server.url, token, 'before-expiry');
  addCredentials('before-expiry', ok);
  const deadline = new Date(expires).getTime() + 1500;
  await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
  const refused = await libtoz('refused', server.url, token);
  assert.equal(refused.refused, true);
  assert.equal(refused.http_status, 403);
  await click('#tokens-refresh');
  assert.equal((await tokenRow('short-lived').locator('td.status').textContent()).trim(), 'Expired');
});

test('delete the token and see registration refused', async () => {
  await selectTab('Tokens');
  await click(tokenRow('fleet').getByRole('button', { name: 'Delete token fleet' }));
  await assertNoError();
  assert.equal(await tokenRow('fleet').count(), 0);
  const refused = await libtoz('refused', server.url, created.fleetToken);
  assert.equal(refused.refused, true, 'a deleted token registers nothing');
  assert.equal(refused.http_status, 403);
  await shot('05-tokens-after-delete.png');
});

test('log out, a wrong password is refused, log back in', async () => {
  await click('#logout');
  await page.locator('#auth-view').waitFor();
  assert.equal(await page.isVisible('#app-view'), false);
  await page.fill('#login-email', EMAIL);
  await page.fill('#login-password', WRONG_PASSWORD);
  await click('#login-form button[type="submit"]');
  assert.equal(await errorText(), 'Wrong e-mail or password.');
  await shot('06-wrong-password.png');

  await page.fill('#login-email', 'nobody@example.com');
  await page.fill('#login-password', PASSWORD);
  await click('#login-form button[type="submit"]');
  assert.equal(await errorText(), 'No account with this e-mail address.');

  await page.fill('#signup-email', EMAIL);
  await page.fill('#signup-password', PASSWORD);
  await page.fill('#signup-confirm', PASSWORD);
  await click('#signup-form button[type="submit"]');
  assert.match(await errorText(), /already exists/);

  await page.fill('#login-email', EMAIL);
  await page.fill('#login-password', PASSWORD);
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('#progress').waitFor({ state: 'visible' });
  await settled();
  await assertNoError();
  await page.locator('#app-view').waitFor();
  // The backup client decrypted at login is the one made at sign-up.
  const queenRow = await clientRow(created.queenId);
  await click(queenRow.getByRole('button', { name: /Show credentials/ }));
  assertSameCredentials(JSON.parse(await page.inputValue('#cred-json')), created.queen, 'queen after login');
  await click('#cred-close');
  for (const c of [created.web, created.sdk]) await clientRow(c.client_id);
});

function scanDatabase() {
  const files = ['', '-wal', '-shm'].map((s) => dbPath + s).filter((f) => fs.existsSync(f));
  const found = [];
  for (const f of files) {
    const bytes = fs.readFileSync(f);
    for (const [label, forms] of secrets) {
      if (forms.some((form) => form.length >= 8 && bytes.indexOf(form) !== -1)) found.push(`${label} in ${path.basename(f)}`);
    }
  }
  return { files, found };
}

test('no private key, password or secret is in the database (running server: db, WAL)', async () => {
  assert.ok(secrets.size >= 20, `collected ${secrets.size} secrets`);
  const { files, found } = scanDatabase();
  assert.ok(files.some((f) => f.endsWith('-wal')), 'the WAL file is scanned too');
  // Positive control: public keys are stored, so the scan does find them.
  const all = Buffer.concat(files.map((f) => fs.readFileSync(f)));
  assert.notEqual(all.indexOf(Buffer.from(created.web.public_key)), -1, 'control: a public key is found in the database');
  assert.deepEqual(found, []);
  const logs = Buffer.concat(server.logs);
  const inLogs = [...secrets].filter(([, forms]) => forms.some((f) => f.length >= 8 && logs.indexOf(f) !== -1)).map(([l]) => l);
  assert.deepEqual(inLogs, [], 'no secret in the server log');
});

test('server unreachable is reported in the page', async () => {
  await stopServer();
  await selectTab('Clients');
  await click('#clients-refresh');
  assert.match(await errorText(), /server is unreachable/);
  await shot('07-unreachable.png');
  assert.deepEqual(consoleProblems, [], 'no CSP violation or uncaught error in the page');
});

test('no secret is in the database after shutdown either', async () => {
  const { found } = scanDatabase();
  assert.deepEqual(found, []);
});
