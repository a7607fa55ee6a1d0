import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { CORRELATION_HEADER, ForwardedHeadLimits, problem, sendProblem } from '@mlops/platform';
import type { Upstream } from './config';

/**
 * What the gateway forwards (a longer target is a 414, larger headers a 431, both problem+json).
 * It parses more than that, so those answers are ordinary ones; the services parse far more still,
 * so whatever is forwarded is parsed whole behind it.
 */
export const FORWARDED_HEAD_LIMITS: ForwardedHeadLimits = { maxUrlBytes: 16 * 1024, maxHeaderBytes: 32 * 1024 };
export const GATEWAY_PARSED_HEAD_BYTES = 64 * 1024;

/** Kept-alive connections to the services, one pool per scheme (no TCP handshake per request). */
export interface UpstreamAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export function upstreamAgents(): UpstreamAgents {
  return { http: new HttpAgent({ keepAlive: true, maxSockets: 256 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }) };
}

/** Headers of one connection, not of the message (RFC 9110 §7.6.1): never forwarded either way. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** One prefix the gateway forwards, resolved once at start-up rather than per request. */
interface Route {
  prefix: string;
  /** The metrics label of requests under it (proxied requests have no Nest route). */
  label: string;
  upstream: Upstream;
  target: URL;
  send: typeof httpRequest;
  agent: HttpAgent;
}

class UpstreamTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

function routesOf(upstreams: readonly Upstream[], agents: UpstreamAgents): Route[] {
  return upstreams.flatMap((upstream) => {
    const target = new URL(upstream.url);
    const https = target.protocol === 'https:';
    return [upstream.prefix, ...(upstream.aliases ?? [])].map((prefix) => ({
      prefix,
      label: `${prefix}/*`,
      upstream,
      target,
      send: https ? (httpsRequest as typeof httpRequest) : httpRequest,
      agent: https ? agents.https : agents.http,
    }));
  });
}

const routeOf = (routes: readonly Route[], path: string) =>
  routes.find(({ prefix }) => path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47 /* / */));

/** The request's headers as the service gets them: its own Host, X-Forwarded-*, the correlation id. */
function forwardedHeaders(req: Request, res: Response, target: URL): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const incoming: IncomingHttpHeaders = req.headers;
  for (const name in incoming) if (!HOP_BY_HOP.has(name)) headers[name] = incoming[name];
  headers.host = target.host;
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const append = (name: string, value: string) => (headers[name] = incoming[name] ? `${String(incoming[name])},${value}` : value);
  append('x-forwarded-for', req.socket.remoteAddress ?? '');
  append('x-forwarded-port', String(req.socket.localPort ?? ''));
  append('x-forwarded-proto', encrypted ? 'https' : 'http');
  headers['x-forwarded-host'] = incoming['x-forwarded-host'] ?? incoming.host ?? '';
  const correlationId = res.getHeader(CORRELATION_HEADER);
  if (correlationId) headers[CORRELATION_HEADER] = String(correlationId);
  return headers;
}

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';

/** The service's answer headers minus its connection's, names as the service spelled them. */
function answerHeaders(upstream: IncomingMessage): string[] {
  const raw = upstream.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) kept.push(raw[i], raw[i + 1]);
  return kept;
}

/**
 * Streams requests under each upstream's prefixes to it, path and body unchanged, over kept-alive
 * connections; 502 problem+json when the service cannot be reached, 504 when it stays silent for
 * `timeoutMs`. One middleware for every upstream, on Node's own HTTP client.
 */
export function proxyTo(upstreams: readonly Upstream[], timeoutMs: number, agents: UpstreamAgents, logger: Logger): RequestHandler {
  const routes = routesOf(upstreams, agents);
  return (req: Request, res: Response, next: NextFunction) => {
    const route = routeOf(routes, req.path);
    if (!route) return next();
    res.locals.routeLabel = route.label;
    const { upstream, target } = route;
    const outgoing = route.send({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.originalUrl,
      headers: forwardedHeaders(req, res, target),
      agent: route.agent,
    });
    const fail = (error: NodeJS.ErrnoException) => {
      if (res.destroyed) return; // the caller left first: nobody to answer
      logger.warn({ err: error, upstream: upstream.name }, 'upstream request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendProblem(
        res,
        error instanceof UpstreamTimeout
          ? problem(504, `${upstream.name} did not answer within ${timeoutMs} ms`)
          : problem(502, `${upstream.name} is unavailable (${error.code || error.message})`),
        req,
      );
    };
    // Idle time on the connection, as a reverse proxy's read timeout is.
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new UpstreamTimeout(`no answer within ${timeoutMs} ms`)));
    outgoing.once('error', fail);
    outgoing.once('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answerHeaders(answer));
      answer.pipe(res);
      // An answer cut off mid-body is cut off for the caller too, never passed on as complete.
      answer.once('error', () => res.destroy());
      answer.once('close', () => {
        if (!answer.complete) res.destroy();
      });
    });
    // A caller that goes away takes its upstream request with it.
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.once('error', () => outgoing.destroy());
    // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 §6.3): nothing to stream.
    if (hasBody(req)) req.pipe(outgoing);
    else outgoing.end();
  };
}
