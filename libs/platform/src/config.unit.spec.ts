import { ConfigError, loadConfig, serviceConfigSchema, withDefaults } from './config';

const load = (env: Record<string, string>) =>
  loadConfig(serviceConfigSchema, withDefaults({ PORT: '3002', MONGO_DB: 'mlops_lifecycle' }, env), 'lifecycle');

describe('service configuration', () => {
  it('applies defaults and parses lists and numbers', () => {
    const config = load({ KAFKA_BROKERS: 'k1:9092, k2:9092', READ_YOUR_WRITES_TIMEOUT_MS: '250' });
    expect(config).toMatchObject({
      PORT: 3002,
      MONGO_DB: 'mlops_lifecycle',
      KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      READ_YOUR_WRITES_TIMEOUT_MS: 250,
      LOG_LEVEL: 'info',
    });
  });

  it('names every bad variable in one message', () => {
    expect(() => load({ PORT: 'eighty', KAFKA_BROKERS: 'no-port', MONGO_URL: 'postgres://x', LOG_LEVEL: 'loud' })).toThrow(
      ConfigError,
    );
    try {
      load({ PORT: 'eighty', KAFKA_BROKERS: 'no-port', MONGO_URL: 'postgres://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      const message = (error as Error).message;
      for (const variable of ['PORT', 'KAFKA_BROKERS', 'MONGO_URL', 'LOG_LEVEL']) expect(message).toContain(variable);
    }
  });

  it('bounds how long a store operation waits for a server', () => {
    expect(load({}).MONGO_SERVER_SELECTION_TIMEOUT_MS).toBe(3000);
    expect(load({ MONGO_SERVER_SELECTION_TIMEOUT_MS: '500' }).MONGO_SERVER_SELECTION_TIMEOUT_MS).toBe(500);
    for (const bad of ['soon', '50', '-1', '1.5', '600000']) {
      expect(() => load({ MONGO_SERVER_SELECTION_TIMEOUT_MS: bad })).toThrow(/MONGO_SERVER_SELECTION_TIMEOUT_MS/);
    }
  });

  it('treats empty values as unset', () => {
    expect(load({ KAFKA_TOPIC_PREFIX: '' }).KAFKA_TOPIC_PREFIX).toBe('');
  });
});
