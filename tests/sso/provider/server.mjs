// A real OpenID provider for the SSO tests: oidc-provider (OpenID-certified), on loopback.
//
//   node server.mjs CONFIG.json
//
// CONFIG: {"issuer", "port", "clients": [oidc-provider client metadata], "jwks": {"keys": [private JWKs]},
//          "accountsFile"}. The accounts file ({sub: {email, email_verified, name, groups}}) is read again
// for every sign-in, so a test can change someone's email or groups between two sign-ins.
// Sign-in is a one-field form (the person's email or sub, no password); consent is granted at once.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = () => JSON.parse(readFileSync(config.accountsFile, 'utf8'));

function findSub(login) {
  const all = accounts();
  if (all[login]) return login;
  return Object.keys(all).find((sub) => all[sub].email === login);
}

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  cookies: { keys: ['momoflow-test-cookie-key-0123456789'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: { email: ['email', 'email_verified', 'xms_edov'], profile: ['name'], groups: ['groups'] },
  // The requested claims in the ID token itself, as Okta and Entra ID send them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts()[sub];
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...account }) };
  },
});

const page = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP</title></head>
<body><main><h1>Test identity provider</h1>${body}</main></body></html>`;

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

async function grantConsent(details, accountId) {
  const grant = details.grantId ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  return grant.save();
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') {
    const grantId = await grantConsent(details, details.session.accountId);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (req.method === 'POST' && action === 'login') {
    const login = (await readForm(req)).get('login') || '';
    const sub = findSub(login);
    if (sub) {
      const grantId = await grantConsent(details, sub);
      return provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } });
    }
  }
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(page(`<form method="post" action="/interaction/${uid}/login">
    <label for="login">Email</label> <input id="login" name="login" autofocus>
    <button type="submit">Continue</button></form>`));
}

const callback = provider.callback();
http.createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(\w+))?$/.exec(new URL(req.url, config.issuer).pathname);
  if (!match) return callback(req, res);
  return interaction(req, res, match[1], match[2]).catch((error) => {
    res.statusCode = 400;
    res.end(String(error));
  });
}).listen(config.port, '127.0.0.1', () => console.log(`listening ${config.issuer}`));
