import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { listen, RunningApp } from '@mlops/testing';
import { createGatewayApp } from './app';
import { FORWARDED_HEAD_LIMITS, GATEWAY_PARSED_HEAD_BYTES } from './proxy';

const FEATURES = '/api/v1/features';

/** One request over a fresh connection: the status, content type and body the caller reads, or the network error. */
function send(url: string, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; type?: string; body: Record<string, unknown> } | { error: string }>((resolve) => {
    const { hostname, port } = new URL(url);
    const req = request({ host: hostname, port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type']?.split(';')[0], body: text ? JSON.parse(text) : {} }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: `${error.code}: ${error.message}` }));
    req.end();
  });
}

describe('gateway: request lines and headers it will not forward get a problem+json answer', () => {
  let upstream: Server;
  let reached: string[];
  let gateway: RunningApp;

  beforeAll(async () => {
    reached = [];
    // The feature store's stand-in: records what reached it; parses heads as large as a service does.
    upstream = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
      reached.push(`${req.method} ${req.url!.slice(0, 40)}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"forwarded":true}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const env = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', FEATURE_STORE_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` };
    gateway = await listen((await createGatewayApp(env)).app);
  });
  afterAll(async () => {
    await gateway?.close();
    upstream?.close();
  });
  beforeEach(() => (reached = []));

  it('forwards a request target and headers within the limits', async () => {
    const path = `${FEATURES}/${'a'.repeat(FORWARDED_HEAD_LIMITS.maxUrlBytes - FEATURES.length - 1)}`;
    const answer = await send(gateway.url, 'DELETE', path, { 'x-padding': 'p'.repeat(FORWARDED_HEAD_LIMITS.maxHeaderBytes / 2) });
    expect(answer).toEqual({ status: 200, type: 'application/json', body: { forwarded: true } });
    expect(reached).toHaveLength(1);
  });

  it('answers 414 for a longer request target, without forwarding it', async () => {
    const answer = await send(gateway.url, 'DELETE', `${FEATURES}/${'a'.repeat(FORWARDED_HEAD_LIMITS.maxUrlBytes)}`);
    expect(answer).toEqual({ status: 414, type: 'application/problem+json', body: expect.objectContaining({ type: 'urn:mlops:problem:uri-too-long', status: 414 }) });
    expect(reached).toEqual([]);
  });

  it('answers 431 for larger headers, without forwarding them', async () => {
    const answer = await send(gateway.url, 'GET', `${FEATURES}/x`, { 'x-padding': 'p'.repeat(FORWARDED_HEAD_LIMITS.maxHeaderBytes) });
    expect(answer).toMatchObject({ status: 431, type: 'application/problem+json', body: { type: 'urn:mlops:problem:request-header-fields-too-large', status: 431 } });
    expect(reached).toEqual([]);
  });

  it.each([
    ['a request target', (bytes: number) => [`${FEATURES}/${'a'.repeat(bytes)}`, {}] as const],
    ['headers', (bytes: number) => [`${FEATURES}/x`, { 'x-padding': 'p'.repeat(bytes) }] as const],
  ])('answers 431 with a body, not a reset, for %s past what it parses, however large', async (_what, build) => {
    for (const bytes of [GATEWAY_PARSED_HEAD_BYTES + 1, 4 * GATEWAY_PARSED_HEAD_BYTES, 2 * 1024 * 1024]) {
      const [path, headers] = build(bytes);
      const answer = await send(gateway.url, 'DELETE', path, headers);
      expect({ bytes, answer }).toEqual({
        bytes,
        answer: { status: 431, type: 'application/problem+json', body: expect.objectContaining({ type: 'urn:mlops:problem:request-header-fields-too-large', title: expect.any(String), status: 431 }) },
      });
    }
    expect(reached).toEqual([]);
  });
});
