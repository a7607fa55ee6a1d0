import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { KafkaSettings } from '@mlops/event-sourcing';

export const brokerList = z
  .string()
  .min(1)
  .transform((value) => value.split(',').map((broker) => broker.trim()).filter(Boolean))
  .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
    message: 'expected host:port[,host:port…]',
  });

const milliseconds = (fallback: number, max = 600_000) => z.coerce.number().int().min(0).max(max).default(fallback);

/** A PEM file, read once at start, so a missing or unreadable file stops the service naming its variable. */
export const pemFile = z.string().transform((path, ctx) => {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    return z.NEVER;
  }
  if (!pem.includes('-----BEGIN ')) {
    ctx.addIssue({ code: 'custom', message: `${path} holds no PEM block (-----BEGIN …-----)` });
    return z.NEVER;
  }
  return { path, pem };
});

const saslMechanism = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], { error: 'expected plain, scram-sha-256 or scram-sha-512' }));

/** Kafka TLS and SASL settings (managed clusters: MSK, Confluent Cloud, Aiven); see README "Kafka security". */
export const kafkaSecuritySchema = z.object({
  KAFKA_TLS: z.stringbool().default(false),
  KAFKA_TLS_CA_FILE: pemFile.optional(),
  KAFKA_TLS_CERT_FILE: pemFile.optional(),
  KAFKA_TLS_KEY_FILE: pemFile.optional(),
  KAFKA_TLS_REJECT_UNAUTHORIZED: z.stringbool().optional(),
  KAFKA_SASL_MECHANISM: saslMechanism.optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).optional(),
});

type KafkaSecurityConfig = z.infer<typeof kafkaSecuritySchema>;

/** Combinations of the Kafka security variables that cannot work, each with the variable to fix. */
export function kafkaSecurityIssues(config: KafkaSecurityConfig): { variable: string; message: string }[] {
  const issues: { variable: string; message: string }[] = [];
  if (!config.KAFKA_TLS) {
    for (const variable of ['KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE', 'KAFKA_TLS_REJECT_UNAUTHORIZED'] as const) {
      if (config[variable] !== undefined) issues.push({ variable, message: 'only applies with KAFKA_TLS=true' });
    }
  }
  if (config.KAFKA_TLS_CERT_FILE && !config.KAFKA_TLS_KEY_FILE) issues.push({ variable: 'KAFKA_TLS_KEY_FILE', message: 'required with KAFKA_TLS_CERT_FILE' });
  if (config.KAFKA_TLS_KEY_FILE && !config.KAFKA_TLS_CERT_FILE) issues.push({ variable: 'KAFKA_TLS_CERT_FILE', message: 'required with KAFKA_TLS_KEY_FILE' });
  if (config.KAFKA_SASL_MECHANISM) {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!config[variable]) issues.push({ variable, message: `required with KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM}` });
    }
  } else if (config.KAFKA_SASL_USERNAME || config.KAFKA_SASL_PASSWORD) {
    issues.push({ variable: 'KAFKA_SASL_MECHANISM', message: 'required with KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD (plain, scram-sha-256 or scram-sha-512)' });
  }
  return issues;
}

/** The TLS and SASL part of a service's KafkaSettings. */
export function kafkaClientSecurity(config: KafkaSecurityConfig): Pick<KafkaSettings, 'tls' | 'sasl' | 'connectionTimeoutMs'> {
  return {
    tls: config.KAFKA_TLS
      ? {
          ca: config.KAFKA_TLS_CA_FILE?.pem,
          cert: config.KAFKA_TLS_CERT_FILE?.pem,
          key: config.KAFKA_TLS_KEY_FILE?.pem,
          rejectUnauthorized: config.KAFKA_TLS_REJECT_UNAUTHORIZED ?? true,
        }
      : undefined,
    sasl: config.KAFKA_SASL_MECHANISM
      ? { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME ?? '', password: config.KAFKA_SASL_PASSWORD ?? '' }
      : undefined,
    // A TLS handshake to a managed cluster across a WAN often takes longer than KafkaJS's 1 s.
    connectionTimeoutMs: config.KAFKA_CONNECTION_TIMEOUT_MS ?? (config.KAFKA_TLS ? 10_000 : undefined),
  };
}

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Settings every domain service reads from its environment. */
export const serviceConfigSchema = z.object({
  /** Loopback unless told otherwise: only the gateway should reach a service (containers set 0.0.0.0). */
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535),
  LOG_LEVEL: logLevel,
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'expected a mongodb:// or mongodb+srv:// URL')
    .default('mongodb://127.0.0.1:27017/'),
  /** A store outage fails requests (503) after this long instead of holding them. */
  MONGO_SERVER_SELECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3000),
  MONGO_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'expected 1-63 letters, digits, _ or -'),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'expected letters, digits, ., _ or -').default(''),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(-1).max(10).default(-1),
  ...kafkaSecuritySchema.shape,
  READ_YOUR_WRITES_TIMEOUT_MS: milliseconds(5000, 60_000),
  OUTBOX_POLL_INTERVAL_MS: milliseconds(1000, 60_000),
  /** A stream load that folded this many commits after the aggregate's last snapshot writes a new one. */
  SNAPSHOT_EVERY_COMMITS: z.coerce.number().int().min(1).max(10_000).default(20),
  PROJECTION_GENERATION_POLL_MS: milliseconds(2000, 60_000),
  /** The gateway's public key(s): with it, callers are who the gateway's signed identity token says (README "Trust model"). */
  IDENTITY_VERIFY_KEYS_FILE: pemFile.optional(),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 1mb').default('1mb'),
}).superRefine((config, ctx) => {
  for (const { variable, message } of kafkaSecurityIssues(config)) ctx.addIssue({ code: 'custom', path: [variable], message });
});

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;

export class ConfigError extends Error {}

/**
 * Parses the environment against a schema. A bad value is reported by variable name; `main.ts`
 * prints it and exits non-zero.
 */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined>,
  serviceName: string,
): z.infer<Schema> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration for ${serviceName}:\n${lines.join('\n')}`);
}

/** Service defaults merged under the environment: `withDefaults({ PORT: '3002' }, env)`. */
export function withDefaults(defaults: Record<string, string>, env: Record<string, string | undefined>) {
  return { ...defaults, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) };
}
