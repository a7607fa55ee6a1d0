import { createRemoteJWKSet, errors, jwtVerify, JWTPayload, JWTVerifyGetKey } from 'jose';
import { canonicalActor, Identity } from '@mlops/platform';

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** Unset: discovered from the issuer's /.well-known/openid-configuration. */
  jwksUrl?: string;
  rolesClaim: string;
  actorClaim: string;
}

/** A bearer token the gateway refuses (401), with the reason the caller may read. */
export class CredentialRejected extends Error {}

/** The identity provider could not be asked (503): the caller may retry; their token may be fine. */
export class IdentityProviderUnavailable extends Error {}

const ACTOR = /^[A-Za-z0-9._:@/-]{1,128}$/;
const ROLE = /^[A-Za-z0-9._-]{1,128}$/;
const CLOCK_TOLERANCE_SECONDS = 30;

/** A compact JWS: three base64url parts. API keys never look like this (they would need two dots). */
export const looksLikeJwt = (credential: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential);

/** The value at a dotted path (`realm_access.roles`); a key that itself holds dots (`https://x.io/roles`) wins. */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Roles from a claim: a list of strings, or one space-separated string (as `scope` is); names no service could carry are dropped. */
export function rolesOf(claim: unknown): string[] {
  const names = Array.isArray(claim) ? claim.filter((r): r is string => typeof r === 'string') : typeof claim === 'string' ? claim.split(/\s+/) : [];
  return [...new Set(names.filter((role) => ROLE.test(role)))];
}

/** Who an OIDC access or ID token says the caller is, checked against the issuer's published keys. */
export class OidcVerifier {
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(private readonly settings: OidcSettings) {}

  async verify(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
        // Asymmetric signatures only: an HMAC "token" would be checked against a key the issuer never shares.
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      }));
    } catch (error) {
      throw this.reasonOf(error);
    }
    const claimed = claimAt(payload, this.settings.actorClaim);
    const actor = typeof claimed === 'string' ? canonicalActor(claimed) : '';
    if (!ACTOR.test(actor)) throw new CredentialRejected(`the token's ${this.settings.actorClaim} claim is not an actor this platform can record (1-128 of A-Z a-z 0-9 . _ : @ / -)`);
    return { actor, roles: rolesOf(claimAt(payload, this.settings.rolesClaim)) };
  }

  /** The issuer's JWKS, fetched on first use and refreshed by jose when an unknown kid appears. */
  private keySet(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      const keys = this.jwksUrl().then((url) => createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 }));
      // A failed discovery is retried on the next request instead of being remembered.
      keys.catch(() => this.keys === keys && (this.keys = undefined));
      this.keys = keys;
    }
    return this.keys;
  }

  private async jwksUrl(): Promise<string> {
    if (this.settings.jwksUrl) return this.settings.jwksUrl;
    const discovery = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(discovery, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      throw new IdentityProviderUnavailable(`cannot read ${discovery}: ${(error as Error).message}`);
    }
    if (document.issuer !== this.settings.issuer || typeof document.jwks_uri !== 'string') {
      throw new IdentityProviderUnavailable(`${discovery} does not describe issuer ${this.settings.issuer} with a jwks_uri`);
    }
    return document.jwks_uri;
  }

  private reasonOf(error: unknown): Error {
    if (error instanceof IdentityProviderUnavailable) return error;
    if (error instanceof errors.JWTExpired) return new CredentialRejected('the token has expired');
    if (error instanceof errors.JWTClaimValidationFailed) return new CredentialRejected(`the token's ${error.claim} claim is not accepted (${error.reason})`);
    if (error instanceof errors.JWKSNoMatchingKey) return new CredentialRejected('the token is signed with a key the issuer does not publish');
    if (error instanceof errors.JWSSignatureVerificationFailed) return new CredentialRejected('the token signature does not verify');
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || (error instanceof Error && !(error instanceof errors.JOSEError))) {
      return new IdentityProviderUnavailable(`the issuer's keys cannot be read: ${(error as Error).message}`);
    }
    return new CredentialRejected(`the token is not valid (${(error as errors.JOSEError).code})`);
  }
}
