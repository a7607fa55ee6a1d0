import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, errors, exportJWK, jwtVerify, SignJWT } from 'jose';

/**
 * The header that carries the caller from the gateway to a service: a JWT the gateway signs with
 * its private key and every service verifies with the public key. A service that reads identity
 * from it ignores X-Actor / X-Roles, so reaching a service directly no longer makes anyone anybody.
 */
export const IDENTITY_TOKEN_HEADER = 'x-mlops-identity';

const ISSUER = 'mlops-gateway';
const AUDIENCE = 'mlops-services';
/** Long enough for a request to cross one proxy hop, short enough that a leaked token soon expires. */
export const IDENTITY_TOKEN_TTL_SECONDS = 60;
/** A service's clock may lag the gateway's this much. */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface Identity {
  actor: string;
  roles: string[];
}

type Algorithm = 'EdDSA' | 'ES256';

/** Ed25519 (EdDSA) or EC P-256 (ES256): small, fast signatures every JOSE library verifies. */
function algorithmOf(key: KeyObject): Algorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`expected an Ed25519 or EC P-256 key, got ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''}`);
}

/** The key id both sides derive from the public key (RFC 7638 thumbprint), so rotation needs no naming. */
async function keyIdOf(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** Signs the gateway's identity tokens; a token is reused for the same caller while it has most of its life left. */
export class IdentitySigner {
  private readonly cache = new Map<string, { token: string; renewAt: number }>();

  private constructor(
    private readonly key: KeyObject,
    private readonly algorithm: Algorithm,
    private readonly keyId: string,
  ) {}

  /** From a PKCS#8 (or SEC1 for P-256) PEM private key; throws with the reason when it cannot sign. */
  static async fromPem(pem: string): Promise<IdentitySigner> {
    const key = createPrivateKey(pem);
    const algorithm = algorithmOf(key);
    return new IdentitySigner(key, algorithm, await keyIdOf(createPublicKey(key)));
  }

  async sign(identity: Identity, nowMs = Date.now()): Promise<string> {
    const cacheKey = `${identity.actor}\n${identity.roles.join(',')}`;
    const cached = this.cache.get(cacheKey);
    if (cached && cached.renewAt > nowMs) return cached.token;
    const issuedAt = Math.floor(nowMs / 1000);
    const token = await new SignJWT({ roles: identity.roles })
      .setProtectedHeader({ alg: this.algorithm, kid: this.keyId, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(identity.actor)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + IDENTITY_TOKEN_TTL_SECONDS)
      .sign(this.key);
    // Bounded by the number of distinct callers within a minute; a burst of new ones starts over.
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(cacheKey, { token, renewAt: nowMs + (IDENTITY_TOKEN_TTL_SECONDS * 1000) / 2 });
    return token;
  }
}

/** Why a service refused the identity it was sent. */
export class IdentityRejected extends Error {}

/** Verifies identity tokens against the gateway's public key(s): several during a key rotation. */
export class IdentityVerifier {
  /** Tokens already verified, until they expire: the gateway reuses one per caller for half its life. */
  private readonly verified = new Map<string, { identity: Identity; expiresAtMs: number }>();

  private constructor(private readonly keys: Map<string, { key: KeyObject; algorithm: Algorithm }>) {}

  /** From one or more SPKI PEM public keys (`-----BEGIN PUBLIC KEY-----`); throws with the reason when one is unusable. */
  static async fromPem(pem: string): Promise<IdentityVerifier> {
    const blocks = pem.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) throw new Error('holds no PEM public key');
    const keys = new Map<string, { key: KeyObject; algorithm: Algorithm }>();
    for (const block of blocks) {
      // createPublicKey would derive the public half of a private key: refuse, a service must not hold it.
      if (block.includes('PRIVATE KEY-----')) throw new Error('holds a private key; services need only the public key');
      const key = createPublicKey(block);
      keys.set(await keyIdOf(key), { key, algorithm: algorithmOf(key) });
    }
    return new IdentityVerifier(keys);
  }

  async verify(token: string | undefined, nowMs = Date.now()): Promise<Identity> {
    if (!token) throw new IdentityRejected(`no ${IDENTITY_TOKEN_HEADER} identity token: call the API through the gateway`);
    const known = this.verified.get(token);
    if (known && known.expiresAtMs + CLOCK_TOLERANCE_SECONDS * 1000 > nowMs) return { actor: known.identity.actor, roles: [...known.identity.roles] };
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const entry = this.keys.get(header.kid ?? '');
          if (!entry || entry.algorithm !== header.alg) throw new IdentityRejected('the identity token is signed with a key this service does not trust');
          return entry.key;
        },
        { issuer: ISSUER, audience: AUDIENCE, clockTolerance: CLOCK_TOLERANCE_SECONDS, currentDate: new Date(nowMs), requiredClaims: ['sub', 'exp', 'iat'] },
      );
      const roles = payload.roles;
      if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) throw new IdentityRejected('the identity token has no roles list');
      const identity = { actor: payload.sub!, roles };
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, { identity, expiresAtMs: payload.exp! * 1000 });
      return { actor: identity.actor, roles: [...roles] };
    } catch (error) {
      if (error instanceof IdentityRejected) throw error;
      if (error instanceof errors.JWTExpired) throw new IdentityRejected('the identity token has expired');
      if (error instanceof errors.JOSEError) throw new IdentityRejected(`the identity token is not valid (${error.code})`);
      throw error;
    }
  }
}
