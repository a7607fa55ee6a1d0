import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { selectTestInfra } from './test-infra-mode';

/** What the setup started, for the teardown (jest keeps globalThis between the two). */
interface Started {
  stop(): Promise<unknown>;
}
const STARTED = Symbol.for('mlops.testcontainers');
type WithStarted = typeof globalThis & { [STARTED]?: Started[] };

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * jest globalSetup of the int and e2e projects. With a Docker engine (see selectTestInfra) it starts
 * MongoDB 7 and Apache Kafka in containers and exports MONGO_URL / KAFKA_BROKERS, which every test
 * reads through infraEnv(); otherwise the tests use the servers of `tools/infra.sh up`.
 */
export default async function globalSetup(): Promise<void> {
  const g = globalThis as WithStarted;
  if (g[STARTED]) return; // the int and e2e projects both name this setup
  const { mode, reason } = selectTestInfra(process.env, existsSync);
  if (mode === 'local') return;
  process.stderr.write(`[test infra] testcontainers (${reason}): starting MongoDB 7 and Apache Kafka 4.4.0\n`);
  const { GenericContainer, Wait } = await import('testcontainers');
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  // Kafka advertises the address clients must use, so the host port is chosen before the start.
  const kafkaPort = await freePort();
  const [mongo, kafka] = await Promise.all([
    new MongoDBContainer('mongo:7').start(),
    new GenericContainer('apache/kafka:4.4.0')
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_NUM_PARTITIONS: '3',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(180_000)
      .start(),
  ]);
  g[STARTED] = [mongo, kafka];
  // directConnection: the container's replica set advertises a host name only it can resolve.
  process.env.MONGO_URL = `${mongo.getConnectionString()}/?directConnection=true`;
  process.env.KAFKA_BROKERS = `127.0.0.1:${kafkaPort}`;
  process.stderr.write(`[test infra] MONGO_URL=${process.env.MONGO_URL} KAFKA_BROKERS=${process.env.KAFKA_BROKERS}\n`);
}

export async function stopTestContainers(): Promise<void> {
  const g = globalThis as WithStarted;
  const started = g[STARTED] ?? [];
  g[STARTED] = undefined;
  await Promise.all(started.map((container) => container.stop()));
}
