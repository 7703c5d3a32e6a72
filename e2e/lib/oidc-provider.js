// A real OpenID Connect provider for the single sign-on tests: panva's `oidc-provider` (a certified
// implementation) on a loopback port, with its built-in login and consent pages, one confidential
// test client (client_secret_basic, PKCE required) and two people: `officer1` holds the group
// `hc-officer` (mapped to the officer role in the server's config), `visitor1` only `hc-visitor`
// (mapped to nothing). Any password signs them in (the pages are the library's development ones).
// The roles go in the ID token (`conformIdTokenClaims: false`) in the claim `hc_roles`.
//
// The issuer must be known before the server starts (its config names it) and the client's
// redirect URI after (it names the server's port), so the HTTP listener starts first and the
// provider is attached when `configure(callbackUrl)` is called.
import http from 'node:http';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'healthcode-e2e';
export const CLIENT_SECRET = 'e2e-client-secret-not-used-anywhere-else';
export const ROLES_CLAIM = 'hc_roles';

const PEOPLE = {
  officer1: { name: 'Officer One', [ROLES_CLAIM]: ['hc-officer', 'staff'] },
  visitor1: { name: 'Visitor One', [ROLES_CLAIM]: ['hc-visitor'] },
};

/**
 * Starts the listener. `configure(callbackUrl)` attaches the provider; `stop()` closes it.
 * @returns {Promise<{ issuer: string, configure: (callbackUrl: string) => void, stop: () => Promise<void> }>}
 */
export async function startProvider() {
  let handler = (_req, res) => {
    res.statusCode = 503;
    res.end('provider not configured yet');
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const configure = (callbackUrl) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: [callbackUrl],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      pkce: { required: () => true },
      claims: { openid: ['sub'], profile: ['name', ROLES_CLAIM] },
      conformIdTokenClaims: false,
      cookies: { keys: ['e2e-cookie-key-not-a-secret'] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      features: { devInteractions: { enabled: true } },
      async findAccount(_ctx, id) {
        const person = PEOPLE[id];
        if (!person) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, ...person }) };
      },
    });
    handler = provider.callback();
  };

  const stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return { issuer, configure, stop };
}
