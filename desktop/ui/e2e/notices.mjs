// Notifications actually shown, end to end (called from run.mjs with bob
// signed in, the server up, and the recording notification server
// (examples/notification_server.rs) owning org.freedesktop.Notifications
// on the app's session bus): the app's notices travel over D-Bus as on a
// desktop, and the recording tells what was shown.
// - while the window has the focus nothing is shown;
// - with the focus on another window, a direct message and a mention are
//   shown (sender, room, text), a plain channel message is not (mentions
//   is where a channel starts);
// - a room set to None in room info shows nothing, not even a mention.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { focus, focusedWindow, mainWindow, windowsOf } from './x11.mjs';

export async function notices(ctx) {
  const { browser, rest, alice, ws, general, until, log, noticesFile, shots } = ctx;
  const shown = () =>
    readFileSync(noticesFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const has = (body) => shown().find((n) => n.body === body);
  const bob = await rest('POST', '/api/v1/auth/login', null, { login: 'bob', password: 'tern-demo' });
  const dm = await rest('POST', `/api/v1/workspaces/${ws.id}/direct`, alice.access_token, { user_id: bob.user_id });
  let n = 0;
  const say = async (room, body) => {
    await rest('PUT', `/api/v1/rooms/${room}/messages/e2e-notice-${Date.now()}-${n++}`, alice.access_token, { body });
  };
  const stamp = Date.now();
  const text = (s) => `${s} ${stamp}`;
  const setLevel = async (level) => {
    await browser.$('button[data-room="general"]').click();
    await browser.$('#open-room-info').click();
    await until('the notification level', async () => !(await browser.$('#room-notify').getAttribute('disabled')));
    await browser.execute((v) => {
      const s = document.querySelector('#room-notify');
      s.value = v;
      s.dispatchEvent(new Event('change', { bubbles: true }));
    }, level);
    await until(`general at ${level} on the server`, async () => {
      const sync = await rest('POST', '/api/v1/sync', bob.access_token, {});
      return sync.rooms[general.id].membership.notify === level;
    });
    await browser.keys('Escape');
    await until('room info closed', async () => !(await browser.$('#room-info').isExisting()));
  };

  // The window has the focus: a direct message shows in it, no notice.
  const win = mainWindow();
  focus(win);
  await browser.keys(['Control', 'k']);
  await browser.$('#switcher').waitForDisplayed();
  await browser.$('#switcher').setValue('ali');
  await browser.keys('Enter');
  await until('the switcher closed', async () => !(await browser.$('#switcher').isExisting()));
  await say(dm.id, text('seen in the window'));
  // The app decides on a notice before the window hears of the message.
  await browser.$(`.msg[data-body="${text('seen in the window')}"]`).waitForDisplayed({ timeout: 30_000 });
  if (focusedWindow() !== Number(win)) throw new Error('the app lost the focus');

  // Another window takes the focus, as another app would.
  const other = spawn('xmessage', ['-geometry', '+900+650', 'another app'], { stdio: 'ignore', detached: true });
  try {
    const otherWin = await until('the other window', async () => windowsOf('xmessage')[0]?.id);
    focus(otherWin);
    if (focusedWindow() === Number(win)) throw new Error('the app kept the focus');

    await say(general.id, text('a plain channel message'));
    await say(general.id, text('@bob a mention'));
    await say(dm.id, text('a direct message'));
    const d = await until('the direct message shown', async () => has(text('a direct message')), 30);
    const m = await until('the mention shown', async () => has(text('@bob a mention')), 30);
    if (d.summary !== 'Alice Liddell') throw new Error(`the direct message was shown as ${JSON.stringify(d)}`);
    if (m.summary !== 'Alice Liddell · general') throw new Error(`the mention was shown as ${JSON.stringify(m)}`);
    if (has(text('a plain channel message'))) throw new Error('a plain channel message was shown');
    if (has(text('seen in the window'))) throw new Error('a message was shown while the window had the focus');
    log('shown over D-Bus:', JSON.stringify(d), JSON.stringify(m));

    // General at None (room info): nothing from it, not even a mention.
    await setLevel('none');
    focus(otherWin);
    await say(general.id, text('@bob a mention at none'));
    await say(dm.id, text('a direct message after none'));
    await until('the later direct message shown', async () => has(text('a direct message after none')), 30);
    if (has(text('@bob a mention at none'))) throw new Error('a room at None showed a mention');
    await browser.saveScreenshot(`${shots}/21-notices.png`);
    await setLevel('mentions');
    log('notices: none while focused, a direct message and a mention shown, nothing from a room at None');
  } finally {
    try {
      process.kill(-other.pid, 'SIGTERM');
    } catch {}
    focus(win);
  }
}
