import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Topics } from '@mlops/events';
import { IDENTITY_TOKEN_HEADER, IdentitySigner } from '@mlops/platform';
import { dropDatabase, isolatedEnv, readTopic, ServiceProcess, startGateway, startServiceProcess } from '@mlops/testing';

const API = '/api/v1/ml/lifecycle/experiments';
const KEY = 'k-ana-0123456789abcdef';
const json = { 'content-type': 'application/json' };

const pemPair = () => {
  const pair = generateKeyPairSync('ed25519');
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
};

describe('identity end to end: the gateway signs who the caller is, the service verifies it', () => {
  const env = isolatedEnv('identity');
  const keys = pemPair();
  let lifecycle: ServiceProcess;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'identity-e2e-'));
    writeFileSync(join(dir, 'signing.pem'), keys.privatePem);
    writeFileSync(join(dir, 'verify.pem'), keys.publicPem);
    lifecycle = await startServiceProcess('lifecycle', { ...env, IDENTITY_VERIFY_KEYS_FILE: join(dir, 'verify.pem') });
    gateway = await startGateway({
      LIFECYCLE_URL: lifecycle.url,
      GATEWAY_API_KEYS: `${KEY}=Ana@Example.com:admin`,
      GATEWAY_IDENTITY_SIGNING_KEY_FILE: join(dir, 'signing.pem'),
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await lifecycle?.stop();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('refuses a caller who reaches the service directly with a forged X-Actor, or a token the gateway did not sign', async () => {
    const forged = await request(lifecycle.url).post(API).set(json).set('X-Actor', 'ana@example.com').set('X-Roles', 'admin').send({ name: 'id-forged' });
    expect(forged.status).toBe(401);
    expect(forged.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(forged.body).toMatchObject({ status: 401, detail: expect.stringMatching(/no x-mlops-identity identity token/) });
    await request(lifecycle.url).get(`${API}/id-forged`).set('X-Actor', 'ana@example.com').expect(401);

    const stranger = await IdentitySigner.fromPem(pemPair().privatePem);
    const minted = await request(lifecycle.url)
      .post(API)
      .set(json)
      .set(IDENTITY_TOKEN_HEADER, await stranger.sign({ actor: 'ana@example.com', roles: ['admin'] }))
      .send({ name: 'id-forged' });
    expect(minted.status).toBe(401);
    expect(minted.body.detail).toMatch(/a key this service does not trust/);

    // Probes, metrics and the OpenAPI document stay open to the kubelet, Prometheus and the gateway.
    await request(lifecycle.url).get('/health/ready').expect(200);
    await request(lifecycle.url).get('/openapi.json').expect(200);
    await request(lifecycle.url).get('/metrics').expect(200);
  });

  it('records the authenticated caller, not the one the client claims, on the state and the event', async () => {
    const created = await request(gateway.url)
      .post(API)
      .set(json)
      .set('Authorization', `Bearer ${KEY}`)
      .set('X-Actor', 'mallory')
      .set('X-Correlation-Id', 'identity-e2e-1')
      .send({ name: 'id-churn' })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'id-churn', owner: 'ana@example.com' });

    const events = await readTopic(env.KAFKA_BROKERS, env.KAFKA_TOPIC_PREFIX + Topics.lifecycle, (all) => all.some((e) => e.key === 'experiment:id-churn'));
    expect(events.find((e) => e.key === 'experiment:id-churn')?.event).toMatchObject({
      actor: 'ana@example.com',
      correlationid: 'identity-e2e-1',
      data: { owner: 'ana@example.com' },
    });
    // Nothing the direct, forged calls sent was written.
    await request(gateway.url).get(`${API}/id-forged`).set('Authorization', `Bearer ${KEY}`).expect(404);
  });
});
