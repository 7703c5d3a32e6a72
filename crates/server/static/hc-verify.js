// hc-verify.js: offline verification of healthcode health codes, for checkpoint phones.
//
// This mirrors the Rust verifier in crates/credential (src/health_code/*.rs and
// src/trust_list.rs) check for check, in the same order, with the same stable codes:
//   "HCODE1:" + base45 (RFC 9285) + zlib (inflated size capped at 16 KiB)
//   + COSE_Sign1 (tag 18 optional; protected {1: -7 (ES256), 4: kid}) signed over
//   ["Signature1", protected, h'', payload] + CWT claims {1: iss, 4: exp, 6: iat,
//   -260: {1: {"v": 1, "h": holder, "c": G|Y|R, "n": initials, "d": document, "p": policy}}}.
// It is tested against the shared vectors crates/credential/tests/vectors/health_codes.json
// (e2e/tests/verify-vectors.test.js); the Rust verifier passes the same file. Change both
// together, then re-bless the vectors.
//
// No dependencies and no build step: an ES module for Chromium and Node 20 (WebCrypto,
// DecompressionStream, TextDecoder, atob). WebCrypto needs a secure context (HTTPS or
// localhost). verifyHealthCode never throws: every outcome is {valid, code, ...}.

const PREFIX = 'HCODE1:';
const MAX_INFLATED = 16 * 1024;
const CLOCK_SKEW_MS = 60_000;
const MAX_DEPTH = 16;
const TAG_SIGN1 = 18;
const LABEL_ALG = 1;
const LABEL_KID = 4;
const ALG_ES256 = -7;
const CWT_ISS = 1;
const CWT_EXP = 4;
const CWT_IAT = 6;
const CWT_HCERT = -260;
// The whole seconds jiff's Timestamp can hold; Rust refuses claims outside them.
const MIN_SECOND = -377_705_023_201; // -009999-01-02T01:59:59Z
const MAX_SECOND = 253_402_207_200; // 9999-12-30T22:00:00Z
const COLOURS = new Map([['G', 'green'], ['Y', 'yellow'], ['R', 'red']]);
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const P256_SPKI_PREFIX = '3059301306072a8648ce3d020106082a8648ce3d030107034200';

const REASONS = {
  CODE_PREFIX_INVALID: 'this is not a health code (it must start with HCODE1:)',
  CODE_BASE45_INVALID: 'the code text is damaged (not valid base45)',
  CODE_ZLIB_INVALID: 'the code content is damaged (not valid zlib data)',
  CODE_TOO_LARGE: 'the code content is too large',
  CODE_CBOR_INVALID: 'the code content is damaged (not CBOR)',
  CODE_COSE_INVALID: 'the code is not a signed COSE_Sign1 ES256 structure',
  CODE_CLAIMS_INVALID: "the code's claims are invalid",
  CODE_KEY_UNKNOWN: 'the code was signed by an unknown key',
  CODE_SIGNATURE_INVALID: "the code's signature is invalid: it was forged or altered",
  CODE_ISSUER_UNKNOWN: 'the code was issued by a region this trust list does not cover',
  CODE_KEY_NOT_VALID: 'the key that signed the code is not valid now',
  CODE_NOT_YET_VALID: 'the code is not valid yet (issued in the future)',
  CODE_EXPIRED: 'the code has expired',
  // Only here: Rust refuses a bad trust list before verifying, and has no browser to lack.
  CODE_TRUST_LIST_INVALID: 'the trust list cannot be used',
  CODE_VERIFIER_UNAVAILABLE: 'this browser cannot verify codes offline (it needs HTTPS and WebCrypto)',
};

class Refusal extends Error {
  constructor(code, detail) {
    super(detail ? `${REASONS[code]}: ${detail}` : REASONS[code]);
    this.code = code;
  }
}

function refuse(code, detail) {
  throw new Refusal(code, detail);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // keep a BOM, as Rust does
const encoder = new TextEncoder();

function utf8OrNull(bytes) {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function base64Strict(text) {
  // Rust's STANDARD engine: padded and canonical; re-encoding must give the text back.
  if (typeof text !== 'string') return null;
  const s = text.trim();
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  const binary = atob(s);
  if (btoa(binary) !== s) return null;
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));

// ---- Text layer: base45 and zlib -----------------------------------------------------

const BASE45_VALUES = new Map(Array.from(BASE45, (c, i) => [c, i]));

/** RFC 9285 base45; null for invalid or non-canonical input (groups above 65535, pairs above 255). */
function base45Decode(text) {
  if (text.length % 3 === 1) return null;
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const digits = Array.from(text.slice(i, i + 3), (c) => BASE45_VALUES.get(c));
    if (digits.includes(undefined)) return null;
    const [c, d, e = 0] = digits;
    const n = c + d * 45 + e * 45 * 45;
    if (digits.length === 3) {
      if (n > 0xffff) return null;
      out.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) return null;
      out.push(n);
    }
  }
  return Uint8Array.from(out);
}

/** zlib-inflates `bytes` through DecompressionStream, stopping past MAX_INFLATED bytes. */
async function inflateCapped(bytes) {
  const stream = new DecompressionStream('deflate'); // "deflate" is zlib (RFC 1950) in the spec
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_INFLATED) {
        reader.cancel().catch(() => {});
        return { code: 'CODE_TOO_LARGE' };
      }
      chunks.push(value);
    }
  } catch {
    return { code: 'CODE_ZLIB_INVALID' };
  }
  const out = new Uint8Array(total);
  chunks.reduce((at, chunk) => (out.set(chunk, at), at + chunk.byteLength), 0);
  return { out };
}

async function inflate(bytes) {
  const { code, out } = await inflateCapped(bytes);
  if (code) refuse(code);
  // Rust refuses bytes after the end of the stream; Node's DecompressionStream ignores them.
  // A zlib stream ends with its Adler-32, so it inflates without its last byte only if it
  // ended earlier.
  if (!(await inflateCapped(bytes.subarray(0, bytes.length - 1))).code) {
    refuse('CODE_ZLIB_INVALID', 'bytes follow the end of the zlib stream');
  }
  return out;
}

// ---- CBOR (RFC 8949), as crates/credential/src/health_code/cbor.rs reads it ----------

const OTHER_KEY = Symbol('a map key that is not an integer');

class Reader {
  constructor(buf) {
    this.buf = buf;
    this.pos = 0;
  }
  atEnd() { return this.pos >= this.buf.length; }
  peekMajor() { return this.atEnd() ? null : this.buf[this.pos] >> 5; }
  take(len) {
    if (len > this.buf.length - this.pos) return null;
    this.pos += len;
    return this.buf.subarray(this.pos - len, this.pos);
  }
  head() {
    if (this.atEnd()) return null;
    const initial = this.buf[this.pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    let arg = info;
    if (info >= 24 && info <= 27) {
      const bytes = this.take(1 << (info - 24));
      if (!bytes) return null;
      arg = bytes.reduce((n, b) => n * 256 + b, 0); // exact below 2^53, which is all we compare
    } else if (info === 31 && ((major >= 2 && major <= 5) || major === 7)) {
      arg = 0; // indefinite length (or a break)
    } else if (info > 23) {
      return null;
    }
    return { major, info, arg };
  }
  /** A definite head of `major`; its argument, or null. Indefinite lengths give null. */
  definite(major) {
    const head = this.head();
    return head && head.major === major && head.info !== 31 ? head.arg : null;
  }
  int() {
    const head = this.head();
    if (head?.major === 0) return head.arg;
    if (head?.major === 1) return -1 - head.arg;
    return null;
  }
  bytes() {
    const len = this.definite(2);
    return len === null ? null : this.take(len);
  }
  text() {
    const len = this.definite(3);
    const bytes = len === null ? null : this.take(len);
    return bytes && utf8OrNull(bytes);
  }
  array() { return this.definite(4); }
  map() { return this.definite(5); }
  tag() { return this.definite(6); }
  atBreak() {
    const found = this.buf[this.pos] === 0xff;
    if (found) this.pos++;
    return found;
  }
  /** Skips one well-formed item (indefinite lengths included); false if there is none. */
  skip(depth = 0) {
    if (depth > MAX_DEPTH) return false;
    const head = this.head();
    if (!head) return false;
    const { major, info, arg } = head;
    const indefinite = info === 31;
    if (major === 2 || major === 3) {
      if (!indefinite) return this.string(major, arg);
      while (!this.atBreak()) {
        const len = this.definite(major);
        if (len === null || !this.string(major, len)) return false;
      }
    } else if (major === 4 || major === 5) {
      const per = major - 3; // items per entry
      if (indefinite) {
        while (!this.atBreak()) {
          for (let i = 0; i < per; i++) if (!this.skip(depth + 1)) return false;
        }
      } else {
        for (let i = 0; i < arg * per; i++) if (!this.skip(depth + 1)) return false;
      }
    } else if (major === 6) {
      return this.skip(depth + 1);
    } else if (major === 7) {
      if (indefinite) return false; // a break outside an indefinite item
      if (info === 24 && arg < 32) return false;
    }
    return true;
  }
  string(major, len) {
    const bytes = this.take(len);
    return bytes !== null && (major !== 3 || utf8OrNull(bytes) !== null);
  }
  /** An integer map key, OTHER_KEY after skipping a key of another type, or null. */
  intKey() {
    const major = this.peekMajor();
    if (major === 0 || major === 1) return this.int();
    return major !== null && this.skip() ? OTHER_KEY : null;
  }
}

function isWellFormed(buf) {
  const reader = new Reader(buf);
  return reader.skip() && reader.atEnd();
}

// ---- COSE_Sign1 (RFC 9052 §4.2), as envelope.rs parses it ----------------------------

function parseSign1(cose) {
  if (!isWellFormed(cose)) refuse('CODE_CBOR_INVALID');
  const bad = (why) => refuse('CODE_COSE_INVALID', why);
  const r = new Reader(cose);
  if (r.peekMajor() === 6 && r.tag() !== TAG_SIGN1) bad('unexpected CBOR tag');
  if (r.array() !== 4) bad('COSE_Sign1 must be an array of 4 elements');
  const protectedBytes = r.bytes() ?? bad('protected header is not a byte string');
  const pairs = r.map() ?? bad('unprotected header is not a map');
  let unprotectedKid = null;
  for (let i = 0; i < pairs; i++) {
    const label = r.intKey() ?? bad('unprotected header is malformed');
    if (label === LABEL_KID) unprotectedKid = r.bytes() ?? bad('kid is not a byte string');
    else if (!r.skip()) bad('unprotected header is malformed');
  }
  const payload = r.bytes() ?? bad('payload is missing');
  const signature = r.bytes() ?? bad('signature is not a byte string');
  const { alg, kid } = parseProtected(protectedBytes);
  if (alg !== ALG_ES256) bad('algorithm must be ES256 in the protected header');
  return { protectedBytes, payload, signature, kid: kid ?? unprotectedKid ?? bad('key id (kid) is missing') };
}

function parseProtected(bytes) {
  let alg = null;
  let kid = null;
  if (bytes.length === 0) return { alg, kid };
  const bad = (why = 'protected header is not a CBOR map') => refuse('CODE_COSE_INVALID', why);
  if (!isWellFormed(bytes)) bad();
  const r = new Reader(bytes);
  const pairs = r.map() ?? bad();
  for (let i = 0; i < pairs; i++) {
    const label = r.intKey() ?? bad();
    if ((label === LABEL_ALG && alg !== null) || (label === LABEL_KID && kid !== null)) {
      bad('protected header repeats a label');
    }
    if (label === LABEL_ALG) alg = r.int() ?? bad('alg must be an integer');
    else if (label === LABEL_KID) kid = r.bytes() ?? bad('kid is not a byte string');
    else if (!r.skip()) bad();
  }
  return { alg, kid };
}

/** Appends a CBOR head (major type, length) in its shortest form. */
function pushHead(out, major, len) {
  const m = major << 5;
  if (len < 24) out.push(m | len);
  else if (len <= 0xff) out.push(m | 24, len);
  else if (len <= 0xffff) out.push(m | 25, len >> 8, len & 0xff);
  else out.push(m | 26, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff);
}

/** Sig_structure = ["Signature1", protected, external_aad = h'', payload], CBOR-encoded. */
function sigStructure(protectedBytes, payload) {
  const out = [0x84, 0x6a, ...encoder.encode('Signature1')]; // array(4), text(10)
  pushHead(out, 2, protectedBytes.length);
  out.push(...protectedBytes, 0x40); // external_aad: empty byte string
  pushHead(out, 2, payload.length);
  out.push(...payload);
  return Uint8Array.from(out);
}

// ---- CWT claims, as claims.rs decodes them -------------------------------------------

function decodeClaims(payload) {
  const bad = (why) => refuse('CODE_CLAIMS_INVALID', why);
  if (!isWellFormed(payload)) bad('payload is not CBOR');
  const r = new Reader(payload);
  const claims = {};
  const setOnce = (name, value, what) => {
    if (Object.hasOwn(claims, name)) bad('a claim appears twice');
    claims[name] = value ?? bad(what);
  };
  const time = () => {
    const s = r.int();
    return s !== null && s >= MIN_SECOND && s <= MAX_SECOND ? s : null;
  };
  const pairs = r.map() ?? bad('payload is not a CBOR map');
  for (let i = 0; i < pairs; i++) {
    const key = r.intKey() ?? bad('malformed claim key');
    if (key === CWT_ISS) setOnce('issuer', r.text(), 'iss must be text');
    else if (key === CWT_EXP) setOnce('exp', time(), 'exp must be a time in seconds');
    else if (key === CWT_IAT) setOnce('iat', time(), 'iat must be a time in seconds');
    else if (key === CWT_HCERT) setOnce('ours', hcert(r, bad), '');
    else if (!r.skip()) bad('malformed claim');
  }
  const ours = claims.ours ?? bad('hcert claim (-260) is missing');
  if (ours.v !== 1) bad('unsupported claims version');
  const need = (value, name) => value ?? bad(`${name} is missing`);
  const result = {
    issuer: need(claims.issuer, 'iss'),
    holder: need(ours.h, 'h'),
    colour: need(ours.c, 'c'),
    iat: need(claims.iat, 'iat'),
    exp: need(claims.exp, 'exp'),
    initials: need(ours.n, 'n'),
    documentLast4: need(ours.d, 'd'),
    policyVersion: need(ours.p, 'p'),
  };
  const utf8Length = (s) => encoder.encode(s).length;
  const chars = (s) => Array.from(s).length;
  if (result.issuer === '' || utf8Length(result.issuer) > 64) bad('issuer must be 1 to 64 bytes');
  if (utf8Length(result.policyVersion) > 64) bad('policy version must be at most 64 bytes');
  if (chars(result.initials) > 4) bad('initials must be at most 4 characters');
  if (chars(result.documentLast4) > 4) bad('document suffix must be at most 4 characters');
  if (result.exp <= result.iat) bad('the code must expire after it is issued');
  return result;
}

/** The hcert claim `{1: {our claims}}`. */
function hcert(r, bad) {
  const shape = 'hcert must be {1: map}';
  const pairs = r.map() ?? bad(shape);
  let ours = null;
  for (let i = 0; i < pairs; i++) {
    const key = r.intKey() ?? bad(shape);
    if (key === 1) {
      const value = ourClaims(r, bad);
      if (ours) bad('a claim appears twice');
      ours = value;
    } else if (!r.skip()) bad(shape);
  }
  return ours ?? bad(shape);
}

function ourClaims(r, bad) {
  const pairs = r.map() ?? bad('hcert[1] must be a map');
  const o = {};
  const setOnce = (name, value, what) => {
    if (Object.hasOwn(o, name)) bad('a claim appears twice');
    o[name] = value ?? bad(what);
  };
  for (let i = 0; i < pairs; i++) {
    let key = ''; // keys that are not text are skipped, like unknown ones
    if (r.peekMajor() === 3) key = r.text() ?? bad('malformed claim key');
    else if (!r.skip()) bad('malformed claim key');
    if (key === 'v') setOnce('v', r.int(), 'v must be an integer');
    else if (key === 'h') setOnce('h', holderHex(r.bytes()), 'h must be 16 bytes');
    else if (key === 'c') setOnce('c', COLOURS.get(r.text()), 'c must be G, Y or R');
    else if (key === 'n') setOnce('n', r.text(), 'n must be text');
    else if (key === 'd') setOnce('d', r.text(), 'd must be text');
    else if (key === 'p') setOnce('p', r.text(), 'p must be text');
    else if (!r.skip()) bad('malformed claim');
  }
  return o;
}

const holderHex = (bytes) => (bytes?.length === 16 ? hex(bytes) : null);

// ---- Trust list ---------------------------------------------------------------------

const prepared = new WeakSet();

/**
 * Checks a trust list (GET /api/v1/trust-list, as JSON text or parsed) as Rust's
 * TrustList::prepare does, and imports each key once. Throws when the list is unusable.
 */
export async function prepareTrustList(trustListJson) {
  const list = typeof trustListJson === 'string' ? JSON.parse(trustListJson) : trustListJson;
  const fail = (why) => {
    throw new Error(`trust list: ${why}`);
  };
  if (typeof list?.issuer !== 'string' || !Array.isArray(list.keys) || Number.isNaN(Date.parse(list.generated_at))) {
    fail('needs issuer, generated_at and keys');
  }
  if (!globalThis.crypto?.subtle) throw new Refusal('CODE_VERIFIER_UNAVAILABLE');
  const keys = new Map();
  for (const entry of list.keys) {
    const kidText = entry?.kid;
    const why = (reason) => fail(`key ${JSON.stringify(kidText)}: ${reason}`);
    if (entry?.alg !== 'ES256') why('unsupported alg (only ES256)');
    const kid = base64Strict(kidText);
    if (kid?.length !== 8) why('kid is not 8 bytes of base64');
    const point = base64Strict(entry.public_key) ?? why('public_key is not base64');
    if (point.length !== 65 || point[0] !== 0x04) why('public_key is not a 65-byte uncompressed P-256 point');
    if (typeof entry.spki !== 'string') why('spki is missing');
    if (entry.spki.trim() !== '') {
      const spki = base64Strict(entry.spki) ?? why('spki is not base64');
      if (hex(spki) !== P256_SPKI_PREFIX + hex(point)) why('spki does not match public_key');
    }
    const notBefore = Date.parse(entry.not_before);
    const notAfter = entry.not_after == null ? null : Date.parse(entry.not_after);
    if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) why('not_before / not_after are not timestamps');
    // Rust only finds a point off the curve when verifying: keep the entry, refuse its signatures.
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    const key = await crypto.subtle.importKey('raw', point, algorithm, false, ['verify']).catch(() => null);
    const id = toBase64(kid);
    if (!keys.has(id)) keys.set(id, Object.freeze({ kid: id, notBefore, notAfter, key }));
  }
  const result = Object.freeze({ issuer: list.issuer, keys });
  prepared.add(result);
  return result;
}

// ---- Verification ---------------------------------------------------------------------

/**
 * Verifies a scanned code offline against a trust list (raw JSON or from prepareTrustList)
 * at `nowMs` (default: the device clock). Never throws.
 */
export async function verifyHealthCode(qrText, trustList, nowMs = Date.now()) {
  try {
    if (!Number.isFinite(nowMs)) refuse('CODE_VERIFIER_UNAVAILABLE', 'the clock is not a number');
    let trust = trustList;
    if (!prepared.has(trust)) {
      try {
        trust = await prepareTrustList(trustList);
      } catch (e) {
        if (e instanceof Refusal) throw e;
        refuse('CODE_TRUST_LIST_INVALID', e?.message);
      }
    }
    return await verifyPrepared(qrText, trust, nowMs);
  } catch (e) {
    if (e instanceof Refusal) return { valid: false, code: e.code, reason: e.message };
    return { valid: false, code: 'CODE_VERIFIER_UNAVAILABLE', reason: `${REASONS.CODE_VERIFIER_UNAVAILABLE} (${e})` };
  }
}

async function verifyPrepared(qrText, trust, now) {
  if (typeof qrText !== 'string' || !qrText.startsWith(PREFIX)) refuse('CODE_PREFIX_INVALID');
  const compressed = base45Decode(qrText.slice(PREFIX.length)) ?? refuse('CODE_BASE45_INVALID');
  const sign1 = parseSign1(await inflate(compressed));
  const kidText = sign1.kid.length === 8 ? toBase64(sign1.kid) : `${sign1.kid.length} byte key id`;
  const key = (sign1.kid.length === 8 && trust.keys.get(kidText)) || refuse('CODE_KEY_UNKNOWN', kidText);
  const tbs = sigStructure(sign1.protectedBytes, sign1.payload);
  const ecdsa = { name: 'ECDSA', hash: 'SHA-256' };
  const good = key.key && (await crypto.subtle.verify(ecdsa, key.key, sign1.signature, tbs).catch(() => false));
  if (!good) refuse('CODE_SIGNATURE_INVALID');
  const claims = decodeClaims(sign1.payload);
  if (claims.issuer !== trust.issuer) refuse('CODE_ISSUER_UNKNOWN', JSON.stringify(claims.issuer));
  const started = key.notBefore <= now + CLOCK_SKEW_MS;
  const ended = key.notAfter !== null && key.notAfter <= now;
  if (!started || ended) refuse('CODE_KEY_NOT_VALID');
  if (claims.iat * 1000 > now + CLOCK_SKEW_MS) refuse('CODE_NOT_YET_VALID');
  if (claims.exp * 1000 <= now) refuse('CODE_EXPIRED');
  return {
    valid: true,
    code: 'CODE_VALID',
    colour: claims.colour,
    holder: claims.holder,
    initials: claims.initials,
    documentLast4: claims.documentLast4,
    issuer: claims.issuer,
    keyId: key.kid,
    issuedAt: claims.iat * 1000,
    expiresAt: claims.exp * 1000,
    policyVersion: claims.policyVersion,
  };
}
