// A download with its progress, in the real window (called from run.mjs
// with bob signed in and the server up). Alice posts an 8 MiB file in
// general; bob opens it. The page records every state of the file's
// progress bar as the DOM changes (a MutationObserver: the download from
// a local server takes well under a second, too quick to poll), the
// opener hands the cached file to `xdg-open` (a recording stand-in on the
// app's PATH, see run.mjs), and the file it got must be the one sent,
// byte for byte, in the app's file cache. Opening it again needs no download.

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export async function download(ctx) {
  const { browser, base, alice, general, rest, until, log, openedFile, xdg, shots } = ctx;
  const size = 8 << 20;
  const bytes = randomBytes(size);
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  const r = await fetch(`${base}/api/v1/files?name=quarterly-report.bin`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.access_token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (!r.ok) throw new Error(`upload: ${r.status} ${await r.text()}`);
  const file = await r.json();
  const body = `The quarterly report ${Date.now()}`;
  await rest('PUT', `/api/v1/rooms/${general.id}/messages/e2e-file-${Date.now()}`, alice.access_token, {
    body,
    kind: 'file',
    attachments: [file.id],
  });

  await browser.$('button[data-room="general"]').click();
  const msg = `.msg[data-body="${body}"]`;
  await browser.$(`${msg} .file button.link`).waitForDisplayed({ timeout: 30_000 });
  const opened = () =>
    readFileSync(openedFile, 'utf8')
      .split('\n')
      .filter(Boolean);
  const openedBefore = opened().length;

  // Record the progress bar's every state from here on.
  await browser.execute((sel) => {
    const el = document.querySelector(sel);
    const seen = [];
    window.__progress = seen;
    const look = () => {
      const bar = el.querySelector('progress.bar');
      const label = el.querySelector('.progress')?.textContent ?? null;
      const state = bar ? { value: bar.hasAttribute('value') ? bar.value : null, max: bar.max, label } : null;
      const last = seen[seen.length - 1];
      if (JSON.stringify(state) !== JSON.stringify(last === undefined ? undefined : last)) seen.push(state);
    };
    new MutationObserver(look).observe(el, { subtree: true, childList: true, attributes: true, characterData: true });
    look();
  }, msg);
  await browser.$(`${msg} .file button.link`).click();

  const path = await until('the file handed to the opener', async () => opened()[openedBefore], 60);
  const got = readFileSync(path);
  if (got.length !== size || sha(got) !== sha(bytes)) throw new Error(`the opened file (${path}, ${got.length} bytes) is not the one sent`);
  // The file cache keeps a file under its content's hash, in the profile.
  if (!path.startsWith(xdg.XDG_DATA_HOME) || basename(path) !== sha(bytes)) {
    throw new Error(`the opened file is not in the app's file cache: ${path}`);
  }
  await until('the progress bar gone', async () => !(await browser.$(`${msg} progress.bar`).isExisting()), 10);
  await browser.$(`${msg} .file button.link`).waitForDisplayed();
  const seen = await browser.execute(() => window.__progress);
  const bars = seen.filter((s) => s !== null);
  const partial = bars.filter((s) => s.value !== null && s.value > 0 && s.value < 100);
  log(`download progress seen: ${bars.length} states, e.g. ${JSON.stringify(partial.slice(0, 3))}`);
  if (seen[0] !== null) throw new Error(`a progress bar before the download: ${JSON.stringify(seen[0])}`);
  if (partial.length === 0) throw new Error(`no progress between 0 and 100 was shown: ${JSON.stringify(seen)}`);
  const plain = (t) => t?.replace(/[\u2068\u2069]/g, '').trim();
  if (!partial.every((s) => s.max === 100 && plain(s.label) === `Downloading ${s.value}%`)) {
    throw new Error(`the bar and its label disagree: ${JSON.stringify(partial)}`);
  }
  if (seen[seen.length - 1] !== null) throw new Error('the progress bar stayed');
  const values = partial.map((s) => s.value);
  if (values.some((v, i) => i > 0 && v < values[i - 1])) throw new Error(`the progress went back: ${values}`);

  // Cached: opening again hands over the same file with no download.
  await browser.execute(() => (window.__progress.length = 0));
  await browser.$(`${msg} .file button.link`).click();
  const again = await until('opened again', async () => opened()[openedBefore + 1], 20);
  if (again !== path) throw new Error(`opened again from ${again}, not ${path}`);
  const after = await browser.execute(() => window.__progress.filter((s) => s !== null).length);
  if (after !== 0) throw new Error('opening a cached file downloaded it again');
  await browser.saveScreenshot(`${shots}/22-downloaded.png`);
  log(`downloaded ${size} bytes with progress; the cached file opened again at once`);
}
