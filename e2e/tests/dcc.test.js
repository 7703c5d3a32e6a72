// EU Digital COVID Certificates at a checkpoint: test DSCs and certificates made by
// `healthcode dcc test-vectors` (ES256, ES384, PS256), the DSC list imported from the config's
// `[dcc] dsc_list_file`; the server judges them online, and the scanner page, with the network
// off, verifies them itself (WebCrypto, DecompressionStream, its own CBOR reader) with the same
// codes, including wrong-key, expired, wrong-usage and tampered ones; the passages sync later.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { REPO_ROOT, mintToken, runCli, startServer } from '../lib/server.js';
import { api } from '../lib/api.js';

const TEST_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 15_000;
const RSA_KEY = path.join(REPO_ROOT, 'crates/credential/tests/fixtures/TEST-ONLY-dsc-rsa2048.pk8');

/** Vector name -> [verdict, reason, certificate type]. */
const EXPECTED = {
  es256_vaccination: ['allow', 'DCC_ACCEPTED', 'v'],
  es256_test_cwt_tag: ['allow', 'DCC_ACCEPTED', 't'],
  es384_vaccination: ['allow', 'DCC_ACCEPTED', 'v'],
  ps256_vaccination: ['allow', 'DCC_ACCEPTED', 'v'],
  es256_first_dose: ['deny', 'DCC_RULE_NOT_MET', 'v'],
  expired: ['deny', 'DCC_EXPIRED', ''],
  tampered: ['deny', 'DCC_SIGNATURE_INVALID', ''],
  wrong_usage: ['deny', 'DCC_WRONG_USAGE', ''],
  unknown_key: ['deny', 'DCC_KEY_UNKNOWN', ''],
};

describe('EU DCC at a checkpoint', () => {
  let workDir;
  let server;
  let browser;
  let certs;

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-dcc-e2e-'));
    const vectors = path.join(workDir, 'vectors');
    await runCli(workDir, ['dcc', 'test-vectors', '--out', vectors, '--rsa-pkcs8', RSA_KEY]);
    certs = JSON.parse(await readFile(path.join(vectors, 'certificates.json'), 'utf8'));
    const config = path.join(workDir, 'server.toml');
    await writeFile(config, `[dcc]\ndsc_list_file = "${path.join(vectors, 'dsc-list.json')}"\nversion = "e2e-1"\n`);
    server = await startServer({ args: ['--config', config] });
    browser = await launchBrowser();
  }, { timeout: TEST_TIMEOUT_MS });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  test('the server and the offline page give the same verdicts', { timeout: TEST_TIMEOUT_MS }, async () => {
    const authority = await mintToken(server.dataDir, 'authority', 'anh');
    const officer = await mintToken(server.dataDir, 'officer', 'olga');
    const checkpoint = await api(server.url, 'POST', '/api/v1/checkpoints', authority,
      { name: 'Airport arrivals', kind: 'city_entry', district: '330102' }, 201);
    const scanUrl = `/api/v1/checkpoints/${checkpoint.id}/scans`;

    for (const [name, [verdict, reason, kind]] of Object.entries(EXPECTED)) {
      const res = await api(server.url, 'POST', scanUrl, officer, { qr_text: certs[name], direction: 'in' });
      assert.deepEqual([res.verdict, res.reason], [verdict, reason], `${name} online: ${JSON.stringify(res)}`);
      assert.equal(res.dcc?.kind ?? '', kind, `${name} online type`);
      if (kind) {
        assert.equal(res.dcc.rule_version, 'e2e-1');
        assert.match(res.dcc.rule_id, /^DCC_[VTR]_/);
      }
    }

    const context = await newPhoneContext(browser);
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    await context.addCookies([{ name: 'hc_session', value: officer, url: server.url }]);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${server.url}/checkpoint/${checkpoint.id}`);
      await page.waitForFunction(() => {
        const cached = JSON.parse(localStorage.getItem('hc.scanner.dcc-list') ?? 'null');
        return (cached?.body?.dscs?.length ?? 0) >= 4;
      });
      await context.setOffline(true);
      await page.locator('#net[data-online=false]').waitFor();

      let queued = 0;
      for (const [name, [verdict, reason, kind]] of Object.entries(EXPECTED)) {
        await page.fill('#manual-text', certs[name]);
        // The last verdict's card may cover the button on a phone: submit the form itself.
        await page.locator('#manual').evaluate((form) => form.requestSubmit());
        queued += 1;
        await page.locator(`#net[data-queued="${queued}"]`).waitFor();
        const el = page.locator('#verdict');
        assert.deepEqual(
          [await el.getAttribute('data-verdict'), await el.getAttribute('data-reason')],
          [verdict, reason],
          `${name} offline`,
        );
        assert.equal(await el.getAttribute('data-dcc-kind'), kind, `${name} offline type`);
        const text = await el.innerText();
        assert.match(text, /checked offline/);
        if (verdict === 'allow') assert.match(text, /DOE, ERIKA/);
      }

      await context.setOffline(false);
      await page.locator('#net[data-queued="0"][data-online=true]').waitFor();
      const log = await api(server.url, 'GET', `/api/v1/checkpoints/${checkpoint.id}/passages`, officer);
      const offline = log.filter((p) => p.offline).map((p) => p.reason).sort();
      assert.deepEqual(offline, Object.values(EXPECTED).map(([, reason]) => reason).sort());
      assert.deepEqual(errors, [], 'no uncaught errors in the page');
    } finally {
      await context.close();
    }
  });
});
