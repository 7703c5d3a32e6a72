// The resident story in a real browser, once per language: sign in by phone with the one-time
// code from the dev outbox, declare with a fever, and see a yellow health code with its QR.
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchBrowser, newPhoneContext } from '../lib/browser.js';
import { startServer } from '../lib/server.js';

const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const TEST_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 15_000;

const LANGUAGES = [
  {
    lang: 'en',
    htmlLang: 'en',
    locale: 'en-US',
    phone: '+8613800000001',
    text: /yellow/i,
    textWhat: 'the word "Yellow"',
  },
  {
    lang: 'zh',
    htmlLang: 'zh-Hans',
    locale: 'zh-CN',
    phone: '+8613800000002',
    text: /[\u4e00-\u9fff]/,
    textWhat: 'Chinese characters',
  },
  {
    lang: 'vi',
    htmlLang: 'vi',
    locale: 'vi-VN',
    phone: '+8613800000003',
    // Accented Latin letters: Vietnamese text has them, the English fallback has none.
    text: /[àáâãèéêìíòóôõùúýăđĩũơư\u1ea0-\u1ef9]/i,
    textWhat: 'Vietnamese letters',
  },
];

/** Newest one-time code sent to `phone`, read from the dev outbox (polled briefly). */
async function outboxCode(base, phone) {
  const url = `${base}/api/v1/dev/outbox?recipient=${encodeURIComponent(phone)}`;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await fetch(url);
    const body = await res.text();
    assert.equal(res.status, 200, `GET ${url} answered ${res.status}: ${body}`);
    const { messages } = JSON.parse(body);
    assert.ok(Array.isArray(messages), `GET ${url}: no "messages" array in ${body}`);
    if (messages.length > 0) {
      const code = messages[0].code;
      assert.match(String(code), /^\d{4,8}$/, `GET ${url}: newest message has no numeric "code": ${body}`);
      return String(code);
    }
    assert.ok(Date.now() < deadline, `GET ${url}: no message for ${phone} after 5 s: ${body}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Clicks the submit button and waits until the page has navigated somewhere else. */
async function submit(page) {
  const from = page.url();
  await Promise.all([
    page.waitForURL((url) => url.href !== from, { timeout: STEP_TIMEOUT_MS }),
    page.click('button[type=submit]'),
  ]);
}

/** Wraps a step so a failure names the step and shows where the page was and what it said. */
async function step(page, name, fn) {
  try {
    return await fn();
  } catch (err) {
    let text = '';
    try {
      text = (await page.locator('body').innerText({ timeout: 1_000 })).slice(0, 1_500);
    } catch {
      text = '(page body unreadable)';
    }
    err.message = `step "${name}" failed at ${page.url()}: ${err.message}\n--- page text ---\n${text}`;
    throw err;
  }
}

describe('resident signs in, declares a fever and sees a yellow code', () => {
  let server;
  let browser;
  // A failed start is rethrown by every test, so each one fails (not "cancelled") with the reason.
  let setupError;

  before(
    async () => {
      try {
        await mkdir(RESULTS_DIR, { recursive: true });
        server = await startServer();
        browser = await launchBrowser();
      } catch (err) {
        setupError = err;
      }
    },
    { timeout: TEST_TIMEOUT_MS },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const L of LANGUAGES) {
    test(`in ${L.lang}`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      if (setupError) throw setupError;
      const context = await newPhoneContext(browser, { locale: L.locale });
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      const page = await context.newPage();
      const base = server.url;
      const shot = (kind) => path.join(RESULTS_DIR, `${kind}-${L.lang}.png`);
      await Promise.all([rm(shot('code'), { force: true }), rm(shot('failure'), { force: true })]);
      try {
        await step(page, 'sign in with phone', async () => {
          await page.goto(`${base}/signin?lang=${L.lang}`);
          await page.fill('input[name=phone]', L.phone);
          await submit(page);
          await page.locator('input[name=code]').waitFor();
        });

        await step(page, 'enter the one-time code', async () => {
          const code = await outboxCode(base, L.phone);
          await page.fill('input[name=code]', code);
          await submit(page);
        });

        await step(page, 'declare', async () => {
          await page.goto(`${base}/declare`);
          await page.fill('input[name=name]', 'Li Wei');
          await page.selectOption('select[name=document_type]', 'national_id');
          await page.fill('input[name=document_number]', '330102199001011234');
          await page.fill('input[name=district]', '330102');
          await page.fill('input[name=temperature_c]', '38.1');
          await page.check('input[name=symptoms][value=fever]');
          await submit(page);
          await page.waitForURL((url) => url.pathname === '/me/code');
        });

        await page.screenshot({ path: shot('code'), fullPage: true });

        await step(page, 'check the code page', async () => {
          assert.equal(await page.getAttribute('html', 'lang'), L.htmlLang, 'html[lang]');
          const colour = page.locator('[data-colour]').first();
          assert.equal(await colour.getAttribute('data-colour'), 'yellow', '[data-colour]');
          assert.ok((await page.locator('#qr svg').count()) > 0, 'an <svg> QR inside #qr');
          assert.ok(await page.locator('#qr svg').first().isVisible(), 'the QR <svg> is visible');
          const body = await page.locator('body').innerText();
          assert.match(body, L.text, `the page shows ${L.textWhat}`);
        });
      } catch (err) {
        await page
          .screenshot({ path: shot('failure'), fullPage: true })
          .then(() => t.diagnostic(`screenshot: ${shot('failure')}`))
          .catch(() => {});
        err.message += `\n--- server output (tail) ---\n${server.logs().slice(-2_000) || '(none)'}`;
        throw err;
      } finally {
        await context.close();
      }
    });
  }
});
