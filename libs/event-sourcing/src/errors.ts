/**
 * Errors a decider or the event store raises. They carry no HTTP: libs/platform maps each kind to
 * its RFC 9457 status (not_found 404, conflict 409, precondition_failed 412, invalid_state 422,
 * invalid_input 400, forbidden 403).
 */
export type DomainErrorKind =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'invalid_state'
  | 'forbidden';

export interface DomainErrorDetail {
  field?: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: DomainErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string) => new DomainError('not_found', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const invalidState = (message: string, details: DomainErrorDetail[] = []) =>
  new DomainError('invalid_state', message, details);
export const invalidInput = (message: string, details: DomainErrorDetail[] = []) =>
  new DomainError('invalid_input', message, details);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const preconditionFailed = (message: string) => new DomainError('precondition_failed', message);

/** Another command appended to the stream first (E11000 on `{stream_id, version}`). */
export class ConcurrencyError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super('conflict', `Stream ${streamId} changed concurrently (expected version ${expectedVersion}); retry with the current state`);
    this.name = 'ConcurrencyError';
  }
}
