/**
 * What a hop in front of the lifecycle service costs on this machine, against which the gateway's
 * overhead (`bench:vs-mlflow`'s `gateway-overhead` row, target ≤ 1 ms) can be read: unloaded
 * `GET /experiments/{name}`, p50 through each front minus p50 straight to the service, requests
 * interleaved so the machine's drift hits every front alike. The fronts, each a process of its own
 * as the gateway is:
 *  - a bare Node `http` proxy with a kept-alive agent (the floor of any proxy written in Node);
 *  - the same proxy as the one middleware of a bare Express 5 app;
 *  - the gateway (GATEWAY_URL, default http://127.0.0.1:8080).
 * Needs the platform running (`bash tools/platform.sh up`).
 *
 *   node -r @swc-node/register bench/gateway-floor.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const service = new URL(process.env.LIFECYCLE_URL ?? 'http://127.0.0.1:3002');
const samples = Number(process.env.BENCH_SAMPLES ?? 1000);
const EXPERIMENTS = '/api/v1/ml/lifecycle/experiments';
const headers = { 'x-actor': 'bench', 'content-type': 'application/json' };

/** A proxy process: forwards every request to the service over a kept-alive agent, in Express when asked; prints its port. */
const PROXY = `
const http = require('node:http');
const [target, withExpress] = [new URL(process.argv[1]), process.argv[2] === 'express'];
const agent = new http.Agent({ keepAlive: true });
const forward = (req, res) => {
  const upstream = http.request({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode, answer.rawHeaders);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  upstream.end();
};
let handler = forward;
if (withExpress) {
  const app = require('express')();
  app.set('query parser', 'simple');
  app.use((req, res) => forward(req, res));
  handler = app;
}
const server = http.createServer(handler).listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startProxy(kind: 'http' | 'express'): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', PROXY, service.origin, kind], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = await new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${kind} proxy exited (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve([line.trim()]));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const name = `gateway-floor-${Date.now()}`;
  const created = await fetch(gateway + EXPERIMENTS, { method: 'POST', headers, body: JSON.stringify({ name }) });
  if (created.status >= 300) throw new Error(`POST ${EXPERIMENTS}: ${created.status} ${await created.text()}`);
  const bare = await startProxy('http');
  const viaExpress = await startProxy('express');
  const fronts: Record<string, string> = { direct: service.origin, 'bare http proxy': bare.url, 'bare Express proxy': viaExpress.url, gateway };
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
    bare.child.kill();
    viaExpress.child.kill();
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
