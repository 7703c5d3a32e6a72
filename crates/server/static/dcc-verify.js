// dcc-verify.js: offline verification of EU Digital COVID Certificates (HC1:) in the browser,
// as crates/credential/src/dcc and crates/domain/src/dcc_rules.rs do it in Rust.
//
// "HC1:" + base45 + zlib (DecompressionStream('deflate'), capped) + COSE_Sign1 (with or without
// the CWT tag 61), signed with ES256 / ES384 (WebCrypto ECDSA P-256 / P-384, raw r‖s) or PS256
// (WebCrypto RSA-PSS, SHA-256, salt 32) by a DSC from GET /api/v1/dcc/dsc-list, which also
// carries the acceptance rules. Verdict codes are the server's: DCC_ACCEPTED, DCC_RULE_NOT_MET,
// DCC_MALFORMED, DCC_ALGORITHM_UNSUPPORTED, DCC_KEY_UNKNOWN, DCC_SIGNATURE_INVALID,
// DCC_SCHEMA_INVALID, DCC_EXPIRED, DCC_NOT_YET_VALID, DCC_DSC_NOT_VALID, DCC_WRONG_USAGE.

const PREFIX = 'HC1:';
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const MAX_INFLATED = 32 * 1024;
const CLOCK_SKEW_MS = 60_000;
const COVID_19 = '840539006';
const NOT_DETECTED = '260415000';
const NAMES = { v: 'vaccination', t: 'test', r: 'recovery' };

class Refusal extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}
const refuse = (code, message) => {
  throw new Refusal(code, message);
};
const malformed = (why) => refuse('DCC_MALFORMED', `not a well-formed EU DCC: ${why}`);
const schema = (why) => refuse('DCC_SCHEMA_INVALID', `the content does not follow the DCC schema: ${why}`);

const BASE45_VALUES = new Map(Array.from(BASE45, (c, i) => [c, i]));

function base45Decode(text) {
  if (text.length % 3 === 1) return null;
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const digits = Array.from(text.slice(i, i + 3), (c) => BASE45_VALUES.get(c));
    if (digits.includes(undefined)) return null;
    const [c, d, e = 0] = digits;
    const n = c + d * 45 + e * 2025;
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

async function inflate(bytes) {
  const stream = new DecompressionStream('deflate');
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
        malformed('inflates to more than 32 kB');
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof Refusal) throw e;
    malformed('not valid zlib data');
  }
  const out = new Uint8Array(total);
  chunks.reduce((at, chunk) => (out.set(chunk, at), at + chunk.byteLength), 0);
  return out;
}

// ---- A small CBOR reader (RFC 8949): maps become Map, byte strings Uint8Array, tags {tag, value}.

function decodeCbor(buf) {
  let pos = 0;
  const need = (n) => {
    if (pos + n > buf.length) throw new Error('truncated');
  };
  const arg = (info) => {
    if (info < 24) return info;
    const len = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!len) throw new Error('indefinite or reserved length');
    need(len);
    let n = 0;
    for (let i = 0; i < len; i++) n = n * 256 + buf[pos + i];
    pos += len;
    return n;
  };
  const item = (depth) => {
    if (depth > 16) throw new Error('too deep');
    need(1);
    const initial = buf[pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
      if (info === 25 || info === 26 || info === 27) {
        const len = { 25: 2, 26: 4, 27: 8 }[info];
        need(len);
        const view = new DataView(buf.buffer, buf.byteOffset + pos, len);
        pos += len;
        return len === 2 ? view.getUint16(0) : len === 4 ? view.getFloat32(0) : view.getFloat64(0);
      }
      throw new Error('unsupported simple value');
    }
    const n = arg(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
      case 3: {
        need(n);
        const bytes = buf.subarray(pos, pos + n);
        pos += n;
        return major === 2 ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      }
      case 4:
        return Array.from({ length: n }, () => item(depth + 1));
      case 5: {
        const map = new Map();
        for (let i = 0; i < n; i++) {
          const key = item(depth + 1);
          map.set(key, item(depth + 1));
        }
        return map;
      }
      default:
        return { tag: n, value: item(depth + 1) };
    }
  };
  const value = item(0);
  if (pos !== buf.length) throw new Error('bytes after the item');
  return value;
}

function cbor(bytes, onError) {
  try {
    return decodeCbor(bytes);
  } catch {
    return onError();
  }
}

function sigStructure(protectedBytes, payload) {
  const head = (major, len) =>
    len < 24 ? [(major << 5) | len]
    : len <= 0xff ? [(major << 5) | 24, len]
    : len <= 0xffff ? [(major << 5) | 25, len >> 8, len & 0xff]
    : [(major << 5) | 26, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff];
  const out = [0x84, 0x6a, ...new TextEncoder().encode('Signature1')];
  out.push(...head(2, protectedBytes.length), ...protectedBytes, 0x40, ...head(2, payload.length), ...payload);
  return Uint8Array.from(out);
}

const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

// ---- The DSC list ------------------------------------------------------------------------

/** Imports every DSC of GET /api/v1/dcc/dsc-list (JSON text or parsed) into WebCrypto keys. */
export async function prepareDscList(json) {
  const list = typeof json === 'string' ? JSON.parse(json) : json;
  if (!Array.isArray(list?.dscs) || typeof list?.rules !== 'object') throw new Error('DSC list: needs dscs and rules');
  const dscs = [];
  for (const d of list.dscs) {
    const spki = fromBase64(d.spki);
    const algorithms = d.kty === 'RSA'
      ? [[-37, { name: 'RSA-PSS', hash: 'SHA-256' }, { name: 'RSA-PSS', saltLength: 32 }]]
      : d.crv === 'P-384'
        ? [[-35, { name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }]]
        : [[-7, { name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }]];
    for (const [alg, importAlg, verifyAlg] of algorithms) {
      const key = await crypto.subtle.importKey('spki', spki, importAlg, false, ['verify']).catch(() => null);
      if (!key) continue;
      dscs.push({
        kid: d.kid,
        country: d.country,
        alg,
        key,
        verifyAlg,
        notBefore: Date.parse(d.not_before),
        notAfter: Date.parse(d.not_after),
        usages: new Set(d.usages),
      });
    }
  }
  return { dscs, rules: list.rules };
}

// ---- Verification ------------------------------------------------------------------------

function text(map, key, max = 80) {
  const v = map.get(key);
  if (typeof v !== 'string' || v.trim() === '' || [...v].length > max) schema(`field ${key} is missing or not text`);
  return v;
}

function day(map, key) {
  const v = text(map, key, 32).slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) schema(`field ${key} is not a date`);
  return v;
}

function smallInt(map, key) {
  const v = map.get(key);
  if (!Number.isInteger(v) || v < 1 || v > 9) schema(`field ${key} is not an integer from 1 to 9`);
  return v;
}

function parsePayload(payload) {
  const cwt = cbor(payload, () => schema('the payload is not a CWT claims map'));
  if (!(cwt instanceof Map)) schema('the payload is not a CWT claims map');
  const seconds = (label, name) => {
    const v = cwt.get(label);
    if (typeof v !== 'number' || !Number.isFinite(v)) schema(`CWT claim ${name} is missing or not a number`);
    return Math.trunc(v) * 1000;
  };
  const iat = seconds(6, 'iat');
  const exp = seconds(4, 'exp');
  if (exp <= iat) schema('exp is not after iat');
  const hcert = cwt.get(-260);
  const dgc = hcert instanceof Map ? hcert.get(1) : null;
  if (!(dgc instanceof Map)) schema('the hcert claim holds no certificate');
  if (!/^1\.\d+\.\d+$/.test(text(dgc, 'ver', 16))) schema('schema version is not 1.x.y');
  const nam = dgc.get('nam');
  if (!(nam instanceof Map)) schema('field nam is missing');
  const family = text(nam, 'fnt');
  if (!/^[A-Z<]+$/.test(family)) schema('field nam.fnt is not in ICAO 9303 letters');
  const given = typeof nam.get('gnt') === 'string' ? nam.get('gnt') : null;
  const dob = dgc.get('dob');
  if (typeof dob !== 'string') schema('field dob is missing');
  const groups = ['v', 't', 'r'].filter((k) => Array.isArray(dgc.get(k)));
  if (groups.length !== 1) schema('the certificate must hold exactly one of v, t, r');
  const kind = groups[0];
  const entries = dgc.get(kind);
  if (entries.length !== 1 || !(entries[0] instanceof Map)) schema(`${kind} must hold exactly one entry`);
  const e = entries[0];
  const facts = { kind, disease: text(e, 'tg', 16) };
  if (kind === 'v') {
    text(e, 'vp', 64); text(e, 'mp', 64); text(e, 'ma', 64);
    Object.assign(facts, { dose: smallInt(e, 'dn'), series: smallInt(e, 'sd'), date: day(e, 'dt') });
  } else if (kind === 't') {
    const sampledAt = Date.parse(text(e, 'sc', 40));
    if (Number.isNaN(sampledAt)) schema('field sc is not a date-time');
    Object.assign(facts, { testType: text(e, 'tt', 32), sampledAt, result: text(e, 'tr', 32) });
  } else {
    Object.assign(facts, { firstPositive: day(e, 'fr'), validFrom: day(e, 'df'), validUntil: day(e, 'du') });
  }
  text(e, 'is');
  text(e, 'ci');
  const co = text(e, 'co', 2);
  if (!/^[A-Z]{2}$/.test(co)) schema('field co is not a two-letter country code');
  const holder = given ? `${family}, ${given} (${dob})` : `${family} (${dob})`;
  return { iat, exp, facts, holder, country: co };
}

const DAY_MS = 86_400_000;
const daysSince = (date, now) => Math.floor((Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / DAY_MS);

/** The refusal of the rule for the type, or null; mirrors DccRules::evaluate. */
function ruleRefusal(rules, f, now) {
  const name = NAMES[f.kind];
  const rule = rules[{ v: 'vaccination', t: 'test', r: 'recovery' }[f.kind]];
  if (!rule.accept) return `${name} certificates are not accepted here`;
  if (f.disease !== COVID_19) return `the ${name} is not for COVID-19 (target ${f.disease})`;
  if (f.kind === 'v') {
    if (f.dose < f.series) return `the course is not complete (dose ${f.dose} of ${f.series})`;
    const days = daysSince(f.date, now);
    if (days < rule.min_days) return `the last dose was ${days} days ago; it counts from ${rule.min_days} days`;
    if (days > rule.max_days) return `the last dose was ${days} days ago; it counts for ${rule.max_days} days`;
    return null;
  }
  if (f.kind === 't') {
    if (f.result !== NOT_DETECTED) return 'the test result is not negative';
    const maxHours = { 'LP6464-4': rule.naat_max_hours, 'LP217198-3': rule.rat_max_hours }[f.testType];
    if (maxHours === undefined) return `test type "${f.testType}" is not accepted`;
    const age = now - f.sampledAt;
    if (age < -5 * 60_000) return 'the sample time lies in the future';
    if (age > maxHours * 3_600_000) return `the sample was taken ${Math.floor(age / 3_600_000)} hours ago; at most ${maxHours} hours are accepted`;
    return null;
  }
  const today = new Date(now).toISOString().slice(0, 10);
  if (today < f.validFrom || today > f.validUntil) return `the certificate is valid from ${f.validFrom} until ${f.validUntil}`;
  const days = daysSince(f.firstPositive, now);
  if (days > rule.max_days) return `the first positive test was ${days} days ago; at most ${rule.max_days} days are accepted`;
  return null;
}

async function verifyOrThrow(qrText, prepared, now) {
  const body = qrText.trim();
  if (!body.startsWith(PREFIX)) malformed('it must start with HC1:');
  const data = base45Decode(body.slice(PREFIX.length)) ?? malformed('not valid base45');
  const cose = data[0] === 0x78 ? await inflate(data) : data;
  let value = cbor(cose, () => malformed('not one well-formed CBOR item'));
  if (value?.tag === 61) value = value.value;
  if (value?.tag === 18) value = value.value;
  else if (value?.tag !== undefined) malformed('unexpected CBOR tag (not COSE_Sign1)');
  if (!Array.isArray(value) || value.length !== 4) malformed('COSE_Sign1 must be an array of 4 elements');
  const [protectedBytes, unprotected, payload, signature] = value;
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map)
    || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) malformed('COSE_Sign1 has the wrong shape');
  const header = protectedBytes.length === 0 ? new Map() : cbor(protectedBytes, () => malformed('protected header is not CBOR'));
  if (!(header instanceof Map)) malformed('protected header is not a map');
  const alg = header.get(1) ?? unprotected.get(1);
  if (!Number.isInteger(alg)) malformed('no algorithm in the header');
  if (![-7, -35, -37].includes(alg)) refuse('DCC_ALGORITHM_UNSUPPORTED', `unsupported signature algorithm (${alg})`);
  const kidBytes = header.get(4) ?? unprotected.get(4);
  if (!(kidBytes instanceof Uint8Array)) malformed('no key id (kid) in the header');
  const kid = toBase64(kidBytes);
  const candidates = prepared.dscs.filter((d) => d.kid === kid);
  if (candidates.length === 0) refuse('DCC_KEY_UNKNOWN', `signed by a DSC this verifier does not know (kid ${kid})`);
  const message = sigStructure(protectedBytes, payload);
  let dsc = null;
  for (const d of candidates) {
    if (d.alg !== alg) continue;
    if (await crypto.subtle.verify(d.verifyAlg, d.key, signature, message).catch(() => false)) {
      dsc = d;
      break;
    }
  }
  if (!dsc) refuse('DCC_SIGNATURE_INVALID', "the certificate's signature is invalid: it was forged or altered");
  const claims = parsePayload(payload);
  if (claims.exp <= now) refuse('DCC_EXPIRED', `the certificate expired at ${new Date(claims.exp).toISOString()}`);
  if (claims.iat > now + CLOCK_SKEW_MS) refuse('DCC_NOT_YET_VALID', 'the certificate is not valid yet');
  if (claims.iat < dsc.notBefore || claims.iat > dsc.notAfter) {
    refuse('DCC_DSC_NOT_VALID', 'the signing certificate (DSC) was not valid when the certificate was issued');
  }
  if (!dsc.usages.has(claims.facts.kind)) {
    refuse('DCC_WRONG_USAGE', `the signing certificate (DSC) may not sign ${NAMES[claims.facts.kind]} certificates`);
  }
  return claims;
}

/**
 * Verifies an HC1: text against a prepared DSC list at `nowMs` and applies the rule for its type.
 * Never throws: {accepted, reason, message, kind?, ruleId?, ruleVersion?, holder?, country?}.
 */
export async function verifyDcc(qrText, prepared, nowMs = Date.now()) {
  let claims;
  try {
    claims = await verifyOrThrow(qrText, prepared, nowMs);
  } catch (e) {
    if (e instanceof Refusal) return { accepted: false, reason: e.code, message: e.message };
    return { accepted: false, reason: 'DCC_MALFORMED', message: String(e?.message ?? e) };
  }
  const { rules } = prepared;
  const kind = claims.facts.kind;
  const ruleId = { v: 'DCC_V_FULL_COURSE', t: 'DCC_T_NEGATIVE_RECENT', r: 'DCC_R_RECOVERED' }[kind];
  const refusal = ruleRefusal(rules, claims.facts, nowMs);
  const name = NAMES[kind];
  return {
    accepted: refusal === null,
    reason: refusal === null ? 'DCC_ACCEPTED' : 'DCC_RULE_NOT_MET',
    message: refusal === null
      ? `EU DCC (${name}) meets rule ${ruleId} v${rules.version}`
      : `EU DCC (${name}) does not meet rule ${ruleId} v${rules.version}: ${refusal}`,
    kind,
    ruleId,
    ruleVersion: rules.version,
    holder: claims.holder,
    country: claims.country,
  };
}
