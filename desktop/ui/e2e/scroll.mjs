// Scrolling a long history in the real window (called from run.mjs with
// the server up). A profile of its own is filled with TERN_E2E_HISTORY
// (default 100,000) messages in one room by the seed_history example
// (client-core's import path), the app opens it, and the page scrolls the
// timeline up by a fixed step every animation frame, the way a fast
// wheel or a held key would, while it records every frame's time and the
// number of rows in the DOM. Figures go to <shots>/scroll.json. Then a
// search hit deep in the history opens in context and the reader scrolls
// down from it, with the timeline's window bounded all the way.
// TERN_E2E_HISTORY, TERN_E2E_SCROLL_SECS and TERN_E2E_SCROLL_STEP (pixels
// a frame, default 120) change the run.

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { session } from './citizen.mjs';

const run = promisify(execFile);

/** The q-quantile of sorted numbers. */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function scroll(ctx) {
  const { rest, alice, ws, until, sleep, log, shots, appBin, target, tmp, start, stopGroup, freePort, xdg, base } = ctx;
  const count = Number(process.env.TERN_E2E_HISTORY ?? 100_000);
  const seconds = Number(process.env.TERN_E2E_SCROLL_SECS ?? 15);

  // The room, on the server; its log continues in the profile.
  const bob = await rest('POST', '/api/v1/auth/login', null, { login: 'bob', password: 'tern-demo' });
  const room = await rest('POST', `/api/v1/workspaces/${ws.id}/rooms`, alice.access_token, {
    kind: 'channel',
    name: 'history',
    visibility: 'public',
    members: [bob.user_id],
  });
  const { last_seq: lastSeq } = await rest('GET', `/api/v1/rooms/${room.id}`, alice.access_token);
  const env = {
    ...xdg,
    XDG_DATA_HOME: join(tmp, 'history-data'),
    XDG_CACHE_HOME: join(tmp, 'history-cache'),
    XDG_CONFIG_HOME: join(tmp, 'history-config'),
  };
  const t0 = Date.now();
  const seeded = await run(
    join(target, 'debug', 'examples', 'seed_history'),
    [base, 'bob', 'tern-demo', room.id, String(lastSeq + 1), String(count)],
    { env: { ...process.env, ...env } },
  );
  log(`seeded ${count} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s:`, seeded.stdout.trim());

  // The main profile's app goes first: one instance per session bus.
  await ctx.browser.deleteSession().catch(() => {});
  const driverPort = await freePort();
  const nativePort = await freePort();
  const driver = start('tauri-driver', ['--port', String(driverPort), '--native-port', String(nativePort)], env);
  await until('tauri-driver', async () => (await fetch(`http://127.0.0.1:${driverPort}/status`).catch(() => null)) !== null);
  const browser = await session(driverPort, appBin);
  try {
    await browser.setWindowRect(0, 0, 1100, 720);
    await browser.$('button[data-room="history"]').waitForDisplayed({ timeout: 30_000 });
    await browser.$('button[data-room="history"]').click();
    await browser.$(`.msg[data-body^="#${count} "]`).waitForDisplayed({ timeout: 30_000 });
    await sleep(500);

    // The frame rate of this display with nothing to do: the floor any
    // scroll is measured against.
    const idle = await browser.executeAsync((ms, done) => {
      const frames = [];
      let last = performance.now();
      const end = last + ms;
      function frame(now) {
        frames.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(frame);
        else done(frames.slice(1));
      }
      requestAnimationFrame(frame);
    }, 2000);

    // Scroll up by `step` pixels a frame for `seconds`, in the page.
    const step = Number(process.env.TERN_E2E_SCROLL_STEP ?? 120);
    await browser.execute(
      (step, ms) => {
        const vp = document.getElementById('timeline');
        const r = { frames: [], rows: [], oldest: [], atTop: [], done: false };
        window.__scroll = r;
        let last = performance.now();
        const end = last + ms;
        function frame(now) {
          r.frames.push(now - last);
          last = now;
          r.rows.push(vp.querySelectorAll('.window > div').length);
          // The oldest message held changes when an older page arrives; at
          // the top, the scroll waits for one.
          r.oldest.push(vp.dataset.oldest);
          r.atTop.push(vp.scrollTop === 0);
          vp.scrollTop = Math.max(0, vp.scrollTop - step);
          if (now < end) requestAnimationFrame(frame);
          else r.done = true;
        }
        requestAnimationFrame(frame);
      },
      step,
      seconds * 1000,
    );
    await until('the scroll run', async () => browser.execute(() => window.__scroll.done), seconds + 30);
    const r = await browser.execute(() => {
      const msgs = [...document.querySelectorAll('#timeline .msg')];
      const top = msgs[0]?.dataset.body ?? '';
      const s = window.__scroll;
      const loaded = Number(document.getElementById('timeline').dataset.loaded);
      return { frames: s.frames.slice(1), rows: s.rows, oldest: s.oldest, atTop: s.atTop.slice(1), top, loaded };
    });
    await browser.saveScreenshot(join(shots, '14-history.png'));
    log('screenshot 14-history');
    const topNumber = Number(/^#(\d+) /.exec(r.top)?.[1] ?? NaN);
    const passed = count - topNumber;
    const sorted = [...r.frames].sort((a, b) => a - b);
    const idleSorted = [...idle].sort((a, b) => a - b);
    const figures = {
      messages_in_room: count,
      seconds,
      step_px_per_frame: step,
      frames: r.frames.length,
      frame_ms: {
        median: +quantile(sorted, 0.5).toFixed(1),
        p95: +quantile(sorted, 0.95).toFixed(1),
        p99: +quantile(sorted, 0.99).toFixed(1),
        max: +sorted[sorted.length - 1].toFixed(1),
      },
      over_50ms: r.frames.filter((f) => f > 50).length,
      idle_frame_ms: { median: +quantile(idleSorted, 0.5).toFixed(1), p95: +quantile(idleSorted, 0.95).toFixed(1) },
      // Of those, the frames in which an older page arrived.
      over_50ms_with_a_page: r.frames.filter((f, i) => f > 50 && r.oldest[i + 1] !== r.oldest[i]).length,
      pages_arrived: r.oldest.filter((o, i) => i > 0 && o !== r.oldest[i - 1]).length,
      frames_stalled_at_top: r.atTop.filter(Boolean).length,
      dom_rows_max: Math.max(...r.rows),
      messages_held: r.loaded,
      messages_scrolled: passed,
    };
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, 'scroll.json'), JSON.stringify(figures, null, 2) + '\n');
    log('scroll:', JSON.stringify(figures));
    if (!(passed > 300)) throw new Error(`scrolled only ${passed} messages (top row: ${r.top})`);
    if (figures.dom_rows_max > 200) throw new Error(`${figures.dom_rows_max} rows in the DOM`);
    if (!(r.loaded <= 600)) throw new Error(`the window holds ${r.loaded} messages`);

    // A search hit deep in history opens in context; reading down from
    // there brings newer pages; the jump button goes back to the newest.
    const deep = Math.floor(count / 2);
    await browser.keys(['Control', 'f']);
    await browser.$('#search').waitForDisplayed();
    await browser.$('#search').setValue(String(deep));
    await until('the search hit, clicked', async () =>
      browser.execute((d) => {
        const b = [...document.querySelectorAll('#search-results button')].find((x) => x.textContent.includes(`#${d} `));
        b?.click();
        return !!b;
      }, deep),
    );
    await browser.$(`.focus .msg[data-body^="#${deep} "]`).waitForDisplayed({ timeout: 20_000 });
    await browser.saveScreenshot(join(shots, '15-search-in-context.png'));
    log('screenshot 15-search-in-context');
    const further = deep + 150;
    await browser.execute(() => {
      const vp = document.getElementById('timeline');
      window.__down = setInterval(() => (vp.scrollTop += 400), 30);
    });
    await browser.$(`.msg[data-body^="#${further} "]`).waitForExist({ timeout: 30_000 });
    await browser.execute(() => clearInterval(window.__down));
    const held = await browser.execute(() => Number(document.getElementById('timeline').dataset.loaded));
    if (!(held <= 600)) throw new Error(`the window holds ${held} messages`);
    log(`search opened #${deep} in context; reading down reached #${further}`);
    await browser.$('.jump').click();
    await browser.$(`.msg[data-body^="#${count} "]`).waitForDisplayed({ timeout: 20_000 });
    log('the jump button went back to the newest');
  } finally {
    await browser.deleteSession().catch(() => {});
    await stopGroup(driver);
  }
}
