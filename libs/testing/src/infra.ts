import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Where the real Kafka broker and MongoDB-protocol server are: KAFKA_BROKERS / MONGO_URL from the
 * environment, else what `tools/infra.sh up` wrote to .cache/infra/env.
 */
export function infraEnv(): { KAFKA_BROKERS: string; MONGO_URL: string } {
  const fromFile: Record<string, string> = {};
  const file = join(ROOT, '.cache', 'infra', 'env');
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (match) fromFile[match[1]] = match[2].replace(/^["']|["']$/g, '');
    }
  }
  const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? fromFile.KAFKA_BROKERS;
  const MONGO_URL = process.env.MONGO_URL ?? fromFile.MONGO_URL;
  if (!KAFKA_BROKERS || !MONGO_URL) {
    throw new Error('No Kafka / MongoDB for the tests: run `bash tools/infra.sh up` (or set KAFKA_BROKERS and MONGO_URL).');
  }
  return { KAFKA_BROKERS, MONGO_URL };
}

/** A private topic prefix and database per test file, so suites never see each other's data. */
export function isolatedEnv(label: string, overrides: Record<string, string> = {}): Record<string, string> {
  const id = `${label.replace(/[^a-z0-9]/gi, '')}${randomBytes(4).toString('hex')}`;
  return {
    ...infraEnv(),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    KAFKA_TOPIC_PREFIX: `test.${id}.`,
    KAFKA_TOPIC_PARTITIONS: '3',
    MONGO_DB: `test_${id}`,
    PROJECTION_GENERATION_POLL_MS: '200',
    OUTBOX_POLL_INTERVAL_MS: '100',
    ...overrides,
  };
}

export const repoRoot = ROOT;
