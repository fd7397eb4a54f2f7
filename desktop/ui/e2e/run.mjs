// End-to-end test of the real app window: tern-server (--demo) on a free
// port, the app under tauri-driver + WebKitWebDriver, driven over
// WebDriver. Run under a display (xvfb-run -a). Screenshots go to
// $TERN_E2E_SHOTS (default: <target>/e2e-shots).
//
//   node e2e/run.mjs   (CARGO_TARGET_DIR names the build with the binaries)

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { remote } from 'webdriverio';
import { citizen } from './citizen.mjs';
import { download } from './download.mjs';
import { upload } from './upload.mjs';
import { notices } from './notices.mjs';
import { scroll } from './scroll.mjs';

const root = resolve(import.meta.dirname, '../../..');
const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const appBin = join(target, 'debug', 'tern-desktop');
const serverBin = join(target, 'debug', 'tern-server');
const shots = process.env.TERN_E2E_SHOTS ?? join(target, 'e2e-shots');
const tmp = mkdtempSync(join(tmpdir(), 'tern-e2e-'));
mkdirSync(shots, { recursive: true });

const children = [];
let failed = false;

function log(...a) {
  console.log('[e2e]', ...a);
}

async function freePort() {
  return new Promise((ok, bad) => {
    const s = createServer();
    s.once('error', bad);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, f, secs = 30) {
  const end = Date.now() + secs * 1000;
  let last;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/** Starts a child in its own process group, so all of it can be stopped. */
function start(cmd, args, env = {}) {
  const p = spawn(cmd, args, { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout.on('data', (d) => process.env.TERN_E2E_VERBOSE && process.stdout.write(d));
  p.stderr.on('data', (d) => process.env.TERN_E2E_VERBOSE && process.stderr.write(d));
  children.push(p);
  return p;
}

function stopGroup(p) {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    p.once('exit', () => ok());
    try {
      process.kill(-p.pid, 'SIGTERM');
    } catch {
      ok();
    }
    setTimeout(() => {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {}
    }, 5000);
  });
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dataDir = join(tmp, 'server');

async function startServer() {
  const p = start(serverBin, ['serve', '--demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {
    TERN_AUTH_PER_IP_PER_MINUTE: '1000',
    TERN_LOG: 'warn',
  });
  await until('the server', async () => (await fetch(`${base}/healthz`)).ok);
  return p;
}

async function rest(method, path, token, body) {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

async function bodiesIn(token, roomId) {
  const page = await rest('GET', `/api/v1/rooms/${roomId}/events?limit=200`, token);
  return page.events.filter((e) => e.type === 'message').map((e) => e.content.body);
}

/** A solid-colour square PNG, `size` pixels a side. */
function png(size, [r, g, b]) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const head = Buffer.alloc(13);
  head.writeUInt32BE(size, 0);
  head.writeUInt32BE(size, 4);
  head[8] = 8; // bit depth
  head[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, Buffer.from([r, g, b]))]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', head), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

let server = await startServer();
log('server on', base);

// The second client: alice, over REST.
const alice = await rest('POST', '/api/v1/auth/login', null, { login: 'alice', password: 'tern-demo' });
const ws = (await rest('GET', '/api/v1/workspaces', alice.access_token)).workspaces.find((w) => w.slug === 'demo');
const general = (await rest('GET', `/api/v1/workspaces/${ws.id}/rooms`, alice.access_token)).rooms.find((r) => r.name === 'general');

// Bob on a second device (his phone), with an avatar; and in a second
// workspace, so that the switcher has two to show.
const phone = await rest('POST', '/api/v1/auth/login', null, { login: 'bob', password: 'tern-demo', device_name: "Bob's phone" });
{
  const r = await fetch(`${base}/api/v1/files?name=bob.png`, {
    method: 'POST',
    headers: { authorization: `Bearer ${phone.access_token}`, 'content-type': 'application/octet-stream' },
    body: png(96, [230, 120, 40]),
  });
  if (!r.ok) throw new Error(`avatar upload: ${r.status} ${await r.text()}`);
  await rest('PATCH', '/api/v1/users/me', phone.access_token, { avatar_file_id: (await r.json()).id });
}
const system = (await rest('GET', '/api/v1/workspaces', alice.access_token)).workspaces.find((w) => w.slug === 'system');
await rest('PUT', `/api/v1/workspaces/${system.id}/members/${phone.user_id}`, alice.access_token, { role: 'member' });
await rest('POST', `/api/v1/workspaces/${system.id}/rooms`, alice.access_token, {
  kind: 'channel',
  name: 'announcements',
  visibility: 'public',
  topic: 'News for everyone',
  members: [phone.user_id],
});

// A session bus of its own: the app's single-instance lock lives there.
const bus = start('dbus-daemon', ['--session', '--nofork', '--print-address=1']);
const busAddress = await new Promise((ok, bad) => {
  let out = '';
  bus.stdout.on('data', (d) => {
    out += d;
    if (out.includes('\n')) ok(out.split('\n')[0].trim());
  });
  bus.once('exit', () => bad(new Error('dbus-daemon exited')));
});

// On that bus, the recording notification server: what the app shows
// as notifications lands in noticesFile (see notices.mjs).
const noticesFile = join(tmp, 'notices.jsonl');
writeFileSync(noticesFile, '');
const noticeServer = start(join(target, 'debug', 'examples', 'notification_server'), [noticesFile], {
  DBUS_SESSION_BUS_ADDRESS: busAddress,
});
await new Promise((ok, bad) => {
  let out = '';
  noticeServer.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ready')) ok();
  });
  noticeServer.once('exit', () => bad(new Error('the notification server exited')));
});

// What the app hands to the desktop to open a file goes through xdg-open:
// a stand-in first on its PATH records the path (see download.mjs).
const openedFile = join(tmp, 'opened.txt');
writeFileSync(openedFile, '');
mkdirSync(join(tmp, 'bin'));
writeFileSync(join(tmp, 'bin', 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${openedFile}'\n`, { mode: 0o755 });

const xdg = {
  PATH: `${join(tmp, 'bin')}:${process.env.PATH}`,
  DBUS_SESSION_BUS_ADDRESS: busAddress,
  XDG_DATA_HOME: join(tmp, 'xdg-data'),
  XDG_CACHE_HOME: join(tmp, 'xdg-cache'),
  XDG_CONFIG_HOME: join(tmp, 'xdg-config'),
  LANG: 'en_US.UTF-8',
  LC_ALL: 'en_US.UTF-8',
};
const driverPort = await freePort();
const nativePort = await freePort();
const driver = start('tauri-driver', ['--port', String(driverPort), '--native-port', String(nativePort)], xdg);
await until('tauri-driver', async () => {
  const r = await fetch(`http://127.0.0.1:${driverPort}/status`).catch(() => null);
  return r !== null;
});

let browser;
const shot = async (name) => {
  await sleep(300);
  await browser.saveScreenshot(join(shots, `${name}.png`));
  log('screenshot', name);
};

try {
  browser = await remote({
    hostname: '127.0.0.1',
    port: driverPort,
    logLevel: 'warn',
    capabilities: {
      browserName: 'wry',
      'wdio:enforceWebDriverClassic': true,
      'tauri:options': { application: appBin },
    },
  });

  // Sign in as bob.
  const serverInput = await browser.$('#server-url');
  await serverInput.waitForDisplayed({ timeout: 30_000 });
  await shot('01-login');
  await serverInput.setValue(base);
  await browser.$('#login-name').setValue('bob');
  await browser.$('#password').setValue('tern-demo');
  await browser.$('#sign-in').click();

  // Read the demo room.
  await browser.$('button[data-room="general"]').waitForDisplayed({ timeout: 30_000 });
  await browser.$('button[data-room="general"]').click();
  await browser.$('.msg[data-body="Welcome to Tern! This is the general room."]').waitForDisplayed({ timeout: 30_000 });
  await until('online', async () => !(await browser.$('#connection-banner').isExisting()));
  await shot('02-room');
  log('read the demo room');

  // A message from another client arrives.
  const incoming = `Hello Bob, from Alice ${Date.now()}`;
  await rest('PUT', `/api/v1/rooms/${general.id}/messages/e2e-${Date.now()}`, alice.access_token, { body: incoming });
  await browser.$(`.msg[data-body="${incoming}"]`).waitForDisplayed({ timeout: 30_000 });
  log('received a message from alice');

  // Send one.
  const sent = `Hi Alice, this is Bob ${Date.now()}`;
  await browser.$('#composer').setValue(sent);
  await browser.keys('Enter');
  await browser.$(`.msg[data-body="${sent}"]`).waitForDisplayed({ timeout: 30_000 });
  await until('the sent message on the server', async () => (await bodiesIn(alice.access_token, general.id)).includes(sent));
  await until('the sent message confirmed', async () => !(await browser.$(`.msg.local[data-body="${sent}"]`).isExisting()));
  log('sent a message');

  // Settings, and the dark theme.
  await browser.$('#open-settings').click();
  await browser.$('#theme').waitForDisplayed();
  await shot('03-settings');
  await browser.execute(() => {
    const s = document.querySelector('#theme');
    s.value = 'dark';
    s.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await browser.$('#save-settings').click();
  await until('the dark theme', async () => (await browser.execute(() => document.documentElement.dataset.theme)) === 'dark');
  await shot('04-dark');

  // The switcher (Ctrl+K).
  await browser.keys(['Control', 'k']);
  await browser.$('#switcher').waitForDisplayed();
  await shot('05-switcher');
  await browser.keys('Escape');

  // Search over the local cache (Ctrl+F), results in context.
  await browser.keys(['Control', 'f']);
  await browser.$('#search').waitForDisplayed();
  await browser.$('#search').setValue('привет');
  await browser.$('#search-results mark').waitForDisplayed({ timeout: 10_000 });
  const hits = await browser.$$('#search-results li button').length;
  if (hits < 2) throw new Error(`search for привет found ${hits} messages`);
  await shot('06-search');
  await browser.keys('Escape');

  // The room directory and creation.
  await browser.$('#open-directory').click();
  await browser.$('#directory li').waitForDisplayed({ timeout: 10_000 });
  await shot('07-directory');
  await browser.keys('Escape');
  await until('overlays closed', async () => !(await browser.$('#directory').isExisting()));

  // The workspace switcher: names, and the room list narrowed to one.
  const pick = (value) =>
    browser.execute((v) => {
      const s = document.querySelector('#workspace-switcher');
      s.value = v;
      s.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  await browser.$('button[data-room="announcements"]').waitForDisplayed({ timeout: 30_000 });
  const names = await until('workspace names', async () => {
    const t = await browser.execute(() => [...document.querySelectorAll('#workspace-switcher option')].map((o) => o.textContent).join(' | '));
    return t.includes('Demo Company') && t.includes('Tern System') ? t : null;
  });
  log('workspaces:', names.replace(/\s+/g, ' '));
  await pick(system.id);
  await until('only the system workspace', async () =>
    !(await browser.$('button[data-room="general"]').isExisting()) && (await browser.$('button[data-room="announcements"]').isDisplayed()),
  );
  await shot('10-workspaces');
  await pick('');
  await browser.$('button[data-room="general"]').waitForDisplayed({ timeout: 10_000 });
  await browser.$('button[data-room="general"]').click();

  // Room info: topic, members, the notification level.
  await browser.$('#open-room-info').click();
  await browser.$('#room-members li[data-user="alice"]').waitForDisplayed({ timeout: 10_000 });
  await browser.$('#room-members li[data-user="carol"]').waitForDisplayed();
  await until('the notification level', async () => !(await browser.$('#room-notify').getAttribute('disabled')));
  await shot('11-room-info');
  await browser.keys('Escape');
  await until('room info closed', async () => !(await browser.$('#room-info').isExisting()));

  // Profile: the avatar set on the phone shows; the name changes on the server.
  await browser.$('#open-profile').click();
  await browser.$('#profile img.avatar').waitForDisplayed({ timeout: 20_000 });
  await until('the name in the form', async () => (await browser.$('#display-name').getValue()) === 'Bob Builder');
  await browser.$('#display-name').setValue('Bob the Builder');
  await browser.$('#save-profile').click();
  await browser.$('#profile-saved').waitForDisplayed({ timeout: 10_000 });
  await until('the new name on the server', async () => {
    const found = await rest('GET', '/api/v1/users?query=bob', alice.access_token);
    return found.users.some((u) => u.username === 'bob' && u.display_name === 'Bob the Builder');
  });
  await until('the new name in the sidebar', async () =>
    (await browser.execute(() => document.querySelector('#my-name')?.textContent?.trim())) === 'Bob the Builder',
  );
  await shot('12-profile');
  log('profile: avatar shown, name changed');

  // Devices: this one marked and not revocable; the phone signed out.
  await browser.$('#open-sessions').click();
  await until('two devices', async () => (await browser.$$('#sessions li').length) === 2);
  if (!(await browser.$('#sessions li[data-current="true"]').isExisting())) throw new Error('no current device marked');
  if (await browser.$('#sessions li[data-current="true"] button.revoke').isExisting()) throw new Error('the current device can be revoked');
  await shot('13-sessions');
  await browser.$('#sessions li[data-current="false"] button.revoke').click();
  await until('one device left', async () => (await browser.$$('#sessions li').length) === 1);
  const gone = await fetch(`${base}/api/v1/sessions`, { headers: { authorization: `Bearer ${phone.access_token}` } });
  if (gone.status !== 401) throw new Error(`the revoked phone still answers ${gone.status}`);
  await browser.keys('Escape');
  log('sessions: the phone signed out');

  // A direct message: find carol by name, open the room with her.
  await browser.$('#open-dm').click();
  await browser.$('#dm-search').setValue('car');
  await browser.$('#dm-results button[data-user="carol"]').waitForDisplayed({ timeout: 10_000 });
  await shot('14-new-dm');
  await browser.$('#dm-results button[data-user="carol"]').click();
  await until('the direct room open', async () => {
    const title = await browser.$('#room-title').getText();
    return title.includes('Кэрол') ? title : null;
  });
  await browser.$('#composer').setValue('Hi Carol, a direct message');
  await browser.keys('Enter');
  await browser.$('.msg[data-body="Hi Carol, a direct message"]').waitForDisplayed({ timeout: 10_000 });
  await shot('15-direct-room');
  log('direct room with carol');

  // Offline: the server goes away.
  await stopGroup(server);
  await browser.$('#connection-banner').waitForDisplayed({ timeout: 60_000 });
  log('offline banner shown');
  // Everything read so far still reads: open the room again from the cache.
  await browser.$('button[data-room="general"]').click();
  await browser.$('.msg[data-body="Welcome to Tern! This is the general room."]').waitForDisplayed({ timeout: 10_000 });
  await browser.$(`.msg[data-body="${incoming}"]`).waitForDisplayed({ timeout: 10_000 });
  const queued = `Queued while offline ${Date.now()}`;
  await browser.$('#composer').setValue(queued);
  await browser.keys('Enter');
  await browser.$(`.msg.local[data-body="${queued}"]`).waitForDisplayed({ timeout: 10_000 });
  const count = await until('the queue count', async () => {
    const el = await browser.$('#queued-count');
    return (await el.isExisting()) ? await el.getText() : null;
  });
  if (!count.startsWith('1 ')) throw new Error(`queue count shows ${count}`);
  await shot('08-offline');
  log('offline: read from the cache, queued one:', count);

  // Back online: the queued message goes out exactly once.
  server = await startServer();
  await until('the banner gone', async () => !(await browser.$('#connection-banner').isExisting()), 90);
  await until('the queued message delivered', async () => !(await browser.$(`.msg.local[data-body="${queued}"]`).isExisting()), 60);
  const bodies = await until('the queued message on the server', async () => {
    const b = await bodiesIn(alice.access_token, general.id);
    return b.includes(queued) ? b : null;
  });
  const n = bodies.filter((b) => b === queued).length;
  if (n !== 1) throw new Error(`the queued message is on the server ${n} times`);
  await sleep(1500);
  const again = (await bodiesIn(alice.access_token, general.id)).filter((b) => b === queued).length;
  if (again !== 1) throw new Error(`the queued message is on the server ${again} times`);
  await shot('09-back-online');
  log('queued message delivered once');

  const ctx = { browser, driver, rest, base, alice, ws, general, until, sleep, log, shots, appBin, xdg, driverPort, target, tmp, start, stopGroup, freePort, noticesFile, openedFile };
  try {
    await citizen(ctx);
  } finally {
    browser = ctx.browser;
  }
  await notices(ctx);
  await download(ctx);
  await upload(ctx);
  await scroll(ctx);
} catch (e) {
  failed = true;
  console.error('[e2e] FAILED:', e);
  if (browser) await browser.saveScreenshot(join(shots, 'failure.png')).catch(() => {});
} finally {
  if (browser) await browser.deleteSession().catch(() => {});
  for (const c of children.reverse()) await stopGroup(c);
  void driver;
  rmSync(tmp, { recursive: true, force: true });
}

log(failed ? 'FAILED' : `passed; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
