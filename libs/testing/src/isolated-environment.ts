import { TestEnvironment } from 'jest-environment-node';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import type { ChildProcess } from 'node:child_process';
import { CHILD_PROCESSES, ISOLATED_RESOURCES, IsolatedResources } from './infra';

/**
 * The node environment, plus cleanup once a test file is done (after every afterAll of the file):
 * kills the service processes it started that still run (a test that failed before stopping them),
 * then deletes the topics and drops the databases `isolatedEnv` gave it. A broker holds files for
 * every partition, and a full run creates hundreds of private topics.
 */
export default class IsolatedEnvironment extends TestEnvironment {
  override async teardown(): Promise<void> {
    killLeftovers((this.global as Record<string, unknown>)[CHILD_PROCESSES] as Set<ChildProcess> | undefined);
    const used = (this.global as Record<string, unknown>)[ISOLATED_RESOURCES] as IsolatedResources[] | undefined;
    if (used?.length) await removeResources(used).catch((error) => console.warn(`test cleanup: ${(error as Error).message}`));
    await super.teardown();
  }
}

function killLeftovers(running: Set<ChildProcess> | undefined): void {
  for (const child of running ?? []) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    console.warn(`test cleanup: killing ${child.spawnargs.slice(-1)[0]} (pid ${child.pid}), still running after its test file`);
    child.kill('SIGKILL');
  }
}

async function removeResources(used: IsolatedResources[]): Promise<void> {
  const byBroker = groupBy(used, (r) => r.brokers);
  const byMongo = groupBy(used, (r) => r.mongoUrl);
  await Promise.all([
    ...[...byBroker].map(async ([brokers, resources]) => {
      const admin = new Kafka({ clientId: 'test-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((topic) => resources.some((r) => topic.startsWith(r.topicPrefix)));
        if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
      } finally {
        await admin.disconnect();
      }
    }),
    ...[...byMongo].map(async ([url, resources]) => {
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
      try {
        for (const { database } of resources) await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    }),
  ]);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
