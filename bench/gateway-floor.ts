/**
 * What a hop in front of the lifecycle service costs on this machine, against which the gateway's
 * overhead (`bench:vs-mlflow`'s `gateway-overhead` row, target ≤ 1 ms) can be read: unloaded
 * `GET /experiments/{name}`, p50 through each front minus p50 straight to the service, requests
 * interleaved so the machine's drift hits every front alike. The fronts:
 *  - a bare Node `http` proxy with a kept-alive agent (the floor of any proxy written in Node);
 *  - the same proxy as the one middleware of a bare Express 5 app;
 *  - the gateway (GATEWAY_URL, default http://127.0.0.1:8080).
 * Needs the platform running (`bash tools/platform.sh up`).
 *
 *   node -r @swc-node/register bench/gateway-floor.ts
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const service = new URL(process.env.LIFECYCLE_URL ?? 'http://127.0.0.1:3002');
const samples = Number(process.env.BENCH_SAMPLES ?? 1000);
const EXPERIMENTS = '/api/v1/ml/lifecycle/experiments';
const headers = { 'x-actor': 'bench', 'content-type': 'application/json' };

const agent = new Agent({ keepAlive: true });
const forward = (req: IncomingMessage, res: ServerResponse) => {
  const upstream = request({ hostname: service.hostname, port: service.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  upstream.end();
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const name = `gateway-floor-${Date.now()}`;
  const created = await fetch(gateway + EXPERIMENTS, { method: 'POST', headers, body: JSON.stringify({ name }) });
  if (created.status >= 300) throw new Error(`POST ${EXPERIMENTS}: ${created.status} ${await created.text()}`);
  const bare = createServer(forward);
  const app = express();
  app.set('query parser', 'simple');
  app.use((req, res) => forward(req, res));
  const viaExpress = createServer(app);
  const fronts: Record<string, string> = { direct: service.origin, 'bare http proxy': await listen(bare), 'bare Express proxy': await listen(viaExpress), gateway };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fronts).map((front) => [front, []]));
  const path = `${EXPERIMENTS}/${encodeURIComponent(name)}`;
  try {
    for (let i = 0; i < samples + 50; i++) {
      for (const [front, url] of Object.entries(fronts)) {
        const started = performance.now();
        const response = await fetch(url + path, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`GET ${url + path}: ${response.status}`);
        if (i >= 50) times[front].push(performance.now() - started); // the first 50: warm-up
      }
    }
  } finally {
    bare.close();
    viaExpress.close();
    agent.destroy();
  }
  const direct = median(times.direct);
  console.log(`unloaded GET ${path}, ${samples} interleaved samples per front; direct p50 ${direct.toFixed(2)} ms`);
  console.log('| front | p50 ms | overhead over direct, ms |\n| --- | ---: | ---: |');
  for (const front of Object.keys(fronts).filter((f) => f !== 'direct')) {
    console.log(`| ${front} | ${median(times[front]).toFixed(2)} | ${(median(times[front]) - direct).toFixed(2)} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
