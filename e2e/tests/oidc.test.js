// Staff single sign-on against a real OpenID Connect provider (issue 16, item 2): panva's
// oidc-provider runs on a loopback port (lib/oidc-provider.js) and the server is configured with an
// [oidc] section naming it. In Chromium, an officer signs in through the provider's login and consent
// pages and lands on the officer page; a person whose provider groups map to no staff role is refused
// with a page that says so; a callback with the wrong state and a callback replayed with its code
// (even with the browser's sign-in cookie put back) are refused. The audit log shows each step.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { api } from '../lib/api.js';
import { launchBrowser } from '../lib/browser.js';
import { CLIENT_ID, CLIENT_SECRET, ROLES_CLAIM, startProvider } from '../lib/oidc-provider.js';
import { mintToken, startServer } from '../lib/server.js';

async function freePort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Clicks "Sign in with Test IdP", signs in at the provider as `login` and consents. */
async function signInThroughProvider(page, base, login, issuer) {
  await page.goto(`${base}/staff/signin`);
  await page.click('#sso-signin');
  await page.waitForURL((u) => u.href.startsWith(issuer));
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  // The consent page ("Continue"), shown the first time a person signs in to this client.
  await page.waitForSelector('button[type=submit]');
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.href.startsWith(base) && !u.pathname.startsWith('/staff/oidc/start'));
}

describe('staff single sign-on (OpenID Connect)', { timeout: 180_000 }, () => {
  let provider;
  let server;
  let browser;
  let configDir;

  before(async () => {
    provider = await startProvider();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    provider.configure(`${base}/staff/oidc/callback`);
    configDir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-oidc-'));
    const config = path.join(configDir, 'healthcode.toml');
    await writeFile(
      config,
      [
        `public_base_url = "${base}"`,
        '[oidc]',
        `issuer = "${provider.issuer}"`,
        `client_id = "${CLIENT_ID}"`,
        'client_secret = "${HC_E2E_OIDC_SECRET}"',
        'provider_name = "Test IdP"',
        'scopes = "openid profile"',
        `roles_claim = "${ROLES_CLAIM}"`,
        'role_map = { "hc-officer" = "officer" }',
        '',
      ].join('\n'),
    );
    server = await startServer({
      listen: `127.0.0.1:${port}`,
      args: ['--config', config],
      env: { HC_E2E_OIDC_SECRET: CLIENT_SECRET },
    });
    assert.equal(server.url, base);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await provider?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  test('the officer signs in through the provider, a replayed or forged callback is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const callbacks = [];
    let pendingCookie;
    page.on('request', (r) => {
      if (r.url().includes('/staff/oidc/callback')) callbacks.push(r.url());
    });
    page.on('response', async (r) => {
      if (r.url().endsWith('/staff/oidc/start')) pendingCookie = await r.headerValue('set-cookie');
    });

    await page.goto(`${server.url}/staff/signin`);
    assert.match(await page.locator('#sso-signin').innerText(), /Sign in with Test IdP/);
    await signInThroughProvider(page, server.url, 'officer1', provider.issuer);
    assert.equal(new URL(page.url()).pathname, '/checkpoint', `landed on ${page.url()}`);
    assert.ok(
      (await context.cookies()).some((c) => c.name === 'hc_session'),
      'a staff session cookie is set',
    );
    // The officer page answers (not a sign-in redirect, not a 403).
    const checkpoint = await page.goto(`${server.url}/checkpoint`);
    assert.equal(checkpoint.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/checkpoint');
    assert.equal(callbacks.length, 1);
    assert.ok(pendingCookie?.startsWith('hc_oidc='), `start set ${pendingCookie}`);
    assert.ok(
      !(await context.cookies()).some((c) => c.name === 'hc_oidc'),
      'the pending sign-in cookie is gone after the callback',
    );

    // Replayed as it was: the browser's pending sign-in is used up.
    const replay = await page.goto(callbacks[0]);
    assert.equal(replay.status(), 401);
    assert.match(await page.content(), /not started in this browser, or was already used/);

    // Replayed with the pending cookie put back: the provider refuses the used code.
    const [nameValue] = pendingCookie.split(';');
    await context.addCookies([
      { name: 'hc_oidc', value: nameValue.slice('hc_oidc='.length), url: `${server.url}/staff/oidc/callback` },
    ]);
    const reused = await page.goto(callbacks[0]);
    assert.equal(reused.status(), 401);
    assert.match(await page.content(), /did not accept this sign-in/);

    // A callback whose state is not the one this browser started with.
    const fresh = await context.newPage();
    await fresh.goto(`${server.url}/staff/signin`);
    await fresh.click('#sso-signin');
    await fresh.waitForURL((u) => u.href.startsWith(provider.issuer));
    const code = new URL(callbacks[0]).searchParams.get('code');
    const forged = await fresh.goto(`${server.url}/staff/oidc/callback?code=${code}&state=not-the-state`);
    assert.equal(forged.status(), 401);
    assert.match(await fresh.content(), /not started in this browser/);
    await context.close();
  });

  test('a person whose groups map to no staff role is refused with a clear page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughProvider(page, server.url, 'visitor1', provider.issuer);
    assert.equal(new URL(page.url()).pathname, '/staff/oidc/callback');
    assert.match(await page.content(), /holds no healthcode staff role/);
    assert.ok(!(await context.cookies()).some((c) => c.name === 'hc_session'), 'no session');
    await context.close();
  });

  test('the audit log shows the account made, the sign-in and the refusals', async () => {
    const auditor = await mintToken(server.dataDir, 'auditor', 'e2e-auditor');
    const entries = await api(server.url, 'GET', '/api/v1/audit', auditor);
    const actions = entries.map((e) => e.action);
    const created = entries.find((e) => e.action === 'staff.created' && /single sign-on/.test(e.detail));
    assert.ok(created, `an account made by single sign-on: ${JSON.stringify(actions)}`);
    assert.match(created.detail, /subject officer1/);
    assert.ok(entries.some((e) => e.action === 'staff.signed_in' && /Test IdP/.test(e.detail)));
    const failures = entries.filter((e) => e.action === 'staff.sign_in_failed').map((e) => e.detail);
    assert.ok(failures.some((d) => /no mapped role/.test(d)), JSON.stringify(failures));
    assert.ok(failures.some((d) => /OIDC_CODE_REFUSED/.test(d)), JSON.stringify(failures));
    assert.ok(failures.some((d) => /state this browser started with/.test(d)), JSON.stringify(failures));
  });
});
