import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { ACTOR_HEADER, ConfigError, currentContext, Identity, IDENTITY_TOKEN_HEADER, IdentitySigner, ROLES_HEADER } from '@mlops/platform';
import { refuse } from './caller-errors';
import { GatewayConfig, identify } from './config';
import { CredentialRejected, IdentityProviderUnavailable, looksLikeJwt, OidcVerifier } from './oidc';

/** The APIs behind the gateway: the platform's (`/api/v1/…`), MLflow's (`/api/2.0/mlflow…`) and the MLflow UI's `/ajax-api/`. */
const API_PATH = /^\/(ajax-)?api\//;

/** What authentication decided for one request, between the steps below. */
interface Outcome {
  caller?: Identity;
  via?: 'api_key' | 'oidc';
  refusal?: { status: number; message: string; challenge: boolean };
}

const outcomes = new WeakMap<Request, Outcome>();

export type Authentication = 'api_key' | 'oidc' | 'none';

/** How the request's caller was authenticated; none when the gateway requires no credentials. */
export const authenticationOf = (req: Request): Authentication => outcomes.get(req)?.via ?? 'none';

/** When an unreachable identity provider is worth asking again (jose refetches a JWKS at most every 30 s). */
const IDENTITY_PROVIDER_RETRY_AFTER_SECONDS = 5;

/**
 * Who the caller is. With API keys or OIDC configured, the caller is who the key or the issuer's
 * JWT says (`Authorization: Bearer <key or JWT>`, or `X-API-Key`); without either (local
 * development) X-Actor is taken as given. A refusal is only decided here and sent after the rate
 * limit, so guessing keys counts against the guesser's IP.
 */
function authenticate(config: GatewayConfig, oidc: OidcVerifier | undefined): RequestHandler {
  const keys = config.GATEWAY_API_KEYS;
  const required = keys.length > 0 || oidc !== undefined;
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!required || !API_PATH.test(req.path)) return next();
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
    const credential = bearer ?? req.header('x-api-key') ?? '';
    const outcome: Outcome = {};
    outcomes.set(req, outcome);
    outcome.caller = keys.length > 0 ? identify(keys, credential) : undefined;
    if (outcome.caller) outcome.via = 'api_key';
    if (!outcome.caller && oidc && looksLikeJwt(credential)) {
      try {
        outcome.caller = await oidc.verify(credential);
        outcome.via = 'oidc';
      } catch (error) {
        if (error instanceof CredentialRejected) outcome.refusal = { status: 401, message: `Bearer token refused: ${error.message}`, challenge: true };
        else if (error instanceof IdentityProviderUnavailable) outcome.refusal = { status: 503, message: `Cannot verify the bearer token now: ${error.message}`, challenge: false };
        else return next(error);
      }
    }
    if (!outcome.caller && !outcome.refusal) {
      const accepted = [keys.length > 0 && 'a valid API key', oidc && 'a JWT from the configured issuer'].filter(Boolean).join(' or ');
      outcome.refusal = { status: 401, message: `Send ${accepted} as Authorization: Bearer <credential>`, challenge: true };
    }
    next();
  };
}

/**
 * Per caller (the actor an API key or JWT subject names), per client IP without credentials; off
 * when both limits are 0. Counts are per gateway replica (in memory).
 */
function limitRate(config: GatewayConfig): RequestHandler[] {
  const callerLimit = config.GATEWAY_RATE_LIMIT_MAX;
  const anonymousLimit = config.GATEWAY_RATE_LIMIT_ANONYMOUS_MAX ?? callerLimit;
  if (callerLimit === 0 && anonymousLimit === 0) return [];
  const callerOf = (req: Request) => outcomes.get(req)?.caller;
  const limitOf = (req: Request) => (callerOf(req) ? callerLimit : anonymousLimit);
  return [
    rateLimit({
      windowMs: config.GATEWAY_RATE_LIMIT_WINDOW_MS,
      limit: limitOf,
      skip: (req) => !API_PATH.test(req.path) || limitOf(req) === 0,
      keyGenerator: (req) => {
        const caller = callerOf(req);
        return caller ? `caller:${caller.actor}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
      },
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res, _next, options) => {
        const seconds = Math.ceil(options.windowMs / 1000);
        refuse(req, res, 429, `More than ${limitOf(req)} requests in ${seconds} s: retry after the number of seconds in Retry-After`);
      },
    }),
  ];
}

/**
 * Sends a refusal decided above, or forwards the caller to the service: X-Actor / X-Roles (the
 * services' input when they verify nothing) and, with a signing key, the identity token they
 * verify. Whatever the client sent under those headers, and its credentials, never reach a service.
 */
function forwardIdentity(signer: IdentitySigner | undefined): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    delete req.headers[IDENTITY_TOKEN_HEADER];
    if (!API_PATH.test(req.path)) return next();
    const outcome = outcomes.get(req);
    if (outcome?.refusal) {
      const { status, message, challenge } = outcome.refusal;
      if (challenge) res.setHeader('WWW-Authenticate', 'Bearer realm="mlops"');
      else res.setHeader('Retry-After', String(IDENTITY_PROVIDER_RETRY_AFTER_SECONDS));
      return refuse(req, res, status, message);
    }
    const context = currentContext();
    if (context && outcome?.caller) {
      context.actor = outcome.caller.actor;
      context.roles = outcome.caller.roles;
    }
    const identity = { actor: context?.actor ?? 'anonymous', roles: context?.roles ?? [] };
    req.headers[ACTOR_HEADER] = identity.actor;
    req.headers[ROLES_HEADER] = identity.roles.join(',');
    delete req.headers['authorization'];
    delete req.headers['x-api-key'];
    try {
      if (signer) req.headers[IDENTITY_TOKEN_HEADER] = await signer.sign(identity);
    } catch (error) {
      return next(error);
    }
    next();
  };
}

/** Authentication, rate limits and identity forwarding, in that order, to run before the proxies. */
export async function gatewayAuth(app: NestExpressApplication, config: GatewayConfig): Promise<RequestHandler[]> {
  let signer: IdentitySigner | undefined;
  if (config.GATEWAY_IDENTITY_SIGNING_KEY_FILE) {
    try {
      signer = await IdentitySigner.fromPem(config.GATEWAY_IDENTITY_SIGNING_KEY_FILE.pem);
    } catch (error) {
      throw new ConfigError(`Invalid configuration for gateway:\n  GATEWAY_IDENTITY_SIGNING_KEY_FILE: ${config.GATEWAY_IDENTITY_SIGNING_KEY_FILE.path} ${(error as Error).message}`);
    }
  }
  const oidc = config.GATEWAY_OIDC_ISSUER
    ? new OidcVerifier({
        issuer: config.GATEWAY_OIDC_ISSUER,
        audience: config.GATEWAY_OIDC_AUDIENCE!,
        jwksUrl: config.GATEWAY_OIDC_JWKS_URL,
        rolesClaim: config.GATEWAY_OIDC_ROLES_CLAIM,
        actorClaim: config.GATEWAY_OIDC_ACTOR_CLAIM,
      })
    : undefined;
  // Behind an ingress the client is the address its X-Forwarded-For names, for per-IP limits.
  app.set('trust proxy', config.GATEWAY_TRUSTED_PROXY_HOPS);
  return [authenticate(config, oidc), ...limitRate(config), forwardIdentity(signer)];
}
