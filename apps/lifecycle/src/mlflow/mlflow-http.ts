import {
  applyDecorators,
  CallHandler,
  Controller,
  createParamDecorator,
  Delete,
  ExecutionContext,
  Get,
  HttpCode,
  Inject,
  Injectable,
  NestInterceptor,
  Patch,
  Post,
  Type,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { map, Observable } from 'rxjs';
import { z } from 'zod';
import { mlflowInvalid, MlflowExceptionFilter } from './mlflow-errors';

/** The prefixes MLflow serves its tracking/registry API under: the client uses the first, the MLflow UI the second. */
export const MLFLOW_API_PREFIXES = ['api/2.0/mlflow', 'ajax-api/2.0/mlflow'];
/** The artifact proxy's prefixes. */
export const MLFLOW_ARTIFACTS_PREFIXES = ['api/2.0/mlflow-artifacts', 'ajax-api/2.0/mlflow-artifacts'];

/** A 200 from MLflow is always a JSON object, `{}` at least. */
@Injectable()
export class MlflowObjectInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((body) => (body === undefined || body === null ? {} : body)));
  }
}

/**
 * An MLflow controller: served under both MLflow prefixes (or `prefixes`), kept out of our OpenAPI
 * document (MLflow has its own spec), errors as `{"error_code","message"}`, answers always objects.
 */
export const MlflowController = (path = '', prefixes: readonly string[] = MLFLOW_API_PREFIXES) =>
  applyDecorators(
    Controller(prefixes.map((prefix) => (path ? `${prefix}/${path}` : prefix))),
    ApiExcludeController(),
    UseFilters(MlflowExceptionFilter),
    UseInterceptors(MlflowObjectInterceptor),
  );

const describe = (error: z.ZodError) =>
  error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');

/** Parses an MLflow request's parameters with a schema; what does not fit is INVALID_PARAMETER_VALUE. */
export function parseMlflowRequest<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw mlflowInvalid(describe(parsed.error));
  return parsed.data;
}

/**
 * Where MLflow puts a call's parameters: the query string for GET, the JSON body for every other
 * method; a path's own parameters (`logged-models/:model_id`) join them.
 */
export function mlflowParamsOf(req: Request): unknown {
  const params = req.method === 'GET' || req.method === 'HEAD' ? req.query : req.body;
  const path = req.params ?? {};
  if (!Object.keys(path).length) return params;
  return params !== null && typeof params === 'object' && !Array.isArray(params) ? { ...params, ...path } : { ...path };
}

/**
 * The request's parameters parsed with `schema`. GET values arrive as strings (use `mlflowInt`,
 * `mlflowBool`); unknown fields are dropped, as MLflow's own server ignores them.
 */
const MlflowRequest = (schema: z.ZodType) => mlflowRequestParam({ requestSchema: schema });
// Wrapped under a key of our own: Nest takes a bare zod schema (it has `transform`) for a pipe, and `{ schema }` for its own options.
const mlflowRequestParam = createParamDecorator(({ requestSchema }: { requestSchema: z.ZodType }, context: ExecutionContext) =>
  parseMlflowRequest(requestSchema, mlflowParamsOf(context.switchToHttp().getRequest<Request>())),
);

/** An integer that may arrive as a JSON number or, in a query string or as a proto int64, as a string. */
export const mlflowInt = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).pipe(z.number().int());
/** A boolean that may arrive as `true` or, in a query string, as `"true"`. */
export const mlflowBool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
/** A string id; the client sends ids as strings but tolerate numbers. */
export const mlflowId = z.union([z.string(), z.number().transform(String)]).pipe(z.string().min(1));

/** MLflow's paging: `max_results` with a ceiling and an opaque `page_token`. */
export const mlflowMaxResults = (fallback: number, ceiling: number) =>
  mlflowInt
    .optional()
    .transform((value) => value ?? fallback)
    .refine((value) => value >= 1 && value <= ceiling, { message: `max_results must be between 1 and ${ceiling}` });

/** Opaque page tokens: base64url of a JSON object the caller never needs to read. */
export function encodePageToken(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodePageToken<T extends Record<string, unknown>>(token: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!token) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: not JSON
  }
  throw mlflowInvalid(`Invalid page token ${JSON.stringify(token)}: use next_page_token from a previous page`);
}

/** MLflow's times are epoch milliseconds; ours ISO-8601 UTC. */
export const toEpochMs = (iso: string | undefined | null): number | undefined => (iso ? Date.parse(iso) : undefined);
export const fromEpochMs = (ms: number): string => new Date(ms).toISOString();

const VERBS = { GET: Get, POST: Post, PATCH: Patch, DELETE: Delete } as const;

/** One MLflow call: its method and path, the request it parses, and what it asks of the facade's service. */
export interface MlflowCall<Service> {
  method: keyof typeof VERBS;
  path: string;
  request: z.ZodType;
  handle: (service: Service, request: any) => unknown;
}

/** Declares calls on `Service`, each handler typed by its request schema. */
export const mlflowCalls =
  <Service>() =>
  <S extends z.ZodType>(method: keyof typeof VERBS, path: string, request: S, handle: (service: Service, request: z.infer<S>) => unknown): MlflowCall<Service> => ({
    method,
    path,
    request,
    handle,
  });

/**
 * An MLflow controller from its table of calls: each call a route (200 on success, whatever the
 * method) whose parsed request goes to one method of the facade's `service` — the controller holds
 * nothing else, so the table is the whole of it.
 */
export function mlflowController<Service>(name: string, service: Type<Service>, calls: MlflowCall<Service>[], path = '', prefixes: readonly string[] = MLFLOW_API_PREFIXES): Type<unknown> {
  class CallTable {
    constructor(readonly service: Service) {}
  }
  Object.defineProperty(CallTable, 'name', { value: name });
  Inject(service)(CallTable, undefined as never, 0);
  for (const call of calls) {
    // Named after the call, as Nest names handlers in its route log.
    const handler = `${call.method} ${call.path}`;
    Object.defineProperty(CallTable.prototype, handler, {
      value(this: CallTable, request: unknown) {
        return call.handle(this.service, request);
      },
      writable: true,
      configurable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(CallTable.prototype, handler)!;
    // MLflow answers 200 to every successful call, POST included.
    applyDecorators(VERBS[call.method](call.path), HttpCode(200))(CallTable.prototype, handler, descriptor);
    MlflowRequest(call.request)(CallTable.prototype, handler, 0);
  }
  MlflowController(path, prefixes)(CallTable);
  return CallTable;
}

