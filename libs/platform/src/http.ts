import { json, NextFunction, Request, RequestHandler, Response } from 'express';
import { preconditionFailed } from '@mlops/event-sourcing';
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

/** Cursors are encoded and decoded where pages are read (libs/event-sourcing); the names stay importable from here. */
export { decodeCursor, encodeCursor } from '@mlops/event-sourcing';

/**
 * Middleware run one after another as one Express layer: the same order, and an error (`next(error)`,
 * a throw, a rejected promise) ends the run and goes on to Express's error handling as it would from
 * separate `app.use` layers, without the router's dispatch for each step of every request.
 */
export function serially(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let index = 0;
    const step = (error?: unknown) => {
      if (error) return next(error);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) result.then(undefined, (rejection: unknown) => next(rejection || new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Deeper bodies are refused: class-transformer and class-validator recurse (10,000 levels overflow the stack). */
export const MAX_JSON_DEPTH = 64;

/** Why a text cannot be stored: PostgreSQL (under FerretDB) refuses NUL, and UTF-8 cannot carry a lone surrogate. */
function unstorableText(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return 'contains an unpaired UTF-16 surrogate';
  return null;
}

/**
 * The first place a parsed JSON value nests deeper than `maxDepth` or holds text no store can keep,
 * as a problem+json error naming the field (`config.a.b`, `items.3.name`); null when it is fine.
 * Iterative, so the check itself cannot overflow the stack.
 */
export function unacceptableJson(value: unknown, maxDepth = MAX_JSON_DEPTH, root = ''): { field: string; message: string } | null {
  interface Node { value: unknown; key: string; parent: Node | null; depth: number }
  const fieldOf = (node: Node) => {
    const keys: string[] = [];
    for (let n: Node | null = node; n && n.parent; n = n.parent) keys.unshift(n.key);
    return [root, ...keys].filter(Boolean).join('.') || '(body)';
  };
  const stack: Node[] = [{ value, key: '', parent: null, depth: 0 }];
  while (stack.length) {
    const node = stack.pop()!;
    if (typeof node.value === 'string') {
      const problem = unstorableText(node.value);
      if (problem) return { field: fieldOf(node), message: problem };
    } else if (node.value !== null && typeof node.value === 'object') {
      if (node.depth >= maxDepth) return { field: fieldOf(node), message: `nests deeper than ${maxDepth} levels` };
      for (const [key, child] of Object.entries(node.value)) {
        const problem = unstorableText(key);
        if (problem) return { field: fieldOf(node), message: `has a key that ${problem}` };
        stack.push({ value: child, key, parent: node, depth: node.depth + 1 });
      }
    }
  }
  return null;
}

/** Paths whose handlers read the request body as a stream themselves (file uploads): JSON parsing leaves them alone. */
const streamedBodyPaths: RegExp[] = [];
export const streamBodiesOf = (path: RegExp) => void streamedBodyPaths.push(path);
const isStreamed = (req: Request) => streamedBodyPaths.some((path) => path.test(req.path));

/**
 * Bodies are JSON only (415 otherwise); parse errors, oversized bodies, bodies nested too deep and
 * text no store can keep (NUL, lone surrogates; in the query too) become problem+json before any handler.
 */
export function jsonBody(limit: string) {
  const parse = json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      if (isStreamed(req)) return next();
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (WRITE_METHODS.has(req.method) && hasBody && !req.is(['application/json', 'application/*+json'])) {
        return sendProblem(res, problem(415, 'Send the body as application/json'), req);
      }
      next();
    },
    (req: Request, res: Response, next: NextFunction) => (isStreamed(req) ? next() : parse(req, res, next)),
    (req: Request, res: Response, next: NextFunction) => {
      if (isStreamed(req)) return next();
      const error = unacceptableJson(req.body) ?? unacceptableJson(req.query, MAX_JSON_DEPTH, 'query');
      if (error) return sendProblem(res, problem(400, `${error.field} ${error.message}`, [error]), req);
      next();
    },
    (error: Error & { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
      if (error?.type === 'entity.too.large') return sendProblem(res, problem(413, `The body exceeds ${limit}`), req);
      if (error?.type === 'entity.parse.failed') return sendProblem(res, problem(400, `Malformed JSON: ${error.message}`), req);
      if (error?.status && error.status < 500) return sendProblem(res, problem(error.status, error.message), req);
      next(error);
    },
  ];
}
