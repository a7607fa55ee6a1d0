import { dropDatabase, eventually, isolatedEnv, ServiceProcess, startServiceProcess } from '@mlops/testing';

const API = '/api/v1/ml/lifecycle/experiments';
const json = { 'content-type': 'application/json' };

/**
 * A crash (SIGKILL: no shutdown hooks, the consumers never leave their groups) and a restart:
 * the new process answers, serves what was stored before, and takes writes again. The restart
 * time is printed, not asserted (performance is measured by hand and by bench/).
 */
describe('lifecycle restarted after a SIGKILL (own process, real Kafka and store)', () => {
  const env = isolatedEnv('restart');
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    const killer = setTimeout(() => service?.process.kill('SIGKILL'), 10_000);
    await service?.stop();
    clearTimeout(killer);
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('answers /health/live, serves existing data and becomes ready again', async () => {
    service = await startServiceProcess('lifecycle', env);
    const created = await fetch(`${service.url}${API}`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'survivor', description: 'before the crash' }) });
    expect(created.status).toBe(201);

    const exited = new Promise((resolve) => service!.process.once('exit', (_code, signal) => resolve(signal)));
    service.process.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const killedAt = Date.now();
    service = await startServiceProcess('lifecycle', env, { until: '/health/live' });
    const liveAfter = Date.now() - killedAt;
    const url = service.url;

    const doc = await eventually(async () => {
      const response = await fetch(`${url}${API}/survivor`);
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    }, 60_000, 50);
    const servedAfter = Date.now() - killedAt;
    expect(doc).toMatchObject({ name: 'survivor', description: 'before the crash', version: 1 });

    await eventually(async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200), 60_000, 50);
    const readyAfter = Date.now() - killedAt;

    // The read models follow the topic again: a write after the restart is read back.
    const updated = await fetch(`${url}${API}/survivor`, {
      method: 'PATCH',
      headers: { ...json, 'if-match': '"1"' },
      body: JSON.stringify({ description: 'after the restart' }),
    });
    expect(updated.status).toBe(200);
    await eventually(async () => {
      const response = await fetch(`${url}${API}/survivor`);
      expect(await response.json()).toMatchObject({ version: 2, description: 'after the restart' });
    }, 30_000);

    console.log(`lifecycle after SIGKILL: live in ${liveAfter} ms, GET served in ${servedAfter} ms, ready in ${readyAfter} ms`);
  }, 120_000);
});
