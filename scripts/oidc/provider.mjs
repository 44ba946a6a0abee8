// A local OpenID Connect provider acting as FranceConnect and as ProConnect, for development and tests.
//
// It is the real `oidc-provider` package (package.json) with the claims, scopes, signed userinfo, acr/amr
// and logout of the two State providers. Demo identities are listed in README.md and on the login page.
//
//   node scripts/oidc/provider.mjs --fc-port 8121 --pc-port 8122 --rp-origin http://127.0.0.1:8000
//
// Prints one line "READY <fc issuer> <pc issuer>" when both listen. With --test-controls, a POST to
// /__test__/mode {"mode": "..."} makes the next answers misbehave (see TAMPER_MODES): tests use it to
// check that the service refuses forged ID tokens and userinfo.
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';
import { CompactSign, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK } from 'jose';

const { values: args } = parseArgs({
  options: {
    'fc-port': { type: 'string', default: process.env.OIDC_FC_PORT || '8121' },
    'pc-port': { type: 'string', default: process.env.OIDC_PC_PORT || '8122' },
    host: { type: 'string', default: '127.0.0.1' },
    'rp-origin': { type: 'string', multiple: true, default: (process.env.OIDC_RP_ORIGINS || 'http://127.0.0.1:8000').split(',') },
    'test-controls': { type: 'boolean', default: false },
  },
});

// Paths of the service (workinfrance/oidc/urls.py) declared as redirect URIs, as with the real providers.
const callbackUris = (provider) => args['rp-origin'].map((origin) => `${origin}/comptes/oidc/${provider}/retour/`);
const postLogoutUris = () => args['rp-origin'].map((origin) => `${origin}/comptes/oidc/deconnexion/retour/`);

// Demo identities. FranceConnect: birthplace and birthcountry are INSEE codes (99100 = France).
const FRANCECONNECT_IDENTITIES = {
  'amina-benali': {
    label: 'Amina BENALI, née en Algérie',
    amr: ['pwd'],
    claims: {
      given_name: 'Amina', family_name: 'BENALI', birthdate: '2002-04-12', gender: 'female',
      birthplace: '', birthcountry: '99352', email: 'amina.benali@franceconnect.test', preferred_username: '',
    },
  },
  'lucas-martin': {
    label: 'Lucas MARTIN, né à Paris 7e',
    amr: ['pwd'],
    claims: {
      given_name: 'Lucas Jean', family_name: 'MARTIN', birthdate: '2001-09-30', gender: 'male',
      birthplace: '75107', birthcountry: '99100', email: 'lucas.martin@franceconnect.test', preferred_username: '',
    },
  },
  'etudiante-demo': {
    label: 'Inès DIALLO, même e-mail que le compte de démonstration etudiante@workinfrance.test',
    amr: ['pwd'],
    claims: {
      given_name: 'Inès', family_name: 'DIALLO', birthdate: '2003-01-15', gender: 'female',
      birthplace: '', birthcountry: '99341', email: 'etudiante@workinfrance.test', preferred_username: '',
    },
  },
};
// ProConnect: `amr` contains "mfa" when the professional's identity provider used a second factor.
const PROCONNECT_IDENTITIES = {
  'claire-dupont': {
    label: 'Claire DUPONT, RH d\'une boulangerie (employeur)',
    amr: ['pwd'],
    claims: {
      email: 'claire.dupont@boulangerie-exemple.test', given_name: 'Claire', usual_name: 'DUPONT',
      siret: '73282932000074', uid: 'pc-1001',
    },
  },
  'agent-paris': {
    label: 'Agent de l\'unité de Paris (agent.paris@workinfrance.test), avec second facteur',
    amr: ['pwd', 'mfa'],
    claims: {
      email: 'agent.paris@workinfrance.test', given_name: 'Alice', usual_name: 'AGENT',
      siret: '13002526500013', uid: 'pc-2001',
    },
  },
  'agent-lyon': {
    label: 'Agent de l\'unité du Rhône (agent.lyon@workinfrance.test), mot de passe seul',
    amr: ['pwd'],
    claims: {
      email: 'agent.lyon@workinfrance.test', given_name: 'Louis', usual_name: 'AGENT',
      siret: '13002526500013', uid: 'pc-2002',
    },
  },
  'jean-inconnu': {
    label: 'Jean INCONNU, agent public sans invitation (agent.inconnu@ministere.test)',
    amr: ['pwd', 'mfa'],
    claims: {
      email: 'agent.inconnu@ministere.test', given_name: 'Jean', usual_name: 'INCONNU',
      siret: '11000101300017', uid: 'pc-3001',
    },
  },
};

const PROFILES = {
  franceconnect: {
    title: 'FranceConnect (fournisseur local de démonstration)',
    identities: FRANCECONNECT_IDENTITIES,
    claims: {
      openid: ['sub'], given_name: ['given_name'], family_name: ['family_name'], birthdate: ['birthdate'],
      birthplace: ['birthplace'], birthcountry: ['birthcountry'], gender: ['gender'], email: ['email'],
      preferred_username: ['preferred_username'],
    },
    acrValues: ['eidas1', 'eidas2', 'eidas3'],
    clients: [
      { client_id: 'wif-franceconnect', alg: 'ES256' },
      { client_id: 'wif-franceconnect-rs256', alg: 'RS256' },
      // Userinfo as plain JSON (FranceConnect v1 did so).
      { client_id: 'wif-franceconnect-json', alg: 'ES256', jsonUserinfo: true },
    ],
  },
  proconnect: {
    title: 'ProConnect (fournisseur local de démonstration)',
    identities: PROCONNECT_IDENTITIES,
    claims: {
      openid: ['sub'], email: ['email'], given_name: ['given_name'], usual_name: ['usual_name'],
      siret: ['siret'], uid: ['uid'], amr: null,
    },
    acrValues: ['eidas1', 'eidas2', 'eidas3'],
    clients: [
      { client_id: 'wif-proconnect', alg: 'RS256' },
      { client_id: 'wif-proconnect-es256', alg: 'ES256' },
    ],
  },
};

// Client secrets of the local provider (development only; README.md).
export const clientSecret = (clientId) => `${clientId}-local-secret`;

async function signingKeys() {
  const keys = [];
  for (const alg of ['ES256', 'RS256']) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    keys.push({ ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}` });
  }
  return keys;
}

// ---- Test controls: misbehaviours the service must refuse. ----
const TAMPER_MODES = new Set([
  'off', 'foreign-key', 'alg-none', 'expired', 'wrong-audience', 'no-nonce', 'no-acr', 'replay', 'userinfo-sub',
  'userinfo-audience', 'slow',
]);
let tamperMode = 'off';
let slowMs = 0;

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function resign(jwt, keys, change, { foreign = false } = {}) {
  const header = decodeProtectedHeader(jwt);
  const payload = change(decodeJwt(jwt));
  let jwk = keys.find((key) => key.kid === header.kid);
  if (foreign) {
    // Another key of the same type, announced under the genuine key's kid.
    const { privateKey } = await generateKeyPair(header.alg, { extractable: true });
    jwk = { ...(await exportJWK(privateKey)), kid: header.kid };
  }
  const key = await importJWK(jwk, header.alg);
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader(header).sign(key);
}

async function tamperIdToken(idToken, keys) {
  const now = Math.floor(Date.now() / 1000);
  switch (tamperMode) {
    case 'foreign-key': return resign(idToken, keys, (p) => p, { foreign: true });
    case 'alg-none': return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(decodeJwt(idToken))}.`;
    case 'expired': return resign(idToken, keys, (p) => ({ ...p, iat: now - 7200, exp: now - 3600 }));
    case 'wrong-audience': return resign(idToken, keys, (p) => ({ ...p, aud: 'another-service', azp: 'another-service' }));
    case 'no-nonce': return resign(idToken, keys, ({ nonce, ...p }) => p);
    case 'no-acr': return resign(idToken, keys, ({ acr, ...p }) => p);
    default: return idToken;
  }
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.on('data', (chunk) => { raw += chunk; if (raw.length > 1e5) reject(new Error('body too large')); });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(raw))));
    req.on('error', reject);
  });
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#161616}
button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font-size:1rem;text-align:left;background:#000091;color:#fff;border:0;cursor:pointer}
button.secondary{background:#fff;color:#000091;border:1px solid #000091}</style></head>
<body><main>${body}</main></body></html>`;
}

async function startProvider(name, port, keys) {
  const profile = PROFILES[name];
  const issuer = `http://${args.host}:${port}`;
  const findIdentity = (id) => profile.identities[id];
  const provider = new Provider(issuer, {
    clients: profile.clients.map(({ client_id, alg, jsonUserinfo }) => ({
      client_id,
      client_secret: clientSecret(client_id),
      redirect_uris: callbackUris(name),
      post_logout_redirect_uris: postLogoutUris(),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: alg,
      ...(jsonUserinfo ? {} : { userinfo_signed_response_alg: alg }),
    })),
    jwks: { keys },
    claims: profile.claims,
    scopes: Object.keys(profile.claims).filter((scope) => profile.claims[scope]),
    acrValues: profile.acrValues,
    cookies: { keys: [randomUUID()] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Both State providers sign out at once: the confirmation form submits itself.
        logoutSource: async (ctx, form) => {
          ctx.body = page(`Déconnexion — ${profile.title}`, `<h1>Déconnexion</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Se déconnecter</button>
<script>document.forms['op.logoutForm'].insertAdjacentHTML('beforeend','<input type="hidden" name="logout" value="yes">');document.forms['op.logoutForm'].submit();</script>`);
        },
      },
    },
    findAccount: async (ctx, sub) => {
      const identity = findIdentity(sub);
      if (!identity) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...identity.claims }) };
    },
    // No consent screen: the State providers ask once in their own pages; here every requested scope is granted.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
      const requested = JSON.parse(ctx.oidc.params.claims || '{}');
      grant.addOIDCClaims(Object.keys({ ...requested.id_token, ...requested.userinfo }));
      await grant.save();
      return grant;
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600 },
  });
  provider.proxy = false;

  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login|\/abort)?$/);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      const buttons = Object.entries(profile.identities).map(([id, identity]) =>
        `<button type="submit" name="account" value="${escapeHtml(id)}">${escapeHtml(identity.label)}</button>`).join('\n');
      ctx.type = 'html';
      ctx.body = page(profile.title, `<h1>${escapeHtml(profile.title)}</h1>
<p>Demande de <strong>${escapeHtml(details.params.client_id)}</strong>. Choisissez une identité de démonstration :</p>
<form method="post" action="/interaction/${details.uid}/login">${buttons}</form>
<form method="post" action="/interaction/${details.uid}/abort"><button class="secondary" type="submit">Annuler et revenir au service</button></form>`);
      return;
    }
    const form = await readForm(ctx.req);
    let result;
    if (match[2] === '/abort') {
      result = { error: 'access_denied', error_description: 'The user cancelled the sign-in.' };
    } else {
      const identity = findIdentity(form.account);
      if (!identity) ctx.throw(400, 'unknown demo identity');
      const acr = details.params.acr_values?.split(' ')[0] || 'eidas1';
      result = { login: { accountId: form.account, amr: identity.amr, acr, remember: false } };
    }
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
  });
  return { provider, issuer, port };
}

async function main() {
  const keys = await signingKeys();
  const started = [];
  let lastIdToken = null;
  for (const [name, port] of [['franceconnect', args['fc-port']], ['proconnect', args['pc-port']]]) {
    const { provider, issuer } = await startProvider(name, Number(port), keys);
    // Misbehaviours for the tests, applied around the genuine endpoints.
    provider.app.middleware.unshift(async (ctx, next) => {
      if (args['test-controls'] && ctx.path === '/__test__/mode' && ctx.method === 'POST') {
        const body = await readForm(ctx.req);
        if (!TAMPER_MODES.has(body.mode)) ctx.throw(400, 'unknown mode');
        tamperMode = body.mode;
        slowMs = Number(body.ms || 0);
        ctx.body = { mode: tamperMode };
        return;
      }
      if (tamperMode === 'slow' && ctx.path === '/token') await new Promise((resolve) => { setTimeout(resolve, slowMs); });
      await next();
      if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
        const genuine = ctx.body.id_token;
        ctx.body.id_token = tamperMode === 'replay' && lastIdToken ? lastIdToken : await tamperIdToken(genuine, keys);
        lastIdToken = genuine;
      }
      if (ctx.path === '/me' && ctx.status === 200 && typeof ctx.body === 'string') {
        if (tamperMode === 'userinfo-sub') ctx.body = await resign(ctx.body, keys, (p) => ({ ...p, sub: `${p.sub}-someone-else` }));
        if (tamperMode === 'userinfo-audience') ctx.body = await resign(ctx.body, keys, (p) => ({ ...p, aud: 'another-service' }));
      }
    });
    await new Promise((resolve) => { provider.listen(Number(port), args.host, resolve); });
    started.push(issuer);
  }
  console.log(`READY ${started.join(' ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
