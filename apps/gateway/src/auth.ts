import type { NextFunction, Request, Response } from 'express';
import { ACTOR_HEADER, currentContext, problem, ROLES_HEADER, sendProblem } from '@mlops/platform';
import { GatewayConfig, identify } from './config';

/**
 * With API keys configured, the caller is who the key says (401 without a valid key) and any
 * X-Actor / X-Roles the client sent are replaced. Without keys (local development) X-Actor is
 * taken as given. Either way the services receive X-Actor, which becomes every event's `actor`.
 */
export function authenticate(config: GatewayConfig) {
  const keys = config.GATEWAY_API_KEYS;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/api/')) return next();
    const context = currentContext();
    if (keys.length > 0) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
      const identity = identify(keys, bearer ?? req.header('x-api-key') ?? '');
      if (!identity) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        return sendProblem(res, problem(401, 'Send a valid API key as Authorization: Bearer <key>'), req);
      }
      if (context) {
        context.actor = identity.actor;
        context.roles = identity.roles;
      }
    }
    req.headers[ACTOR_HEADER] = context?.actor ?? 'anonymous';
    req.headers[ROLES_HEADER] = (context?.roles ?? []).join(',');
    delete req.headers['authorization'];
    delete req.headers['x-api-key'];
    next();
  };
}
