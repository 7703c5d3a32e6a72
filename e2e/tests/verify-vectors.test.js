// The checkpoint's offline verifier (crates/server/static/hc-verify.js) against the shared
// vectors the Rust verifier passes (crates/credential/tests/vectors/health_codes.json): every
// case must get the same verdict and code. Needs neither a server nor a browser.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS = path.join(REPO, 'crates/credential/tests/vectors/health_codes.json');
const VERIFIER = path.join(REPO, 'crates/server/static/hc-verify.js');

const vectors = JSON.parse(await readFile(VECTORS, 'utf8'));
const { verifyHealthCode, prepareTrustList } = await import(pathToFileURL(VERIFIER).href);
const NOW = Date.parse(vectors.now);
const trust = await prepareTrustList(vectors.trust_list);

const RUST_CODES = new Set([
  'CODE_PREFIX_INVALID',
  'CODE_BASE45_INVALID',
  'CODE_ZLIB_INVALID',
  'CODE_TOO_LARGE',
  'CODE_CBOR_INVALID',
  'CODE_COSE_INVALID',
  'CODE_CLAIMS_INVALID',
  'CODE_KEY_UNKNOWN',
  'CODE_SIGNATURE_INVALID',
  'CODE_ISSUER_UNKNOWN',
  'CODE_KEY_NOT_VALID',
  'CODE_NOT_YET_VALID',
  'CODE_EXPIRED',
]);

const byName = (name) => vectors.cases.find((c) => c.name === name);

function assertSameVerdict(result, expected) {
  const context = `${expected.name}: ${result.reason ?? ''}`;
  assert.equal(result.code, expected.code, context);
  assert.equal(result.valid, expected.valid, context);
  if (!expected.valid) {
    assert.equal(typeof result.reason, 'string');
    return;
  }
  assert.deepEqual(result, {
    valid: true,
    code: 'CODE_VALID',
    colour: expected.colour,
    holder: expected.holder,
    initials: expected.initials,
    documentLast4: expected.document_last4,
    issuer: expected.issuer,
    keyId: expected.key_id,
    issuedAt: Date.parse(expected.issued_at),
    expiresAt: Date.parse(expected.expires_at),
    policyVersion: expected.policy_version,
  });
}

describe('shared health-code vectors', () => {
  test('the file covers every code', () => {
    assert.ok(vectors.cases.length >= 100, `only ${vectors.cases.length} vectors`);
    const codes = new Set(vectors.cases.map((c) => c.code));
    assert.deepEqual([...RUST_CODES].filter((code) => !codes.has(code)), []);
    assert.ok(codes.has('CODE_VALID'));
  });

  for (const expected of vectors.cases) {
    test(expected.name, async () => {
      assertSameVerdict(await verifyHealthCode(expected.qr_text, trust, NOW), expected);
    });
  }
});

describe('verifyHealthCode', () => {
  test('takes the trust list as parsed JSON or JSON text, not only prepared', async () => {
    for (const name of ['valid_green', 'expired_now', 'key_retired', 'signature_key_not_on_curve']) {
      assertSameVerdict(await verifyHealthCode(byName(name).qr_text, vectors.trust_list, NOW), byName(name));
      const text = JSON.stringify(vectors.trust_list);
      assertSameVerdict(await verifyHealthCode(byName(name).qr_text, text, NOW), byName(name));
    }
  });

  test('refuses an unusable trust list without throwing', async () => {
    const good = vectors.trust_list;
    const key = good.keys[0];
    const broken = [
      undefined,
      null,
      '{not json',
      {},
      { ...good, keys: [{ ...key, alg: 'PS256' }] },
      { ...good, keys: [{ ...key, kid: 'AQID' }] },
      { ...good, keys: [{ ...key, public_key: 'AAAA' }] },
      { ...good, keys: [{ ...key, public_key: '!!' }] },
      { ...good, keys: [{ ...key, spki: 'MAA=' }] },
      { ...good, keys: [{ ...key, not_before: 'yesterday-ish' }] },
    ];
    for (const list of broken) {
      const result = await verifyHealthCode(byName('valid_green').qr_text, list, NOW);
      assert.equal(result.code, 'CODE_TRUST_LIST_INVALID', JSON.stringify(list));
      assert.equal(result.valid, false);
      await assert.rejects(prepareTrustList(list));
    }
  });

  test('refuses input that is not text', async () => {
    for (const input of [undefined, null, 42, {}, ['HCODE1:'], new Uint8Array(3)]) {
      const result = await verifyHealthCode(input, trust, NOW);
      assert.equal(result.code, 'CODE_PREFIX_INVALID');
    }
  });

  test('uses the device clock when no time is given', async () => {
    // The vectors live in February 2020, long expired by the real clock.
    const result = await verifyHealthCode(byName('valid_green').qr_text, trust);
    assert.equal(result.code, 'CODE_EXPIRED');
  });

  test('random single-character changes never throw and are never valid', async () => {
    const original = byName('valid_green').qr_text;
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:a\n\u00c4\u{1f600}';
    const random = mulberry32(0x5eed);
    const pick = (n) => Math.floor(random() * n);
    const seen = new Map();
    for (let i = 0; i < 500; i++) {
      const at = pick(original.length);
      const chars = Array.from(alphabet).filter((c) => c !== original[at]);
      const changed = original.slice(0, at) + chars[pick(chars.length)] + original.slice(at + 1);
      const result = await verifyHealthCode(changed, trust, NOW);
      assert.equal(result.valid, false, `accepted ${JSON.stringify(changed)}`);
      assert.ok(RUST_CODES.has(result.code), `${result.code} (${result.reason}) for ${JSON.stringify(changed)}`);
      seen.set(result.code, (seen.get(result.code) ?? 0) + 1);
    }
    assert.ok(seen.size >= 3, `mutations reached only ${[...seen.keys()]}`);
  });
});

/** A small seeded PRNG, so a failing mutation can be reproduced. */
function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
