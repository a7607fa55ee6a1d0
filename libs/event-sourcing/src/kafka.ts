import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, Kafka, KafkaJSProtocolError, logLevel, LogEntry } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic and consumer group: isolates tests and tenants on one cluster. */
  topicPrefix: string;
  partitions: number;
  /** -1 lets the broker choose (default.replication.factor). */
  replicationFactor: number;
  /** TLS to the brokers; absent = plaintext. */
  tls?: KafkaTlsSettings;
  /** SASL authentication; absent = none. */
  sasl?: KafkaSaslSettings;
  /** How long a TCP (and TLS) connection may take to open; KafkaJS's own default is 1000. */
  connectionTimeoutMs?: number;
}

export interface KafkaTlsSettings {
  /** PEM CA bundle the brokers' certificates must chain to; absent = Node's default (public) CAs. */
  ca?: string;
  /** PEM client certificate and its key, for brokers that authenticate clients by certificate. */
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export type KafkaSaslSettings = { [M in KafkaSaslMechanism]: { mechanism: M; username: string; password: string } }[KafkaSaslMechanism];

export interface LogSink {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/**
 * Group-membership timing of every consumer (projections, reactors). A process killed without
 * leaving its groups stays a member until its session expires, and a restarted consumer's join
 * waits for that: the session is the broker's minimum (group.min.session.timeout.ms, 6 s by
 * default) so a crashed replica's partitions move on within seconds. KafkaJS has no static
 * membership (group.instance.id) to skip that wait. Heartbeats go out between fetches and from
 * inside long batches (their heartbeat() calls), well within the session.
 */
export const CONSUMER_SESSION = { sessionTimeout: 6_000, heartbeatInterval: 1_000 } as const;

/**
 * How long a fetch may wait on the broker for data. A fetch answers as soon as one message arrives,
 * so this bounds only idle fetches: a short wait costs every consumer of every process a fetch
 * round trip every few milliseconds of idle time. It stays under the heartbeat interval, since
 * heartbeats go out between fetches.
 */
export const CONSUMER_FETCH = { maxWaitTimeInMs: 1_000 } as const;

/**
 * For consumers no request waits on (reactors, the monitor): a fetch answers once a megabyte is
 * there or a quarter second has gone by. Every consumer of a topic fetches every event, and under
 * load a fetch that answers at the first message carries one event; these carry a quarter second
 * of them, at a quarter second of delay to a follow-up.
 */
export const BACKGROUND_FETCH = { minBytes: 1 << 20, maxWaitTimeInMs: 250 } as const;

export function createKafka(settings: KafkaSettings, logger: LogSink): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.tls ? { ...settings.tls } : false,
    sasl: settings.sasl ? { ...settings.sasl } : undefined,
    connectionTimeout: settings.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        const entry = { kafka: rest };
        if (level <= logLevel.ERROR) logger.error(entry, message);
        else if (level === logLevel.WARN) logger.warn(entry, message);
        else logger.info(entry, message);
      },
  });
}

const TOPIC_LEADERS_TIMEOUT_MS = 30_000;

export async function ensureTopic(admin: Admin, topic: string, settings: KafkaSettings): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: settings.partitions,
          replicationFactor: settings.replicationFactor,
          // The topic is the audit trail and the source of every rebuild: keep it forever.
          configEntries: [{ name: 'retention.ms', value: '-1' }],
        },
      ],
    });
  } catch (error) {
    // Created, but the broker answering the leaders check has not yet applied the controller's
    // records (KRaft): kafkajs only retries LEADER_NOT_AVAILABLE there, so wait for them here.
    if (!(error instanceof KafkaJSProtocolError && error.type === 'UNKNOWN_TOPIC_OR_PARTITION')) throw error;
    await waitForLeaders(admin, topic, TOPIC_LEADERS_TIMEOUT_MS);
  }
}

/** How many partitions `topic` has (null when the broker does not say). */
export async function topicPartitionCount(admin: Admin, topic: string): Promise<number | null> {
  const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  return metadata?.partitions.length || null;
}

/** Resolves once every partition of `topic` has a leader; after `timeoutMs`, throws what the last check saw. */
export async function waitForLeaders(admin: Admin, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let seen: unknown;
    try {
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      if (metadata?.partitions.length && metadata.partitions.every((p) => p.leader >= 0)) return;
    } catch (error) {
      seen = error;
    }
    if (Date.now() > deadline) throw seen ?? new Error(`topic ${topic}: not every partition has a leader after ${timeoutMs} ms`);
    await sleep(100);
  }
}
