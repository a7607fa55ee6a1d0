import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** What `tools/infra.sh up` wrote to .cache/infra/env (nothing if it has not run). */
function infraEnvFile(): Record<string, string> {
  const fromFile: Record<string, string> = {};
  const file = join(ROOT, '.cache', 'infra', 'env');
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (match) fromFile[match[1]] = match[2].replace(/^["']|["']$/g, '');
    }
  }
  return fromFile;
}

/**
 * Where the real Kafka broker and MongoDB-protocol server are: KAFKA_BROKERS / MONGO_URL from the
 * environment, else what `tools/infra.sh up` wrote to .cache/infra/env.
 */
export function infraEnv(): { KAFKA_BROKERS: string; MONGO_URL: string } {
  const fromFile = infraEnvFile();
  const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? fromFile.KAFKA_BROKERS;
  const MONGO_URL = process.env.MONGO_URL ?? fromFile.MONGO_URL;
  if (!KAFKA_BROKERS || !MONGO_URL) {
    throw new Error('No Kafka / MongoDB for the tests: run `bash tools/infra.sh up` (or set KAFKA_BROKERS and MONGO_URL).');
  }
  return { KAFKA_BROKERS, MONGO_URL };
}

/** A broker's authenticated listeners and the user they know (tools/infra.sh's SASL listeners). */
export interface KafkaSaslInfra {
  /** SASL_PLAINTEXT bootstrap servers. */
  saslBrokers: string;
  username: string;
  password: string;
  /** SASL_SSL bootstrap servers and the CA that signed their certificate, when the broker has them. */
  saslSslBrokers?: string;
  caFile?: string;
}

/**
 * The broker's SASL listeners: KAFKA_SASL_BROKERS, KAFKA_SCRAM_USERNAME, KAFKA_SCRAM_PASSWORD (and
 * KAFKA_SASL_SSL_BROKERS, KAFKA_SASL_SSL_CA_FILE) from the environment, else from .cache/infra/env;
 * undefined when KAFKA_SASL_BROKERS is set in neither.
 */
export function kafkaSaslInfra(): KafkaSaslInfra | undefined {
  const fromFile = infraEnvFile();
  const get = (name: string) => process.env[name] ?? fromFile[name];
  const saslBrokers = get('KAFKA_SASL_BROKERS');
  if (!saslBrokers) return undefined;
  const username = get('KAFKA_SCRAM_USERNAME');
  const password = get('KAFKA_SCRAM_PASSWORD');
  if (!username || !password) throw new Error('KAFKA_SASL_BROKERS is set, but KAFKA_SCRAM_USERNAME / KAFKA_SCRAM_PASSWORD are not.');
  return { saslBrokers, username, password, saslSslBrokers: get('KAFKA_SASL_SSL_BROKERS'), caFile: get('KAFKA_SASL_SSL_CA_FILE') };
}

/** A private topic prefix and database per test file, so suites never see each other's data. */
export function isolatedEnv(label: string, overrides: Record<string, string> = {}): Record<string, string> {
  const id = `${label.replace(/[^a-z0-9]/gi, '')}${randomBytes(4).toString('hex')}`;
  const env = {
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
  recordForCleanup({ brokers: env.KAFKA_BROKERS, topicPrefix: env.KAFKA_TOPIC_PREFIX, mongoUrl: env.MONGO_URL, database: env.MONGO_DB });
  return env;
}

/** What `isolatedEnv` hands out in a test file: its topics and database, removed after the file. */
export interface IsolatedResources {
  brokers: string;
  topicPrefix: string;
  mongoUrl: string;
  database: string;
}

/** The test file's global under which IsolatedEnvironment finds them. */
export const ISOLATED_RESOURCES = '__mlopsIsolatedResources';
/** The test file's global holding the service processes it started and that still run. */
export const CHILD_PROCESSES = '__mlopsChildProcesses';

/** Hands the file's topics and database to IsolatedEnvironment, which removes them after the file. */
function recordForCleanup(resources: IsolatedResources): void {
  const global = globalThis as Record<string, unknown>;
  const used = (global[ISOLATED_RESOURCES] ??= []) as IsolatedResources[];
  if (resources.topicPrefix.startsWith('test.') && resources.database.startsWith('test_')) used.push(resources);
}

export const repoRoot = ROOT;
