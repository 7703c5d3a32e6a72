// The checkpoint scanner in a real browser with a fake camera: Chromium plays a Y4M video of a
// resident's health code (converted from GET /api/v1/me/code.png), the page decodes it and shows
// allow (green) or deny (red) from the server; then offline: judged on the phone against the
// cached trust and status lists, queued, and synced when the connection returns. Also venue staff
// mode (a visitor's code checks them in).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchBrowser, launchBrowserWithCamera, newPhoneContext } from '../lib/browser.js';
import { mintToken, startServer } from '../lib/server.js';
import { pngToY4m } from '../lib/y4m.js';
import { api } from '../lib/api.js';

const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const TEST_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 15_000;
const VERDICT_TIMEOUT_MS = 10_000;

const DECLARATION = {
  name: 'Li Wei',
  document_type: 'national_id',
  document_number: '330102199001011234',
  district: '330102',
  symptoms: [],
  temperature_c: 36.6,
};


/** A resident with a declaration (extra fields change the colour); returns the token. */
async function declaredResident(server, phone, extra = {}) {
  const token = await mintToken(server.dataDir, 'resident', phone);
  await api(server.url, 'POST', '/api/v1/declarations', token, { ...DECLARATION, ...extra }, 201);
  return token;
}

async function codePng(base, token) {
  const res = await fetch(`${base}/api/v1/me/code.png`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `GET /api/v1/me/code.png answered ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /image\/png/);
  return Buffer.from(await res.arrayBuffer());
}

/** Wraps a step so a failure names the step and shows where the page was and what it said. */
async function step(page, name, fn) {
  try {
    return await fn();
  } catch (err) {
    let text = '';
    try {
      text = (await page.locator('body').innerText({ timeout: 1_000 })).slice(0, 1_500);
    } catch {
      text = '(page body unreadable)';
    }
    err.message = `step "${name}" failed at ${page.url()}: ${err.message}\n--- page text ---\n${text}`;
    throw err;
  }
}

describe('camera scanner pages', () => {
  let server;
  let workDir;
  let checkpointId;
  let officer;
  let setupError;
  const browsers = [];

  before(
    async () => {
      try {
        await mkdir(RESULTS_DIR, { recursive: true });
        workDir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-scanner-e2e-'));
        server = await startServer();
        const authority = await mintToken(server.dataDir, 'authority', 'anh');
        officer = await mintToken(server.dataDir, 'officer', 'olga');
        const checkpoint = await api(
          server.url,
          'POST',
          '/api/v1/checkpoints',
          authority,
          { name: 'QL1A km 12', kind: 'city_entry', district: '330102', location: 'southbound' },
          201,
        );
        checkpointId = checkpoint.id;
      } catch (err) {
        setupError = err;
      }
    },
    { timeout: TEST_TIMEOUT_MS },
  );

  after(async () => {
    for (const b of browsers) await b.close().catch(() => {});
    await server?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** A browser whose camera shows `png` (null: an empty white frame). */
  async function browserFilming(name, png) {
    const file = path.join(workDir, `${name}.y4m`);
    await writeFile(file, pngToY4m(png));
    const browser = await launchBrowserWithCamera(file);
    browsers.push(browser);
    return browser;
  }

  /** A phone signed in with `token` as the session cookie, running `body(page)`. */
  async function onPhone(t, browser, token, shotName, body) {
    const context = await newPhoneContext(browser);
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    await context.grantPermissions(['camera'], { origin: server.url });
    await context.addCookies([{ name: 'hc_session', value: token, url: server.url }]);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const failure = path.join(RESULTS_DIR, `${shotName}-failure.png`);
    await rm(failure, { force: true });
    try {
      await body(page, context);
      assert.deepEqual(errors, [], 'no uncaught errors in the page');
    } catch (err) {
      await page
        .screenshot({ path: failure, fullPage: true })
        .then(() => t.diagnostic(`screenshot: ${failure}`))
        .catch(() => {});
      if (errors.length) err.message += `\n--- page errors ---\n${errors.join('\n')}`;
      err.message += `\n--- server output (tail) ---\n${server.logs().slice(-2_000) || '(none)'}`;
      throw err;
    } finally {
      await context.close();
    }
  }

  const shot = (name) => path.join(RESULTS_DIR, `${name}.png`);

  test('a green code held to the camera shows PASS', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (setupError) throw setupError;
    const green = await declaredResident(server, '+8613800000201');
    const browser = await browserFilming('green', await codePng(server.url, green));
    await onPhone(t, browser, officer, 'scanner-allow', async (page) => {
      await step(page, 'open the scanner', () => page.goto(`${server.url}/checkpoint/${checkpointId}`));
      await step(page, 'camera reads the code: allow', async () => {
        await page.locator('#verdict[data-verdict=allow]').waitFor({ timeout: VERDICT_TIMEOUT_MS });
      });
      await page.screenshot({ path: shot('scanner-allow'), fullPage: false });
      await step(page, 'the verdict says why and whose code', async () => {
        const verdict = page.locator('#verdict');
        assert.equal(await verdict.getAttribute('data-reason'), 'CODE_VALID');
        const text = await verdict.innerText();
        assert.match(text, /PASS/);
        assert.match(text, /LW \*{4}1234/, 'the holder hint for an eye-check');
        const ms = Number.parseInt((await verdict.getAttribute('data-ms')) ?? '', 10);
        assert.ok(ms >= 0 && ms < 1_000, `read to verdict took ${ms} ms (data-ms)`);
        t.diagnostic(`read to verdict: ${ms} ms (decoder: ${await page.getAttribute('body', 'data-decoder')})`);
      });
      await step(page, 'the camera keeps reading the code: one passage, not one per frame', async () => {
        await page.waitForTimeout(1_500);
        const log = await api(server.url, 'GET', `/api/v1/checkpoints/${checkpointId}/passages`, officer);
        const mine = log.filter((p) => p.verdict === 'allow' && !p.offline);
        assert.equal(mine.length, 1, `passages: ${JSON.stringify(log)}`);
        assert.equal(mine[0].direction, 'in');
        assert.equal(mine[0].officer, 'olga');
      });
    });
  });

  test('a red code held to the camera shows STOP (in Vietnamese)', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (setupError) throw setupError;
    const red = await declaredResident(server, '+8613800000202', { contact_with_case: true });
    const browser = await browserFilming('red', await codePng(server.url, red));
    await onPhone(t, browser, officer, 'scanner-deny', async (page) => {
      await step(page, 'open the scanner in Vietnamese', () =>
        page.goto(`${server.url}/checkpoint/${checkpointId}?lang=vi`),
      );
      await step(page, 'camera reads the code: deny', async () => {
        await page.locator('#verdict[data-verdict=deny]').waitFor({ timeout: VERDICT_TIMEOUT_MS });
      });
      await page.screenshot({ path: shot('scanner-deny'), fullPage: false });
      const verdict = page.locator('#verdict');
      assert.equal(await verdict.getAttribute('data-reason'), 'COLOUR_RED');
      assert.match(await verdict.innerText(), /DỪNG LẠI/);
      assert.match(await verdict.innerText(), /Mã đỏ/);
    });
  });

  test('offline: judged on the phone, queued, synced when back online', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (setupError) throw setupError;
    const green = await declaredResident(server, '+8613800000203');
    const greenCode = (await api(server.url, 'GET', '/api/v1/me/code', green)).qr_text;
    // Green when the code was issued, red since: only the status list can tell.
    const turned = await declaredResident(server, '+8613800000204');
    const staleCode = (await api(server.url, 'GET', '/api/v1/me/code', turned)).qr_text;
    await api(server.url, 'POST', '/api/v1/declarations', turned, { ...DECLARATION, contact_with_case: true }, 201);

    const browser = await browserFilming('blank', null);
    await onPhone(t, browser, officer, 'scanner-offline', async (page, context) => {
      await step(page, 'open the scanner online: the lists are cached', async () => {
        await page.goto(`${server.url}/checkpoint/${checkpointId}`);
        await page.waitForFunction(
          () =>
            localStorage.getItem('hc.scanner.trust-list') !== null &&
            localStorage.getItem('hc.scanner.status-list') !== null,
        );
        // The ages are drawn once every list has been fetched (the EU and peer lists come after).
        await page.waitForFunction(() => /just updated.*just updated/.test(document.getElementById('lists-age').textContent));
        // The camera runs and the QR reader is loaded (nothing to say under the preview).
        await page.locator('#camera-msg').waitFor({ state: 'hidden' });
        await page.locator('body[data-decoder]').waitFor({ state: 'attached' });
      });

      await step(page, 'go offline', async () => {
        await context.setOffline(true);
        await page.locator('#net[data-online=false]').waitFor();
      });

      await step(page, 'a green code typed in: allow, checked offline, 1 queued', async () => {
        await page.fill('#manual-text', greenCode);
        await page.click('#manual button[type=submit]');
        await page.locator('#verdict[data-verdict=allow]').waitFor({ timeout: VERDICT_TIMEOUT_MS });
        assert.match(await page.locator('#verdict').innerText(), /checked offline/);
        await page.locator('#net[data-queued="1"]').waitFor();
        assert.match(await page.locator('#net').innerText(), /Offline[\s\S]*1 queued/);
      });
      await page.screenshot({ path: shot('scanner-offline'), fullPage: false });

      await step(page, 'a code whose holder turned red: deny by the status list, 2 queued', async () => {
        await page.fill('#manual-text', staleCode);
        await page.click('#manual button[type=submit]');
        await page.locator('#verdict[data-verdict=deny]').waitFor({ timeout: VERDICT_TIMEOUT_MS });
        assert.equal(await page.getAttribute('#verdict', 'data-reason'), 'STATUS_LIST_RED');
        await page.locator('#net[data-queued="2"]').waitFor();
      });
      await page.screenshot({ path: shot('scanner-offline-deny'), fullPage: false });

      await step(page, 'back online: the queue empties into the passage log', async () => {
        await context.setOffline(false);
        await page.locator('#net[data-queued="0"][data-online=true]').waitFor();
        const log = await api(server.url, 'GET', `/api/v1/checkpoints/${checkpointId}/passages`, officer);
        const offline = log.filter((p) => p.offline);
        assert.deepEqual(
          offline.map((p) => [p.verdict, p.reason, p.colour]).sort(),
          [
            ['allow', 'CODE_VALID', 'green'],
            ['deny', 'STATUS_LIST_RED', 'red'],
          ],
          `passages: ${JSON.stringify(log)}`,
        );
        assert.ok(offline.every((p) => p.officer === 'olga' && p.direction === 'in' && /^[0-9a-f]{32}$/.test(p.holder_id)));
      });
      await page.screenshot({ path: shot('scanner-synced'), fullPage: false });
    });
  });

  test('offline: a paper pass is verified on the phone; a reprinted or altered one is refused', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (setupError) throw setupError;
    const elder = await declaredResident(server, '+8613800000207');
    const first = (await api(server.url, 'GET', '/api/v1/me/pass', elder)).qr_text;
    const reprint = await api(server.url, 'POST', '/api/v1/me/pass/reprint', elder, {});
    assert.equal(reprint.print, 2);
    const current = reprint.qr_text;
    const chars = [...current];
    const i = chars.length - 5;
    chars[i] = chars[i] === 'A' ? 'B' : 'A';
    const altered = chars.join('');

    const browser = await browserFilming('blank-pass', null);
    await onPhone(t, browser, officer, 'scanner-offline-pass', async (page, context) => {
      await step(page, 'open the scanner online: the lists are cached', async () => {
        await page.goto(`${server.url}/checkpoint/${checkpointId}`);
        await page.waitForFunction(() => JSON.parse(localStorage.getItem('hc.scanner.status-list') ?? 'null')?.body?.passes?.length > 0);
        await page.waitForFunction(() => localStorage.getItem('hc.scanner.trust-list') !== null);
      });
      await step(page, 'go offline', async () => {
        await context.setOffline(true);
        await page.locator('#net[data-online=false]').waitFor();
      });
      const judge = async (text, verdict, reason) => {
        await page.fill('#manual-text', text);
        await page.click('#manual button[type=submit]');
        await page.locator(`#verdict[data-verdict=${verdict}][data-reason=${reason}]`).waitFor({ timeout: VERDICT_TIMEOUT_MS });
        assert.match(await page.locator('#verdict').innerText(), /checked offline/);
      };
      await step(page, 'the current pass: allow, with the signed eye-check hint', async () => {
        await judge(current, 'allow', 'PASS_VALID_OFFLINE');
        assert.match(await page.locator('#verdict').innerText(), /LW \*\*\*\*1234/);
      });
      await page.screenshot({ path: shot('scanner-offline-pass'), fullPage: false });
      await step(page, 'the first print, revoked by the reprint: deny', () => judge(first, 'deny', 'PASS_REVOKED'));
      await step(page, 'an altered pass: deny', () => judge(altered, 'deny', 'PASS_FORGED'));
      await step(page, 'a first-format pass: deny', () =>
        judge('HPASS1:AQAAAAAAAAAAAwMDAwMDAwMDAwMDAwMDAwAAAABrSd0A', 'deny', 'PASS_OUTDATED'),
      );
      await context.setOffline(false);
    });
  });

  test('no camera API (an insecure page): said so, and manual entry still works', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (setupError) throw setupError;
    const yellow = await declaredResident(server, '+8613800000206', { temperature_c: 38.2, symptoms: ['fever'] });
    const code = (await api(server.url, 'GET', '/api/v1/me/code', yellow)).qr_text;
    const browser = await launchBrowser();
    browsers.push(browser);
    await onPhone(t, browser, officer, 'scanner-no-camera', async (page) => {
      // What a plain-HTTP page on a LAN address sees: no navigator.mediaDevices at all.
      await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'mediaDevices', { get: () => undefined }));
      await page.goto(`${server.url}/checkpoint/${checkpointId}`);
      await step(page, 'the page explains why there is no camera', async () => {
        await page.locator('#camera-msg').waitFor({ state: 'visible' });
        assert.match(await page.locator('#camera-msg').innerText(), /camera/i);
      });
      await step(page, 'a typed yellow code: STOP', async () => {
        await page.fill('#manual-text', code);
        await page.click('#manual button[type=submit]');
        await page.locator('#verdict[data-verdict=deny]').waitFor({ timeout: VERDICT_TIMEOUT_MS });
        assert.equal(await page.getAttribute('#verdict', 'data-reason'), 'COLOUR_YELLOW');
      });
      await page.screenshot({ path: shot('scanner-no-camera'), fullPage: false });
    });
  });

  test('venue staff mode (in Chinese): a visitor’s code checks them in', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (setupError) throw setupError;
    const operator = await mintToken(server.dataDir, 'venue', '+84912000201');
    const venue = await api(
      server.url,
      'POST',
      '/api/v1/venues',
      operator,
      {
        name: 'Phở Thìn',
        address: '13 Lò Đúc',
        province: 'VN-HN',
        district: 'HN-HAI-BA-TRUNG',
        commune: 'Phạm Đình Hổ',
        category: 'restaurant',
        capacity: 40,
      },
      201,
    );
    const visitor = await declaredResident(server, '+8613800000205');
    const browser = await browserFilming('visitor', await codePng(server.url, visitor));
    await onPhone(t, browser, operator, 'scanner-venue', async (page) => {
      await step(page, 'open staff mode in Chinese', () => page.goto(`${server.url}/venue/${venue.id}/scan?lang=zh`));
      await step(page, 'camera reads the visitor’s code: allow, checked in', async () => {
        await page.locator('#verdict[data-verdict=allow]').waitFor({ timeout: VERDICT_TIMEOUT_MS });
        assert.match(await page.locator('#verdict').innerText(), /通行[\s\S]*已登记进入/);
      });
      await page.screenshot({ path: shot('scanner-venue'), fullPage: false });
      const visits = await api(server.url, 'GET', '/api/v1/me/visits', visitor);
      assert.equal(JSON.stringify(visits).includes(venue.id), true, `visits: ${JSON.stringify(visits)}`);
    });
  });
});
