import { ConfigError, loadConfig } from '@mlops/platform';
import { gatewayConfigSchema, identify, upstreamsOf } from './config';

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

  const K1 = 'k1-0123456789abcdef';
  const K2 = 'k2-fedcba9876543210';
  const keysOf = (value: string) => loadConfig(gatewayConfigSchema, { GATEWAY_API_KEYS: value }, 'gateway').GATEWAY_API_KEYS;

  // Every form the README, deploy/README.md, the chart's values.yaml and docker-compose.yml show.
  it.each([
    ['one role', `${K1}=alice:prompt-approver`, [{ actor: 'alice', roles: ['prompt-approver'] }]],
    ['one role (deploy README)', `${K1}=alice:admin`, [{ actor: 'alice', roles: ['admin'] }]],
    ['several roles', `${K1}=ci-bot:approver|admin`, [{ actor: 'ci-bot', roles: ['approver', 'admin'] }]],
    ['no roles', `${K1}=ana`, [{ actor: 'ana', roles: [] }]],
    ['two keys, roles and none', `${K1}=actor:role1|role2,${K2}=actor2`, [{ actor: 'actor', roles: ['role1', 'role2'] }, { actor: 'actor2', roles: [] }]],
    ['two keys with roles (values.yaml)', `${K1}=actor:role1|role2,${K2}=actor2:role`, [{ actor: 'actor', roles: ['role1', 'role2'] }, { actor: 'actor2', roles: ['role'] }]],
    ['the Secret example', `${K1}=ci-bot:admin|writer,${K2}=alice:reader`, [{ actor: 'ci-bot', roles: ['admin', 'writer'] }, { actor: 'alice', roles: ['reader'] }]],
    ['spaces around entries', ` ${K1}=alice:admin , ${K2}=bo `, [{ actor: 'alice', roles: ['admin'] }, { actor: 'bo', roles: [] }]],
    ['an actor with colons, roles after the last one', `${K1}=svc:ci:deployer`, [{ actor: 'svc:ci', roles: ['deployer'] }]],
    ['an actor with colons and no roles (trailing colon)', `${K1}=svc:ci:`, [{ actor: 'svc:ci', roles: [] }]],
    ['an actor in canonical form', `${K1}=Alice@Example.com:admin`, [{ actor: 'alice@example.com', roles: ['admin'] }]],
  ])('parses API keys: %s', (_label, value, identities) => {
    const keys = keysOf(value);
    expect(keys.map(({ actor, roles }) => ({ actor, roles }))).toEqual(identities);
    expect(identify(keys, K1)).toEqual(identities[0]);
    expect(identify(keys, K2)).toEqual(identities[1]);
  });

  it('identifies a key only by the whole key, and keeps no key in clear', () => {
    const keys = keysOf(`${K1}=alice:admin,${K2}=bo`);
    for (const guess of ['', K1.slice(0, -1), `${K1}x`, K1.toUpperCase(), `Bearer ${K1}`]) expect(identify(keys, guess)).toBeUndefined();
    expect(JSON.stringify(keys)).not.toContain(K1);
  });

  it.each([
    ['a short key', 'short=ana'],
    ['no actor', `${K1}=`],
    ['no =', K1],
    ['an actor with spaces', `${K1}=ana maria:admin`],
    ['an empty role', `${K1}=ana:admin||writer`],
    ['a key configured twice', `${K1}=ana,${K1}=bo`],
  ])('refuses API keys with %s', (_label, value) => {
    expect(() => keysOf(value)).toThrow(ConfigError);
  });

  it.each([
    ['a short key', { GATEWAY_API_KEYS: 'short=ana' }],
    ['a service URL that is not http', { LIFECYCLE_URL: 'ftp://x' }],
    ['a timeout that is not a number', { PROXY_TIMEOUT_MS: 'soon' }],
  ])('refuses %s', (_label, env) => {
    expect(() => loadConfig(gatewayConfigSchema, env, 'gateway')).toThrow(ConfigError);
  });
});
