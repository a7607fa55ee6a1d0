import { z } from 'zod';
import { logLevel } from '@mlops/platform';

const serviceUrl = (fallback: string) => z.url({ protocol: /^https?$/ }).default(fallback);

/** `key=actor:role1|role2,key2=actor2` — API keys and who they authenticate. */
const apiKeys = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const keys = new Map<string, { actor: string; roles: string[] }>();
    for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
      const match = /^([^=\s]{16,})=([A-Za-z0-9._:@/-]{1,128})(?::([A-Za-z0-9._|-]+))?$/.exec(entry);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'expected key=actor[:role1|role2] entries with keys of 16+ characters' });
        return z.NEVER;
      }
      keys.set(match[1], { actor: match[2], roles: match[3] ? match[3].split('|') : [] });
    }
    return keys;
  });

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
  url: string;
}

export function upstreamsOf(config: GatewayConfig): Upstream[] {
  return [
    { name: 'feature-store', prefix: '/api/v1/features', url: config.FEATURE_STORE_URL },
    { name: 'lifecycle', prefix: '/api/v1/ml/lifecycle', url: config.LIFECYCLE_URL },
    { name: 'evaluation', prefix: '/api/v1/ml/evaluation', url: config.EVALUATION_URL },
    { name: 'prompt-governance', prefix: '/api/v1/prompt-governance', url: config.PROMPT_GOVERNANCE_URL },
  ];
}
