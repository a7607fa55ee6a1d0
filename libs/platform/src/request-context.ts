import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { canonicalActor } from './identity';
import { IdentityRejected, IdentityVerifier, IDENTITY_TOKEN_HEADER } from './identity-token';
import { problem, sendProblem } from './problem-details';

export const CORRELATION_HEADER = 'x-correlation-id';
export const ACTOR_HEADER = 'x-actor';
export const ROLES_HEADER = 'x-roles';

export interface RequestContext {
  correlationId: string;
  actor: string;
  roles: string[];
  /** `Prefer: respond-async` (RFC 7240): answer 202 after the append without waiting for the read model. */
  respondAsync: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

const SAFE_ID = /^[A-Za-z0-9._:@/-]{1,128}$/;

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Who, when and why for a command, from the request that carries it. */
export function commandMetadata(now = new Date()) {
  const context = storage.getStore();
  return {
    actor: context?.actor ?? 'system',
    correlationId: context?.correlationId ?? randomUUID(),
    now,
  };
}

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * The caller as every command records and compares it: canonical from the moment it enters (the
 * gateway's and each service's request context), so `EVE`, `eve ` and fullwidth `ｅｖｅ` are one
 * person. The header is read as UTF-8 (Node hands header bytes over as Latin-1).
 */
function actorOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (ASCII.test(header)) return canonicalActor(header); // the same bytes in Latin-1 and UTF-8
  const utf8 = Buffer.from(header, 'latin1').toString('utf8');
  return canonicalActor(utf8.includes('\uFFFD') ? header : utf8);
}

const ASCII = /^[\x00-\x7f]*$/;

/** Reads (or starts) the correlation id and the caller, and echoes the correlation id back. */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header(CORRELATION_HEADER);
  const correlationId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  const actor = actorOf(req.header(ACTOR_HEADER));
  const roles = req.header(ROLES_HEADER);
  const context: RequestContext = {
    correlationId,
    actor: actor && SAFE_ID.test(actor) ? actor : 'anonymous',
    roles: roles
      ? roles
          .split(',')
          .map((role) => role.trim())
          .filter((role) => SAFE_ID.test(role))
      : [],
    respondAsync: /(^|[\s,;])respond-async($|[\s,;])/i.test(req.header('prefer') ?? ''),
  };
  res.setHeader(CORRELATION_HEADER, correlationId);
  storage.run(context, next);
}

/** Probes, metrics and the OpenAPI document the gateway merges carry no caller and stay open. */
const UNAUTHENTICATED_PATH = /^\/(health(\/.*)?|metrics|openapi\.json)$/;

/**
 * With identity verification configured, the caller is whoever the gateway's signed identity token
 * says (401 without a valid one) and X-Actor / X-Roles are ignored; runs after requestContextMiddleware.
 */
export function identityVerification(verifier: IdentityVerifier) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (UNAUTHENTICATED_PATH.test(req.path)) return next();
    const context = storage.getStore();
    verifier.verify(req.header(IDENTITY_TOKEN_HEADER)).then(
      (identity) => {
        if (context) {
          context.actor = canonicalActor(identity.actor);
          context.roles = identity.roles;
        }
        next();
      },
      (error: unknown) => {
        if (!(error instanceof IdentityRejected)) return next(error);
        res.setHeader('WWW-Authenticate', 'Bearer realm="mlops-gateway"');
        sendProblem(res, problem(401, error.message), req);
      },
    );
  };
}
