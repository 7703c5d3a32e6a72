// Offline from a cold start (issue 22 item 8): the checkpoint scanner is installable (a web app
// manifest Chromium accepts) and kept by a service worker, so a phone that lost the network
// before opening the page still opens it, judges a code against the cached lists and queues the
// passage. The server is stopped and the browser set offline before the page is opened again in
// a new tab. Also: with no camera, "No camera is available" is not shown beside "Start the camera";
// and the camera decoder is zxing-wasm (its WebAssembly from the worker's cache when cold and
// offline), which reads the code from an image there.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { mintToken, startServer } from '../lib/server.js';
import { api } from '../lib/api.js';

const TEST_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 15_000;

describe('offline scanner from a cold start', () => {
  let server;
  let browser;
  let checkpointId;
  let officer;
  let greenPng; // the resident's code as a PNG data: URL, decoded by the page offline

  before(
    async () => {
      server = await startServer();
      const authority = await mintToken(server.dataDir, 'authority', 'anh');
      officer = await mintToken(server.dataDir, 'officer', 'olga');
      const checkpoint = await api(server.url, 'POST', '/api/v1/checkpoints', authority,
        { name: 'Hà Đông bus station', kind: 'station', district: '268', location: 'gate 2' }, 201);
      checkpointId = checkpoint.id;
      const resident = await mintToken(server.dataDir, 'resident', '+8613800000701');
      await api(server.url, 'POST', '/api/v1/declarations', resident, {
        name: 'Li Wei', document_type: 'national_id', document_number: '330102199001011234',
        district: '330102', symptoms: [], temperature_c: 36.6,
      }, 201);
      // A green code (declared healthy above), as the PNG a resident shows.
      const png = await fetch(`${server.url}/api/v1/me/code.png`, { headers: { authorization: `Bearer ${resident}` } });
      assert.equal(png.status, 200);
      greenPng = `data:image/png;base64,${Buffer.from(await png.arrayBuffer()).toString('base64')}`;
      browser = await launchBrowser();
    },
    { timeout: TEST_TIMEOUT_MS },
  );

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('if the WebAssembly decoder cannot load, the page falls back and still reads', { timeout: TEST_TIMEOUT_MS }, async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    await context.addCookies([{ name: 'hc_session', value: officer, url: server.url }]);
    await context.route('**/zxing_reader.wasm', (route) => route.abort());
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/checkpoint/${checkpointId}`);
    await page.locator('body[data-decoder]').waitFor({ state: 'attached' });
    const decoder = await page.getAttribute('body', 'data-decoder');
    assert.ok(['jsqr', 'native'].includes(decoder), `a fallback decoder, not ${decoder}`);
    if (decoder === 'jsqr') {
      const read = await page.evaluate(async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height);
        return window.jsQR(data.data, data.width, data.height)?.data ?? null;
      }, greenPng);
      assert.match(read ?? '', /^HCODE1:/, 'jsQR reads the code');
    }
    assert.deepEqual(errors, [], 'no uncaught errors in the page');
    await context.close();
  });

  test('installed once, then opened offline with the server gone: it scans and queues', { timeout: TEST_TIMEOUT_MS }, async () => {
    const context = await newPhoneContext(browser);
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    await context.addCookies([{ name: 'hc_session', value: officer, url: server.url }]);
    const url = `${server.url}/checkpoint/${checkpointId}`;
    const errors = [];

    // First visit, online: the worker installs and the lists are cached.
    const first = await context.newPage();
    first.on('pageerror', (e) => errors.push(e.message));
    await first.goto(url);
    await first.locator('body[data-offline-ready=true]').waitFor();
    await first.waitForFunction(() => localStorage.getItem('hc.scanner.status-list') !== null);
    assert.ok(await first.locator('#offline-ready').isVisible(), 'the page says it works offline');
    assert.match(await first.locator('.note').first().innerText(), /Ha Dong District/, 'the district by name');
    await first.locator('body[data-decoder=zxing-wasm]').waitFor({ state: 'attached' });

    // No camera in this browser: the message alone, no contradicting "Start the camera" button.
    await first.locator('#camera-msg').waitFor({ state: 'visible' });
    assert.match(await first.locator('#camera-msg').innerText(), /camera/i);
    assert.equal(await first.locator('#camera-start').isVisible(), false, '"Start the camera" is not shown with "No camera"');

    // Installable: the manifest is the page's own, and Chromium has no objection.
    const href = await first.getAttribute('link[rel=manifest]', 'href');
    const manifest = await (await fetch(new URL(href, server.url))).json();
    assert.equal(manifest.start_url, `/checkpoint/${checkpointId}?lang=en`);
    assert.equal(manifest.display, 'standalone');
    const cdp = await context.newCDPSession(first);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    // Playwright's contexts are incognito, which Chromium never installs from; nothing else may object.
    const objections = installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito');
    assert.deepEqual(objections, [], 'Chromium finds the manifest, icon and worker fit to install');
    await first.close();

    // The network is gone before the page is opened again: browser offline, server stopped.
    await context.setOffline(true);
    await server.stop();
    const cold = await context.newPage();
    cold.on('pageerror', (e) => errors.push(e.message));
    await cold.goto(url);
    await cold.locator('body[data-scanner-ready=true]').waitFor();
    await cold.locator('#net[data-online=false]').waitFor();
    // The camera decoder is zxing-wasm even now (not the jsQR fallback), and it reads.
    await cold.locator('body[data-decoder=zxing-wasm]').waitFor({ state: 'attached' });
    const read = await cold.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const results = await window.ZXingWASM.readBarcodes(ctx.getImageData(0, 0, img.width, img.height), {
        formats: ['QRCode'],
      });
      return results.find((r) => r.isValid)?.text ?? null;
    }, greenPng);
    assert.match(read ?? '', /^HCODE1:/, 'zxing-wasm reads the code offline, from the cached module');
    // What it read is judged offline like a typed code.
    await cold.fill('#manual-text', read);
    await cold.click('#manual button[type=submit]');
    await cold.locator('#verdict[data-verdict=allow]').waitFor();
    assert.match(await cold.locator('#verdict').innerText(), /checked offline/);
    await cold.locator('#net[data-queued="1"]').waitFor();
    const queued = await cold.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('queue')).length);
    assert.ok(queued >= 1, 'the passage waits in the queue');

    // A reload, still offline, keeps the page and the queue.
    await cold.reload();
    await cold.locator('#net[data-queued="1"]').waitFor();
    assert.deepEqual(errors, [], 'no uncaught errors in the page');
    await context.close();
  });
});
