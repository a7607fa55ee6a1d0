import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { listen, RunningApp } from '@mlops/testing';
import { createGatewayApp } from './app';

const APPROVER_KEY = 'approver-0123456789abcdef';
const VIEWER_KEY = 'viewer-0123456789abcdef';
const AUDIENCE = 'mlops-api';

/** A local identity provider: discovery document and JWKS of a key generated here. */
async function identityProvider() {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.writeHead(req.url === '/certs' || req.url === '/.well-known/openid-configuration' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/certs' ? { keys: [jwk] } : { issuer, jwks_uri: `${issuer}/certs` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = (sub: string, roles: string[]) =>
    new SignJWT({ sub, roles }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(issuer).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(privateKey);
  return { issuer, server, token };
}

describe('GET /api/v1/me: who the gateway takes the caller to be', () => {
  let idp: Awaited<ReturnType<typeof identityProvider>>;
  let keyed: RunningApp;
  let open: RunningApp;
  const base = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', OPENAPI_CACHE_MS: '0', HEALTH_TIMEOUT_MS: '200' };

  beforeAll(async () => {
    idp = await identityProvider();
    keyed = await listen(
      (
        await createGatewayApp({
          ...base,
          GATEWAY_API_KEYS: `${APPROVER_KEY}=Alice:prompt-approver|deployer,${VIEWER_KEY}=viewer`,
          GATEWAY_OIDC_ISSUER: idp.issuer,
          GATEWAY_OIDC_AUDIENCE: AUDIENCE,
        })
      ).app,
    );
    open = await listen((await createGatewayApp(base)).app);
  });
  afterAll(async () => {
    await keyed?.close();
    await open?.close();
    idp?.server.close();
  });

  it('answers the actor (canonical) and roles of an API key, and of an OIDC token, with how each was authenticated', async () => {
    const byKey = await request(keyed.url).get('/api/v1/me').set('Authorization', `Bearer ${APPROVER_KEY}`).set('X-Actor', 'mallory').expect(200);
    expect(byKey.body).toEqual({ actor: 'alice', roles: ['prompt-approver', 'deployer'], auth: 'api_key' });
    expect(byKey.headers['cache-control']).toBe('no-store');
    const viewer = await request(keyed.url).get('/api/v1/me').set('X-API-Key', VIEWER_KEY).set('X-Roles', 'prompt-approver').expect(200);
    expect(viewer.body).toEqual({ actor: 'viewer', roles: [], auth: 'api_key' });
    const byToken = await request(keyed.url).get('/api/v1/me').set('Authorization', `Bearer ${await idp.token('User-42', ['prompt-approver'])}`).expect(200);
    expect(byToken.body).toEqual({ actor: 'user-42', roles: ['prompt-approver'], auth: 'oidc' });
  });

  it('is a problem+json 401 without a valid credential when the gateway requires one', async () => {
    for (const credential of [undefined, 'Bearer not-a-configured-key-0000']) {
      const call = request(keyed.url).get('/api/v1/me');
      const response = await (credential ? call.set('Authorization', credential) : call).expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.body).toMatchObject({ status: 401, title: expect.any(String) });
    }
  });

  it('takes X-Actor and X-Roles as sent when the gateway requires no credentials', async () => {
    const response = await request(open.url).get('/api/v1/me').set('X-Actor', 'Dev').set('X-Roles', 'prompt-approver').expect(200);
    expect(response.body).toEqual({ actor: 'dev', roles: ['prompt-approver'], auth: 'none' });
    expect((await request(open.url).get('/api/v1/me').expect(200)).body).toEqual({ actor: 'anonymous', roles: [], auth: 'none' });
  });

  it('is in the merged OpenAPI document, with its response schema and the 401 problem', async () => {
    const { body: document } = await request(open.url).get('/openapi.json').expect(200);
    const operation = document.paths['/api/v1/me'].get;
    expect(operation.operationId).toBe('GatewayMeController_me');
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CallerDto' });
    for (const status of ['401', '414', '431']) expect(operation.responses[status].content['application/problem+json']).toBeDefined();
    expect(document.components.schemas.CallerDto.properties.auth.enum).toEqual(['api_key', 'oidc', 'none']);
  });
});
