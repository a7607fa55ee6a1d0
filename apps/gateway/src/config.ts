import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalActor, logLevel } from '@mlops/platform';

const serviceUrl = (fallback: string) => z.url({ protocol: /^https?$/ }).default(fallback);

const API_KEY = /^[^=\s,]{16,}$/;
const ACTOR = /^[A-Za-z0-9._:@/-]{1,128}$/;
const ROLE = /^[A-Za-z0-9._-]{1,128}$/;

/** A configured API key, kept only as its SHA-256 digest, and the identity it authenticates. */
export interface ApiKey {
  digest: Buffer;
  actor: string;
  roles: string[];
}

const digestOf = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/**
 * Parses one `key=actor[:role1|role2]` entry. The roles follow the last `:`, so an actor may hold
 * colons when the entry ends with one (`key=svc:ci:` is actor `svc:ci`, no roles).
 */
export function parseApiKey(entry: string): ApiKey | string {
  const separator = entry.indexOf('=');
  const key = entry.slice(0, separator);
  const identity = entry.slice(separator + 1);
  if (separator < 0 || !API_KEY.test(key)) return 'expected key=actor[:role1|role2] with a key of 16+ characters (no spaces, = or ,)';
  const colon = identity.lastIndexOf(':');
  const actor = canonicalActor(colon < 0 ? identity : identity.slice(0, colon));
  const roles = colon < 0 || colon === identity.length - 1 ? [] : identity.slice(colon + 1).split('|');
  if (!ACTOR.test(actor)) return `actor ${JSON.stringify(actor)} is not 1-128 of A-Z a-z 0-9 . _ : @ / -`;
  const badRole = roles.find((role) => !ROLE.test(role));
  if (badRole !== undefined) return `role ${JSON.stringify(badRole)} is not 1-128 of A-Z a-z 0-9 . _ -`;
  return { digest: digestOf(key), actor, roles };
}

/** `key=actor:role1|role2,key2=actor2` — API keys and who they authenticate. */
const apiKeys = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const keys: ApiKey[] = [];
    for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
      const parsed = parseApiKey(entry);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      if (keys.some((k) => k.digest.equals(parsed.digest))) {
        ctx.addIssue({ code: 'custom', message: 'the same key is configured twice' });
        return z.NEVER;
      }
      keys.push(parsed);
    }
    return keys;
  });

/**
 * Who a presented key authenticates. Every configured key's digest is compared, in constant time,
 * so neither the answer's timing nor an early exit tells how much of a guess was right.
 */
export function identify(keys: readonly ApiKey[], presented: string): { actor: string; roles: string[] } | undefined {
  const digest = digestOf(presented);
  let match: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.digest, digest)) match ??= key;
  }
  return match && { actor: match.actor, roles: [...match.roles] };
}

export const gatewayConfigSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: logLevel,
  FEATURE_STORE_URL: serviceUrl('http://127.0.0.1:3001'),
  LIFECYCLE_URL: serviceUrl('http://127.0.0.1:3002'),
  EVALUATION_URL: serviceUrl('http://127.0.0.1:3003'),
  PROMPT_GOVERNANCE_URL: serviceUrl('http://127.0.0.1:3004'),
  PROXY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  OPENAPI_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  GATEWAY_API_KEYS: apiKeys,
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export interface Upstream {
  name: string;
  /** Path prefix the gateway forwards unchanged. */
  prefix: string;
  /** Further prefixes forwarded unchanged to the same service, outside our OpenAPI document (MLflow's API). */
  aliases?: string[];
  url: string;
}

export function upstreamsOf(config: GatewayConfig): Upstream[] {
  return [
    { name: 'feature-store', prefix: '/api/v1/features', url: config.FEATURE_STORE_URL },
    {
      name: 'lifecycle',
      prefix: '/api/v1/ml/lifecycle',
      aliases: ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'],
      url: config.LIFECYCLE_URL,
    },
    { name: 'evaluation', prefix: '/api/v1/ml/evaluation', url: config.EVALUATION_URL },
    { name: 'prompt-governance', prefix: '/api/v1/prompt-governance', url: config.PROMPT_GOVERNANCE_URL },
  ];
}
