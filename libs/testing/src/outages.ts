import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Server, Socket } from 'node:net';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { eventually } from './helpers';
import { repoRoot } from './infra';
import { freePort } from './process';

export interface StoreRelay {
  /** The store's URL through the relay: give it to the service under test. */
  url: string;
  /** A store outage for whoever connects through the relay: open connections drop, new ones are refused. */
  cut(): Promise<void>;
  /** The store is reachable again (on the same port). */
  restore(): Promise<void>;
  /** Stops the relay for good. */
  close(): Promise<void>;
}

/**
 * A loopback TCP relay in front of the shared document store: the service under test reaches the
 * store only through it, so cutting it is a store outage for this service alone (the shared server,
 * which other suites use, keeps running).
 */
export async function storeRelay(target: URL | string): Promise<StoreRelay> {
  const upstream = new URL(String(target));
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const store = new Socket().connect(Number(upstream.port || 27017), upstream.hostname);
    for (const s of [client, store]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(store).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(upstream.href);
  url.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: url.href,
    // Listening stays on (a connection is accepted and dropped at once), so the port cannot be taken meanwhile.
    cut: async () => {
      cut = true;
      dropAll();
    },
    restore: async () => {
      cut = false;
    },
    close: async () => {
      cut = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      dropAll();
      await closed;
    },
  };
}

export interface PrivateKafka {
  /** Bootstrap servers (KAFKA_BROKERS) of the private broker. */
  brokers: string;
  /** SIGKILL: the broker is gone at once, as in a crash; its data stays. */
  kill(): Promise<void>;
  /** Starts the broker again on the same ports and data, and waits until it answers. */
  restart(): Promise<void>;
  /** Stops the broker and deletes its data. */
  destroy(): Promise<void>;
  /** The broker's console output (for failure messages). */
  output(): string;
}

const KAFKA_VERSION = process.env.KAFKA_VERSION ?? '4.4.0';

/** Where tools/infra.sh keeps the Kafka jars (resolved by Maven, shared by every checkout). */
function kafkaLibs(): string {
  const downloads = process.env.MLOPS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlops');
  return join(downloads, 'kafka', KAFKA_VERSION, 'libs');
}

/**
 * A single-node KRaft broker of its own, for tests that take the broker down: the shared broker on
 * :9092 serves other suites and must stay up. Same jars and single-node settings as tools/infra.sh,
 * on free ports, with a data directory of its own (deleted by `destroy`).
 */
export async function startPrivateKafka(label = 'kafka'): Promise<PrivateKafka> {
  const libs = kafkaLibs();
  if (!existsSync(join(libs, '.complete'))) {
    throw new Error(`Kafka ${KAFKA_VERSION} jars missing in ${libs}: run \`bash tools/infra.sh up\` once to resolve them.`);
  }
  const [port, controllerPort] = [await freePort(), await freePort()];
  const home = mkdtempSync(join(tmpdir(), `mlops-${label.replace(/[^a-z0-9]/gi, '')}-`));
  const properties = join(home, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(home, 'data')}`,
      'num.partitions=3',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=3',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      // A restart after SIGKILL finds its own registration still live until this session expires.
      'broker.session.timeout.ms=2000',
      'broker.heartbeat.interval.ms=500',
      'num.network.threads=2',
      'num.io.threads=2',
      '',
    ].join('\n'),
  );
  const classpath = `${libs}/*`;
  const cliLog = `-Dlog4j2.configurationFile=${join(repoRoot, 'tools', 'kafka', 'log4j2-cli.properties')}`;
  // A KRaft cluster id is 16 random bytes, base64url without padding (what StorageTool random-uuid prints).
  const clusterId = randomBytes(16).toString('base64url');
  await promisify(execFile)('java', [cliLog, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties], { timeout: 120_000 });

  let child: ChildProcess | undefined;
  let output = '';
  const brokers = `127.0.0.1:${port}`;
  const launch = async () => {
    child = spawn(
      'java',
      ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true', `-Dkafka.logs.dir=${join(home, 'logs')}`,
        `-Dlog4j2.configurationFile=${join(repoRoot, 'tools', 'kafka', 'log4j2.properties')}`, '-cp', classpath, 'kafka.Kafka', properties],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const started = child;
    const admin = new Kafka({ brokers: [brokers], clientId: 'private-kafka-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await eventually(async () => {
        if (started.exitCode !== null) throw new Error(`the private broker exited with ${started.exitCode}:\n${output.slice(-4000)}`);
        await admin.connect();
        const { brokers: live } = await admin.describeCluster();
        if (!live.length) throw new Error('no broker in the cluster yet');
      }, 120_000, 250);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  try {
    await launch();
  } catch (error) {
    await kill();
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  return {
    brokers,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    destroy: async () => {
      await kill();
      rmSync(home, { recursive: true, force: true });
    },
    output: () => output,
  };
}
