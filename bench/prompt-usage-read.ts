/**
 * Reading a long usage log: logs BENCH_USAGE_RECORDS (50,000) records of one template version in
 * batches of 1,000 spread over BENCH_USAGE_DAYS (20) UTC days, then times `GET
 * /templates/{id}/{version}/usage` — a page of 50 plus the aggregates — over the whole log and over
 * a window with partial days at both edges. Starts its own prompt-governance service and gateway on
 * the local Kafka and FerretDB (private database and topic prefix, dropped afterwards).
 *
 *   npm run bench:prompts:usage-read   # BENCH_USAGE_RECORDS=50000 BENCH_USAGE_DAYS=20
 */
import { dropDatabase, isolatedEnv, startGateway, startServiceProcess } from '@mlops/testing';

const API = '/api/v1/prompt-governance';
const total = Number(process.env.BENCH_USAGE_RECORDS ?? 50_000);
const days = Number(process.env.BENCH_USAGE_DAYS ?? 20);

async function main() {
  const env = isolatedEnv('benchusageread', { LOG_LEVEL: 'warn' });
  const service = await startServiceProcess('prompt-governance', env);
  const gateway = await startGateway({ PROMPT_GOVERNANCE_URL: service.url });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(gateway.url + API + path, { method, headers: { 'content-type': 'application/json', 'x-actor': 'bench' }, body: body ? JSON.stringify(body) : undefined });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { aggregates: { count: number } };
  };
  try {
    await call('POST', '/templates', { id: 'usage-read', name: 'Usage read', type: 'text', template: 'Hello {{name}}' });
    const batches = Math.ceil(total / 1000);
    for (let b = 0; b < batches; b += 4) {
      await Promise.all(
        [0, 1, 2, 3].filter((k) => b + k < batches).map((k) =>
          call('POST', '/templates/usage-read/1/usage', {
            records: Array.from({ length: 1000 }, (_, i) => ({
              caller: 'support-bot', environment: 'staging', input_tokens: 200 + (i % 300), output_tokens: 50 + (i % 120), latency_ms: 300 + ((i * 37 + b) % 1500),
              cost: 0.0004, outcome: i % 20 ? 'success' : 'error', timestamp: new Date(Date.UTC(2026, 0, 1 + ((b + k) % days), i % 24, i % 60)).toISOString(),
            })),
          }),
        ),
      );
    }
    const rows = [];
    for (const [scenario, query] of [
      ['whole log', '?limit=50'],
      ['window with partial edge days', `?limit=50&from=2026-01-03T12:00:00Z&to=2026-01-0${Math.min(9, days)}T12:00:00Z`],
    ]) {
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < 3; i++) {
        const began = performance.now();
        count = (await call('GET', `/templates/usage-read/1/usage${query}`)).aggregates.count;
        times.push(Math.round(performance.now() - began));
      }
      rows.push({ scenario, records_logged: total, records_in_window: count, ms: times.join(' / ') });
    }
    console.table(rows);
  } finally {
    await gateway.stop();
    await service.stop();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
