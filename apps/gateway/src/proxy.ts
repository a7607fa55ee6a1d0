import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
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

const started = new WeakMap<object, number>();

/** Streams requests under the upstream's prefix to it, path unchanged; 502/504 problem+json on failure. */
export function proxyTo(upstream: Upstream, timeoutMs: number, agent: Agent, logger: Logger) {
  return createProxyMiddleware<Request, ServerResponse>({
    target: upstream.url,
    agent,
    changeOrigin: true,
    xfwd: true,
    proxyTimeout: timeoutMs,
    pathFilter: (path, req) => {
      const prefix = [upstream.prefix, ...(upstream.aliases ?? [])].find((p) => path === p || path.startsWith(`${p}/`));
      // Proxied requests have no Nest route: label their latency by the prefix they went through.
      if (prefix && req.res) req.res.locals.routeLabel = `${prefix}/*`;
      return prefix !== undefined;
    },
    on: {
      proxyReq: (proxyReq, req) => {
        started.set(req, Date.now());
        const correlationId = (req as IncomingMessage & { res?: ServerResponse }).res?.getHeader(CORRELATION_HEADER);
        if (correlationId) proxyReq.setHeader(CORRELATION_HEADER, String(correlationId));
      },
      error: (error, req, res) => {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        // http-proxy reports its own timeout as a reset; the elapsed time tells the two apart.
        const timedOut = Date.now() - (started.get(req) ?? Date.now()) >= timeoutMs - 50 || code === 'ETIMEDOUT';
        logger.warn({ err: error, upstream: upstream.name }, 'upstream request failed');
        const response = res as ServerResponse;
        if (!('status' in response) || response.headersSent) {
          response.destroy?.();
          return;
        }
        sendProblem(
          response as never,
          timedOut
            ? problem(504, `${upstream.name} did not answer within ${timeoutMs} ms`)
            : problem(502, `${upstream.name} is unavailable (${code || error.message})`),
          req as Request,
        );
      },
    },
  });
}
