// Browser safety in a real Chromium: (a) a page served from another origin (a second tiny HTTP
// server on another loopback port, so the victim's SameSite=Lax cookie still rides along) posts a
// form to our server and is refused, with nothing done; (b) every main page loads without a single
// Content-Security-Policy violation, and the pages whose scripts matter still run them (the code
// countdown, the stats charts, the camera scanner, the scanner judging a code with the network off).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { mintToken, startServer } from '../lib/server.js';
import { call as api } from '../lib/api.js';

const TEST_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 15_000;

const DECLARATION = {
  name: 'Li Wei',
  document_type: 'national_id',
  document_number: '330102199001011234',
  district: '330102',
  symptoms: [],
  temperature_c: 36.6,
};


/** Serves one HTML page on 127.0.0.1 (another port: another origin, the same site). */
async function attackerSite(html) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Collects CSP violations (from the DOM event and from the console) and page errors. */
async function watchedPage(context) {
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|apply|execute|connect)/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { page, problems };
}

async function violations(page, problems) {
  const fromDom = await page.evaluate(() => window.__csp ?? []);
  return [...fromDom, ...problems];
}

describe('browser safety', { timeout: TEST_TIMEOUT_MS * 4 }, () => {
  let server;
  let browser;
  let resident;
  let operator;
  let authority;
  let officer;
  let checkpointId;
  let venueId;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    resident = await mintToken(server.dataDir, 'resident', '+8613800000301');
    const [s] = await api(server.url, 'POST', '/api/v1/declarations', resident, DECLARATION);
    assert.equal(s, 201);
    operator = await mintToken(server.dataDir, 'venue', '+84912000301');
    authority = await mintToken(server.dataDir, 'authority', 'anh');
    officer = await mintToken(server.dataDir, 'officer', 'olga');
    const [cs, cp] = await api(server.url, 'POST', '/api/v1/checkpoints', authority, {
      name: 'QL1A km 12',
      kind: 'city_entry',
      district: 'HN-THANH-TRI',
      location: 'southbound',
    });
    assert.equal(cs, 201, JSON.stringify(cp));
    checkpointId = cp.id;
    const [vs, venue] = await api(server.url, 'POST', '/api/v1/venues', operator, {
      name: 'Phở 24',
      address: '12 Hàng Bạc',
      province: 'VN-HN',
      district: 'HN-HOAN-KIEM',
      commune: 'Hàng Bạc',
      category: 'restaurant',
      capacity: 40,
    });
    assert.equal(vs, 201, JSON.stringify(venue));
    venueId = venue.id;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A phone context signed in with `token` as the session cookie. */
  async function phone(token, options) {
    const context = await newPhoneContext(browser, options);
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    if (token) await context.addCookies([{ name: 'hc_session', value: token, url: server.url }]);
    return context;
  }

  test('a form on another origin posting with the victim\'s cookie is refused', { timeout: TEST_TIMEOUT_MS }, async () => {
    const victim = await mintToken(server.dataDir, 'resident', '+8613800000302');
    const fields = { ...DECLARATION, temperature_c: '38.5', symptoms: 'fever' };
    const inputs = Object.entries(fields)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
      .join('');
    const evil = await attackerSite(
      `<!doctype html><title>Win a prize</title><form id="f" method="post" action="${server.url}/declare">${inputs}` +
        '<button>Claim</button></form>',
    );
    const context = await phone(victim);
    try {
      const page = await context.newPage();
      await page.goto(evil.url);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${server.url}/declare` && r.request().method() === 'POST'),
        page.click('button'),
      ]);
      // The browser did send the cookie (same site, other origin): only our check stops it.
      const sent = await response.request().allHeaders();
      assert.match(sent.cookie ?? '', /hc_session=/, 'the cookie rode along');
      assert.equal(sent['sec-fetch-site'], 'same-site');
      assert.equal(response.status(), 403);
      await page.waitForLoadState();
      assert.match(await page.textContent('main'), /sent from another website/);
      const [status, body] = await api(server.url, 'GET', '/api/v1/me/status', victim);
      assert.equal(status, 409, JSON.stringify(body));
      assert.equal(body.error.code, 'DECLARATION_REQUIRED', 'nothing was declared');
    } finally {
      await context.close();
      await evil.close();
    }
  });

  test('a cross-origin fetch with the cookie is refused', { timeout: TEST_TIMEOUT_MS }, async () => {
    const victim = await mintToken(server.dataDir, 'resident', '+8613800000303');
    const evil = await attackerSite('<!doctype html><title>x</title><p>hello</p>');
    const context = await phone(victim);
    try {
      const page = await context.newPage();
      await page.goto(evil.url);
      // A "simple" request (text/plain, no preflight) with credentials: the browser sends it,
      // cookie and all; the page cannot read the answer, but the server must not act on it.
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${server.url}/api/v1/declarations`),
        page.evaluate(
          ([url, body]) =>
            fetch(url, { method: 'POST', credentials: 'include', mode: 'no-cors', body }).catch(() => null),
          [`${server.url}/api/v1/declarations`, JSON.stringify(DECLARATION)],
        ),
      ]);
      // 401 would mean the cookie stayed home; 403 means it came and the origin check refused it.
      assert.equal(response.status(), 403);
      const [status] = await api(server.url, 'GET', '/api/v1/me/status', victim);
      assert.equal(status, 409, 'nothing was declared');
    } finally {
      await context.close();
      await evil.close();
    }
  });

  const PAGES = [
    ['/', null],
    ['/signin', null],
    ['/signin/visitor', null],
    ['/staff/signin', null],
    ['/venue/signin', null],
    ['/exposure-sites', null],
    ['/stats', null],
    ['/me/code', 'resident'],
    ['/me/pass', 'resident'],
    ['/me/history', 'resident'],
    ['/declare', 'resident'],
    ['/clock-in', 'resident'],
    ['/me/visits', 'resident'],
    ['/me/appeal', 'resident'],
    ['/venue', 'operator'],
    ['/venue/{venue}', 'operator'],
    ['/venue/{venue}/scan', 'operator'],
    ['/employer', 'operator'],
    ['/authority/cases', 'authority'],
    ['/authority/overrides', 'authority'],
    ['/authority/alarms', 'authority'],
    ['/authority/tests', 'authority'],
    ['/authority/false-declarations', 'authority'],
    ['/me/tests', 'resident'],
    ['/checkpoint', 'authority'],
    ['/checkpoint/{checkpoint}', 'officer'],
    ['/authority/cases', 'authority'],
    ['/authority/overrides', 'authority'],
    ['/api/docs/', null],
  ];

  test('every main page loads without a CSP violation', { timeout: TEST_TIMEOUT_MS }, async () => {
    const tokens = { resident, operator, authority, officer };
    const found = [];
    for (const [pattern, who] of PAGES) {
      const path = pattern.replace('{venue}', venueId).replace('{checkpoint}', checkpointId);
      const context = await phone(who ? tokens[who] : null);
      if (path.includes('/scan') || path.startsWith('/checkpoint/')) {
        await context.grantPermissions(['camera'], { origin: server.url });
      }
      try {
        const { page, problems } = await watchedPage(context);
        const response = await page.goto(`${server.url}${path}`);
        assert.equal(response.status(), 200, `${path} answered ${response.status()}`);
        assert.equal(new URL(page.url()).pathname, path, `${path} was not redirected`);
        assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self'/, path);
        await page.waitForLoadState('load');
        await page.waitForTimeout(300);
        for (const v of await violations(page, problems)) found.push(`${path}: ${v}`);
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(found, [], 'no page broke its own Content-Security-Policy');
  });

  test('the code page counts down and the stats page draws its charts', { timeout: TEST_TIMEOUT_MS }, async () => {
    const context = await phone(resident);
    try {
      const { page, problems } = await watchedPage(context);
      await page.goto(`${server.url}/me/code`);
      const first = Number(await page.textContent('#countdown'));
      await page.waitForFunction((n) => Number(document.getElementById('countdown').textContent) < n, first);
      await page.goto(`${server.url}/stats`);
      await page.locator('body[data-charts="4"]').waitFor({ state: 'attached' });
      assert.equal(await page.locator('.chart canvas').count(), 4, 'uPlot drew four charts');
      await page.click('#districts thead th:nth-child(2)').catch(() => {}); // empty city: maybe no table
      assert.deepEqual(await violations(page, problems), []);
    } finally {
      await context.close();
    }
  });

  test('the checkpoint scanner runs and judges a code with the network off', { timeout: TEST_TIMEOUT_MS }, async () => {
    const [, code] = await api(server.url, 'GET', '/api/v1/me/code', resident);
    const context = await phone(officer);
    await context.grantPermissions(['camera'], { origin: server.url });
    try {
      const { page, problems } = await watchedPage(context);
      await page.goto(`${server.url}/checkpoint/${checkpointId}`);
      await page.locator('body[data-scanner-ready=true]').waitFor({ state: 'attached' });
      await page.waitForFunction(
        () =>
          localStorage.getItem('hc.scanner.trust-list') !== null &&
          localStorage.getItem('hc.scanner.status-list') !== null,
      );
      await context.setOffline(true);
      await page.locator('#net[data-online=false]').waitFor();
      await page.fill('#manual-text', code.qr_text);
      await page.click('#manual button[type=submit]');
      await page.locator('#verdict[data-verdict=allow]').waitFor();
      assert.match(await page.locator('#verdict').innerText(), /checked offline/);
      await context.setOffline(false);
      await page.locator('#net[data-queued="0"][data-online=true]').waitFor();
      assert.deepEqual(await violations(page, problems), []);
    } finally {
      await context.close();
    }
  });
});
