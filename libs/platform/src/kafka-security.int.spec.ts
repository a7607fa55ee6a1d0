import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { createKafka, KafkaSettings } from '@mlops/event-sourcing';
import { kafkaSaslInfra } from '@mlops/testing';
import { kafkaClientSecurity, loadConfig, serviceConfigSchema } from './config';

// The broker's SASL listeners come from `tools/infra.sh up` (.cache/infra/env) or the environment.
const infra = kafkaSaslInfra();
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const prefix = `test.sasl${randomBytes(4).toString('hex')}.`;

/** A service's Kafka client, built from environment variables the way every service builds it. */
const serviceKafka = (env: Record<string, string>): Kafka => {
  const config = loadConfig(serviceConfigSchema, { PORT: '0', MONGO_DB: 'unused', KAFKA_TOPIC_PREFIX: prefix, ...env }, 'sasl-test');
  const settings: KafkaSettings = {
    brokers: config.KAFKA_BROKERS,
    clientId: 'sasl-test',
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    partitions: 1,
    replicationFactor: -1,
    ...kafkaClientSecurity(config),
  };
  return createKafka(settings, silent);
};

/** Sends one message on a new topic and reads it back through a consumer group. */
async function roundTrip(kafka: Kafka): Promise<string> {
  const topic = `${prefix}${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}.group` });
  try {
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    await producer.connect();
    const sent = `hello ${randomBytes(4).toString('hex')}`;
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: sent }] });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
    });
    expect(await received).toBe(sent);
    await admin.deleteTopics({ topics: [topic] });
    return sent;
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
}

/** The error connecting a producer ends with (undefined if it connects). */
async function connectError(kafka: Kafka): Promise<Error | undefined> {
  const producer = kafka.producer();
  try {
    await producer.connect();
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    await producer.disconnect();
  }
}

if (!infra) {
  const why = 'KAFKA_SASL_BROKERS is not set: a broker started by `bash tools/infra.sh up` has SASL listeners and writes it to .cache/infra/env (see tools/README.md)';
  console.warn(`Kafka SASL/TLS tests skipped: ${why}`);
  describe('Kafka SASL and TLS against a real broker', () => {
    it.skip(`skipped: ${why}`, () => undefined);
  });
} else {
  const { saslBrokers, username, password, saslSslBrokers, caFile } = infra;

  describe('Kafka SASL on a real broker (SASL_PLAINTEXT)', () => {
    it('a service client with SCRAM-SHA-512 produces and consumes', async () => {
      const kafka = serviceKafka({ KAFKA_BROKERS: saslBrokers, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password });
      await expect(roundTrip(kafka)).resolves.toMatch(/^hello /);
    });

    it.each(['scram-sha-512', 'scram-sha-256', 'plain'])('a wrong password is rejected with %s', async (mechanism) => {
      const kafka = serviceKafka({ KAFKA_BROKERS: saslBrokers, KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: `${password}x` });
      const error = await connectError(kafka);
      expect(error?.name).toBe('KafkaJSSASLAuthenticationError');
      expect(error?.message).toMatch(/authentication failed/i);
    });

    it.each(['scram-sha-256', 'plain'])('the right password is accepted with %s', async (mechanism) => {
      const kafka = serviceKafka({ KAFKA_BROKERS: saslBrokers, KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password });
      await expect(connectError(kafka)).resolves.toBeUndefined();
    });

    it('a client without SASL gets no answer from the SASL listener', async () => {
      const kafka = serviceKafka({ KAFKA_BROKERS: saslBrokers, KAFKA_CONNECTION_TIMEOUT_MS: '1000' });
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
      } finally {
        await admin.disconnect();
      }
    });
  });

  const describeTls = saslSslBrokers && caFile ? describe : describe.skip;
  describeTls(`Kafka SASL over TLS on a real broker (SASL_SSL${saslSslBrokers ? '' : ': KAFKA_SASL_SSL_BROKERS is not set, the broker has no TLS listener'})`, () => {
    const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password };

    it('verifies the broker against the CA file, then produces and consumes', async () => {
      const kafka = serviceKafka({ KAFKA_BROKERS: saslSslBrokers!, KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: caFile!, ...sasl });
      await expect(roundTrip(kafka)).resolves.toMatch(/^hello /);
    });

    it('refuses a broker whose certificate no trusted CA signed', async () => {
      const kafka = serviceKafka({ KAFKA_BROKERS: saslSslBrokers!, KAFKA_TLS: 'true', ...sasl });
      const error = await connectError(kafka);
      expect(error?.message ?? '').toMatch(/self[- ]signed certificate|unable to (get|verify)/i);
    });

    it('connects without verifying only when KAFKA_TLS_REJECT_UNAUTHORIZED=false', async () => {
      const kafka = serviceKafka({ KAFKA_BROKERS: saslSslBrokers!, KAFKA_TLS: 'true', KAFKA_TLS_REJECT_UNAUTHORIZED: 'false', ...sasl });
      await expect(connectError(kafka)).resolves.toBeUndefined();
    });

    it('rejects a wrong password over TLS too', async () => {
      const kafka = serviceKafka({ KAFKA_BROKERS: saslSslBrokers!, KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: caFile!, ...sasl, KAFKA_SASL_PASSWORD: 'not-the-password' });
      expect((await connectError(kafka))?.name).toBe('KafkaJSSASLAuthenticationError');
    });
  });
}
