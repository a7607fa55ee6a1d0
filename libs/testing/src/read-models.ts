import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from '@jest/globals';
import type { mongo } from 'mongoose';
import { ConsumedEvent, eventually, publishRaw, readTopic, sortById } from './helpers';
import { repoRoot } from './infra';

/*
 * A service's whole read side under at-least-once delivery and rebuild, for one integration spec per
 * service. The shapes of @mlops/event-sourcing's Projection and metric are restated (that library's
 * suites import this one); its values fit them structurally.
 */

/** What a projection declares about where it reads and writes. */
export interface DeclaredReadModel {
  name: string;
  topic: string;
  streamType: string;
  derivedCollections?: string[];
}

/** `projectionEventsSkipped` (a prom-client counter labelled by projection). */
interface SkippedCounter {
  get(): Promise<{ values: { labels: Record<string, string | number | undefined>; value: number }[] }>;
}

export type ReadModelSnapshot = Record<string, Record<string, unknown>[]>;

/** Every collection the projections write: each one's own and its derived collections. */
export const readModelCollections = (projections: DeclaredReadModel[]): string[] =>
  projections.flatMap((p) => [p.name, ...(p.derivedCollections ?? [])]);

/**
 * Every document of every read-model collection, in `_id` order. The runner's `generation` stamp
 * on appended and tally documents is a rebuild's bookkeeping, not part of what a replay reproduces.
 */
export async function snapshotReadModels(db: mongo.Db, projections: DeclaredReadModel[]): Promise<ReadModelSnapshot> {
  const snapshot: ReadModelSnapshot = {};
  for (const collection of readModelCollections(projections)) {
    const docs = await db.collection<{ _id: string }>(collection).find().toArray();
    snapshot[collection] = sortById(docs).map(({ generation: _generation, ...doc }: Record<string, unknown>) => doc);
  }
  return snapshot;
}

/** Fails unless every collection of the snapshot holds documents: a read model left empty proves nothing. */
export function expectEveryReadModelFilled(snapshot: ReadModelSnapshot): void {
  const empty = Object.entries(snapshot).filter(([, docs]) => docs.length === 0).map(([collection]) => collection);
  expect(empty).toEqual([]);
}

/**
 * Delivers every event the service published twice more: straight onto its topic, newest first (a
 * consumer redelivery), and again by the outbox relay with every commit marked unpublished (a relay
 * that crashed after sending, before marking). Waits until each projection following that topic has
 * skipped every duplicate of its streams; returns the events the topic held before.
 */
export async function redeliverAllEvents(options: {
  db: mongo.Db;
  brokers: string;
  /** The topic the service publishes to (with its prefix). */
  topic: string;
  /** The projections following it, by their declarations. */
  projections: DeclaredReadModel[];
  skipped: SkippedCounter;
  /** Wakes the relay (`app.get(EventSourcing).outbox.kick()`). */
  kickRelay: () => void;
}): Promise<ConsumedEvent[]> {
  const { db, brokers, topic, projections, skipped, kickRelay } = options;
  const commits = await db.collection<{ stream_id: string; events: unknown[] }>('events').find().toArray();
  const stored = commits.reduce((n, commit) => n + commit.events.length, 0);
  const published = await readTopic(brokers, topic, (all) => all.length >= stored);
  const skippedOf = async (name: string) => (await skipped.get()).values.find((v) => v.labels.projection === name)?.value ?? 0;
  const before = new Map<string, number>();
  for (const p of projections) before.set(p.name, await skippedOf(p.name));

  // In sends of a few hundred kB: one send is one record batch per partition, and the broker caps a batch at 1 MB.
  let chunk: { key: string; value: string }[] = [];
  let size = 0;
  for (const e of [...published].reverse()) {
    const value = JSON.stringify(e.event);
    if (chunk.length && size + value.length > 300_000) {
      await publishRaw(brokers, topic, chunk);
      chunk = [];
      size = 0;
    }
    chunk.push({ key: e.key, value });
    size += value.length;
  }
  if (chunk.length) await publishRaw(brokers, topic, chunk);
  await db.collection('events').updateMany({}, { $set: { published: false } });
  kickRelay();
  // Every duplicate of a projection's streams is skipped: each message sent again, and each stored event the relay re-sends.
  const ofStreams = (p: DeclaredReadModel, stream: string) => stream.startsWith(`${p.streamType}:`);
  const expected = Object.fromEntries(
    projections.map((p) => [
      p.name,
      published.filter((e) => ofStreams(p, e.key)).length + commits.filter((c) => ofStreams(p, c.stream_id)).reduce((n, c) => n + c.events.length, 0),
    ]),
  );
  await eventually(
    async () => {
      const seen: Record<string, number> = {};
      for (const p of projections) seen[p.name] = Math.min((await skippedOf(p.name)) - before.get(p.name)!, expected[p.name]);
      expect(seen).toEqual(expected);
    },
    60_000,
    250,
  );
  return published;
}

/**
 * `npm run projections:rebuild` as an operator runs it, against the service's database: drops the
 * read model and its derived collections and makes the running service replay them. Its stdout.
 */
export async function rebuildWithCli(env: Record<string, string>, projection: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', '@swc-node/register', 'libs/event-sourcing/src/cli/rebuild-projection.ts', '--db', env.MONGO_DB, '--projection', projection, '--mongo-url', env.MONGO_URL],
    { cwd: repoRoot },
  );
  return stdout;
}

/** A running service's read side, as the two checks below need it. */
export interface ReadSide {
  db: mongo.Db;
  /** The service's environment (`KAFKA_BROKERS`, `MONGO_URL`, `MONGO_DB`). */
  env: Record<string, string>;
  /** The topic the service publishes to (with its prefix). */
  topic: string;
  /** Every projection following that topic, by its declaration. */
  projections: DeclaredReadModel[];
  skipped: SkippedCounter;
  kickRelay: () => void;
  /** What the API answers from the read models (details, lists, aggregates): compared too. */
  answers: () => Promise<unknown>;
}

/**
 * Invariant 4 for a whole service: every read-model collection (each holding documents) and every
 * answer stay exactly as they were after all its events are delivered twice more. The events sent.
 */
export async function expectUnchangedUnderRedelivery(side: ReadSide): Promise<{ before: ReadModelSnapshot; published: ConsumedEvent[] }> {
  const before = await snapshotReadModels(side.db, side.projections);
  expectEveryReadModelFilled(before);
  const answers = await side.answers();
  const published = await redeliverAllEvents({ ...side, brokers: side.env.KAFKA_BROKERS });
  expect(await snapshotReadModels(side.db, side.projections)).toEqual(before);
  expect(await side.answers()).toEqual(answers);
  return { before, published };
}

/**
 * Invariant 5 for a whole service: `viaCli` rebuilt as an operator does (`npm run projections:rebuild`),
 * every other projection by `requestRebuild` (@mlops/event-sourcing's), and every collection and
 * answer comes back identical. The snapshot before.
 */
export async function expectIdenticalAfterRebuild(
  side: ReadSide & { viaCli: DeclaredReadModel; requestRebuild: (db: mongo.Db, projection: string) => Promise<number> },
): Promise<ReadModelSnapshot> {
  const before = await snapshotReadModels(side.db, side.projections);
  expectEveryReadModelFilled(before);
  const answers = await side.answers();
  expect(await rebuildWithCli(side.env, side.viaCli.name)).toMatch(/replaying from the first offset as generation 1/);
  for (const projection of side.projections.filter((p) => p !== side.viaCli)) expect(await side.requestRebuild(side.db, projection.name)).toBe(1);
  await eventually(async () => expect(await snapshotReadModels(side.db, side.projections)).toEqual(before), 90_000, 500);
  expect(await side.answers()).toEqual(answers);
  return before;
}
