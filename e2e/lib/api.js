// JSON API calls for the e2e tests, with a bearer token.
import assert from 'node:assert/strict';

/** One call; returns [status, body] (the body parsed when it is JSON, else its text). */
export async function call(base, method, pathname, token, body) {
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return [res.status, parsed, text];
}

/** One call that must answer `expect` (200 unless given; null: any); returns the body. */
export async function api(base, method, pathname, token, body, expect = 200) {
  const [status, parsed, text] = await call(base, method, pathname, token, body);
  if (expect !== null) assert.equal(status, expect, `${method} ${pathname} answered ${status}: ${text}`);
  return parsed;
}
