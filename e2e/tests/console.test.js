// The staff console in Chromium at phone (390 px) and desktop (1366 px) widths: the navigation
// shows only what the signed-in role may open, the case list and the trace report fit the screen
// (wide tables scroll inside their own box, never the page), the report opens with its counts and
// the apply step at the top, a place drills into its contacts, and applying goes through a
// confirmation that states the counts. The checkpoint passages and employers' lists filter through
// their one shared form and fit the screen too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser } from '../lib/browser.js';
import { mintToken, startServer } from '../lib/server.js';
import { api } from '../lib/api.js';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 900 } };

const DECLARATION = {
  name: 'Li Wei', document_type: 'national_id', document_number: '330102199001011234', district: '330102',
  symptoms: [], temperature_c: 36.6, visited_regions: [], contact_with_case: false, travel_plan: '',
};

describe('staff console', { timeout: 240_000 }, () => {
  let server;
  let browser;
  const tokens = {};
  let caseId;
  let trace;
  let enterpriseId;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const mint = (role, subject) => mintToken(server.dataDir, role, subject);
    [tokens.authority, tokens.supervisor, tokens.operator, tokens.case, tokens.a, tokens.b, tokens.officer] = await Promise.all([
      mint('authority', 'anh'),
      mint('supervisor', 'sam'),
      mint('venue', '+84912000761'),
      mint('resident', '+8613800000761'),
      mint('resident', '+8613800000762'),
      mint('resident', '+8613800000763'),
      mint('officer', 'olga'),
    ]);
    const base = server.url;
    for (const [who, document_number] of [['case', '330102199001011761'], ['a', '330102199001011762'], ['b', '330102199001011763']]) {
      await api(base, 'POST', '/api/v1/declarations', tokens[who], { ...DECLARATION, document_number }, 201);
    }
    const venue = await api(base, 'POST', '/api/v1/venues', tokens.operator, {
      name: 'Phở 24', address: '12 Hàng Bạc', province: 'VN-HN', district: 'HN-HOAN-KIEM',
      commune: 'Hàng Bạc', category: 'restaurant', capacity: 40,
    }, 201);
    // All three are inside now: open stays count up to their automatic check-out.
    for (const who of ['case', 'a', 'b']) await api(base, 'POST', '/api/v1/check-ins', tokens[who], { venue_qr: venue.qr_text }, 201);
    const recorded = await api(base, 'POST', '/api/v1/cases', tokens.authority, {
      phone: '+8613800000761', kind: 'confirmed', onset_date: new Date().toISOString().slice(0, 10),
    }, 201);
    caseId = recorded.id;
    // A passage at a checkpoint (let through) and an application waiting for review.
    const code = await api(base, 'GET', '/api/v1/me/code', tokens.b);
    const checkpoint = await api(base, 'POST', '/api/v1/checkpoints', tokens.authority, {
      name: 'QL1A km 12', kind: 'national_highway', district: '330102', location: 'southbound',
    }, 201);
    await api(base, 'POST', `/api/v1/checkpoints/${checkpoint.id}/scans`, tokens.officer, { qr_text: code.qr_text, direction: 'in' });
    const enterprise = await api(base, 'POST', '/api/v1/enterprises', tokens.operator, {
      name: 'Hanoi Textiles', sites: [{ name: 'Main', address: '1 Phố Huế', district: '330102' }],
      planned_headcount: 40, measures: 'masks, distancing, daily temperature checks',
    }, 201);
    enterpriseId = enterprise.id;
    trace = await api(base, 'POST', `/api/v1/cases/${caseId}/trace`, tokens.authority, {});
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function pageAs(who, device) {
    const ctx = await browser.newContext({ ...device });
    await ctx.addCookies([{ name: 'hc_session', value: tokens[who], url: server.url }]);
    const page = await ctx.newPage();
    return { ctx, page };
  }

  /** The page itself never scrolls sideways (wide tables scroll in their own box). */
  async function fitsWidth(page, label) {
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner + 1, `${label}: the page is ${scroll}px wide in a ${inner}px window`);
  }

  for (const [size, device] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    test(`the navigation follows the role (${size})`, async () => {
      const { ctx, page } = await pageAs('supervisor', device);
      try {
        await page.goto(`${server.url}/authority/overrides`);
        const nav = page.locator('nav.staff-nav');
        assert.ok(await nav.isVisible());
        assert.equal(await nav.locator('a[href="/staff/accounts"]').count(), 1);
        assert.equal(await nav.locator('a[href="/authority/cases"]').count(), 0, 'a supervisor has no case list');
        assert.equal(await nav.locator('a[aria-current="page"]').getAttribute('href'), '/authority/overrides');
        await nav.locator('a[href="/staff/accounts"]').click();
        await page.waitForURL(/\/staff\/accounts$/);
        await fitsWidth(page, `/staff/accounts ${size}`);
      } finally {
        await ctx.close();
      }
    });

    test(`the passages and employers' lists filter through their form at ${size} size`, async () => {
      let { ctx, page } = await pageAs('officer', device);
      try {
        await page.goto(`${server.url}/staff/passages`);
        await fitsWidth(page, `/staff/passages ${size}`);
        assert.equal(await page.locator('nav.staff-nav a[aria-current="page"]').getAttribute('href'), '/staff/passages');
        assert.equal(await page.locator('#passages tbody tr').count(), 1);
        assert.match(await page.locator('#passages tbody tr').first().innerText(), /QL1A km 12/);
        assert.match(await page.locator('form.filters input[name="from"]').inputValue(), /^\d{4}-\d{2}-\d{2}$/, 'the default week is shown');
        await page.locator('form.filters select[name="verdict"]').selectOption('deny');
        await page.locator('form.filters button[type=submit]').click();
        await page.waitForURL(/verdict=deny/);
        assert.equal(await page.locator('#passages tbody tr').count(), 0, 'nobody was turned back');
        assert.match(page.url(), /from=\d{4}-\d{2}-\d{2}/, 'the range is kept');
      } finally {
        await ctx.close();
      }
      ({ ctx, page } = await pageAs('authority', device));
      try {
        await page.goto(`${server.url}/authority/employers`);
        await fitsWidth(page, `/authority/employers ${size}`);
        assert.equal(await page.locator('#employers tbody tr').count(), 1);
        await page.locator('form.filters select[name="state"]').selectOption('approved');
        await page.locator('form.filters button[type=submit]').click();
        await page.waitForURL(/state=approved/);
        assert.equal(await page.locator('#employers tbody tr').count(), 0);
        await page.goBack();
        await page.locator(`#employer-${enterpriseId} a`).click();
        await page.waitForURL(/\/authority\/enterprises#application-/);
        assert.ok(await page.locator(`#application-${enterpriseId}`).isVisible(), 'the link lands on the decision form');
      } finally {
        await ctx.close();
      }
    });

    test(`the case list and the trace report work at ${size} size`, async () => {
      const { ctx, page } = await pageAs('authority', device);
      try {
        await page.goto(`${server.url}/authority/cases`);
        await fitsWidth(page, `/authority/cases ${size}`);
        assert.equal(await page.locator('#cases tbody tr').count(), 1);
        await page.locator('#cases tbody tr a').first().click();
        await page.waitForURL(new RegExp(`/authority/cases/${caseId}$`));
        await fitsWidth(page, `trace report ${size}`);

        // Usable from the first screen: the counts and the apply step are in view without scrolling.
        const fold = device.viewport.height;
        for (const selector of ['#trace-counts', '#apply-bar a.button']) {
          const box = await page.locator(selector).boundingBox();
          assert.ok(box && box.y + box.height <= fold, `${selector} is below the fold at ${size}: ${JSON.stringify(box)}`);
        }
        const close = trace.close_contacts.length;
        const secondary = trace.secondary_contacts.length;
        const figures = await page.locator('#trace-counts strong').allInnerTexts();
        assert.deepEqual(figures.slice(0, 2), [String(close), String(secondary)]);
        const rows = page.locator('#trace-summary tbody tr');
        if (close > 0) {
          assert.ok((await rows.count()) >= 1);
          assert.match(await rows.first().innerText(), /Phở 24/);
          await rows.first().locator('a').click();
          await page.waitForURL(/venue=/);
          assert.equal(await page.locator('#trace-stays tbody tr').count(), close);
          await page.goBack();
        }

        await page.locator('#apply-bar a.button').click();
        await page.waitForURL(/\/apply$/);
        const confirm = await page.locator('#confirm-counts strong').allInnerTexts();
        assert.deepEqual(confirm.slice(0, 2), [String(close), String(secondary)], 'the confirmation states the counts');
        await fitsWidth(page, `confirmation ${size}`);
        if (size === 'desktop') {
          await page.locator('form[action$="/apply"] button[type=submit]').click();
          await page.waitForURL(new RegExp(`/authority/cases/${caseId}$`));
          assert.equal(await page.locator('#apply-bar a.button').count(), 0, 'applied: no apply button');
          assert.match(await page.locator('#apply-bar .ok').innerText(), /Applied/);
        } else {
          await page.locator('a.button.secondary').click();
          await page.waitForURL(new RegExp(`/authority/cases/${caseId}$`));
        }

        const csv = await page.evaluate(async (url) => (await fetch(url)).text(), `/authority/cases/${caseId}/report.csv`);
        assert.match(csv.split('\r\n')[0], /^case_id,kind,person,venue_id,venue_name,district_code,district_name/);
        assert.equal(csv.trim().split('\r\n').length, 1 + close + secondary, 'a line per shared stay (one place each)');
      } finally {
        await ctx.close();
      }
    });
  }
});
