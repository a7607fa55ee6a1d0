import { ConfigError, loadConfig } from '@mlops/platform';
import { gatewayConfigSchema, upstreamsOf } from './config';

describe('gateway configuration', () => {
  it('routes the four API prefixes to the configured services', () => {
    const config = loadConfig(gatewayConfigSchema, { LIFECYCLE_URL: 'http://lifecycle:3002' }, 'gateway');
    expect(upstreamsOf(config).map((u) => [u.prefix, u.url])).toEqual([
      ['/api/v1/features', 'http://127.0.0.1:3001'],
      ['/api/v1/ml/lifecycle', 'http://lifecycle:3002'],
      ['/api/v1/ml/evaluation', 'http://127.0.0.1:3003'],
      ['/api/v1/prompt-governance', 'http://127.0.0.1:3004'],
    ]);
  });

  it('parses API keys into identities', () => {
    const config = loadConfig(gatewayConfigSchema, { GATEWAY_API_KEYS: 'k-0123456789abcdef=ci-bot:approver|admin,k-fedcba9876543210=ana' }, 'gateway');
    expect(config.GATEWAY_API_KEYS.get('k-0123456789abcdef')).toEqual({ actor: 'ci-bot', roles: ['approver', 'admin'] });
    expect(config.GATEWAY_API_KEYS.get('k-fedcba9876543210')).toEqual({ actor: 'ana', roles: [] });
  });

  it.each([
    ['a short key', { GATEWAY_API_KEYS: 'short=ana' }],
    ['a service URL that is not http', { LIFECYCLE_URL: 'ftp://x' }],
    ['a timeout that is not a number', { PROXY_TIMEOUT_MS: 'soon' }],
  ])('refuses %s', (_label, env) => {
    expect(() => loadConfig(gatewayConfigSchema, env, 'gateway')).toThrow(ConfigError);
  });
});
