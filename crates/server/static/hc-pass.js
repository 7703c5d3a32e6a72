// hc-pass.js: offline verification of paper passes (HPASS2:), mirroring crates/credential/src/paper_pass.rs.
//
// "HPASS2:" + base64url(body ‖ ES256 signature (64, r‖s) over "HCP2" ‖ body); body = version 2 ‖ key id (8)
// ‖ holder (16) ‖ print number (u32) ‖ valid from ‖ valid until (i64 Unix seconds) ‖ initials and document
// suffix (length byte + UTF-8 each, at most 16 bytes). A pass is checked against every key of the cached
// trust list regardless of the key's window (passes outlive key rotation); a key already dropped from
// the trust list gives PASS_KEY_UNKNOWN (check online). Whether the pass is the holder's current print is
// known only as of the cached status list: `passes` names holders who reprinted, with their current
// number; a lower number is PASS_REVOKED, a reprint made since the list was fetched is not known here.
const PREFIX = 'HPASS2:';
const OUTDATED = 'HPASS1:';
const DOMAIN = new TextEncoder().encode('HCP2');
const FIXED = 1 + 8 + 16 + 4 + 8 + 8;
const CLOCK_SKEW_MS = 60_000;

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function base64UrlBytes(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  try {
    return Uint8Array.from(atob(std + '='.repeat((4 - (std.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** `{ valid, code, holder, print, validFrom, validUntil, initials, documentLast4 }`; never throws. */
export async function verifyPaperPass(qrText, trust, nowMs = Date.now()) {
  const no = (code) => ({ valid: false, code });
  const text = String(qrText ?? '').trim();
  if (text.startsWith(OUTDATED)) return no('PASS_OUTDATED');
  if (!text.startsWith(PREFIX)) return no('PASS_INVALID');
  const bytes = base64UrlBytes(text.slice(PREFIX.length));
  if (!bytes || bytes.length < FIXED + 2 + 64 || bytes.length > FIXED + 34 + 64 || bytes[0] !== 2) return no('PASS_INVALID');
  const body = bytes.subarray(0, bytes.length - 64);
  const signature = bytes.subarray(bytes.length - 64);
  const kid = btoa(String.fromCharCode(...body.subarray(1, 9)));
  const key = trust?.keys?.get(kid);
  if (!key) return no('PASS_KEY_UNKNOWN');
  const message = new Uint8Array(DOMAIN.length + body.length);
  message.set(DOMAIN);
  message.set(body, DOMAIN.length);
  const ecdsa = { name: 'ECDSA', hash: 'SHA-256' };
  const good = key.key && (await crypto.subtle.verify(ecdsa, key.key, signature, message).catch(() => false));
  if (!good) return no('PASS_FORGED');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const print = view.getUint32(25);
  const validFrom = Number(view.getBigInt64(29)) * 1000;
  const validUntil = Number(view.getBigInt64(37)) * 1000;
  const fields = [];
  let at = FIXED;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < 2; i++) {
    const len = body[at];
    if (len === undefined || len > 16 || at + 1 + len > body.length) return no('PASS_INVALID');
    try {
      fields.push(utf8.decode(body.subarray(at + 1, at + 1 + len)));
    } catch {
      return no('PASS_INVALID');
    }
    at += 1 + len;
  }
  if (at !== body.length || print === 0 || !(validUntil > validFrom)) return no('PASS_INVALID');
  if (validFrom > nowMs + CLOCK_SKEW_MS) return no('PASS_NOT_YET_VALID');
  if (validUntil <= nowMs) return no('PASS_EXPIRED');
  return {
    valid: true,
    code: 'PASS_VALID',
    holder: hex(body.subarray(9, 25)),
    print,
    validFrom,
    validUntil,
    initials: fields[0],
    documentLast4: fields[1],
  };
}
