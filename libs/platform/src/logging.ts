import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import pino, { DestinationStream, Logger } from 'pino';
import { currentContext } from './request-context';

/**
 * Where log lines go by default: stdout, each line written whole as it is logged. An asynchronous
 * destination measured no cheaper per request here (the access line is written after the answer
 * has left), and its partial writes to a full pipe could interleave with other writes to stdout.
 */
export const stdoutDestination = (): DestinationStream => pino.destination({ dest: 1, sync: true });

/** JSON logs on stdout; every line inside a request carries its correlation id. */
export function createLogger(service: string, level: string, destination: DestinationStream = stdoutDestination()): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const context = currentContext();
        return context ? { correlation_id: context.correlationId, actor: context.actor } : {};
      },
    },
    destination,
  );
}

/** Probes and scrapes are too frequent to be worth a line each. */
const UNLOGGED_PATH = /^\/(health|metrics)/;

/**
 * The access log: one line per request once its answer is sent or its connection closes first
 * (`req` {method, url}, `res` {status}, `responseTime` ms), at error level with `err` for a 5xx or
 * a failed response. The fields pino-http wrote, built without a child logger per request.
 */
export function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const logged = !UNLOGGED_PATH.test(req.url);
    const started = Date.now();
    const request = { method: req.method, url: req.originalUrl ?? req.url };
    const complete = (error?: Error) => {
      res.removeListener('close', complete);
      res.removeListener('finish', complete);
      res.removeListener('error', complete);
      const responseTime = Date.now() - started;
      const status = res.statusCode;
      if (error || status >= 500) {
        const err = error ?? new Error(`failed with status code ${status}`);
        logger.error({ req: request, res: { status }, err, responseTime }, 'request errored');
      } else {
        logger.info({ req: request, res: { status }, responseTime }, 'request completed');
      }
    };
    if (logged) {
      res.on('close', complete);
      res.on('finish', complete);
    }
    res.on('error', complete);
    next();
  };
}

/** Routes NestJS's own log lines through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
