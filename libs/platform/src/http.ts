import { json, NextFunction, Request, Response } from 'express';
import { invalidInput, preconditionFailed } from '@mlops/event-sourcing';
import { problem, sendProblem } from './problem-details';

/** Strong ETag of a stream version. */
export const etagOf = (version: number) => `"${version}"`;

/**
 * The version a PATCH is conditional on: `If-Match: "<version>"`. Undefined when the header is
 * absent or `*`; a weak or unparsable tag can never match a strong ETag, so it is a 412.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*"(\d{1,15})"\s*$/.exec(header);
  if (!match) throw preconditionFailed(`If-Match must be a strong ETag such as "3"; got ${header}`);
  return Number(match[1]);
}

/** Opaque list cursors: base64url of the last `_id` returned. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw invalidInput('cursor is not valid', [{ field: 'cursor', message: 'use next_cursor from a previous page' }]);
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Bodies are JSON only (415 otherwise); parse errors and oversized bodies become problem+json. */
export function jsonBody(limit: string) {
  const parse = json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (WRITE_METHODS.has(req.method) && hasBody && !req.is(['application/json', 'application/*+json'])) {
        return sendProblem(res, problem(415, 'Send the body as application/json'), req);
      }
      next();
    },
    parse,
    (error: Error & { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
      if (error?.type === 'entity.too.large') return sendProblem(res, problem(413, `The body exceeds ${limit}`), req);
      if (error?.type === 'entity.parse.failed') return sendProblem(res, problem(400, `Malformed JSON: ${error.message}`), req);
      if (error?.status && error.status < 500) return sendProblem(res, problem(error.status, error.message), req);
      next(error);
    },
  ];
}
