import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@mlops/platform';
import { isMlflowPath } from './caller-errors';
import { gatewayConfigSchema } from './config';
import { claimAt, looksLikeJwt, rolesOf } from './oidc';

const load = (env: Record<string, string>) => loadConfig(gatewayConfigSchema, env, 'gateway');

describe('gateway identity and rate-limit configuration', () => {
  it('defaults to no OIDC, no signing key and no rate limit, so local runs and benchmarks behave as before', () => {
    const config = load({});
    expect(config).toMatchObject({
      GATEWAY_OIDC_ROLES_CLAIM: 'roles',
      GATEWAY_OIDC_ACTOR_CLAIM: 'sub',
      GATEWAY_RATE_LIMIT_MAX: 0,
      GATEWAY_RATE_LIMIT_WINDOW_MS: 60_000,
      GATEWAY_TRUSTED_PROXY_HOPS: 0,
    });
    expect(config.GATEWAY_OIDC_ISSUER).toBeUndefined();
    expect(config.GATEWAY_IDENTITY_SIGNING_KEY_FILE).toBeUndefined();
    expect(config.GATEWAY_RATE_LIMIT_ANONYMOUS_MAX).toBeUndefined();
  });

  it('reads an OIDC issuer with its audience, JWKS, claims, a signing key file and rate limits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-key-'));
    const keyFile = join(dir, 'signing.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const config = load({
      GATEWAY_OIDC_ISSUER: 'https://login.example.com/realms/ml',
      GATEWAY_OIDC_AUDIENCE: 'mlops',
      GATEWAY_OIDC_JWKS_URL: 'https://login.example.com/realms/ml/protocol/openid-connect/certs',
      GATEWAY_OIDC_ROLES_CLAIM: 'realm_access.roles',
      GATEWAY_OIDC_ACTOR_CLAIM: 'preferred_username',
      GATEWAY_IDENTITY_SIGNING_KEY_FILE: keyFile,
      GATEWAY_RATE_LIMIT_MAX: '600',
      GATEWAY_RATE_LIMIT_ANONYMOUS_MAX: '60',
      GATEWAY_RATE_LIMIT_WINDOW_MS: '60000',
      GATEWAY_TRUSTED_PROXY_HOPS: '1',
    });
    expect(config).toMatchObject({
      GATEWAY_OIDC_ISSUER: 'https://login.example.com/realms/ml',
      GATEWAY_OIDC_AUDIENCE: 'mlops',
      GATEWAY_OIDC_ROLES_CLAIM: 'realm_access.roles',
      GATEWAY_OIDC_ACTOR_CLAIM: 'preferred_username',
      GATEWAY_RATE_LIMIT_MAX: 600,
      GATEWAY_RATE_LIMIT_ANONYMOUS_MAX: 60,
      GATEWAY_TRUSTED_PROXY_HOPS: 1,
    });
    expect(config.GATEWAY_IDENTITY_SIGNING_KEY_FILE?.pem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(load({ GATEWAY_OIDC_ISSUER: 'http://127.0.0.1:8081/realms/dev', GATEWAY_OIDC_AUDIENCE: 'a' }).GATEWAY_OIDC_ISSUER).toBe('http://127.0.0.1:8081/realms/dev');
  });

  it.each([
    ['an issuer without an audience', { GATEWAY_OIDC_ISSUER: 'https://login.example.com' }, 'GATEWAY_OIDC_AUDIENCE: required with GATEWAY_OIDC_ISSUER'],
    ['an audience without an issuer', { GATEWAY_OIDC_AUDIENCE: 'mlops' }, 'GATEWAY_OIDC_AUDIENCE: only applies with GATEWAY_OIDC_ISSUER'],
    ['a JWKS URL without an issuer', { GATEWAY_OIDC_JWKS_URL: 'https://login.example.com/certs' }, 'GATEWAY_OIDC_JWKS_URL: only applies with GATEWAY_OIDC_ISSUER'],
    ['a plain-http issuer off loopback', { GATEWAY_OIDC_ISSUER: 'http://login.example.com', GATEWAY_OIDC_AUDIENCE: 'a' }, 'GATEWAY_OIDC_ISSUER: expected an https:// URL'],
    ['an issuer that is not a URL', { GATEWAY_OIDC_ISSUER: 'login.example.com', GATEWAY_OIDC_AUDIENCE: 'a' }, 'GATEWAY_OIDC_ISSUER'],
    ['a roles claim with an empty segment', { GATEWAY_OIDC_ROLES_CLAIM: 'realm_access..roles' }, 'GATEWAY_OIDC_ROLES_CLAIM: expected a claim name or dotted path'],
    ['a signing key file that does not exist', { GATEWAY_IDENTITY_SIGNING_KEY_FILE: '/nonexistent/key.pem' }, 'GATEWAY_IDENTITY_SIGNING_KEY_FILE: cannot read /nonexistent/key.pem: ENOENT'],
    ['a negative rate limit', { GATEWAY_RATE_LIMIT_MAX: '-1' }, 'GATEWAY_RATE_LIMIT_MAX'],
    ['a rate limit that is not a number', { GATEWAY_RATE_LIMIT_MAX: 'lots' }, 'GATEWAY_RATE_LIMIT_MAX'],
    ['a window under a second', { GATEWAY_RATE_LIMIT_WINDOW_MS: '10' }, 'GATEWAY_RATE_LIMIT_WINDOW_MS'],
    ['a fractional proxy hop count', { GATEWAY_TRUSTED_PROXY_HOPS: '1.5' }, 'GATEWAY_TRUSTED_PROXY_HOPS'],
  ])('refuses %s, naming the variable', (_label, env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });
});

describe('claims of an OIDC token', () => {
  const payload = {
    sub: 'f3b1c2',
    roles: ['admin'],
    realm_access: { roles: ['prompt-approver', 'offline_access', 'bad role'] },
    'https://example.com/roles': ['writer'],
    scope: 'openid profile model-writer',
    nested: { list: ['x'], notObject: 'text' },
  };

  it.each([
    ['a top-level claim', 'roles', ['admin']],
    ['a dotted path', 'realm_access.roles', ['prompt-approver', 'offline_access', 'bad role']],
    ['a claim whose name holds dots', 'https://example.com/roles', ['writer']],
    ['a missing path', 'resource_access.mlops.roles', undefined],
    ['a path through a string', 'nested.notObject.roles', undefined],
    ['a path through an array', 'nested.list.0', undefined],
    ['an inherited member, which is never a claim', 'constructor', undefined],
  ])('finds %s', (_label, path, value) => {
    expect(claimAt(payload, path)).toEqual(value);
  });

  it('reads roles from a list or a space-separated string, dropping names no service could carry and duplicates', () => {
    expect(rolesOf(['prompt-approver', 'offline_access', 'bad role', 7, 'prompt-approver'])).toEqual(['prompt-approver', 'offline_access']);
    expect(rolesOf('openid profile model-writer')).toEqual(['openid', 'profile', 'model-writer']);
    expect(rolesOf(undefined)).toEqual([]);
    expect(rolesOf({ admin: true })).toEqual([]);
  });

  it('tells a JWT from an API key', () => {
    expect(looksLikeJwt('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln')).toBe(true);
    expect(looksLikeJwt('k1-0123456789abcdef')).toBe(false);
    expect(looksLikeJwt('a.b')).toBe(false);
    expect(looksLikeJwt('a.b.c.d')).toBe(false);
  });
});

describe('MLflow paths', () => {
  it.each([
    ['/api/2.0/mlflow/experiments/search', true],
    ['/ajax-api/2.0/mlflow/runs/get', true],
    ['/api/2.0/mlflow-artifacts/artifacts/1/model.pkl', true],
    ['/api/v1/ml/lifecycle/experiments', false],
    ['/api/2.0/preview/other', false],
  ])('%s is an MLflow path: %s', (path, expected) => {
    expect(isMlflowPath(path)).toBe(expected);
  });
});
