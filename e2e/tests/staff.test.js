// Staff accounts in a real browser (issue 16): the operator creates a supervisor, who enrols with a
// password and an authenticator code in Chromium, invites an officer from /staff/accounts; the officer
// opens the link, sets a password and enrols the second factor, signs in, scans a resident's code at a
// checkpoint, is locked after five wrong passwords, is reset, and is refused once disabled. The codes
// are computed here (RFC 6238 with node's HMAC) from the key the enrolment page shows.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { mintToken, runCli, startServer } from '../lib/server.js';
import { api } from '../lib/api.js';

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

/** The 6-digit code for a step (RFC 6238, SHA-1, 30 s). */
function totp(key, step = Math.floor(Date.now() / 30_000)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(key)).update(counter).digest();
  const o = mac[mac.length - 1] & 0xf;
  const n = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/** Waits for the next 30-second step, so a code is not the one just used. */
async function nextStep() {
  const wait = 30_000 - (Date.now() % 30_000) + 200;
  await new Promise((r) => setTimeout(r, wait));
}

async function enrol(page, link, password) {
  await page.goto(link);
  const key = (await page.locator('#totp-key').innerText()).trim();
  await page.fill('input[name=password]', password);
  await page.fill('input[name=code]', totp(key));
  await page.click('button[type=submit]');
  await page.waitForURL(/\/staff\/signin/);
  return key;
}

async function signIn(page, login, password, key) {
  await page.goto('/staff/signin'.replace(/^/, page.baseUrl));
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await page.fill('input[name=code]', totp(key));
  await page.click('form[action="/staff/signin"] button[type=submit] >> nth=0');
}

describe('staff accounts', { timeout: 240_000 }, () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a supervisor invites an officer who enrols, signs in, scans, is locked and is disabled', async () => {
    const out = await runCli(server.dataDir, ['staff', 'add', 'sam', '--name', 'Sam', '--roles', 'supervisor']);
    const samLink = out.trim().split('\n').pop().replace(/^https?:\/\/[^/]+/, server.url);
    const supervisor = await (await newPhoneContext(browser)).newPage();
    supervisor.baseUrl = server.url;
    const samKey = await enrol(supervisor, samLink, 'sam has a long password');
    await nextStep();
    await signIn(supervisor, 'SAM', 'sam has a long password', samKey);
    await supervisor.waitForURL(/\/authority\/overrides/);

    await supervisor.goto(`${server.url}/staff/accounts`);
    await supervisor.fill('input[name=login]', 'olga');
    await supervisor.fill('input[name=name]', 'Olga Officer');
    await supervisor.check('input[name=role][value=officer]');
    await supervisor.click('form[action="/staff/accounts"] button[type=submit]');
    const olgaLink = (await supervisor.locator('#invitation-link').getAttribute('href')).replace(/^https?:\/\/[^/]+/, server.url);

    const officer = await (await newPhoneContext(browser)).newPage();
    officer.baseUrl = server.url;
    const olgaKey = await enrol(officer, olgaLink, 'olga has a long password');
    await nextStep();
    await signIn(officer, 'olga', 'olga has a long password', olgaKey);
    await officer.waitForURL(/\/checkpoint$/);

    // She scans a resident's code at a checkpoint with her browser session.
    const authority = await mintToken(server.dataDir, 'authority', 'anh');
    const cp = await api(server.url, 'POST', '/api/v1/checkpoints', authority,
      { name: 'Hangzhou East', kind: 'station', district: '330104', location: 'hall 2' }, 201);
    const resident = await mintToken(server.dataDir, 'resident', '+8613800000881');
    await api(server.url, 'POST', '/api/v1/declarations', resident, {
      name: 'Li Wei', document_type: 'national_id', document_number: '330102199001011234', district: '330102',
      symptoms: [], temperature_c: 36.6,
    }, 201);
    const code = await api(server.url, 'GET', '/api/v1/me/code', resident);
    const verdict = await officer.evaluate(async ({ id, qr }) => {
      const r = await fetch(`/api/v1/checkpoints/${id}/scans`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr_text: qr, direction: 'in' }),
      });
      return { status: r.status, body: await r.json() };
    }, { id: cp.id, qr: code.qr_text });
    assert.equal(verdict.status, 200, JSON.stringify(verdict));
    assert.equal(verdict.body.verdict, 'allow');

    // Five wrong passwords lock her account; then the right one is refused too.
    for (let i = 0; i < 5; i += 1) await signIn(officer, 'olga', 'not her password', olgaKey);
    await signIn(officer, 'olga', 'olga has a long password', olgaKey);
    assert.match(await officer.locator('body').innerText(), /locked/);
    await officer.goto(`${server.url}/checkpoint`);
    assert.match(officer.url(), /\/staff\/signin/, 'the lock ended her session');

    // The supervisor changes her roles from the page, then disables her: refused.
    await supervisor.goto(`${server.url}/staff/accounts`);
    const roles = supervisor.locator('form.roles', { has: supervisor.locator('button[aria-label="Change roles olga"]') });
    await roles.locator('input[name=role][value=auditor]').check();
    await supervisor.click('button[aria-label="Change roles olga"]');
    assert.match(await supervisor.locator('ol.history').innerText(), /officer,auditor/);
    await supervisor.click('button[aria-label="Disable olga"]');
    await signIn(officer, 'olga', 'olga has a long password', olgaKey);
    assert.match(await officer.locator('body').innerText(), /disabled/);

    // The audit log shows every step.
    const auditor = await mintToken(server.dataDir, 'auditor', 'audrey');
    const log = await api(server.url, 'GET', '/api/v1/audit', auditor);
    const actions = log.map((e) => e.action);
    for (const step of ['staff.created', 'staff.enrolled', 'staff.signed_in', 'staff.sign_in_failed', 'staff.locked', 'staff.roles_changed', 'staff.disabled']) {
      assert.ok(actions.includes(step), `${step} missing from ${actions}`);
    }
  });

  test('an officer enrols a visitor on site; the visitor signs in with the link and sees their code', async () => {
    const out = await runCli(server.dataDir, ['staff', 'add', 'wang', '--name', 'Wang Officer', '--roles', 'officer']);
    const link = out.trim().split('\n').pop().replace(/^https?:\/\/[^/]+/, server.url);
    const officer = await (await newPhoneContext(browser)).newPage();
    // An officer may skip the second factor: signed in at once.
    await officer.goto(link);
    await officer.fill('input[name=password]', 'wang has a long password');
    await officer.click('button[type=submit]');
    await officer.waitForURL(/\/checkpoint$/);

    await officer.goto(`${server.url}/staff/enrol`);
    await officer.selectOption('select[name=document_type]', 'passport');
    await officer.fill('input[name=document_number]', 'C01X00T47');
    await officer.fill('input[name=name]', 'Anna Schmidt');
    await officer.fill('input[name=contact]', 'anna@example.de');
    await officer.fill('input[name=origin]', 'Frankfurt');
    await officer.fill('input[name=arrival]', 'G7512, 14:05');
    await officer.fill('input[name=district]', '330104');
    await officer.fill('input[name=temperature_c]', '36.5');
    await officer.check('input[name=handover][value=link]');
    await officer.click('form[action="/staff/enrol"] button[type=submit]');
    assert.match(await officer.locator('#enrol-done').innerText(), /e-mail/);

    // The same passport again: refused beside the document number, typed values kept.
    await officer.fill('input[name=document_number]', 'C01X00T47');
    await officer.fill('input[name=name]', 'Anna Schmidt');
    await officer.fill('input[name=contact]', 'anna.other@example.de');
    await officer.fill('input[name=district]', '330104');
    await officer.fill('input[name=temperature_c]', '36.5');
    await officer.click('form[action="/staff/enrol"] button[type=submit]');
    assert.match(await officer.locator('#e-document_number').innerText(), /enrolled already/);
    assert.equal(await officer.inputValue('input[name=contact]'), 'anna.other@example.de');

    // The visitor opens the link from the e-mail (the dev outbox here) and sees her code.
    const outbox = await api(server.url, 'GET', '/api/v1/dev/outbox?recipient=anna%40example.de', null);
    const url = outbox.messages[0].body.match(/https?:\/\/\S+\/signin\/link\/\S+/)[0].replace(/^https?:\/\/[^/]+/, server.url);
    const visitor = await (await newPhoneContext(browser)).newPage();
    await visitor.goto(url);
    await visitor.click('form button[type=submit]');
    await visitor.waitForURL(/\/me\/code/);
    assert.equal(await visitor.locator('#band').getAttribute('data-colour'), 'green');
    assert.ok(await visitor.locator('#qr svg').count() > 0);
    // The link worked once.
    await visitor.goto(url);
    await visitor.click('form button[type=submit]');
    assert.match(await visitor.locator('body').innerText(), /used, expired or wrong/);

    const auditor = await mintToken(server.dataDir, 'auditor', 'aud');
    const log = await api(server.url, 'GET', '/api/v1/audit', auditor);
    assert.ok(log.some((e) => e.action === 'resident.enrolled_on_site' && e.actor === 'officer:wang'), JSON.stringify(log.slice(-3)));
  });
});
