import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, JWK, JWTPayload, SignJWT } from 'jose';
import request from 'supertest';
import { IDENTITY_TOKEN_HEADER, IdentityVerifier } from '@mlops/platform';
import { listen, RunningApp } from '@mlops/testing';
import { createGatewayApp } from './app';

const API = '/api/v1/ml/lifecycle/experiments';
const MLFLOW = '/api/2.0/mlflow/experiments/search';
const KEY_A = 'ka-0123456789abcdef';
const KEY_B = 'kb-0123456789abcdef';
const AUDIENCE = 'mlops-api';

async function serve(handler: (req: IncomingMessage) => Promise<{ status: number; body: unknown }>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void handler(req).then(({ status, body }) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** An identity provider of the test's own: discovery document and JWKS, keys generated here. */
async function identityProvider() {
  const published = await generateKeyPair('ES256');
  const unpublished = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(published.publicKey)), kid: 'published-1', alg: 'ES256', use: 'sig' };
  let issuer = '';
  const { url, server } = await serve(async (req) => {
    if (req.url === '/.well-known/openid-configuration') return { status: 200, body: { issuer, jwks_uri: `${issuer}/certs` } };
    if (req.url === '/certs') return { status: 200, body: { keys: [jwk] } };
    return { status: 404, body: {} };
  });
  issuer = url;
  const token = (claims: JWTPayload, options: { key?: Parameters<SignJWT['sign']>[0]; kid?: string; issuer?: string; audience?: string; expiresAt?: number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'published-1' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 300)
      .sign(options.key ?? published.privateKey);
  return { issuer, server, token, unpublishedKey: unpublished.privateKey };
}

describe('gateway authentication: API keys, OIDC JWTs, rate limits and the identity token the services verify', () => {
  let idp: Awaited<ReturnType<typeof identityProvider>>;
  let upstream: { url: string; server: Server };
  let gateway: RunningApp;
  let limited: RunningApp;
  let unreachableIdp: RunningApp;
  const http = () => request(gateway.url);

  beforeAll(async () => {
    idp = await identityProvider();
    const signing = generateKeyPairSync('ed25519');
    const dir = mkdtempSync(join(tmpdir(), 'gateway-auth-'));
    const keyFile = join(dir, 'identity-signing.pem');
    writeFileSync(keyFile, signing.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const verifier = await IdentityVerifier.fromPem(signing.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    // The service side: tells what identity the gateway's token carries, and what else reached it.
    upstream = await serve(async (req) => {
      const header = (name: string) => req.headers[name] ?? null;
      try {
        const identity = await verifier.verify(req.headers[IDENTITY_TOKEN_HEADER] as string | undefined);
        return { status: 200, body: { identity, actor: header('x-actor'), roles: header('x-roles'), authorization: header('authorization'), apiKey: header('x-api-key') } };
      } catch (error) {
        return { status: 401, body: { refused: (error as Error).message } };
      }
    });
    const env = {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      LIFECYCLE_URL: upstream.url,
      GATEWAY_API_KEYS: `${KEY_A}=ci-bot:deployer,${KEY_B}=Alice`,
      GATEWAY_OIDC_ISSUER: idp.issuer,
      GATEWAY_OIDC_AUDIENCE: AUDIENCE,
      GATEWAY_OIDC_ROLES_CLAIM: 'realm_access.roles',
      GATEWAY_IDENTITY_SIGNING_KEY_FILE: keyFile,
    };
    gateway = await listen((await createGatewayApp(env)).app);
    limited = await listen(
      (await createGatewayApp({ ...env, GATEWAY_RATE_LIMIT_MAX: '3', GATEWAY_RATE_LIMIT_ANONYMOUS_MAX: '2', GATEWAY_RATE_LIMIT_WINDOW_MS: '600000' })).app,
    );
    // Nothing listens on port 9: the issuer's discovery document cannot be read.
    unreachableIdp = await listen((await createGatewayApp({ ...env, GATEWAY_OIDC_ISSUER: 'http://127.0.0.1:9' })).app);
  });
  afterAll(async () => {
    await gateway?.close();
    await limited?.close();
    await unreachableIdp?.close();
    upstream?.server.close();
    idp?.server.close();
  });

  it('forwards the subject of a valid JWT, roles from the configured claim, as a token the service verifies; client identity headers never pass', async () => {
    const token = await idp.token({ sub: 'F3B1-user-42', realm_access: { roles: ['prompt-approver', 'offline_access'] }, roles: ['ignored'] });
    const response = await http()
      .get(API)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Actor', 'mallory')
      .set('X-Roles', 'admin')
      .set(IDENTITY_TOKEN_HEADER, 'forged.identity.token')
      .expect(200);
    expect(response.body).toEqual({
      identity: { actor: 'f3b1-user-42', roles: ['prompt-approver', 'offline_access'] },
      actor: 'f3b1-user-42',
      roles: 'prompt-approver,offline_access',
      authorization: null,
      apiKey: null,
    });
    const withoutRoles = await http().get(API).set('Authorization', `Bearer ${await idp.token({ sub: 'u-7' })}`).expect(200);
    expect(withoutRoles.body.identity).toEqual({ actor: 'u-7', roles: [] });
  });

  it.each([
    ['expired', () => idp.token({ sub: 'u-1' }, { expiresAt: Math.floor(Date.now() / 1000) - 3600 }), /the token has expired/],
    ['for another audience', () => idp.token({ sub: 'u-1' }, { audience: 'someone-else' }), /the token's aud claim is not accepted/],
    ['from another issuer', () => idp.token({ sub: 'u-1' }, { issuer: 'https://evil.example.com' }), /the token's iss claim is not accepted/],
    ['with a bad signature (published kid, unpublished key)', () => idp.token({ sub: 'u-1' }, { key: idp.unpublishedKey }), /signature does not verify/],
    ['signed with a key the issuer does not publish', () => idp.token({ sub: 'u-1' }, { key: idp.unpublishedKey, kid: 'unknown-kid' }), /a key the issuer does not publish/],
    ['signed with a shared secret (HS256)', () => new SignJWT({ sub: 'u-1' }).setProtectedHeader({ alg: 'HS256', kid: 'published-1' }).setIssuer(idp.issuer).setAudience(AUDIENCE).setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(32))), /not valid \(ERR_JOSE_ALG_NOT_ALLOWED\)/],
    ['with a subject no event can record', () => idp.token({ sub: 'auth0|has a space' }), /sub claim is not an actor/],
  ])('refuses a JWT %s with 401 problem+json', async (_label, make, reason) => {
    const response = await http().get(API).set('Authorization', `Bearer ${await make()}`).expect(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.body).toMatchObject({ status: 401 });
    expect(response.body.detail).toMatch(reason);
  });

  it('takes an API key as Authorization: Bearer (as MLFLOW_TRACKING_TOKEN sends it) or X-API-Key', async () => {
    const bearer = await http().get(API).set('Authorization', `Bearer ${KEY_A}`).set('X-Actor', 'mallory').expect(200);
    expect(bearer.body.identity).toEqual({ actor: 'ci-bot', roles: ['deployer'] });
    const header = await http().get(API).set('X-API-Key', KEY_B).expect(200);
    expect(header.body).toMatchObject({ identity: { actor: 'alice', roles: [] }, apiKey: null });
    // The MLflow API reaches the lifecycle service the same way, the key replaced by the signed identity.
    for (const path of [MLFLOW, '/ajax-api/2.0/mlflow/runs/search', '/api/2.0/mlflow-artifacts/artifacts/0/model.pkl']) {
      const mlflow = await http().post(path).set('Authorization', `Bearer ${KEY_A}`).send({});
      expect(mlflow.status).toBe(200);
      expect(mlflow.body).toMatchObject({ identity: { actor: 'ci-bot', roles: ['deployer'] }, authorization: null });
    }
  });

  it('refuses a caller without credentials: problem+json on the platform API, MLflow errors on the MLflow API', async () => {
    const platform = await http().get(API).set('X-Actor', 'ana').expect(401);
    expect(platform.body).toMatchObject({ status: 401, detail: expect.stringMatching(/a valid API key or a JWT from the configured issuer/) });
    for (const path of [MLFLOW, '/ajax-api/2.0/mlflow/runs/search', '/api/2.0/mlflow-artifacts/artifacts/0/model.pkl']) {
      const mlflow = await http().get(path).expect(401);
      expect(mlflow.headers['content-type']).toMatch(/^application\/json/);
      expect(mlflow.body).toEqual({ error_code: 'UNAUTHENTICATED', message: expect.stringMatching(/Authorization: Bearer/) });
    }
    const expired = await http()
      .post(MLFLOW)
      .set('Authorization', `Bearer ${await idp.token({ sub: 'u-1' }, { expiresAt: 1 })}`)
      .expect(401);
    expect(expired.body).toEqual({ error_code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
  });

  it('limits each caller separately and anonymous callers per IP: 429 with Retry-After and RateLimit headers', async () => {
    const call = (credential?: string, path = API) => {
      const req = request(limited.url).get(path);
      return credential ? req.set('Authorization', `Bearer ${credential}`) : req;
    };
    for (let i = 0; i < 3; i += 1) {
      const allowed = await call(KEY_A).expect(200);
      expect(allowed.headers.ratelimit).toMatch(new RegExp(`r=${2 - i}; t=\\d+`));
      expect(allowed.headers['ratelimit-policy']).toMatch(/q=3; w=600/);
    }
    const refused = await call(KEY_A).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers.ratelimit).toMatch(/r=0; t=\d+/);
    expect(refused.body).toMatchObject({ status: 429, detail: expect.stringMatching(/More than 3 requests in 600 s/) });
    const mlflow = await call(KEY_A, MLFLOW).expect(429);
    expect(mlflow.body).toEqual({ error_code: 'RESOURCE_EXHAUSTED', message: expect.stringMatching(/More than 3 requests/) });
    expect(Number(mlflow.headers['retry-after'])).toBeGreaterThan(0);

    // Another key and a JWT subject have budgets of their own.
    await call(KEY_B).expect(200);
    await call(await idp.token({ sub: 'u-limited' })).expect(200);

    // Without valid credentials the budget is the IP's, and failed guesses spend it.
    await call('wrong-key-0123456789').expect(401);
    await call().expect(401);
    const guessing = await call('another-wrong-key-0123').expect(429);
    expect(guessing.body).toMatchObject({ status: 429, detail: expect.stringMatching(/More than 2 requests/) });
  });

  it('answers 503 with Retry-After when the issuer cannot be asked, and still takes API keys', async () => {
    const jwt = await idp.token({ sub: 'u-1' });
    const platform = await request(unreachableIdp.url).get(API).set('Authorization', `Bearer ${jwt}`).expect(503);
    expect(platform.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(platform.headers['retry-after']).toBe('5');
    expect(platform.body.detail).toMatch(/Cannot verify the bearer token now: cannot read http:\/\/127\.0\.0\.1:9\/\.well-known\/openid-configuration/);
    const mlflow = await request(unreachableIdp.url).get(MLFLOW).set('Authorization', `Bearer ${jwt}`).expect(503);
    expect(mlflow.body).toEqual({ error_code: 'TEMPORARILY_UNAVAILABLE', message: expect.stringMatching(/Cannot verify the bearer token now/) });
    const key = await request(unreachableIdp.url).get(API).set('Authorization', `Bearer ${KEY_A}`).expect(200);
    expect(key.body.identity).toEqual({ actor: 'ci-bot', roles: ['deployer'] });
  });
});
