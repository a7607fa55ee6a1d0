import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, DomainErrorKind } from '@mlops/event-sourcing';

/** RFC 9457 problem details; `errors` lists what was wrong with the input, field by field. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { field?: string; message: string }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['invalid-request', 'The request is invalid'],
  401: ['unauthenticated', 'Authentication is required'],
  403: ['forbidden', 'The caller may not do this'],
  404: ['not-found', 'The resource does not exist'],
  405: ['method-not-allowed', 'The method is not allowed on this resource'],
  408: ['request-timeout', 'The request did not arrive in time'],
  409: ['conflict', 'The request conflicts with the current state'],
  412: ['precondition-failed', 'The resource changed since the given version'],
  413: ['payload-too-large', 'The request body is too large'],
  414: ['uri-too-long', 'The request target is too long'],
  415: ['unsupported-media-type', 'The request body must be JSON'],
  422: ['invalid-state-transition', 'The request is not allowed in the resource’s current state'],
  428: ['precondition-required', 'The request must be conditional'],
  431: ['request-header-fields-too-large', 'The request headers are too large'],
  500: ['internal-error', 'Internal server error'],
  502: ['bad-gateway', 'The upstream service is unavailable'],
  503: ['unavailable', 'The service is unavailable'],
  504: ['gateway-timeout', 'The upstream service did not answer in time'],
};

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  invalid_state: 422,
};

export function problem(status: number, detail?: string, errors?: ProblemDetails['errors']): ProblemDetails {
  const [slug, title] = TITLES[status] ?? [`http-${status}`, HttpStatus[status] ?? 'Error'];
  return {
    type: `urn:mlops:problem:${slug}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    ...(errors?.length ? { errors } : {}),
  };
}

export function sendProblem(res: Response, details: ProblemDetails, req?: Request): void {
  if (res.headersSent) return;
  res
    .status(details.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify({ ...details, ...(req ? { instance: req.originalUrl } : {}) }));
}

/** Thrown by the validation pipe: a 400 that lists every invalid field. */
export class ValidationProblem extends HttpException {
  constructor(readonly errors: { field?: string; message: string }[]) {
    super('The request body or query is invalid', 400);
  }
}

/** The driver's errors that say the store cannot be reached now — not that the request is wrong. */
const STORE_UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoClientClosedError',
]);
/** Server codes of a node shutting down or stepping down: the same request succeeds once it is back. */
const STORE_STEPPING_DOWN = new Set([91, 189, 10107, 11600, 11602, 13435, 13436]);

/** Seconds a client should wait before retrying a 503 from a store outage. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** Whether an error (or one it wraps as `cause`) means the document store is unavailable. */
export function isStoreUnavailable(exception: unknown): boolean {
  for (let error = exception, hops = 0; error instanceof Error && hops < 5; error = error.cause, hops++) {
    if (STORE_UNREACHABLE.has(error.name)) return true;
    const code = (error as { code?: unknown }).code;
    if (error.name.startsWith('Mongo') && typeof code === 'number' && STORE_STEPPING_DOWN.has(code)) return true;
  }
  return false;
}

export function toProblem(exception: unknown): ProblemDetails {
  if (isStoreUnavailable(exception)) return problem(503, 'The document store cannot be reached right now; retry shortly.');
  if (exception instanceof DomainError) {
    return problem(STATUS_BY_KIND[exception.kind], exception.message, exception.details);
  }
  if (exception instanceof ValidationProblem) return problem(400, exception.message, exception.errors);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const detail =
      typeof response === 'string'
        ? response
        : Array.isArray((response as { message?: unknown }).message)
          ? ((response as { message: string[] }).message).join('; ')
          : String((response as { message?: unknown }).message ?? exception.message);
    return problem(status, detail);
  }
  return problem(500, 'An unexpected error occurred; it has been logged with the correlation id.');
}

/** The one exception filter: everything leaves as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const details = toProblem(exception);
    if (details.status >= 500) this.logger.error({ err: exception }, 'request failed');
    const res = http.getResponse<Response>();
    if (details.status === 503 && !res.headersSent) res.setHeader('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
    sendProblem(res, details, http.getRequest<Request>());
  }
}
