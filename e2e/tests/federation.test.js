// Federation in the offline scanner: region A's checkpoint page, with the network off,
// verifies a code issued by peer region B against B's keys that A's server fetched (signed by
// B's pinned root key) and the page cached; once that cached list is past its expiry the same
// code is refused as PEER_LIST_STALE, never accepted silently. Both verdicts sync when back online.
// On SQLite, or on PostgreSQL (a schema per region) when HEALTHCODE_TEST_PG is set.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { runCli, startServer } from '../lib/server.js';
import { api } from '../lib/api.js';

const TEST_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 15_000;
/** B's published list is valid this long, so the cached copy goes stale during the test. */
const B_LIST_SECONDS = 20;

/** `healthcode token` against a region's data directory and store; the token is the last line. */
async function mintTokenIn(server, store, role, subject) {
  const out = await runCli(server.dataDir, ['token', '--role', role, '--subject', subject, ...store]);
  return out.trim().split('\n').pop().trim();
}


/**
 * The store for one region: SQLite in its data directory, or, when HEALTHCODE_TEST_PG is set,
 * a fresh schema of that PostgreSQL database (created with psql, dropped after).
 */
const PG = process.env.HEALTHCODE_TEST_PG;
const schemas = [];
function storeArgs(name) {
  if (!PG) return [];
  const schema = `e2e_fed_${name}_${process.pid}_${Date.now()}`;
  execFileSync('psql', [PG, '-qc', `CREATE SCHEMA "${schema}"`]);
  schemas.push(schema);
  const separator = PG.includes('?') ? '&' : '?';
  return ['--db', `${PG}${separator}options=-c%20search_path%3D${schema}`];
}

describe('federation in the offline scanner', () => {
  let workDir;
  let a;
  let b;
  let browser;
  let aStore = [];
  let bStore = [];

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-federation-e2e-'));
    const bConfig = path.join(workDir, 'b.toml');
    await writeFile(bConfig, `region_id = "XB-BBB"\nfederation_list_seconds = ${B_LIST_SECONDS}\n`);
    bStore = storeArgs('b');
    b = await startServer({ args: ['--config', bConfig, ...bStore] });
    const pinB = (await runCli(b.dataDir, ['keys', 'root', ...bStore])).trim().split('\n').pop();
    const aConfig = path.join(workDir, 'a.toml');
    await writeFile(
      aConfig,
      `region_id = "XA-AAA"\nfederation_refresh_seconds = 1\n\n` +
        `[[peers]]\nregion = "XB-BBB"\nurl = "${b.url}"\nroot_key = "${pinB}"\n`,
    );
    aStore = storeArgs('a');
    a = await startServer({ args: ['--config', aConfig, ...aStore] });
    browser = await launchBrowser();
  }, { timeout: TEST_TIMEOUT_MS });

  after(async () => {
    await browser?.close().catch(() => {});
    await a?.stop();
    await b?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
    for (const schema of schemas) execFileSync('psql', [PG, '-qc', `DROP SCHEMA "${schema}" CASCADE`]);
  });

  test('a peer region code verifies offline, then is refused once the peer list expired', { timeout: TEST_TIMEOUT_MS }, async () => {
    // A resident of B with a green code.
    const resident = await mintTokenIn(b, bStore, 'resident', '+8613800000301');
    await api(b.url, 'POST', '/api/v1/declarations', resident, {
      name: 'Bao Bui', document_type: 'passport', document_number: 'B7654321', district: '330102',
      symptoms: [], temperature_c: 36.6,
    }, 201);
    const codeB = (await api(b.url, 'GET', '/api/v1/me/code', resident)).qr_text;

    // A checkpoint of A, and A's server holding B's list.
    const authority = await mintTokenIn(a, aStore, 'authority', 'anh');
    const officer = await mintTokenIn(a, aStore, 'officer', 'olga');
    const checkpoint = await api(a.url, 'POST', '/api/v1/checkpoints', authority,
      { name: 'Border post', kind: 'city_entry', district: '330102' }, 201);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const peers = await api(a.url, 'GET', '/api/v1/federation/peers', officer);
      if (peers[0]?.state === 'fresh') break;
      assert.ok(Date.now() < deadline, `A never fetched B's list: ${JSON.stringify(peers)}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    const context = await newPhoneContext(browser);
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    await context.addCookies([{ name: 'hc_session', value: officer, url: a.url }]);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${a.url}/checkpoint/${checkpoint.id}`);
      await page.waitForFunction(() => {
        const cached = JSON.parse(localStorage.getItem('hc.scanner.peer-lists') ?? 'null');
        return Array.isArray(cached?.body) && cached.body.some((p) => p.region === 'XB-BBB' && p.trust_list);
      });
      // the peer list age is shown
      await page.waitForFunction(() => /XB-BBB/.test(document.getElementById('lists-age').textContent));
      const expiresAt = await page.evaluate(
        () => Date.parse(JSON.parse(localStorage.getItem('hc.scanner.peer-lists')).body[0].expires_at),
      );

      await context.setOffline(true);
      await page.locator('#net[data-online=false]').waitFor();

      await page.fill('#manual-text', codeB);
      await page.click('#manual button[type=submit]');
      await page.locator('#verdict[data-verdict=allow]').waitFor();
      assert.equal(await page.getAttribute('#verdict', 'data-reason'), 'CODE_VALID');
      assert.equal(await page.getAttribute('#verdict', 'data-region'), 'XB-BBB');
      const text = await page.locator('#verdict').innerText();
      assert.match(text, /checked offline/);
      assert.match(text, /BB \*{4}4321/);
      assert.match(text, /Issued by XB-BBB/);
      await page.locator('#net[data-queued="1"]').waitFor();

      // Still offline, past the cached list's expiry: the same code is refused as stale.
      const wait = expiresAt - Date.now() + 500;
      assert.ok(wait < B_LIST_SECONDS * 1000 + 1000, `the cached list expires within ${B_LIST_SECONDS} s`);
      if (wait > 0) await page.waitForTimeout(wait);
      await page.fill('#manual-text', codeB);
      await page.click('#manual button[type=submit]');
      await page.locator('#verdict[data-verdict=deny]').waitFor();
      assert.equal(await page.getAttribute('#verdict', 'data-reason'), 'PEER_LIST_STALE');
      assert.equal(await page.getAttribute('#verdict', 'data-region'), 'XB-BBB');
      await page.locator('#net[data-queued="2"]').waitFor();

      await context.setOffline(false);
      await page.locator('#net[data-queued="0"][data-online=true]').waitFor();
      const log = await api(a.url, 'GET', `/api/v1/checkpoints/${checkpoint.id}/passages`, officer);
      assert.deepEqual(
        log.filter((p) => p.offline).map((p) => [p.verdict, p.reason]).sort(),
        [['allow', 'CODE_VALID'], ['deny', 'PEER_LIST_STALE']],
        JSON.stringify(log),
      );
      assert.deepEqual(errors, [], 'no uncaught errors in the page');
    } finally {
      await context.close();
    }
  });
});
