import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalActor, logLevel, pemFile } from '@mlops/platform';

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

/** An issuer or JWKS address: https, or http on loopback (a local identity provider, the tests' JWKS). */
const identityProviderUrl = z.url({ protocol: /^https?$/ }).refine(
  (url) => url.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(url),
  { message: 'expected an https:// URL (http:// only on loopback)' },
);

/** A claim's dotted path in a JWT payload: `roles`, `realm_access.roles`, `https://example.com/roles` is one key. */
const claimPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'expected a claim name or dotted path such as realm_access.roles');

/** Identity (OIDC bearer JWTs, the token the gateway signs for the services) and rate limits; README "Trust model". */
const authSchema = z.object({
  GATEWAY_OIDC_ISSUER: identityProviderUrl.optional(),
  GATEWAY_OIDC_AUDIENCE: z.string().min(1).optional(),
  /** Unset: the jwks_uri of the issuer's /.well-known/openid-configuration. */
  GATEWAY_OIDC_JWKS_URL: identityProviderUrl.optional(),
  GATEWAY_OIDC_ROLES_CLAIM: claimPath.default('roles'),
  /** The claim that names the caller on every event; `sub` is the one an issuer keeps stable. */
  GATEWAY_OIDC_ACTOR_CLAIM: claimPath.default('sub'),
  /** PKCS#8 PEM Ed25519 or P-256 key the gateway signs the services' identity tokens with. */
  GATEWAY_IDENTITY_SIGNING_KEY_FILE: pemFile.optional(),
  /** Requests per window per caller (API key or JWT subject; per client IP without one); 0 = no limit. */
  GATEWAY_RATE_LIMIT_MAX: z.coerce.number().int().min(0).max(10_000_000).default(0),
  /** Requests per window per client IP from callers without credentials; unset = GATEWAY_RATE_LIMIT_MAX. */
  GATEWAY_RATE_LIMIT_ANONYMOUS_MAX: z.coerce.number().int().min(0).max(10_000_000).optional(),
  GATEWAY_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
  /** Proxies in front of the gateway (an ingress) whose X-Forwarded-For names the client IP. */
  GATEWAY_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
});

/** Combinations of the auth variables that cannot work, each with the variable to fix. */
export function authIssues(config: z.infer<typeof authSchema>): { variable: string; message: string }[] {
  const issues: { variable: string; message: string }[] = [];
  if (config.GATEWAY_OIDC_ISSUER && !config.GATEWAY_OIDC_AUDIENCE) {
    issues.push({ variable: 'GATEWAY_OIDC_AUDIENCE', message: 'required with GATEWAY_OIDC_ISSUER (otherwise a token of that issuer for any audience would do)' });
  }
  if (!config.GATEWAY_OIDC_ISSUER) {
    for (const variable of ['GATEWAY_OIDC_AUDIENCE', 'GATEWAY_OIDC_JWKS_URL'] as const) {
      if (config[variable] !== undefined) issues.push({ variable, message: 'only applies with GATEWAY_OIDC_ISSUER' });
    }
  }
  return issues;
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
  ...authSchema.shape,
}).superRefine((config, ctx) => {
  for (const { variable, message } of authIssues(config)) ctx.addIssue({ code: 'custom', path: [variable], message });
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
