import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { IdentityRejected, IdentitySigner, IdentityVerifier, IDENTITY_TOKEN_TTL_SECONDS } from './identity-token';

const pemPair = (type: 'ed25519' | 'p256' | 'rsa') => {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : type === 'p256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privateKey: pair.privateKey,
  };
};

describe('gateway identity tokens', () => {
  it.each(['ed25519', 'p256'] as const)('a token signed with an %s key verifies to the same actor and roles', async (type) => {
    const keys = pemPair(type);
    const signer = await IdentitySigner.fromPem(keys.privatePem);
    const verifier = await IdentityVerifier.fromPem(keys.publicPem);
    const token = await signer.sign({ actor: 'ana@example.com', roles: ['prompt-approver', 'admin'] });
    await expect(verifier.verify(token)).resolves.toEqual({ actor: 'ana@example.com', roles: ['prompt-approver', 'admin'] });
    await expect(verifier.verify(await signer.sign({ actor: 'bo', roles: [] }))).resolves.toEqual({ actor: 'bo', roles: [] });
  });

  it('accepts any of several public keys, as during a rotation', async () => {
    const old = pemPair('ed25519');
    const next = pemPair('p256');
    const verifier = await IdentityVerifier.fromPem(`${old.publicPem}\n${next.publicPem}`);
    for (const keys of [old, next]) {
      const token = await (await IdentitySigner.fromPem(keys.privatePem)).sign({ actor: 'ana', roles: ['r'] });
      await expect(verifier.verify(token)).resolves.toEqual({ actor: 'ana', roles: ['r'] });
    }
  });

  it('refuses a missing token, another key, an expired token, garbage and a token that is not the gateway\'s', async () => {
    const keys = pemPair('ed25519');
    const verifier = await IdentityVerifier.fromPem(keys.publicPem);
    const stranger = await IdentitySigner.fromPem(pemPair('ed25519').privatePem);
    const signer = await IdentitySigner.fromPem(keys.privatePem);
    const longAgo = Date.now() - (IDENTITY_TOKEN_TTL_SECONDS + 60) * 1000;
    const refusals: [string | undefined, RegExp][] = [
      [undefined, /no x-mlops-identity identity token/],
      ['', /no x-mlops-identity identity token/],
      [await stranger.sign({ actor: 'mallory', roles: ['admin'] }), /key this service does not trust/],
      [await signer.sign({ actor: 'ana', roles: [] }, longAgo), /expired/],
      ['not.a.token', /not valid/],
      // Signed by the right key but for another audience and issuer (e.g. a user's OIDC token replayed).
      [
        await new SignJWT({ roles: ['admin'] })
          .setProtectedHeader({ alg: 'EdDSA', kid: decodeProtectedHeader(await signer.sign({ actor: 'x', roles: [] })).kid })
          .setSubject('mallory')
          .setAudience('someone-else')
          .setIssuedAt()
          .setExpirationTime('1m')
          .sign(keys.privateKey),
        /not valid \(ERR_JWT_CLAIM_VALIDATION_FAILED\)/,
      ],
    ];
    for (const [token, reason] of refusals) {
      const outcome = verifier.verify(token);
      await expect(outcome).rejects.toBeInstanceOf(IdentityRejected);
      await expect(outcome).rejects.toThrow(reason);
    }
  });

  it('refuses keys that cannot sign identity tokens, and a private key where a public one belongs', async () => {
    await expect(IdentitySigner.fromPem(pemPair('rsa').privatePem)).rejects.toThrow(/expected an Ed25519 or EC P-256 key, got rsa/);
    await expect(IdentityVerifier.fromPem('no pem here')).rejects.toThrow(/holds no PEM public key/);
    await expect(IdentityVerifier.fromPem(pemPair('ed25519').privatePem)).rejects.toThrow(/holds a private key/);
  });
});
