import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_SCHEMA_NAME } from '@mlops/platform';
import type { Upstream } from './config';

type Schemas = Record<string, unknown>;

const GATEWAY_PROBLEM = { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } } };

/**
 * One OpenAPI document for the whole REST surface, merged from each service's /openapi.json.
 * Paths are identical through the gateway, so they merge as they are; a schema name two services
 * both define differently is prefixed with the service name.
 */
@Injectable()
export class OpenApiMerger {
  private cached?: { at: number; document: OpenAPIObject };

  constructor(
    private readonly upstreams: Upstream[],
    private readonly cacheMs: number,
    private readonly timeoutMs: number,
  ) {}

  async document(): Promise<OpenAPIObject> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.document;
    const fetched = await Promise.all(this.upstreams.map((upstream) => this.fetchDocument(upstream)));
    const merged: OpenAPIObject = {
      openapi: '3.0.0',
      info: {
        title: 'MLOps Control Plane API',
        version: '1.0.0',
        description:
          'Feature Store, Model Lifecycle, Evaluation Harness and Prompt Governance behind one gateway. ' +
          'Errors are RFC 9457 application/problem+json; resources carry ETag: "<version>"; PATCH honours If-Match.',
      },
      servers: [{ url: '/' }],
      tags: [],
      paths: {},
      components: {
        schemas: {},
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key (when the gateway has keys configured)' },
          actor: { type: 'apiKey', in: 'header', name: 'X-Actor', description: 'Caller identity in development mode' },
        },
      },
      security: [{ bearer: [] }, { actor: [] }],
    };
    const unavailable: string[] = [];
    for (const [index, upstream] of this.upstreams.entries()) {
      const document = fetched[index];
      if (!document) {
        unavailable.push(upstream.name);
        continue;
      }
      this.mergeInto(merged, document, upstream.name);
    }
    if (unavailable.length) (merged.info as unknown as Record<string, unknown>)['x-unavailable-services'] = unavailable;
    // A document missing a service is not kept: the next request asks again.
    if (!unavailable.length) this.cached = { at: Date.now(), document: merged };
    return merged;
  }

  private mergeInto(target: OpenAPIObject, source: OpenAPIObject, service: string): void {
    const targetSchemas = target.components!.schemas as Schemas;
    const renames = new Map<string, string>();
    for (const [name, schema] of Object.entries((source.components?.schemas ?? {}) as Schemas)) {
      const existing = targetSchemas[name];
      if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) renames.set(name, `${pascal(service)}${name}`);
    }
    const rewrite = <T>(value: T): T => {
      if (!renames.size) return value;
      let text = JSON.stringify(value);
      for (const [from, to] of renames) text = text.split(`"#/components/schemas/${from}"`).join(`"#/components/schemas/${to}"`);
      return JSON.parse(text) as T;
    };
    for (const [name, schema] of Object.entries((source.components?.schemas ?? {}) as Schemas)) {
      targetSchemas[renames.get(name) ?? name] = rewrite(schema);
    }
    const paths = rewrite(source.paths);
    for (const item of Object.values(paths) as Record<string, { responses?: Record<string, unknown> }>[]) {
      for (const operation of Object.values(item)) {
        if (!operation?.responses) continue;
        // The gateway's own answers when the service behind a route is down or too slow.
        operation.responses['502'] ??= { description: `The ${service} service is unavailable`, content: GATEWAY_PROBLEM };
        operation.responses['504'] ??= { description: `The ${service} service did not answer in time`, content: GATEWAY_PROBLEM };
        // What the gateway will not forward (libs/platform request-heads.ts), whatever the route.
        operation.responses['414'] ??= { description: 'The request target is longer than the gateway forwards', content: GATEWAY_PROBLEM };
        operation.responses['431'] ??= { description: 'The request headers are larger than the gateway forwards', content: GATEWAY_PROBLEM };
      }
    }
    Object.assign(target.paths, paths);
    for (const tag of source.tags ?? []) {
      if (!target.tags!.some((t) => t.name === tag.name)) target.tags!.push(tag);
    }
  }

  private async fetchDocument(upstream: Upstream): Promise<OpenAPIObject | null> {
    try {
      const response = await fetch(new URL('/openapi.json', upstream.url), { signal: AbortSignal.timeout(this.timeoutMs) });
      return response.ok ? ((await response.json()) as OpenAPIObject) : null;
    } catch {
      return null;
    }
  }
}

const pascal = (kebab: string) => kebab.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
