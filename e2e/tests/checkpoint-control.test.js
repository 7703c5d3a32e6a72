// Checkpoint control and red/yellow codes at venues (issue 18 items 2, 3, 7) in a real Chromium
// at phone width: a yellow resident pressing "Check in" gets a full-screen "do not enter" and no
// visit; the venue page lists the attempt in Hanoi time; an officer's verdict shows the declared
// origin, RISK AREA and "declared today".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { mintToken, startServer } from '../lib/server.js';
import { api } from '../lib/api.js';

const TIMEOUT_MS = 60_000;

const DECLARATION = {
  name: 'Tran Van An',
  document_type: 'national_id',
  document_number: '001099001234',
  district: 'HN-DONG-DA',
  symptoms: [],
  temperature_c: 36.6,
  visited_regions: [],
};

describe('checkpoint control and turned-away venue entries', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  }, { timeout: TIMEOUT_MS });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  async function phone(token, lang = 'en') {
    const context = await newPhoneContext(browser);
    await context.addCookies([
      { name: 'hc_session', value: token, url: server.url },
      { name: 'hc_lang', value: lang, url: server.url },
    ]);
    return { context, page: await context.newPage() };
  }

  test('a yellow code at a venue: full-screen "do not enter", an attempt, no visit', { timeout: TIMEOUT_MS }, async () => {
    const operator = await mintToken(server.dataDir, 'venue', '+84912400000');
    const venue = await api(server.url, 'POST', '/api/v1/venues', operator, {
      name: 'Phở Thìn', address: '13 Lò Đúc', province: 'VN-HN', district: 'HN-HAI-BA-TRUNG', category: 'restaurant',
    }, 201);
    const yellow = await mintToken(server.dataDir, 'resident', '+84912400001');
    await api(server.url, 'POST', '/api/v1/declarations', yellow,
      { ...DECLARATION, temperature_c: 38.4, symptoms: ['fever'] }, 201);
    const venuePath = new URL(venue.qr_text).pathname;
    for (const [lang, words] of [['en', /do not enter/i], ['vi', /không được vào/i]]) {
      const { context, page } = await phone(yellow, lang);
      try {
        await page.goto(server.url + venuePath);
        await page.click('form button[type=submit]');
        const stop = page.locator('section.stop.yellow[data-outcome=refused]');
        await stop.waitFor();
        assert.match(await stop.innerText(), words);
        const box = await stop.boundingBox();
        const size = page.viewportSize();
        assert.ok(box.width >= size.width - 1 && box.height >= size.height - 1, `full screen: ${JSON.stringify(box)}`);
      } finally {
        await context.close();
      }
    }
    // A green neighbour gets in, and the confirmation's live clock shows Hanoi time.
    const green = await mintToken(server.dataDir, 'resident', '+84912400003');
    await api(server.url, 'POST', '/api/v1/declarations', green, DECLARATION, 201);
    {
      const { context, page } = await phone(green);
      try {
        await page.goto(server.url + venuePath);
        await page.click('form button[type=submit]');
        await page.locator('[data-outcome=entered]').waitFor();
        await page.locator('#live-clock[data-tz="Asia/Ho_Chi_Minh"]').waitFor();
        await page.locator('body[data-clock-ticks="2"]').waitFor({ state: 'attached' });
        assert.match(await page.locator('body').innerText(), /will close automatically at/);
      } finally {
        await context.close();
      }
    }
    const mine = await api(server.url, 'GET', '/api/v1/me/visits', yellow, undefined, 200);
    assert.equal(mine.recent.length, 0, 'no visit was recorded');
    const attempts = await api(server.url, 'GET', `/api/v1/venues/${venue.id}/attempts`, operator, undefined, 200);
    assert.equal(attempts.length, 2);

    const { context, page } = await phone(operator);
    try {
      await page.goto(`${server.url}/venue/${venue.id}`);
      assert.equal(await page.locator('table.attempts tr[data-attempt=yellow]').count(), 2);
      assert.match(await page.locator('body').innerText(), /Asia\/Ho_Chi_Minh/);
    } finally {
      await context.close();
    }
  });

  test('the officer sees declared origin, RISK AREA and declared today', { timeout: TIMEOUT_MS }, async () => {
    const authority = await mintToken(server.dataDir, 'authority', 'anh');
    const until = new Date(Date.now() + 72 * 3600_000).toISOString();
    await api(server.url, 'POST', '/api/v1/risk-areas', authority, { code: 'VN-BN', until, reason: 'cluster' }, 201);
    const checkpoint = await api(server.url, 'POST', '/api/v1/checkpoints', authority,
      { name: 'QL1A Pháp Vân', kind: 'national_highway', district: 'HN-THANH-TRI', province: 'VN-HN' }, 201);
    const traveller = await mintToken(server.dataDir, 'resident', '+84912400002');
    await api(server.url, 'POST', '/api/v1/declarations', traveller, { ...DECLARATION, visited_regions: ['VN-BN'] }, 201);
    const code = (await api(server.url, 'GET', '/api/v1/me/code', traveller, undefined, 200)).qr_text;
    const officer = await mintToken(server.dataDir, 'officer', 'olga');
    const { context, page } = await phone(officer);
    try {
      await page.goto(`${server.url}/checkpoint/${checkpoint.id}`);
      await page.fill('#manual-text', code);
      await page.click('#manual button[type=submit]');
      await page.locator('#verdict[data-verdict=deny][data-origin-risk=true]').waitFor();
      assert.match(await page.locator('#verdict-origin').innerText(), /Declared origin: VN-BN · RISK AREA/);
      assert.equal(await page.locator('#verdict-declared-today').innerText(), 'Declared today');
      assert.match(await page.locator('body').innerText(), /National highway/);
    } finally {
      await context.close();
    }
  });
});
