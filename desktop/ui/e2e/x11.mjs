// The X side of the e2e: which of the app's windows is the main one,
// whether it is mapped, which window has the input focus. Xvfb runs no
// window manager, so these are read from (and changed on) the X server
// itself with xwininfo and xdotool.

import { execFileSync } from 'node:child_process';

const x = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' });

/** The top-level X windows of class `cls`: id (hex) and title. */
export function windowsOf(cls) {
  const tree = x('xwininfo', ['-root', '-tree']);
  const re = new RegExp(`(0x[0-9a-f]+) "([^"]*)": \\("${cls}" `, 'g');
  return [...tree.matchAll(re)].map((m) => ({ id: m[1], title: m[2] }));
}

/** The app's main window: the one whose title is the app's ("Tern", "(3) Tern"). */
export function mainWindow() {
  const w = windowsOf('tern-desktop').filter((w) => /^(\(\d+\) )?Tern$/.test(w.title));
  if (w.length !== 1) throw new Error(`expected one main window, found ${JSON.stringify(w)}`);
  return w[0].id;
}

/** `IsViewable`, `IsUnMapped` or `IsUnviewable`. */
export function mapState(id) {
  return /Map State: (\w+)/.exec(x('xwininfo', ['-id', id]))?.[1];
}

/** The window holding the X input focus, as a number. */
export function focusedWindow() {
  return Number(x('xdotool', ['getwindowfocus']).trim());
}

/** Gives the X input focus to `id` (hex) and waits until it has it. */
export function focus(id) {
  x('xdotool', ['windowfocus', '--sync', id]);
}

/** Unmaps `id`, as a window manager does when it minimizes a window. */
export function unmap(id) {
  x('xdotool', ['windowunmap', '--sync', id]);
}
