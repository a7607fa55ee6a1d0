import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eventually, RunningPlatform, startPlatform } from '@mlops/testing';

type Json = Record<string, any>;

const CACHE = process.env.MLOPS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlops');
const SCHEMATHESIS = join(CACHE, 'venvs', 'schemathesis', 'bin', 'schemathesis');
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance'];
const REPORT = join(process.cwd(), '.cache', 'contract', 'schemathesis.log');
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** Every operation of the document with its path and method. */
const operationsOf = (document: Json) =>
  Object.entries(document.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method] as Json })),
  );

const schemaOf = (document: Json, schema: Json | undefined): Json | undefined =>
  schema?.$ref ? document.components.schemas[String(schema.$ref).split('/').pop()!] : schema;

/** Runs schemathesis over the merged document (as checked below) against the gateway; resolves with its exit code and output. */
function runSchemathesis(documentPath: string, url: string, reportDir: string): Promise<{ code: number | null; output: string }> {
  const args = [
    'run',
    documentPath,
    '--url',
    url,
    '--checks',
    CHECKS.join(','),
    // Bounded for CI on two shared cores: examples per operation, a 3-minute budget, one worker (Python 3.11 before
    // 3.11.8 breaks hypothesis's AST reading across threads), a request timeout.
    '--max-examples',
    '5',
    '--max-time',
    '180',
    '--workers',
    '1',
    '--request-timeout',
    '10',
    // The coverage phase (every boundary of every field) alone runs past 8 minutes on shared CI cores.
    '--phases',
    'examples,fuzzing',
    '--seed',
    '1',
    '--generation-database',
    'none',
    '--no-shrink',
    '--report',
    'junit',
    '--report-dir',
    reportDir,
    '--header',
    'X-Actor: contract-fuzzer',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, ['--no-color', ...args], { cwd: reportDir, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the API contract: the merged OpenAPI document, checked by schemathesis against the running platform', () => {
  let platform: RunningPlatform;
  let document: Json;
  let reportDir: string;

  beforeAll(async () => {
    if (!existsSync(SCHEMATHESIS)) {
      throw new Error(`schemathesis is not installed at ${SCHEMATHESIS}: run bash tools/setup/schemathesis.sh (tools/test.sh runs it)`);
    }
    reportDir = mkdtempSync(join(tmpdir(), 'contract-'));
    // Loaded CI cores can take seconds to serve a document; the gateway's default wait is 2 s.
    platform = await startPlatform('contract', { gatewayEnv: { HEALTH_TIMEOUT_MS: '15000' } });
    // The gateway leaves out a service whose document it could not fetch in time; ask until all are in.
    document = await eventually(async () => {
      const merged = (await (await fetch(`${platform.url}/openapi.json`)).json()) as Json;
      if (merged.info['x-unavailable-services']) throw new Error(`not merged yet: ${merged.info['x-unavailable-services']}`);
      return merged;
    }, 120_000, 1_000);
    writeFileSync(join(reportDir, 'openapi.json'), JSON.stringify(document));
  }, 480_000);

  afterAll(async () => {
    await platform?.stop();
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
  });

  it('merges every service and names each operation uniquely', () => {
    expect(document.info['x-unavailable-services']).toBeUndefined();
    const operations = operationsOf(document);
    for (const prefix of ['/api/v1/features', '/api/v1/ml/lifecycle', '/api/v1/ml/evaluation', '/api/v1/prompt-governance']) {
      expect(operations.some(({ path }) => path.startsWith(prefix))).toBe(true);
    }
    const ids = operations.map(({ operation }) => operation.operationId as string);
    expect(ids.every(Boolean)).toBe(true);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('documents the problem+json answers each operation can give', () => {
    const missing: string[] = [];
    for (const { path, method, operation } of operationsOf(document)) {
      const responses = operation.responses as Json;
      const params = (operation.parameters ?? []) as Json[];
      // 414 and 431: what the gateway will not forward, whatever the route.
      const expected = [401, 403, 414, 429, 431, 503];
      if (params.length || operation.requestBody) expected.push(400);
      if (params.some((p) => p.in === 'path')) expected.push(404);
      if (operation.requestBody) expected.push(413, 415);
      if (params.some((p) => p.in === 'header' && String(p.name).toLowerCase() === 'if-match')) expected.push(412);
      for (const status of expected) if (!responses[status]) missing.push(`${method.toUpperCase()} ${path} ${status}`);
      for (const [status, response] of Object.entries(responses) as [string, Json][]) {
        if (Number(status) < 400) continue;
        const schema = response.content?.['application/problem+json']?.schema;
        if (schemaOf(document, schema)?.required?.join() !== 'type,title,status') missing.push(`${method.toUpperCase()} ${path} ${status} schema`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('declares ETag on every response that carries a resource version', () => {
    const withoutETag: string[] = [];
    let resources = 0;
    for (const { path, method, operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses as Json) as [string, Json][]) {
        const properties = schemaOf(document, response.content?.['application/json']?.schema)?.properties;
        if (Number(status) >= 300 || !properties?.version || properties.items) continue;
        resources++;
        if (!response.headers?.ETag) withoutETag.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    expect(resources).toBeGreaterThan(20);
    expect(withoutETag).toEqual([]);
  });

  it('types as integer every integer the requests take', () => {
    // The DTO classes live in the services' processes (the mechanism is unit-tested in libs/platform); here, by name.
    const integerNames = new Set(['limit', 'version', 'versions', 'model_version', 'step', 'replicas', 'traffic_percent', 'gpu']);
    const numberTyped: string[] = [];
    const seen = new Set<string>();
    const visit = (where: string, schema: Json | undefined): void => {
      if (!schema) return;
      if (schema.$ref) {
        if (seen.has(schema.$ref)) return;
        seen.add(schema.$ref);
        return visit(schema.$ref, schemaOf(document, schema));
      }
      for (const [property, definition] of Object.entries((schema.properties ?? {}) as Json)) {
        const type = definition.type === 'array' ? definition.items?.type : definition.type;
        if (integerNames.has(property) && type === 'number') numberTyped.push(`${where}.${property}`);
        visit(`${where}.${property}`, definition.type === 'array' ? definition.items : definition);
      }
      for (const nested of [...(schema.allOf ?? []), ...(schema.oneOf ?? [])] as Json[]) visit(where, nested);
    };
    let requests = 0;
    for (const { path, method, operation } of operationsOf(document)) {
      for (const parameter of (operation.parameters ?? []) as Json[]) {
        if (integerNames.has(parameter.name) && parameter.schema?.type !== 'integer') numberTyped.push(`${method} ${path} ${parameter.name}`);
      }
      const body = operation.requestBody?.content?.['application/json']?.schema as Json | undefined;
      if (body) requests++;
      visit(`${method} ${path}`, body);
    }
    expect(requests).toBeGreaterThan(15);
    expect(numberTyped).toEqual([]);
  });

  it('holds under schemathesis: no server errors, and every status, content type and body as documented', async () => {
    const { code, output } = await runSchemathesis(join(reportDir, 'openapi.json'), platform.url, reportDir);
    // The whole report is kept in a file; the log gets one line of our own, since schemathesis closes
    // its report with a pytest-style banner that log readers would take for another test runner's.
    mkdirSync(dirname(REPORT), { recursive: true });
    writeFileSync(REPORT, output);
    const cases = /(\d+) generated, (\d+) passed/.exec(output);
    process.stdout.write(`schemathesis (${CHECKS.join(', ')}): exit ${code}, ${cases ? `${cases[2]} of ${cases[1]} cases passed` : 'no case count'}; report in ${REPORT}\n`);
    expect(output).toMatch(/passed/i);
    expect({ code, failures: code === 0 ? '' : output.slice(output.lastIndexOf('FAILURES') >= 0 ? output.lastIndexOf('FAILURES') : 0) }).toEqual({
      code: 0,
      failures: '',
    });
  }, 300_000);
});
