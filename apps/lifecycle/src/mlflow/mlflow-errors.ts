import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { ConcurrencyError, DomainError } from '@mlops/event-sourcing';
import { isStoreUnavailable, LOGGER, STORE_RETRY_AFTER_SECONDS, ValidationProblem } from '@mlops/platform';

/** MLflow's error codes (mlflow/protos/databricks.proto) and the HTTP status MLflow answers each with. */
export const MLFLOW_ERROR_STATUS = {
  BAD_REQUEST: 400,
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;

export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS;

/** An error as the MLflow client expects it: `{"error_code", "message"}` with the code's status. */
export class MlflowError extends Error {
  constructor(
    readonly code: MlflowErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MlflowError';
  }

  get status(): number {
    return MLFLOW_ERROR_STATUS[this.code];
  }
}

export const mlflowNotFound = (message: string) => new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
export const mlflowInvalid = (message: string) => new MlflowError('INVALID_PARAMETER_VALUE', message);

const withDetails = (message: string, details: { field?: string; message: string }[]) =>
  details.length ? `${message}: ${details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join('; ')}` : message;

/**
 * Our own errors in MLflow's terms: a duplicate is RESOURCE_ALREADY_EXISTS (400, as MLflow answers),
 * a lost race ABORTED, a refused transition INVALID_PARAMETER_VALUE naming why.
 */
export function toMlflowError(exception: unknown): MlflowError {
  if (exception instanceof MlflowError) return exception;
  if (isStoreUnavailable(exception)) return new MlflowError('TEMPORARILY_UNAVAILABLE', 'The document store cannot be reached right now; retry shortly.');
  if (exception instanceof ConcurrencyError) return new MlflowError('ABORTED', exception.message);
  if (exception instanceof DomainError) {
    const message = withDetails(exception.message, exception.details);
    switch (exception.kind) {
      case 'not_found':
        return new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
      case 'conflict':
        return new MlflowError('RESOURCE_ALREADY_EXISTS', message);
      case 'precondition_failed':
        return new MlflowError('RESOURCE_CONFLICT', message);
      case 'forbidden':
        return new MlflowError('PERMISSION_DENIED', message);
      case 'invalid_state':
      case 'invalid_input':
        return new MlflowError('INVALID_PARAMETER_VALUE', message);
    }
  }
  if (exception instanceof ValidationProblem) return new MlflowError('INVALID_PARAMETER_VALUE', withDetails(exception.message, exception.errors));
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code: MlflowErrorCode =
      status === 404 ? 'ENDPOINT_NOT_FOUND'
      : status === 401 ? 'UNAUTHENTICATED'
      : status === 403 ? 'PERMISSION_DENIED'
      : status === 503 ? 'TEMPORARILY_UNAVAILABLE'
      : status >= 500 ? 'INTERNAL_ERROR'
      : 'BAD_REQUEST';
    return new MlflowError(code, exception.message);
  }
  return new MlflowError('INTERNAL_ERROR', 'An unexpected error occurred; it has been logged with the correlation id.');
}

/** The exception filter of every MLflow controller (in place of problem+json, which the MLflow client cannot read). */
@Catch()
export class MlflowExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const error = toMlflowError(exception);
    if (error.code === 'INTERNAL_ERROR') this.logger.error({ err: exception }, 'MLflow request failed');
    if (error.code === 'TEMPORARILY_UNAVAILABLE') res.setHeader('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
    res.status(error.status).json({ error_code: error.code, message: error.message });
  }
}
