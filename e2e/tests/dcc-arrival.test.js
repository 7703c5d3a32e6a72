// An arrival from a risk region attaches an EU Digital COVID Certificate on the declaration page:
// a tampered one is refused beside the certificate field with its code (what was typed is kept),
// an accepted negative test keeps the code green, and the code page names the exemption and
// shows the kept verdict. Certificates come from `healthcode dcc test-vectors`; the server runs
// the policy `crates/domain/policy/arrival-dcc.toml`.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { REPO_ROOT, runCli, startServer } from '../lib/server.js';

const TEST_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 15_000;
const PHONE = '+8613800002890';

async function outboxCode(base, phone) {
  const url = `${base}/api/v1/dev/outbox?recipient=${encodeURIComponent(phone)}`;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { messages } = await (await fetch(url)).json();
    const code = messages?.[0]?.code;
    if (code) return code;
    if (Date.now() > deadline) throw new Error(`no one-time code for ${phone} in the dev outbox`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Submits the page's form and waits for the answer page to load (same URL or not). */
async function submit(page) {
  await Promise.all([page.waitForNavigation({ timeout: STEP_TIMEOUT_MS }), page.click('button[type=submit]')]);
}

describe('EU DCC attached by an arrival', () => {
  let workDir;
  let server;
  let browser;
  let certs;

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-dcc-arrival-e2e-'));
    const vectors = path.join(workDir, 'vectors');
    await runCli(workDir, ['dcc', 'test-vectors', '--out', vectors]);
    certs = JSON.parse(await readFile(path.join(vectors, 'certificates.json'), 'utf8'));
    const policy = path.join(REPO_ROOT, 'crates/domain/policy/arrival-dcc.toml');
    const config = path.join(workDir, 'server.toml');
    await writeFile(config,
      `policy_file = "${policy}"\n[dcc]\ndsc_list_file = "${path.join(vectors, 'dsc-list.json')}"\n`);
    server = await startServer({ args: ['--config', config] });
    browser = await launchBrowser();
  }, { timeout: TEST_TIMEOUT_MS });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  test('a tampered certificate is refused beside its field; an accepted test keeps the arrival green',
    { timeout: TEST_TIMEOUT_MS }, async () => {
      const context = await newPhoneContext(browser);
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`${server.url}/signin?lang=en`);
        await page.fill('input[name=phone]', PHONE);
        await submit(page);
        await page.fill('input[name=code]', await outboxCode(server.url, PHONE));
        await submit(page);

        await page.goto(`${server.url}/declare`);
        await page.fill('input[name=name]', 'Erika Mustermann');
        await page.selectOption('select[name=document_type]', 'passport');
        await page.fill('input[name=document_number]', 'C01X00T47');
        await page.fill('input[name=district]', '330102');
        await page.fill('input[name=temperature_c]', '36.6');
        await page.fill('input[name=visited_regions]', 'CN-HB');
        await page.fill('textarea[name=dcc]', certs.tampered);
        await submit(page);
        assert.equal(new URL(page.url()).pathname, '/declare');
        const refused = await page.locator('#e-dcc').innerText();
        assert.match(refused, /DCC_SIGNATURE_INVALID/, refused);
        assert.equal(await page.getAttribute('textarea[name=dcc]', 'aria-invalid'), 'true');
        assert.equal((await page.inputValue('textarea[name=dcc]')).trim(), certs.tampered, 'the pasted text is kept');
        assert.equal(await page.inputValue('input[name=document_number]'), 'C01X00T47');

        await page.fill('textarea[name=dcc]', certs.es256_test_cwt_tag);
        await submit(page);
        assert.equal(new URL(page.url()).pathname, '/me/code');
        assert.equal(await page.locator('[data-colour]').first().getAttribute('data-colour'), 'green');
        const body = await page.locator('body').innerText();
        assert.match(body, /Arrived from a risk region with an accepted EU Digital COVID Certificate/, body);
        const line = await page.locator('li[data-dcc-accepted=true]').innerText();
        assert.match(line, /EU certificate \(test, BE\): accepted · DCC_T_NEGATIVE_RECENT/, line);
        assert.deepEqual(errors, []);
      } catch (err) {
        err.message += `\n--- server output (tail) ---\n${server.logs().slice(-2_000) || '(none)'}`;
        throw err;
      } finally {
        await context.close();
      }
    });
});
