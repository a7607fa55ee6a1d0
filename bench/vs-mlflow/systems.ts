/**
 * The same operations on both systems: our lifecycle API through the gateway, and MLflow's REST
 * API 2.0. Scenarios only speak this interface, so both sides get the same load and the same data.
 */
import type autocannon from 'autocannon';

export interface Point {
  key: string;
  value: number;
  step: number;
  /** ms since the epoch. */
  timestamp: number;
}

/** `count` points from `step`, keys alternating as a training loop logs loss and accuracy. */
export function points(step: number, count: number, keys = ['accuracy', 'loss']): Point[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({ key: keys[i % keys.length], value: Math.random(), step: step + i, timestamp: now }));
}

export interface Walk {
  items: number;
  pages: number;
}

export interface System {
  readonly name: 'ours' | 'mlflow';
  /** Where autocannon points; paths below are relative to it. */
  readonly url: string;
  readonly headers: Record<string, string>;
  /** Returns the handle runs are created in (our experiment name, MLflow's experiment id). */
  createExperiment(name: string): Promise<string>;
  /** `fast`: do not wait for the read model (seeding only; checked afterwards). */
  createRun(experiment: string, name: string, options?: { fast?: boolean }): Promise<string>;
  logBatch(run: string, batch: Point[]): Promise<void>;
  /** Requests for one client logging `batch` points per request into `run`, steps increasing. */
  ingestRequests(run: string, batch: number): autocannon.Request[];
  /** Requests creating experiments named `${prefix}-<n>`, n shared across connections. */
  createExperimentRequests(prefix: string): autocannon.Request[];
  getExperimentRequests(names: string[]): autocannon.Request[];
  readHistory(run: string, key: string): Promise<Walk>;
  firstPage(experiment: string, size: number): Promise<Walk>;
  walkRuns(experiment: string, size: number): Promise<Walk>;
}

async function call(url: string, init: RequestInit & { expect?: number[] } = {}): Promise<any> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!(init.expect ?? [200, 201]).includes(response.status)) {
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text.slice(0, 500)}`);
  }
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const EXPERIMENTS = '/api/v1/ml/lifecycle/experiments';
const RUNS = '/api/v1/ml/lifecycle/runs';
/** The list endpoints' largest `limit`. */
const OUR_MAX_LIMIT = 500;

export class Ours implements System {
  readonly name = 'ours' as const;
  readonly headers = { 'content-type': 'application/json', 'x-actor': 'bench' };

  constructor(readonly url: string) {}

  private static body(batch: Point[]) {
    return JSON.stringify({ metrics: batch.map((p) => ({ key: p.key, value: p.value, step: p.step, timestamp: new Date(p.timestamp).toISOString() })) });
  }

  /** Seeding only: a 202 (stored, read model not caught up within its bound) is waited out here. */
  private async visible(path: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const response = await fetch(this.url + path, { headers: this.headers });
      await response.arrayBuffer();
      if (response.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${path} not visible after 60 s`);
  }

  async createExperiment(name: string): Promise<string> {
    const { status } = await call(this.url + EXPERIMENTS, { method: 'POST', headers: this.headers, body: JSON.stringify({ name }), expect: [201, 202] });
    if (status === 202) await this.visible(`${EXPERIMENTS}/${encodeURIComponent(name)}`);
    return name;
  }

  async createRun(experiment: string, name: string, options: { fast?: boolean } = {}): Promise<string> {
    const { status, headers } = await call(this.url + RUNS, {
      method: 'POST',
      headers: options.fast ? { ...this.headers, prefer: 'respond-async' } : this.headers,
      body: JSON.stringify({ experiment_name: experiment, name }),
      expect: [201, 202],
    });
    const runId = decodeURIComponent(headers.get('location')!.split('/').pop()!);
    if (status === 202 && !options.fast) await this.visible(`${RUNS}/${runId}`);
    return runId;
  }

  async logBatch(run: string, batch: Point[]): Promise<void> {
    // 202: stored, the read model had not caught up within its bound (the history seeding checks the count).
    await call(`${this.url}${RUNS}/${run}`, { method: 'PATCH', headers: this.headers, body: Ours.body(batch), expect: [200, 202] });
  }

  ingestRequests(run: string, batch: number): autocannon.Request[] {
    let step = 0;
    return [
      {
        method: 'PATCH',
        path: `${RUNS}/${run}`,
        setupRequest: (req) => ({ ...req, body: Ours.body(points((step += batch) - batch, batch)) }),
      },
    ];
  }

  createExperimentRequests(prefix: string): autocannon.Request[] {
    let n = 0;
    return [{ method: 'POST', path: EXPERIMENTS, setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `${prefix}-${n++}` }) }) }];
  }

  getExperimentRequests(names: string[]): autocannon.Request[] {
    let n = 0;
    return [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `${EXPERIMENTS}/${encodeURIComponent(names[n++ % names.length])}` }) }];
  }

  private async walk(path: string, limit: number, maxPages = Infinity): Promise<Walk> {
    let items = 0;
    let pages = 0;
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { body } = await call(`${this.url}${path}${path.includes('?') ? '&' : '?'}${query}`, { headers: this.headers });
      items += body.items.length;
      pages++;
      cursor = body.next_cursor;
    } while (cursor && pages < maxPages);
    return { items, pages };
  }

  readHistory(run: string, key: string): Promise<Walk> {
    return this.walk(`${RUNS}/${run}/metrics/${encodeURIComponent(key)}`, OUR_MAX_LIMIT);
  }

  firstPage(experiment: string, size: number): Promise<Walk> {
    return this.walk(`${RUNS}?experiment_name=${encodeURIComponent(experiment)}`, size, 1);
  }

  walkRuns(experiment: string, size: number): Promise<Walk> {
    return this.walk(`${RUNS}?experiment_name=${encodeURIComponent(experiment)}`, size);
  }
}

const API = '/api/2.0/mlflow';
/** get-history's largest max_results (GET_METRIC_HISTORY_MAX_RESULTS in mlflow.store.tracking). */
const MLFLOW_HISTORY_MAX_RESULTS = 25000;

export class Mlflow implements System {
  readonly name = 'mlflow' as const;
  readonly headers = { 'content-type': 'application/json' };

  constructor(readonly url: string) {}

  private post(path: string, body: unknown): Promise<any> {
    return call(`${this.url}${API}${path}`, { method: 'POST', headers: this.headers, body: JSON.stringify(body), expect: [200] }).then((r) => r.body);
  }

  async createExperiment(name: string): Promise<string> {
    return (await this.post('/experiments/create', { name })).experiment_id;
  }

  async createRun(experiment: string, name: string): Promise<string> {
    return (await this.post('/runs/create', { experiment_id: experiment, run_name: name, start_time: Date.now() })).run.info.run_id;
  }

  async logBatch(run: string, batch: Point[]): Promise<void> {
    await this.post('/runs/log-batch', { run_id: run, metrics: batch });
  }

  ingestRequests(run: string, batch: number): autocannon.Request[] {
    let step = 0;
    if (batch === 1) {
      return [
        {
          method: 'POST',
          path: `${API}/runs/log-metric`,
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ run_id: run, ...points(step++, 1)[0] }) }),
        },
      ];
    }
    return [
      {
        method: 'POST',
        path: `${API}/runs/log-batch`,
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ run_id: run, metrics: points((step += batch) - batch, batch) }) }),
      },
    ];
  }

  createExperimentRequests(prefix: string): autocannon.Request[] {
    let n = 0;
    return [{ method: 'POST', path: `${API}/experiments/create`, setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `${prefix}-${n++}` }) }) }];
  }

  getExperimentRequests(names: string[]): autocannon.Request[] {
    let n = 0;
    return [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `${API}/experiments/get-by-name?experiment_name=${encodeURIComponent(names[n++ % names.length])}` }),
      },
    ];
  }

  async readHistory(run: string, key: string): Promise<Walk> {
    let items = 0;
    let pages = 0;
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ run_id: run, metric_key: key, max_results: String(MLFLOW_HISTORY_MAX_RESULTS) });
      if (token) query.set('page_token', token);
      const { body } = await call(`${this.url}${API}/metrics/get-history?${query}`, { headers: this.headers });
      items += body.metrics?.length ?? 0;
      pages++;
      token = body.next_page_token || undefined;
    } while (token);
    return { items, pages };
  }

  private async search(experiment: string, size: number, maxPages: number): Promise<Walk> {
    let items = 0;
    let pages = 0;
    let token: string | undefined;
    do {
      const body = await this.post('/runs/search', { experiment_ids: [experiment], max_results: size, ...(token ? { page_token: token } : {}) });
      items += body.runs?.length ?? 0;
      pages++;
      token = body.next_page_token || undefined;
    } while (token && pages < maxPages);
    return { items, pages };
  }

  firstPage(experiment: string, size: number): Promise<Walk> {
    return this.search(experiment, size, 1);
  }

  walkRuns(experiment: string, size: number): Promise<Walk> {
    return this.search(experiment, size, Infinity);
  }
}
