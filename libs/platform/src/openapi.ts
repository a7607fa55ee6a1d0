import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';

/**
 * The contract every service's OpenAPI document states beyond what handlers declare: operation ids
 * unique across services, integer types where validation takes integers, the problem+json answers
 * every route can give, and the ETag header on resource responses. One post-processor here instead
 * of the same decorators on every handler.
 */

export const PROBLEM_SCHEMA_NAME = 'ProblemDetails';

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: 'urn:mlops:problem:not-found' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'What was wrong with the input, field by field',
      items: {
        type: 'object',
        required: ['message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** Why a route can answer each status regardless of its own rules. */
const GENERIC_PROBLEMS: Record<number, string> = {
  400: 'Invalid input: unknown or malformed fields, parameters or JSON (problem+json lists each field)',
  401: 'Authentication is required (the gateway has API keys or OIDC configured)',
  403: 'The caller lacks the role this needs',
  404: 'No such resource',
  413: 'The request body is larger than the limit',
  412: 'If-Match does not match the current version',
  415: 'The request body is not JSON',
  429: 'Rate limit reached; retry after Retry-After seconds',
  503: 'A dependency (document store, broker) is unavailable; retry after Retry-After seconds',
};

const RETRY_AFTER = { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } };
const ETAG = {
  description: 'The resource’s stream version, quoted ("<version>"): send it back as If-Match',
  schema: { type: 'string', pattern: '^"[0-9]+"$', example: '"3"' },
};

/** Where @ApiProperty() keeps a property's options (@nestjs/swagger's API_MODEL_PROPERTIES, not exported). */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] as const;

/** `feature-store` → `FeatureStore`, the prefix that keeps operation ids unique across services. */
export const servicePrefix = (service: string) => service.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/** Operation ids as `<Service><Controller>_<method>` (two services may both have a RunsController). */
export const operationIdFactory = (service: string) => (controllerKey: string, methodKey: string) =>
  `${servicePrefix(service)}${controllerKey}_${methodKey}`;

/**
 * Properties validated with `@IsInt()` are documented as integers: class-validator's metadata is
 * the truth, so a DTO cannot take integers while its schema says `number`. Run before createDocument.
 */
export function documentIntegerProperties(): void {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, { name?: string; propertyName: string }[]> }; // eslint-disable-line @typescript-eslint/no-unsafe-function-type
  for (const [target, metadatas] of storage.validationMetadatas) {
    for (const { name, propertyName } of metadatas) {
      if (name !== 'isInt' || !target?.prototype) continue;
      const existing = Reflect.getMetadata(API_MODEL_PROPERTIES, target.prototype, propertyName) as Json | undefined;
      if (!existing || existing.type === 'integer') continue;
      Reflect.defineMetadata(API_MODEL_PROPERTIES, { ...existing, type: 'integer' }, target.prototype, propertyName);
    }
  }
}

/** Adds the problem responses each operation can give and the ETag header to resource responses. */
export function completeContract(document: OpenAPIObject): OpenAPIObject {
  const schemas = ((document.components ??= {}).schemas ??= {}) as Json;
  schemas[PROBLEM_SCHEMA_NAME] = PROBLEM_SCHEMA;
  const problemContent = { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } } };
  const resolve = (schema: Json | undefined): Json | undefined =>
    schema?.$ref ? (schemas[String(schema.$ref).split('/').pop()!] as Json | undefined) : schema;
  const isResource = (schema: Json | undefined) => {
    const properties = resolve(schema)?.properties as Json | undefined;
    return !!properties && 'version' in properties && !('items' in properties);
  };

  for (const item of Object.values(document.paths) as Json[]) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const parameters = [...((item.parameters as Json[]) ?? []), ...((operation.parameters as Json[]) ?? [])];
      const statuses = [401, 403, 429, 503];
      if (parameters.length || operation.requestBody) statuses.push(400);
      if (parameters.some((p) => p.in === 'path')) statuses.push(404);
      if (operation.requestBody) statuses.push(413, 415);
      if (parameters.some((p) => p.in === 'header' && String(p.name).toLowerCase() === 'if-match')) statuses.push(412);
      const responses = (operation.responses ??= {}) as Json;
      for (const status of statuses) responses[status] ??= { description: GENERIC_PROBLEMS[status] };
      for (const [status, response] of Object.entries(responses) as [string, Json][]) {
        const code = Number(status);
        if (code >= 400) {
          response.content = problemContent;
          if (code === 429 || code === 503) response.headers = { ...response.headers, 'Retry-After': RETRY_AFTER };
        } else if (code >= 200 && code < 300 && isResource(response.content?.['application/json']?.schema as Json | undefined)) {
          response.headers = { ...response.headers, ETag: ETAG };
        }
      }
    }
  }
  return document;
}
