// The desktop citizen, end to end, in the real window (called from
// run.mjs with bob signed in and the server up):
// - the window title (the page's and the X window's) carries the unread
//   count when another client writes, and drops it once read;
// - keys: Ctrl+K switches rooms, Ctrl+F searches, Esc closes and cancels,
//   Up in an empty composer edits the last own message;
// - the window's size and position survive a restart;
// - a second launch on the same profile exits and brings the first
//   window forward (mapped again and focused, read off the X server).

import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { focusedWindow, mainWindow, mapState, unmap } from './x11.mjs';

/** The names of the app's top-level X windows. */
export function nativeTitles() {
  const tree = execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8' });
  return [...tree.matchAll(/0x[0-9a-f]+ "([^"]*)": \("tern-desktop" /g)].map((m) => m[1]);
}

/** A WebDriver session on the app (a new app process each time). */
export function session(driverPort, appBin) {
  return remote({
    hostname: '127.0.0.1',
    port: driverPort,
    logLevel: 'warn',
    capabilities: {
      browserName: 'wry',
      'wdio:enforceWebDriverClassic': true,
      'tauri:options': { application: appBin },
    },
  });
}

/** The processes running `bin`. */
function pidsOf(bin) {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().match(/^(\d+) (.*)$/))
    .filter((m) => m && m[2].startsWith(bin))
    .map((m) => Number(m[1]));
}

/** Waits until no process runs `bin` any more. */
async function gone(bin, until) {
  await until(`${bin} to exit`, async () => pidsOf(bin).length === 0, 30);
}

export async function citizen(ctx) {
  const { rest, base, alice, ws, general, until, sleep, log, shots, appBin, xdg, driverPort } = ctx;
  let browser = ctx.browser;
  const shot = async (name) => {
    await sleep(300);
    await browser.saveScreenshot(join(shots, `${name}.png`));
    log('screenshot', name);
  };
  const title = () => browser.getTitle();

  // 1. The unread count in the window title.
  await until('the title without unread', async () => (await title()) === 'Tern');
  const bob = await rest('POST', '/api/v1/auth/login', null, { login: 'bob', password: 'tern-demo' });
  const dm = await rest('POST', `/api/v1/workspaces/${ws.id}/direct`, alice.access_token, { user_id: bob.user_id });
  await rest('PUT', `/api/v1/rooms/${dm.id}/messages/e2e-dm-${Date.now()}`, alice.access_token, {
    body: 'Bob, are you free at ten?',
  });
  await until('(1) in the page title', async () => (await title()) === '(1) Tern');
  await until('(1) in the X window title', async () => nativeTitles().includes('(1) Tern'));
  await shot('10-unread-title');
  log('title shows the unread count:', nativeTitles());

  // 2. Ctrl+K opens the direct room by name; reading it clears the count.
  await browser.keys(['Control', 'k']);
  await browser.$('#switcher').waitForDisplayed();
  await browser.$('#switcher').setValue('ali');
  await browser.keys('Enter');
  await until('the switcher closed', async () => !(await browser.$('#switcher').isExisting()));
  await browser.$('.msg[data-body="Bob, are you free at ten?"]').waitForDisplayed({ timeout: 10_000 });
  await until('the page title cleared', async () => (await title()) === 'Tern');
  await until('the X window title cleared', async () => nativeTitles().includes('Tern') && !nativeTitles().includes('(1) Tern'));
  log('switched to the direct room with Ctrl+K; the title cleared');

  // 3. Up in the empty composer edits the last own message; Esc cancels.
  const first = `Yes, at ten ${Date.now()}`;
  await browser.$('#composer').click();
  await browser.$('#composer').setValue(first);
  await browser.keys('Enter');
  await until('the reply confirmed', async () => {
    const m = await browser.$(`.msg[data-body="${first}"]`);
    return (await m.isExisting()) && !(await m.getAttribute('class')).split(' ').includes('local');
  });
  await browser.keys('ArrowUp');
  await until('the composer holds the last message', async () => (await browser.$('#composer').getValue()) === first);
  await browser.$('.composer .context').waitForDisplayed();
  await shot('11-editing');
  await browser.keys('Escape');
  await until('editing cancelled', async () => !(await browser.$('.composer .context').isExisting()));
  if ((await browser.$('#composer').getValue()) !== '') throw new Error('Esc left the edited text in the composer');
  await browser.keys('ArrowUp');
  await until('editing again', async () => (await browser.$('#composer').getValue()) === first);
  const edited = `Yes, at eleven ${Date.now()}`;
  await browser.$('#composer').setValue(edited);
  await browser.keys('Enter');
  await browser.$(`.msg[data-body="${edited}"] .edited`).waitForDisplayed({ timeout: 20_000 });
  await until('the edit on the server', async () => {
    const page = await rest('GET', `/api/v1/rooms/${dm.id}/events?limit=50`, alice.access_token);
    return page.events.some((e) => e.type === 'edit' || JSON.stringify(e.content).includes(edited));
  });
  log('Up edited the last message, Esc cancelled an edit');

  // 4. Ctrl+F opens search, Esc closes it; Ctrl+K likewise.
  await browser.keys(['Control', 'f']);
  await browser.$('#search').waitForDisplayed();
  await browser.keys('Escape');
  await until('search closed', async () => !(await browser.$('#search').isExisting()));
  await browser.keys(['Control', 'k']);
  await browser.$('#switcher').waitForDisplayed();
  await browser.keys('Escape');
  await until('switcher closed', async () => !(await browser.$('#switcher').isExisting()));
  log('Ctrl+F, Ctrl+K and Esc');

  // 5. Size and position survive a restart.
  const want = { x: 120, y: 60, width: 940, height: 640 };
  await browser.setWindowRect(want.x, want.y, want.width, want.height);
  await until('the window moved and resized', async () => {
    const r = await browser.getWindowRect();
    return r.width === want.width && r.height === want.height && r.x === want.x && r.y === want.y;
  });
  await shot('12-resized');
  // Quit the app as the desktop session does when it ends: SIGTERM.
  // (Ending the WebDriver session kills it outright, saving nothing.)
  for (const pid of pidsOf(appBin)) process.kill(pid, 'SIGTERM');
  await gone(appBin, until);
  await browser.deleteSession().catch(() => {});
  browser = await session(driverPort, appBin);
  ctx.browser = browser;
  await browser.$('button[data-room="general"]').waitForDisplayed({ timeout: 30_000 });
  const got = await browser.getWindowRect();
  if (got.width !== want.width || got.height !== want.height || got.x !== want.x || got.y !== want.y) {
    throw new Error(`the window came back at ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
  }
  log('size and position remembered:', got);

  // 6. A second launch on the same profile (and session bus) exits at
  // once with 0, which the single-instance plugin does only after the
  // first instance accepted the call, and the first window comes forward.
  // Xvfb has no window manager, so the window is minimized the way one
  // does it (unmapped, focus elsewhere) and the X server tells whether the
  // window came back: mapped and viewable again, with the input focus.
  const win = mainWindow();
  unmap(win);
  await sleep(1000);
  if (mapState(win) !== 'IsUnMapped') throw new Error(`the window did not stay minimized: ${mapState(win)}`);
  if (focusedWindow() === Number(win)) throw new Error('the minimized window kept the focus');
  const second = spawn(appBin, [], { env: { ...process.env, ...xdg }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  second.stdout.on('data', (d) => (out += d));
  second.stderr.on('data', (d) => (out += d));
  const code = await new Promise((ok) => {
    const timer = setTimeout(() => {
      second.kill('SIGKILL');
      ok('still running after 20 s');
    }, 20_000);
    second.once('exit', (c, sig) => {
      clearTimeout(timer);
      ok(sig ?? c);
    });
  });
  if (code !== 0) throw new Error(`the second launch did not exit cleanly (${code}): ${out}`);
  if (pidsOf(appBin).length !== 1) throw new Error(`${pidsOf(appBin).length} instances run after a second launch`);
  await until('the window mapped again', async () => mapState(win) === 'IsViewable', 10);
  await until('the window focused', async () => focusedWindow() === Number(win), 10);
  if (mainWindow() !== win) throw new Error('a new window came up instead of the first');
  await browser.$('button[data-room="general"]').waitForDisplayed();
  await shot('20-brought-forward');
  log('a second launch handed over to the first instance, whose window came back and took the focus');
  void base;
  void general;
  return browser;
}
