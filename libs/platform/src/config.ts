import { z } from 'zod';

const brokerList = z
  .string()
  .min(1)
  .transform((value) => value.split(',').map((broker) => broker.trim()).filter(Boolean))
  .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
    message: 'expected host:port[,host:port…]',
  });

const milliseconds = (fallback: number, max = 600_000) => z.coerce.number().int().min(0).max(max).default(fallback);

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Settings every domain service reads from its environment. */
export const serviceConfigSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535),
  LOG_LEVEL: logLevel,
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'expected a mongodb:// or mongodb+srv:// URL')
    .default('mongodb://127.0.0.1:27017/'),
  MONGO_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'expected 1-63 letters, digits, _ or -'),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'expected letters, digits, ., _ or -').default(''),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(-1).max(10).default(-1),
  READ_YOUR_WRITES_TIMEOUT_MS: milliseconds(5000, 60_000),
  OUTBOX_POLL_INTERVAL_MS: milliseconds(1000, 60_000),
  /** A stream load that folded this many commits after the aggregate's last snapshot writes a new one. */
  SNAPSHOT_EVERY_COMMITS: z.coerce.number().int().min(1).max(10_000).default(20),
  PROJECTION_GENERATION_POLL_MS: milliseconds(2000, 60_000),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 1mb').default('1mb'),
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
