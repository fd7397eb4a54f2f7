// An image pasted into the composer, in the real window (called from
// run.mjs with bob signed in and the server up). The page makes a PNG of
// random pixels (about 9 MB: large enough for the upload to take a while)
// and pastes it as the clipboard would; the page records every state of
// the upload's progress bar; the message then shows once on the server
// and, in the window, a preview made from the server's thumbnail.

export async function upload(ctx) {
  const { browser, alice, general, rest, until, log, shots } = ctx;
  const name = `chart-${Date.now()}.png`;
  await browser.$('button[data-room="general"]').click();
  await browser.$('#composer').waitForDisplayed();

  // Record the upload bars' every state in the timeline from here on.
  await browser.execute(() => {
    const tl = document.getElementById('timeline');
    const seen = [];
    window.__upload = seen;
    const look = () => {
      const bar = [...tl.querySelectorAll('progress.bar')].find((b) => (b.getAttribute('aria-label') ?? '').startsWith('Uploading'));
      const state = bar ? { value: bar.value, max: bar.max } : null;
      const last = seen[seen.length - 1];
      if (JSON.stringify(state) !== JSON.stringify(last === undefined ? undefined : last)) seen.push(state);
    };
    new MutationObserver(look).observe(tl, { subtree: true, childList: true, attributes: true, characterData: true });
    look();
  });

  // Paste: a ClipboardEvent carrying the file, as a paste from an image
  // viewer delivers it.
  await browser.executeAsync((name, done) => {
    const c = document.createElement('canvas');
    c.width = 1500;
    c.height = 1500;
    const g = c.getContext('2d');
    const img = g.createImageData(c.width, c.height);
    for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : (Math.random() * 256) | 0;
    g.putImageData(img, 0, 0);
    c.toBlob((blob) => {
      const dt = new DataTransfer();
      dt.items.add(new File([blob], name, { type: 'image/png' }));
      const composer = document.getElementById('composer');
      composer.focus();
      composer.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      done(blob.size);
    }, 'image/png');
  }, name);

  // The preview: an image drawn from the server's thumbnail, in a message
  // the server holds.
  const preview = `#timeline .msg:not(.local) img[alt="${name}"]`;
  await browser.$(preview).waitForDisplayed({ timeout: 60_000 });
  const shown = await browser.execute((sel) => {
    const i = document.querySelector(sel);
    return { w: i.naturalWidth, h: i.naturalHeight, src: i.src.slice(0, 22) };
  }, preview);
  if (!(shown.w > 0 && shown.w < 1500 && shown.h > 0)) throw new Error(`the preview is not a thumbnail: ${JSON.stringify(shown)}`);
  const page = await rest('GET', `/api/v1/rooms/${general.id}/events?limit=50`, alice.access_token);
  const withFile = page.events.filter((e) => e.type === 'message' && (e.content.attachments ?? []).length > 0);
  const mine = [];
  for (const e of withFile) {
    const f = await rest('GET', `/api/v1/files/${e.content.attachments[0]}/info`, alice.access_token).catch(() => null);
    if (f?.name === name) mine.push(f);
  }
  if (mine.length !== 1) throw new Error(`the pasted image is on the server ${mine.length} times`);
  if (!(mine[0].size > 5_000_000)) throw new Error(`the server holds ${mine[0].size} bytes`);

  const seen = await browser.execute(() => window.__upload);
  const partial = seen.filter((s) => s !== null && s.value > 0 && s.value < 100);
  log(`upload progress seen: ${seen.filter((s) => s !== null).length} states, e.g. ${JSON.stringify(partial.slice(0, 3))}`);
  if (partial.length === 0) throw new Error(`no upload progress between 0 and 100 was shown: ${JSON.stringify(seen)}`);
  const values = partial.map((s) => s.value);
  if (values.some((v, i) => i > 0 && v < values[i - 1])) throw new Error(`the upload progress went back: ${values}`);
  if (seen[seen.length - 1] !== null) throw new Error('the upload bar stayed');
  await browser.saveScreenshot(`${shots}/23-pasted-image.png`);
  log(`pasted a ${mine[0].size}-byte image: uploaded once with progress, preview ${shown.w}x${shown.h} from the thumbnail`);
}
