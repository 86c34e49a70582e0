// The Dashboard's user interface. Everything from the server is put in the page with textContent
// (never innerHTML): client and token names are chosen by whoever holds a registration token.

import * as toz from './toz.js';
import * as account from './account.js';

const $ = (id) => document.getElementById(id);
let session = null;
let busy = false;
let shownCredentials = null; // { name, json } of the credentials panel

// --- feedback -------------------------------------------------------------------------------

function showError(e) {
  const box = $('error');
  box.textContent = e instanceof Error ? e.message : String(e);
  box.hidden = false;
  if (session && session.expired) logOut('Your session has expired: log in again.');
}

function clearMessages() {
  $('error').hidden = true;
  $('error').textContent = '';
  $('notice').hidden = true;
}

function notice(text) {
  $('notice').textContent = text;
  $('notice').hidden = false;
}

function progress(text) {
  $('progress-text').textContent = text;
  $('progress').hidden = !text;
}

/** Runs an action with the page marked busy, its errors shown in the page. */
async function run(action, form) {
  if (busy) return;
  busy = true;
  clearMessages();
  const buttons = document.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  document.body.setAttribute('aria-busy', 'true');
  try {
    await action();
  } catch (e) {
    if (e && e.credentials) showCredentials('Credentials to save', e.credentials, 'Keep these: they are not backed up.');
    showError(e);
    if (form) form.querySelector('input')?.focus();
  } finally {
    progress('');
    buttons.forEach((b) => { b.disabled = false; });
    document.body.removeAttribute('aria-busy');
    busy = false;
  }
}

// --- views ----------------------------------------------------------------------------------

function showAuth() {
  $('app-view').hidden = true;
  $('whoami').hidden = true;
  $('auth-view').hidden = false;
}

async function showApp() {
  $('auth-view').hidden = true;
  $('app-view').hidden = false;
  $('whoami').hidden = false;
  $('who-email').textContent = session.email;
  selectTab('tab-clients');
  await Promise.all([refreshClients(), refreshTokens()]);
}

function logOut(message) {
  session = null;
  hideCredentials();
  $('new-token-panel').hidden = true;
  $('new-token-value').value = '';
  $('clients-table').tBodies[0].replaceChildren();
  $('tokens-table').tBodies[0].replaceChildren();
  for (const f of ['login-form', 'signup-form']) $(f).reset();
  showAuth();
  if (message) notice(message);
  $('login-email').focus();
}

function selectTab(id) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const on = tab.id === id;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !on;
  }
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function formatTime(text) {
  if (!text) return '—';
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? text : d.toLocaleString();
}

// --- credentials panel ----------------------------------------------------------------------

function showCredentials(title, creds, note) {
  const json = toz.credentialsJson(creds);
  shownCredentials = { json };
  $('cred-title').textContent = title;
  $('cred-note').textContent = note;
  $('cred-json').value = json;
  $('credentials-panel').hidden = false;
}

function hideCredentials() {
  shownCredentials = null;
  $('cred-json').value = '';
  $('credentials-panel').hidden = true;
}

async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    field.focus();
    field.select();
    if (!document.execCommand('copy')) throw new Error('Copying failed: select the text and copy it by hand.');
  }
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text + '\n'], { type: 'application/json' }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// --- clients --------------------------------------------------------------------------------

async function refreshClients() {
  const clients = await account.listClients(session);
  const body = $('clients-table').tBodies[0];
  const rows = clients.map((c) => {
    const isQueen = c.client_id === session.queen.id;
    const actions = el('div', { class: 'actions' });
    if (isQueen) {
      actions.append(el('button', {
        type: 'button', 'aria-label': `Show credentials of ${c.name}`,
        onclick: () => run(async () => {
          showCredentials(`Credentials of ${c.name}`, session.queen.creds,
            "The account backup client: it can recover every backed-up client. Stored encrypted with your password's key.");
        }),
      }, 'Show credentials'));
    } else {
      actions.append(el('button', {
        type: 'button', 'aria-label': `${c.enabled ? 'Disable' : 'Enable'} ${c.name}`,
        onclick: () => run(async () => {
          await account.setClientEnabled(session, c.client_id, !c.enabled);
          await refreshClients();
          notice(`Client ${c.name} ${c.enabled ? 'disabled' : 'enabled'}.`);
        }),
      }, c.enabled ? 'Disable' : 'Enable'));
      if (c.has_backup) {
        actions.append(el('button', {
          type: 'button', 'aria-label': `Recover credentials of ${c.name}`,
          onclick: () => run(async () => {
            progress(`Recovering the credentials of ${c.name}…`);
            const creds = await account.recoverClient(session, c.client_id);
            showCredentials(`Recovered credentials of ${c.name}`, creds, 'Decrypted in this browser from the encrypted backup.');
          }),
        }, 'Recover credentials'));
      }
    }
    const yes = (b, good, bad) => el('span', { class: b ? 'good' : 'bad' }, b ? good : bad);
    return el('tr', { 'data-client-id': c.client_id },
      el('td', {}, c.name, ...(isQueen ? [el('span', { class: 'tag' }, 'account backup client')] : [])),
      el('td', {}, el('code', {}, c.client_id)),
      el('td', {}, c.type || 'general'),
      el('td', {}, formatTime(c.created)),
      el('td', {}, isQueen ? el('span', {}, 'in account') : yes(c.has_backup, 'Yes', 'No')),
      el('td', {}, yes(c.enabled, 'Yes', 'No')),
      el('td', {}, actions));
  });
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '7', class: 'empty' }, 'No clients yet.')));
  body.replaceChildren(...rows);
}

// --- tokens ---------------------------------------------------------------------------------

function tokenStatus(t) {
  if (!t.permissions.enabled) return ['Disabled', 'bad'];
  if (t.expires_at && new Date(t.expires_at).getTime() <= Date.now()) return ['Expired', 'bad'];
  if (t.total_uses_allowed > 0 && t.uses >= t.total_uses_allowed) return ['Used up', 'bad'];
  return ['Active', 'good'];
}

async function refreshTokens() {
  const tokens = await account.listTokens(session);
  const rows = tokens.map((t) => {
    const [status, cls] = tokenStatus(t);
    const uses = t.total_uses_allowed > 0 ? `${t.uses} of ${t.total_uses_allowed}` : `${t.uses} (unlimited)`;
    const types = t.permissions.allowed_types.length ? t.permissions.allowed_types.join(', ') : 'any';
    return el('tr', { 'data-token-id': t.id },
      el('td', {}, t.name || '(unnamed)'),
      el('td', {}, el('code', {}, t.id)),
      el('td', { class: 'uses' }, uses),
      el('td', {}, t.expires_at ? formatTime(t.expires_at) : 'never'),
      el('td', {}, types),
      el('td', { class: 'status' }, el('span', { class: cls }, status)),
      el('td', {}, el('button', {
        type: 'button', class: 'danger', 'aria-label': `Delete token ${t.name || t.id}`,
        onclick: () => run(async () => {
          await account.deleteToken(session, t.id);
          await refreshTokens();
          notice(`Token ${t.name || t.id} deleted: it can no longer register clients.`);
        }),
      }, 'Delete')));
  });
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '7', class: 'empty' }, 'No registration tokens.')));
  $('tokens-table').tBodies[0].replaceChildren(...rows);
}

// --- wiring ---------------------------------------------------------------------------------

function wire() {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = ev.target;
    run(async () => {
      const email = f.email.value.trim().toLowerCase();
      const password = f.password.value;
      if (!email || !password) throw new Error('Enter your e-mail and password.');
      session = await account.logIn(email, password, progress);
      f.reset();
      await showApp();
      notice(`Logged in as ${session.email}.`);
    }, f);
  });

  $('signup-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = ev.target;
    run(async () => {
      const email = f.email.value.trim().toLowerCase();
      const password = f.password.value;
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new Error('Enter a valid e-mail address.');
      if (password.length < 10) throw new Error('The password must be at least 10 characters long.');
      if (password !== f.confirm.value) throw new Error('The two passwords differ.');
      try {
        session = await account.signUp(email, password, progress);
      } catch (e) {
        if (!e.session) throw e;
        // The account exists but its encrypted backup client was not stored: show its
        // credentials so the user can keep them.
        session = e.session;
        f.reset();
        await showApp();
        throw e;
      }
      f.reset();
      await showApp();
      notice(`Account ${session.email} created. Its backup client is stored encrypted with your password.`);
    }, f);
  });

  $('logout').addEventListener('click', () => logOut('Logged out.'));

  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener('click', () => selectTab(tab.id));
    tab.addEventListener('keydown', (ev) => {
      const tabs = [...document.querySelectorAll('[role="tab"]')];
      const i = tabs.indexOf(tab);
      const next = ev.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length]
        : ev.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : null;
      if (next) {
        ev.preventDefault();
        selectTab(next.id);
        next.focus();
      }
    });
  }

  $('create-client-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = ev.target;
    run(async () => {
      const name = f.name.value.trim();
      if (!name) throw new Error('Enter a name for the client.');
      hideCredentials();
      const creds = await account.createClient(session, name, f.token.value.trim(), progress);
      f.reset();
      showCredentials(`Credentials of ${name}`, creds,
        'Save these now (Copy or Download). An encrypted backup was stored for the account backup client.');
      $('cred-download').focus();
      await Promise.all([refreshClients(), refreshTokens()]);
      notice(`Client ${name} created (${creds.client_id}) and backed up.`);
    }, f);
  });

  $('cred-copy').addEventListener('click', () => run(async () => {
    await copyText(shownCredentials.json, $('cred-json'));
    notice('Credentials copied to the clipboard.');
  }));
  $('cred-download').addEventListener('click', () => run(async () => {
    download('e3db.json', shownCredentials.json);
  }));
  $('cred-close').addEventListener('click', hideCredentials);

  $('create-token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = ev.target;
    run(async () => {
      const name = f.name.value.trim();
      if (!name) throw new Error('Enter a name for the token.');
      const uses = f.uses.value;
      const count = Number(f.count.value);
      if (uses === 'limited' && !(Number.isInteger(count) && count >= 1)) throw new Error('The number of uses must be a whole number of at least 1.');
      let expiresAt = null;
      if (f.expires.value) {
        expiresAt = new Date(f.expires.value);
        if (Number.isNaN(expiresAt.getTime())) throw new Error('The expiry is not a valid date and time.');
        if (expiresAt.getTime() <= Date.now()) throw new Error('The expiry must be in the future.');
      }
      const allowedTypes = [...f.querySelectorAll('input[name="types"]:checked')].map((i) => i.value);
      if (allowedTypes.length === 0) throw new Error('Allow at least one client type.');
      const t = await account.createToken(session, { name, uses, count, expiresAt, allowedTypes });
      f.reset();
      $('new-token-value').value = t.token;
      $('new-token-panel').hidden = false;
      $('new-token-copy').focus();
      await refreshTokens();
      notice(`Token ${name} created.`);
    }, f);
  });
  $('new-token-copy').addEventListener('click', () => run(async () => {
    await copyText($('new-token-value').value, $('new-token-value'));
    notice('Token copied to the clipboard.');
  }));
  $('new-token-close').addEventListener('click', () => {
    $('new-token-value').value = '';
    $('new-token-panel').hidden = true;
  });

  $('clients-refresh').addEventListener('click', () => run(refreshClients));
  $('tokens-refresh').addEventListener('click', () => run(refreshTokens));
}

async function start() {
  wire();
  try {
    await toz.ready;
  } catch (e) {
    $('loading').textContent = '';
    showError(new Error(`The cryptography library failed to load: ${e.message}`));
    return;
  }
  $('loading').hidden = true;
  document.documentElement.dataset.ready = 'true';
  showAuth();
}

start();
