import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, kafkaClientSecurity, loadConfig, serviceConfigSchema, withDefaults } from './config';

const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const ca = pem('ca.pem', publicKey.export({ type: 'spki', format: 'pem' }).toString());
const key = pem('client.key', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const notPem = pem('ca.der', 'binary, not PEM');

const load = (env: Record<string, string>) =>
  loadConfig(serviceConfigSchema, withDefaults({ PORT: '3002', MONGO_DB: 'mlops_lifecycle' }, env), 'lifecycle');
const failure = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('configuration was accepted');
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Kafka TLS and SASL configuration', () => {
  it('is plaintext without authentication by default', () => {
    expect(kafkaClientSecurity(load({}))).toEqual({ tls: undefined, sasl: undefined, connectionTimeoutMs: undefined });
  });

  it('reads the CA and client certificate files and verifies the brokers by default', () => {
    const config = load({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: ca, KAFKA_TLS_CERT_FILE: ca, KAFKA_TLS_KEY_FILE: key });
    expect(kafkaClientSecurity(config).tls).toEqual({
      ca: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      cert: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      rejectUnauthorized: true,
    });
    expect(kafkaClientSecurity(config).connectionTimeoutMs).toBe(10_000);
  });

  it('uses the system CAs when TLS is on without a CA file, and can be told not to verify', () => {
    expect(kafkaClientSecurity(load({ KAFKA_TLS: 'true' })).tls).toEqual({ rejectUnauthorized: true });
    expect(kafkaClientSecurity(load({ KAFKA_TLS: '1', KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' })).tls).toEqual({ rejectUnauthorized: false });
  });

  it.each(['SCRAM-SHA-512', 'scram-sha-256', 'PLAIN'])('takes SASL mechanism %s in any case', (mechanism) => {
    const config = load({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'mlops', KAFKA_SASL_PASSWORD: 's3cret' });
    expect(kafkaClientSecurity(config).sasl).toEqual({ mechanism: mechanism.toLowerCase(), username: 'mlops', password: 's3cret' });
  });

  it('names the missing credentials of a SASL mechanism', () => {
    const message = failure({ KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    expect(message).toContain('KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=scram-sha-512');
    expect(message).toContain('KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM=scram-sha-512');
    expect(failure({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'mlops' })).not.toContain('KAFKA_SASL_USERNAME');
  });

  it('names the mechanism when credentials come without one, and rejects unknown mechanisms', () => {
    expect(failure({ KAFKA_SASL_USERNAME: 'mlops', KAFKA_SASL_PASSWORD: 'x' })).toContain('KAFKA_SASL_MECHANISM: required with KAFKA_SASL_USERNAME');
    expect(failure({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' })).toContain(
      'KAFKA_SASL_MECHANISM: expected plain, scram-sha-256 or scram-sha-512',
    );
  });

  it('rejects TLS files without KAFKA_TLS=true, and a certificate without its key', () => {
    expect(failure({ KAFKA_TLS_CA_FILE: ca })).toContain('KAFKA_TLS_CA_FILE: only applies with KAFKA_TLS=true');
    expect(failure({ KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' })).toContain('KAFKA_TLS_REJECT_UNAUTHORIZED: only applies with KAFKA_TLS=true');
    expect(failure({ KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: ca })).toContain('KAFKA_TLS_KEY_FILE: required with KAFKA_TLS_CERT_FILE');
    expect(failure({ KAFKA_TLS: 'true', KAFKA_TLS_KEY_FILE: key })).toContain('KAFKA_TLS_CERT_FILE: required with KAFKA_TLS_KEY_FILE');
    expect(failure({ KAFKA_TLS: 'maybe' })).toContain('KAFKA_TLS');
  });

  it('names a CA file that is missing, unreadable or not PEM', () => {
    expect(failure({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: join(dir, 'absent.pem') })).toMatch(/KAFKA_TLS_CA_FILE: cannot read .*absent\.pem: ENOENT/);
    expect(failure({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: dir })).toMatch(/KAFKA_TLS_CA_FILE: cannot read .*: EISDIR/);
    expect(failure({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: notPem })).toMatch(/KAFKA_TLS_CA_FILE: .*ca\.der holds no PEM block/);
    if (process.getuid?.() !== 0) {
      // root reads any file, so the permission case only means something for other users
      const locked = pem('locked.pem', 'x');
      chmodSync(locked, 0o000);
      expect(failure({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: locked })).toMatch(/KAFKA_TLS_CA_FILE: cannot read .*: EACCES/);
    }
  });

  it('keeps checking the combinations when a service extends the shared schema', () => {
    const extended = serviceConfigSchema.extend({ EXTRA: z.string().default('x') });
    const result = extended.safeParse({ PORT: '1', MONGO_DB: 'db', KAFKA_SASL_MECHANISM: 'plain' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']);
  });
});
