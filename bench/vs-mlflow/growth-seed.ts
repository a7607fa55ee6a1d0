/**
 * Grows a lifecycle store fast, without faking anything downstream: every commit is decided by the
 * real run decider and written by `EventStore.append` (real commit documents, unpublished), so
 * the running lifecycle's outbox relay publishes them to Kafka and its projections build the read
 * models exactly as for commits made over HTTP. Only the HTTP + validation + read-your-writes wait
 * per command is skipped; the store, the topic and the read models end up as HTTP would leave them.
 */
import { randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';
import { lifecycleCatalog, RunEvent } from '@mlops/events';
import { CommandMetadata, EventStore, foldEvents } from '@mlops/event-sourcing';
import { RunCommand, runDecider, runStreamId, RunState } from '../../apps/lifecycle/src/runs/run.decider';

export interface GrowthSeed {
  mongoUrl: string;
  db: string;
  /** Existing, active experiments; runs are spread over them round-robin. */
  experiments: string[];
  runs: number;
  /** Total commits: one StartRun per run, the rest UpdateRun commits spread evenly over the runs. */
  commits: number;
  pointsPerUpdate: number;
  concurrency?: number;
  /** Commits appended between two waits for the relay. */
  wave?: number;
  onProgress?: (done: number) => void;
}

export interface GrowthResult {
  commits: number;
  runs: number;
  updates_per_run: number;
  /** A sample of seeded runs (the last ones) and the stream version each must reach. */
  sample: { run_id: string; version: number }[];
  seconds: number;
}

export async function seedGrowth(options: GrowthSeed): Promise<GrowthResult> {
  const client = new mongo.MongoClient(options.mongoUrl);
  await client.connect();
  const started = performance.now();
  try {
    const store = await EventStore.create(client.db(options.db), lifecycleCatalog);
    const updatesPerRun = Math.max(0, Math.floor((options.commits - options.runs) / options.runs));
    const metadata = (): CommandMetadata => ({ actor: 'bench-growth', correlationId: randomUUID(), now: new Date() });
    const wave = options.wave ?? 1000;
    let next = 0;
    let done = 0;
    let gate: Promise<void> = Promise.resolve();
    const published = async (streamId: string, version: number) => {
      for (;;) {
        const commit = await store.collection.findOne({ stream_id: streamId, version }, { projection: { published: 1 } });
        if (commit?.published) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const sample: { run_id: string; version: number }[] = [];
    const seedRun = async (index: number) => {
      const runId = randomUUID();
      const streamId = runStreamId(runId);
      let state: RunState = runDecider.initialState();
      let version = 0;
      const execute = async (command: RunCommand) => {
        await gate;
        const events: RunEvent[] = runDecider.decide(command, state);
        const appended = await store.append(streamId, version, events, metadata());
        state = foldEvents(runDecider, events, state);
        const first = version + 1;
        version = appended.version;
        if (++done % wave === 0) gate = published(streamId, first);
      };
      const now = new Date().toISOString();
      await execute({
        type: 'StartRun',
        data: {
          run_id: runId,
          experiment_name: options.experiments[index % options.experiments.length],
          experiment_status: 'active',
          name: `growth-${index}`,
          params: [{ key: 'learning_rate', value: 0.01 }],
          tags: ['growth'],
          start_time: now,
        },
      });
      for (let update = 0; update < updatesPerRun; update++) {
        const at = new Date().toISOString();
        await execute({
          type: 'UpdateRun',
          data: {
            run_id: runId,
            now: at,
            metrics: Array.from({ length: options.pointsPerUpdate }, (_, i) => ({
              key: i % 2 ? 'accuracy' : 'loss',
              value: Math.random(),
              step: update,
              timestamp: at,
            })),
          },
        });
      }
      if (index >= options.runs - 50) sample.push({ run_id: runId, version });
    };
    const worker = async () => {
      while (next < options.runs) await seedRun(next++);
    };
    const progress = setInterval(() => options.onProgress?.(done), 10_000);
    try {
      await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
      await gate;
    } finally {
      clearInterval(progress);
    }
    return { commits: done, runs: options.runs, updates_per_run: updatesPerRun, sample, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.close();
  }
}
