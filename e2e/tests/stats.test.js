// The city dashboard on a seeded synthetic city, in a phone-sized Chromium: four charts with
// drawn plot areas (screenshot kept in test-results/), headline figures (resumption shares as
// percentages within 0-100 %), the districts ranked by check-ins, the channel table, the district table
// sorting by a column, the public view hiding small counts, Chinese text, and the CSV download
// holding the same rows as the JSON.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { mintToken, runCli, startServer } from '../lib/server.js';

const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const TEST_TIMEOUT_MS = 120_000;

describe('city dashboard', { timeout: TEST_TIMEOUT_MS * 4 }, () => {
  let server;
  let browser;
  let authority;

  before(async () => {
    server = await startServer({
      timeoutMs: 60_000,
      prepare: (dir) => runCli(dir, ['demo', '--residents', '3000', '--no-serve']),
    });
    authority = await mintToken(server.dataDir, 'authority', 'anh');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Non-blank pixels of each chart canvas (uPlot draws series on a canvas). */
  async function drawnPixels(page) {
    return page.$$eval('.chart canvas', (canvases) =>
      canvases.map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n += 1;
        return n;
      }),
    );
  }

  test('staff see charts with data, headline figures and a sortable district table', { timeout: TEST_TIMEOUT_MS }, async () => {
    const context = await newPhoneContext(browser);
    await context.setExtraHTTPHeaders({ authorization: `Bearer ${authority}` });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/stats`);
    await page.waitForSelector('body[data-charts="4"]', { timeout: 15_000 });
    assert.deepEqual(errors, []);
    assert.match(await page.textContent('main'), /Authority view/);
    const pixels = await drawnPixels(page);
    assert.equal(pixels.length, 4, 'four chart canvases');
    for (const n of pixels) assert.ok(n > 500, `a chart has a drawn plot area (${pixels})`);
    const cards = await page.$$eval('#headlines .card', (els) =>
      Object.fromEntries(els.map((e) => [e.querySelector('.label').textContent, e.querySelector('.value').textContent.trim()])),
    );
    assert.match(cards['Check-ins'], /^\d+$/, `staff see the exact figure: ${JSON.stringify(cards)}`);
    // Shares are percentages with one decimal, and never more than 100 % (the demo once showed 400 %).
    for (const name of ['Employees back at work', 'Enterprises operating']) {
      const shown = cards[name].match(/^(\d+\.\d) %$/);
      assert.ok(shown, `${name} is a percentage: ${JSON.stringify(cards)}`);
      const value = Number(shown[1]);
      assert.ok(value > 0 && value <= 100, `${name} is within 0-100 %: ${cards[name]}`);
    }
    // The ranking is of the range's last day. The demo seeds check-ins for whole past days, so a
    // range ending yesterday has a full day to rank at any time of day (today may have none yet).
    const { from, to } = await (await fetch(`${server.url}/api/v1/stats/daily`, { headers: { authorization: `Bearer ${authority}` } })).json();
    const yesterday = new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.goto(`${server.url}/stats?from=${from}&to=${yesterday}`);
    await page.waitForSelector('body[data-charts="4"]', { timeout: 15_000 });
    // The districts with the most check-ins, most first.
    const ranked = await page.$$eval('#top-districts li .n', (els) => els.map((e) => Number(e.textContent)));
    assert.ok(ranked.length >= 3, `districts ranked (${ranked})`);
    assert.deepEqual(ranked, [...ranked].sort((a, b) => b - a));
    // Declarations and symptoms by channel: the four channels, each with figures.
    const channels = await page.$$eval('#channels tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent.trim())),
    );
    assert.deepEqual(channels.map((r) => r[0]), ['Web', 'App', 'Staff-assisted', 'Hotline import']);
    for (const [, declarations, symptoms] of channels) {
      assert.match(declarations, /^\d+$/);
      assert.match(symptoms, /^\d+$/);
    }

    await mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'stats-dashboard.png'), fullPage: true });

    // Sort by check-ins (the column after the district): descending on the second click.
    const column = await page.$$eval('#districts thead th', (ths) => ths.findIndex((th) => th.textContent === 'Check-ins'));
    assert.ok(column > 0);
    const header = page.locator('#districts thead th').nth(column);
    await header.click();
    await header.click();
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    const values = await page.$$eval(`#districts tbody tr td:nth-of-type(${column})`, (tds) =>
      tds.map((td) => parseFloat(td.getAttribute('data-v'))),
    );
    assert.ok(values.length >= 10, `districts listed (${values.length})`);
    const sorted = [...values].sort((a, b) => b - a);
    assert.deepEqual(values, sorted);
    await context.close();
  });

  test('the public view hides small counts and speaks Chinese', { timeout: TEST_TIMEOUT_MS }, async () => {
    const context = await newPhoneContext(browser, { locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${server.url}/stats`);
    await page.waitForSelector('body[data-charts="4"]', { timeout: 15_000 });
    assert.equal(await page.textContent('h1'), '城市疫情统计');
    assert.match(await page.textContent('main'), /公开视图/);
    const cells = await page.$$eval('#districts tbody td', (tds) => tds.map((td) => td.textContent.trim()));
    assert.ok(cells.includes('<5'), 'some district figure is below the threshold and hidden');
    await context.close();
  });

  test('the CSV download has the JSON rows', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The public download (a browser download carries no bearer header; staff exports are
    // compared with the JSON in the Rust suite).
    const context = await newPhoneContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/stats`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.exports a[download]')]);
    const stream = await download.createReadStream();
    let csv = '';
    for await (const chunk of stream) csv += chunk;
    const href = await page.getAttribute('.exports a[download]', 'href');
    const json = await (await fetch(`${server.url}${href.replace('daily.csv', 'daily')}`)).json();
    assert.equal(json.view, 'public');
    const lines = csv.trim().split(/\r?\n/);
    const header = lines.shift().split(',');
    assert.equal(lines.length, json.rows.length);
    assert.ok(json.rows.length > 0);
    lines.forEach((line, i) => {
      line.split(',').forEach((cell, j) => {
        // The CSV adds the district's name beside its code for spreadsheet readers.
        if (header[j] === 'district_name') {
          assert.ok(cell.length > 0, `a district name in row ${i}: ${line}`);
          return;
        }
        const want = json.rows[i][header[j]];
        if (want === null) assert.equal(cell, '', `${header[j]} in row ${i}: ${line}`);
        else if (typeof want === 'number') assert.equal(Number(cell), want, `${header[j]} in row ${i}: ${line}`);
        else assert.equal(cell, String(want));
      });
    });
    await context.close();
  });
});
