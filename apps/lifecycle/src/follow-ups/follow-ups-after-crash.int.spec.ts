import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connectMongo, dropDatabase, eventually, isolatedEnv, repoRoot, ServiceProcess, startServiceProcess } from '@mlops/testing';
import { timeOrderedId } from '../drift-events/drift-event.decider';
import { supersededReason } from '../promotion/promotion.reactor';
import { storedEvents } from '@mlops/event-sourcing';

const run = promisify(execFile);
const ROOT = '/api/v1/ml/lifecycle';
const DEPLOYMENTS = `${ROOT}/deployments`;
const ALL_REQUIRED = ['evaluation_passed', 'bias_review', 'security_review'].map((key) => ({ key, checked: true }));

/**
 * The cross-stream follow-ups survive a crash between their commits: a process commits a critical
 * drift and a canary's promotion, then dies (SIGKILL) before any follow-up or publish. After a
 * restart, the reactors page the production deployment, terminate the superseded one and move the
 * traffic allocation — each exactly once.
 */
describe('drift alerts and promotion follow-ups after a SIGKILL between the commits (own process, real Kafka and store)', () => {
  const env = isolatedEnv('followups');
  let service: ServiceProcess | undefined;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service!.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const response = await call(method, path, body);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const deployActive = async (environment: string, traffic_percent: number) => {
    const { deployment_id } = await ok('POST', DEPLOYMENTS, { model_name: 'churn-clf', model_version: 1, environment, config: { traffic_percent } });
    for (const status of ['validating', 'deploying', 'active']) await ok('PATCH', `${DEPLOYMENTS}/${deployment_id}`, { status });
    return deployment_id as string;
  };
  const eventTypes = async (stream: string) =>
    (await mongo.db.collection('events').find({ stream_id: stream }).sort({ version: 1 }).toArray()).flatMap((c) => storedEvents(c).map((e: { type: string }) => e.type));

  beforeAll(async () => {
    mongo = await connectMongo(env.MONGO_URL, env.MONGO_DB);
  });
  afterAll(async () => {
    const killer = setTimeout(() => service?.process.kill('SIGKILL'), 10_000);
    await service?.stop();
    clearTimeout(killer);
    await mongo?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('pages the production deployment, terminates the superseded one and moves the traffic allocation after the restart', async () => {
    service = await startServiceProcess('lifecycle', env);
    await ok('POST', `${ROOT}/experiments`, { name: 'churn' });
    const { run_id } = await ok('POST', `${ROOT}/runs`, { experiment_name: 'churn' });
    await ok('POST', `${ROOT}/models`, { model_name: 'churn-clf', run_id, artifact_uri: 's3://m', stage: 'staging' });
    await ok('PATCH', `${ROOT}/models/churn-clf/1`, { checklist: ALL_REQUIRED, stage: 'production' });
    const production = await deployActive('production', 50);
    const stable = await deployActive('staging', 70);
    const canary = await deployActive('staging', 30);

    const exited = new Promise((resolve) => service!.process.once('exit', (_code, signal) => resolve(signal)));
    service.process.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    service = undefined;

    // Another process commits the drift and the promotion, and dies before any follow-up.
    const driftEventId = timeOrderedId(new Date());
    const child = await run(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/lifecycle/test/commit-then-crash.ts', env.MONGO_URL, env.MONGO_DB, driftEventId, 'churn-clf', '1', canary],
      { cwd: repoRoot },
    ).catch((error: { stdout: string; signal: string }) => error);
    expect(child.stdout).toContain('committed');
    expect((child as { signal?: string }).signal).toBe('SIGKILL');
    // Nothing of the follow-ups was done: no alert, the stable deployment still live, both still allocated.
    expect(await eventTypes(`deployment:${production}`)).not.toContain('mlops.lifecycle.deployment.drift_alerted.v1');
    expect((await eventTypes(`deployment:${stable}`)).pop()).toBe('mlops.lifecycle.deployment.status_changed.v1');
    expect((await eventTypes(`deployment:${canary}`)).pop()).toBe('mlops.lifecycle.deployment.promoted.v1');

    service = await startServiceProcess('lifecycle', env);
    await eventually(async () => {
      const paged = await ok('GET', `${DEPLOYMENTS}/${production}`);
      expect(paged.drift_alerts).toEqual([expect.objectContaining({ drift_event_id: driftEventId, severity: 'critical', feature: 'income' })]);
      const superseded = await ok('GET', `${DEPLOYMENTS}/${stable}`);
      expect(superseded.status).toBe('terminated');
      expect(superseded.status_history.pop()).toMatchObject({ to: 'terminated', reason: supersededReason(canary) });
      expect(await ok('GET', `${DEPLOYMENTS}/${canary}`)).toMatchObject({ status: 'active', config: { traffic_percent: 100 } });
    }, 90_000, 250);

    // The allocation followed: the canary holds 100% of staging, so even 1% more is refused.
    await eventually(async () => {
      const allocation = await mongo.db.collection('events').find({ stream_id: 'traffic_allocation:staging:churn-clf' }).sort({ version: 1 }).toArray();
      const last = allocation.flatMap((c) => storedEvents(c)).slice(-2);
      expect(last).toEqual([
        expect.objectContaining({ type: 'mlops.lifecycle.traffic_allocation.released.v1', data: expect.objectContaining({ deployment_id: stable, reason: 'superseded' }) }),
        expect.objectContaining({ type: 'mlops.lifecycle.traffic_allocation.allocated.v1', data: expect.objectContaining({ deployment_id: canary, traffic_percent: 100 }) }),
      ]);
    }, 30_000, 250);
    const refused = await call('POST', DEPLOYMENTS, { model_name: 'churn-clf', model_version: 1, environment: 'staging', config: { traffic_percent: 1 } });
    expect(refused.status).toBe(409);

    // Each follow-up happened once, however often its event was seen.
    const count = async (stream: string, type: string) => (await eventTypes(stream)).filter((t) => t === type).length;
    expect(await count(`deployment:${production}`, 'mlops.lifecycle.deployment.drift_alerted.v1')).toBe(1);
    expect(await count(`deployment:${stable}`, 'mlops.lifecycle.deployment.terminated.v1')).toBe(1);
    expect(await count(`deployment:${canary}`, 'mlops.lifecycle.deployment.drift_alerted.v1')).toBe(0); // staging is not paged
  }, 240_000);
});
