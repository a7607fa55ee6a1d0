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
  409: ['conflict', 'The request conflicts with the current state'],
  412: ['precondition-failed', 'The resource changed since the given version'],
  413: ['payload-too-large', 'The request body is too large'],
  415: ['unsupported-media-type', 'The request body must be JSON'],
  422: ['invalid-state-transition', 'The request is not allowed in the resource’s current state'],
  428: ['precondition-required', 'The request must be conditional'],
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

export function toProblem(exception: unknown): ProblemDetails {
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
    sendProblem(http.getResponse<Response>(), details, http.getRequest<Request>());
  }
}
