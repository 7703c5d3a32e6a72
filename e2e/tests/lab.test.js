// Test results and false declarations in a real browser (issue 18, items 1 and 6): the authority
// records a result on /authority/tests and imports a CSV file (a bad row refuses the file, listed by
// line; the corrected file is accepted); the resident finds the result from the menu; the authority
// requests a false declaration with evidence, a supervisor (the second person) approves it, the
// resident's code turns red, they see what was recorded on /me/tests and appeal it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { mintToken, startServer } from '../lib/server.js';
import { api } from '../lib/api.js';

const PHONE = '+8613800001901';
const OTHER = '+8613800001902';
const DECLARATION = {
  name: 'Li Wei', document_type: 'national_id', document_number: '330102199001011234', district: '330102',
  symptoms: [], temperature_c: 36.6,
};

/** A sample time `h` hours ago as `YYYY-MM-DDTHH:MM` (a day back: in the past in any zone). */
function hoursAgo(h) {
  return new Date(Date.now() - h * 3_600_000).toISOString().slice(0, 16);
}

describe('test results and false declarations', { timeout: 180_000 }, () => {
  let server;
  let browser;
  const tokens = {};

  async function signedIn(token) {
    const ctx = await newPhoneContext(browser);
    await ctx.addCookies([{ name: 'hc_session', value: token, url: server.url }]);
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const mint = (role, subject) => mintToken(server.dataDir, role, subject);
    [tokens.authority, tokens.supervisor, tokens.resident, tokens.other] = await Promise.all([
      mint('authority', 'anh'),
      mint('supervisor', 'sam'),
      mint('resident', PHONE),
      mint('resident', OTHER),
    ]);
    await api(server.url, 'POST', '/api/v1/declarations', tokens.resident, DECLARATION, 201);
    await api(server.url, 'POST', '/api/v1/declarations', tokens.other, { ...DECLARATION, name: 'Tran An' }, 201);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('staff record and import results; the resident sees them; a false declaration is approved by a second person and appealed', async () => {
    const authority = await signedIn(tokens.authority);
    await authority.goto(`${server.url}/authority/tests`);
    await authority.fill('#record-result input[name=phone]', PHONE);
    await authority.selectOption('#record-result select[name=kind]', 'pcr');
    await authority.selectOption('#record-result select[name=outcome]', 'negative');
    await authority.fill('#record-result input[name=sampled_at]', hoursAgo(26));
    await authority.fill('#record-result input[name=lab]', 'Hanoi CDC laboratory');
    await authority.click('#record-result button[type=submit]');
    await authority.waitForURL(/\/authority\/tests$/);
    assert.match(await authority.locator('#recent-results').innerText(), /Hanoi CDC laboratory/);

    // A file with a bad row is refused whole, the row named by its line; the corrected file goes in.
    const csv = (outcome) =>
      `phone,kind,outcome,sampled_at,lab\n${OTHER},antigen,negative,${hoursAgo(30)},Station testing point\n${PHONE},antigen,${outcome},${hoursAgo(28)},Station testing point\n`;
    await authority.fill('#import-results textarea[name=csv]', csv('unsure'));
    await authority.click('#import-results button[type=submit]');
    const refused = await authority.locator('#refused-rows').innerText();
    assert.match(refused, /3\s+Choose positive or negative\./, refused);
    assert.match(await authority.inputValue('#import-results textarea[name=csv]'), /unsure/, 'the text is kept');
    await authority.fill('#import-results textarea[name=csv]', csv('negative'));
    await authority.click('#import-results button[type=submit]');
    const report = await authority.locator('#import-report').innerText();
    assert.match(report, /accepted 2/, report);

    // The resident finds both results from the menu.
    const resident = await signedIn(tokens.resident);
    await resident.goto(`${server.url}/me/code`);
    await resident.click('details.menu summary');
    await resident.click('nav a[href="/me/tests"]');
    await resident.waitForURL(/\/me\/tests$/);
    const results = await resident.locator('#my-results').innerText();
    assert.match(results, /Hanoi CDC laboratory/);
    assert.match(results, /Station testing point/);
    assert.match(results, /Negative/);
    assert.equal(await resident.locator('#my-declarations').count(), 0);

    // The authority requests a false declaration; it changes nothing yet.
    const evidence = 'declared no travel; the rail manifest shows G1234 from Wuhan on 30 October';
    await authority.goto(`${server.url}/authority/false-declarations`);
    await authority.fill('#request-declaration input[name=phone]', PHONE);
    await authority.fill('#request-declaration textarea[name=evidence]', evidence);
    await authority.click('#request-declaration button[type=submit]');
    await authority.waitForURL(/\/authority\/false-declarations$/);
    assert.match(await authority.locator('#pending-declarations').innerText(), /G1234/);
    assert.equal(await authority.locator('#pending-declarations form[action$="/approve"]').count(), 0, 'no buttons for the requester');
    const before = await api(server.url, 'GET', '/api/v1/me/status', tokens.resident);
    assert.equal(before.colour, 'green');

    // A second person (a supervisor) approves it.
    const supervisor = await signedIn(tokens.supervisor);
    await supervisor.goto(`${server.url}/authority/false-declarations`);
    await supervisor.click('#pending-declarations form[action$="/approve"] button');
    await supervisor.waitForURL(/\/authority\/false-declarations$/);
    assert.equal(await supervisor.locator('#pending-declarations li').count(), 0);

    // The resident's code is red; they see what was recorded and appeal it.
    await resident.goto(`${server.url}/me/code`);
    assert.equal(await resident.getAttribute('#band', 'data-colour'), 'red');
    await resident.goto(`${server.url}/me/tests`);
    const declared = await resident.locator('#my-declarations').innerText();
    assert.match(declared, /G1234/);
    assert.match(declared, /sam/, 'who approved it');
    await resident.click('#appeal-link');
    await resident.waitForURL(/\/me\/appeal$/);
    await resident.fill('textarea[name=message]', 'I declared the trip on the 31st; see my history.');
    await resident.click('form[action="/me/appeal"] button[type=submit]');
    await resident.waitForURL(/\/me\/appeal/);
    const appeals = await api(server.url, 'GET', '/api/v1/me/appeals', tokens.resident);
    assert.equal(appeals.length, 1, JSON.stringify(appeals));

    // Chinese and Vietnamese pages show the same.
    await resident.goto(`${server.url}/me/tests?lang=zh`);
    assert.match(await resident.locator('h1').innerText(), /我的检测结果/);
    await resident.goto(`${server.url}/me/tests?lang=vi`);
    assert.match(await resident.locator('#my-results').innerText(), /Âm tính/);
  });
});
