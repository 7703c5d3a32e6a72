// Accessibility as a test: axe-core (the npm package, injected through the DevTools protocol, so
// the pages' Content-Security-Policy stays as strict as in production) runs on every page route,
// as every role that page serves, in English, Chinese and Vietnamese on a phone, and in English
// at desktop width. Any serious or critical violation fails the test. Each page must also say its
// language in <html lang> and show no untranslated key (`??`). The error pages (404, 403), forms
// sent back with errors, the operator's code step and the check-in confirmation are pages too, and
// are checked the same way.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { launchBrowser } from '../lib/browser.js';
import { mintToken, runCli, startServer } from '../lib/server.js';
import { api as checked } from '../lib/api.js';

// Calls here check their status only when they name one.
const api = (base, method, pathname, token, body, expect = null) => checked(base, method, pathname, token, body, expect);

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const TEST_TIMEOUT_MS = 600_000;
const STEP_TIMEOUT_MS = 15_000;
const FAILING_IMPACTS = new Set(['serious', 'critical']);

const LANGS = { en: 'en', zh: 'zh-Hans', vi: 'vi' };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 900 } };

const DECLARATION = {
  name: 'Li Wei',
  document_type: 'national_id',
  document_number: '330102199001011234',
  district: '330102',
  symptoms: [],
  temperature_c: 36.6,
  visited_regions: [],
  contact_with_case: false,
  travel_plan: '',
};


describe('accessibility (axe-core) on every page, role and language', { timeout: TEST_TIMEOUT_MS }, () => {
  let server;
  let browser;
  const tokens = {};
  const ids = {};

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const mint = (role, subject) => mintToken(server.dataDir, role, subject);
    [tokens.resident, tokens.green, tokens.operator, tokens.authority, tokens.officer, tokens.supervisor, tokens.auditor] =
      await Promise.all([
        mint('resident', '+8613800000701'),
        mint('resident', '+8613800000702'),
        mint('venue', '+84912000701'),
        mint('authority', 'anh'),
        mint('officer', 'olga'),
        mint('supervisor', 'sam'),
        mint('auditor', 'aud'),
      ]);
    const caseToken = await mint('resident', '+8613800000703');
    const base = server.url;
    // A yellow resident (fever): the yellow band is the one that failed contrast.
    await api(base, 'POST', '/api/v1/declarations', tokens.resident, { ...DECLARATION, symptoms: ['fever'], temperature_c: 38.1 }, 201);
    await api(base, 'POST', '/api/v1/declarations', tokens.green, { ...DECLARATION, name: 'Tran An' }, 201);
    await api(base, 'POST', '/api/v1/declarations', caseToken, { ...DECLARATION, name: 'Zhao Lei' }, 201);
    await api(base, 'POST', '/api/v1/appeals', tokens.resident, { message: 'I had a cold, not a fever.' }, 201);

    const checkpoint = await api(base, 'POST', '/api/v1/checkpoints', tokens.authority, {
      name: 'QL1A km 12', kind: 'national_highway', district: 'HN-THANH-TRI', location: 'southbound', province: 'VN-HN',
    }, 201);
    ids.checkpoint = checkpoint.id;
    const venue = await api(base, 'POST', '/api/v1/venues', tokens.operator, {
      name: 'Phở 24', address: '12 Hàng Bạc', province: 'VN-HN', district: 'HN-HOAN-KIEM',
      commune: 'Hàng Bạc', category: 'restaurant', capacity: 40,
    }, 201);
    ids.venue = venue.id;
    ids.venueLink = new URL(venue.qr_text).pathname;
    // Someone was there, so the venue's log has a row.
    await api(base, 'POST', '/api/v1/check-ins', tokens.green, { venue_qr: venue.qr_text }, 201);
    // Two passages at the checkpoint, one turned back, so the passages list has rows of both kinds.
    for (const who of [tokens.green, tokens.resident]) {
      const code = await api(base, 'GET', '/api/v1/me/code', who);
      await api(base, 'POST', `/api/v1/checkpoints/${checkpoint.id}/scans`, tokens.officer, { qr_text: code.qr_text, direction: 'in' });
    }

    const enterprise = await api(base, 'POST', '/api/v1/enterprises', tokens.operator, {
      name: 'Hanoi Textiles', sites: [{ name: 'Main', address: '1 Phố Huế', district: 'HN-HAI-BA-TRUNG' }],
      planned_headcount: 40, measures: 'masks, distancing, daily temperature checks',
    }, 201);
    ids.enterprise = enterprise.id;
    await api(base, 'POST', `/api/v1/enterprises/${enterprise.id}/approve`, tokens.authority, { reason: 'measures are adequate' });
    await api(base, 'POST', `/api/v1/enterprises/${enterprise.id}/employees`, tokens.operator, { phone: '+8613800000702' }, 201);
    const pending = await api(base, 'POST', '/api/v1/enterprises', tokens.operator, {
      name: 'Old Quarter Bakery', sites: [{ name: 'Shop', address: '3 Hàng Bông', district: 'HN-HOAN-KIEM' }],
      planned_headcount: 5, measures: 'masks and hand washing',
    }, 201);
    assert.ok(pending.id);

    const recorded = await api(base, 'POST', '/api/v1/cases', tokens.authority, {
      phone: '+8613800000703', kind: 'confirmed', onset_date: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10),
    }, 201);
    ids.case = recorded.id;
    const invited = await runCli(server.dataDir, ['staff', 'add', 'olga', '--name', 'Olga', '--roles', 'officer']);
    ids.invitation = new URL(invited.trim().split('\n').pop()).pathname;
    await api(base, 'POST', '/api/v1/overrides', tokens.authority, {
      phone: '+8613800000702', colour: 'yellow', reason_code: 'LAB_RESULT', basis: 'positive antigen test at clinic 4',
    }, 201);
    // Test results and false declarations: a result for the resident, an approved false declaration
    // for the person with a case (their results page shows it), and one waiting for a supervisor.
    tokens.cased = caseToken;
    const sampled = new Date(Date.now() - 26 * 3_600_000).toISOString().slice(0, 16);
    await api(base, 'POST', '/api/v1/test-results', tokens.authority, {
      phone: '+8613800000701', kind: 'antigen', outcome: 'negative', sampled_at: sampled, lab: 'Hanoi CDC laboratory',
    }, 201);
    const approved = await api(base, 'POST', '/api/v1/false-declarations', tokens.authority, {
      phone: '+8613800000703', evidence: 'declared no contact; the case register shows a shared household',
    }, 201);
    await api(base, 'POST', `/api/v1/false-declarations/${approved.id}/approve`, tokens.supervisor, {}, 200);
    await api(base, 'POST', '/api/v1/false-declarations', tokens.authority, {
      phone: '+8613800000701', evidence: 'declared no travel; the rail manifest shows an arrival from a risk area',
    }, 201);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // Every GET page route, as each role it serves (null: nobody signed in). `status` when not 200.
  function pages() {
    return [
      { path: '/', who: null },
      { path: '/', who: 'resident' },
      { path: '/signin', who: null },
      { path: '/signin/visitor', who: null },
      { path: '/c', who: null },
      { path: '/c', who: 'resident' },
      { path: '/signin/verify?contact=%2B8613800000799', who: null },
      { path: '/staff/signin', who: null },
      { path: '/venue/signin', who: null },
      { path: '/dev/outbox', who: null },
      { path: '/exposure-sites', who: null },
      { path: '/stats', who: null },
      { path: '/stats', who: 'authority' },
      { path: ids.venueLink, who: null },
      { path: ids.venueLink, who: 'resident' },
      { path: '/me/code', who: 'resident' },
      { path: '/me/code', who: 'green' },
      { path: '/me/pass', who: 'resident' },
      { path: '/me/history', who: 'resident' },
      { path: '/declare', who: 'resident' },
      { path: '/clock-in', who: 'resident' },
      { path: '/me/visits', who: 'green' },
      { path: '/me/notices', who: 'resident' },
      { path: '/me/appeal', who: 'resident' },
      { path: '/me/employers', who: 'green' },
      { path: '/venue', who: 'operator' },
      { path: `/venue/${ids.venue}`, who: 'operator' },
      { path: `/venue/${ids.venue}/scan`, who: 'operator' },
      { path: '/employer', who: 'operator' },
      { path: `/employer/${ids.enterprise}`, who: 'operator' },
      { path: `/employer/${ids.enterprise}/scan`, who: 'operator' },
      { path: '/checkpoint', who: 'authority' },
      { path: '/checkpoint', who: 'officer' },
      { path: `/checkpoint/${ids.checkpoint}`, who: 'officer' },
      { path: `/checkpoint/${ids.checkpoint}`, who: 'authority' },
      { path: '/authority/cases', who: 'authority' },
      { path: `/authority/cases/${ids.case}`, who: 'authority' },
      { path: `/authority/cases/${ids.case}/apply`, who: 'authority' },
      { path: `/authority/cases/${ids.case}?venue=${ids.venue}`, who: 'authority' },
      { path: '/authority/cases?sort=onset&dir=asc&status=traced', who: 'authority' },
      { path: '/authority/appeals', who: 'authority' },
      { path: '/authority/enterprises', who: 'authority' },
      { path: '/authority/employers', who: 'authority' },
      { path: '/authority/employers?state=pending&sort=name&dir=asc', who: 'authority' },
      { path: '/staff/passages', who: 'officer' },
      { path: '/staff/passages', who: 'authority' },
      { path: '/staff/passages?verdict=deny&sort=checkpoint&dir=asc', who: 'authority' },
      { path: '/authority/overrides', who: 'authority' },
      { path: '/authority/overrides', who: 'supervisor' },
      { path: '/authority/overrides', who: 'auditor' },
      { path: '/authority/alarms', who: 'authority' },
      { path: '/authority/alarms', who: 'supervisor' },
      { path: '/authority/alarms', who: 'auditor' },
      { path: '/authority/tests', who: 'authority' },
      { path: '/authority/false-declarations', who: 'authority' },
      { path: '/authority/false-declarations', who: 'supervisor' },
      { path: '/authority/false-declarations', who: 'auditor' },
      { path: '/me/tests', who: 'resident' },
      { path: '/me/tests', who: 'cased' },
      { path: ids.invitation, who: null },
      { path: '/staff/accounts', who: 'supervisor' },
      { path: '/staff/enrol', who: 'officer' },
      { path: '/signin/link/hcl_example', who: null },
      { path: '/no-such-page', who: null, status: 404 },
      { path: '/authority/cases', who: 'resident', status: 403 },
    ];
  }

  async function context(who, lang, device) {
    const ctx = await browser.newContext({ ...device, locale: lang === 'zh' ? 'zh-CN' : lang });
    ctx.setDefaultTimeout(STEP_TIMEOUT_MS);
    const cookies = [{ name: 'hc_lang', value: lang, url: server.url }];
    if (who) cookies.push({ name: 'hc_session', value: tokens[who], url: server.url });
    await ctx.addCookies(cookies);
    await ctx.grantPermissions(['camera'], { origin: server.url });
    return ctx;
  }

  /** axe on the page as it stands, plus the language and untranslated-key checks. */
  async function audit(page, label, lang) {
    const problems = [];
    const htmlLang = await page.getAttribute('html', 'lang');
    if (htmlLang !== LANGS[lang]) problems.push(`${label}: <html lang="${htmlLang}">, expected "${LANGS[lang]}"`);
    const text = await page.evaluate(() => document.body.innerText);
    if (text.includes('??')) problems.push(`${label}: shows "??" (a missing translation key)`);
    await page.evaluate(AXE_SOURCE);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    for (const v of result.violations) {
      if (!FAILING_IMPACTS.has(v.impact)) continue;
      const where = v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ')}`);
      problems.push(`${label}: [${v.impact}] ${v.id} (${v.help}) at ${where.join(' | ')}`);
    }
    return { problems, minor: result.violations.filter((v) => !FAILING_IMPACTS.has(v.impact)).map((v) => v.id) };
  }

  async function sweep(lang, device, deviceName) {
    const problems = [];
    const minor = new Set();
    const byRole = new Map();
    for (const p of pages()) {
      const key = p.who ?? 'anonymous';
      if (!byRole.has(key)) byRole.set(key, []);
      byRole.get(key).push(p);
    }
    for (const [who, list] of byRole) {
      const ctx = await context(who === 'anonymous' ? null : who, lang, device);
      try {
        const page = await ctx.newPage();
        for (const p of list) {
          const label = `${deviceName} ${lang} ${who} ${p.path === ids.venueLink ? '/c/{token}' : p.path}`;
          const response = await page.goto(`${server.url}${p.path}`);
          assert.equal(response.status(), p.status ?? 200, `${label} answered ${response.status()}`);
          assert.match(response.headers()['content-type'] ?? '', /^text\/html/, `${label} is a page`);
          await page.waitForLoadState('load');
          if (p.path === '/me/code' && device === PHONE) {
            // The compact menu keeps the whole QR on the first screen of a small phone.
            const box = await page.locator('#qr').boundingBox();
            assert.ok(box && box.y + box.height <= PHONE.viewport.height, `${label}: QR at ${JSON.stringify(box)}`);
            console.log(`# ${label}: QR from ${Math.round(box.y)} to ${Math.round(box.y + box.height)} px of ${PHONE.viewport.height}`);
          }
          const found = await audit(page, label, lang);
          problems.push(...found.problems);
          found.minor.forEach((id) => minor.add(id));
        }
        // Pages that only a form post shows: the declaration sent back with its errors, and the
        // check-in confirmation (entered the first time, already checked in after that).
        if (who === 'anonymous') {
          // The operator's sign-in: a bad phone sent back beside its field, then the code step.
          await page.goto(`${server.url}/venue/signin`);
          await page.fill('input[name=phone]', '0912');
          await Promise.all([page.waitForURL(`${server.url}/venue/signin`), page.click('form button[type=submit]')]);
          assert.equal(await page.locator('#e-phone').count(), 1, 'the phone error beside the phone');
          problems.push(...(await audit(page, `${deviceName} ${lang} anonymous POST /venue/signin (error)`, lang)).problems);
          await page.fill('input[name=phone]', '+84912000799');
          await Promise.all([page.waitForURL(`${server.url}/venue/signin`), page.click('form button[type=submit]')]);
          await page.locator('input[name=code]').waitFor();
          problems.push(...(await audit(page, `${deviceName} ${lang} anonymous POST /venue/signin (code)`, lang)).problems);
          // A poster's entry code typed wrong: sent back beside its field.
          await page.goto(`${server.url}/c`);
          await page.fill('input[name=code]', '12');
          await Promise.all([page.waitForURL(`${server.url}/c`), page.click('form[action="/c"] button[type=submit]')]);
          assert.equal(await page.locator('#e-code').count(), 1, 'the code error beside the code');
          problems.push(...(await audit(page, `${deviceName} ${lang} anonymous POST /c (error)`, lang)).problems);
        }
        if (who === 'resident') {
          await page.goto(`${server.url}/declare`);
          await page.fill('input[name=temperature_c]', 'hot');
          await page.fill('input[name=document_number]', 'x');
          await Promise.all([page.waitForURL(`${server.url}/declare`), page.click('form[action="/declare"] button[type=submit]')]);
          assert.equal(await page.locator('.field-error').count(), 2, 'both errors beside their fields');
          assert.equal(await page.inputValue('input[name=temperature_c]'), 'hot', 'what was typed is kept');
          problems.push(...(await audit(page, `${deviceName} ${lang} resident POST /declare (errors)`, lang)).problems);
          await page.goto(`${server.url}${ids.venueLink}`);
          await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
          // A yellow code is not let in: the full-screen "do not enter" with what to do (cp).
          await page.locator('[data-outcome=refused]').waitFor();
          assert.equal(await page.locator('section.stop.yellow').count(), 1, 'do not enter, for a yellow code');
          problems.push(...(await audit(page, `${deviceName} ${lang} resident POST /c/{token} (refused)`, lang)).problems);
        }
      } finally {
        await ctx.close();
      }
    }
    return { problems, minor };
  }

  for (const [lang, device, name] of [
    ['en', PHONE, 'phone'],
    ['zh', PHONE, 'phone'],
    ['vi', PHONE, 'phone'],
    ['en', DESKTOP, 'desktop'],
  ]) {
    test(`${name} ${lang}: no serious or critical violation`, { timeout: TEST_TIMEOUT_MS }, async () => {
      const started = Date.now();
      const { problems, minor } = await sweep(lang, device, name);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`# ${name} ${lang}: ${pages().length + 5} pages in ${seconds} s; minor/moderate rules seen: ${[...minor].join(', ') || 'none'}`);
      assert.deepEqual(problems, [], 'no serious or critical accessibility violation');
    });
  }
});
