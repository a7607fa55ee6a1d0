import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * What the monitor knows of the platform: the published contract only — the AsyncAPI document
 * (topics and the event types each carries) and the JSON Schemas it points to. Nothing from the
 * services' code, as a downstream consumer would build it.
 */
export interface EventContract {
  /** Channel name (`lifecycle`, `feature-store`, …) → topic address. */
  topics: Map<string, string>;
  /** Event type → its schema validator (envelope included, through the schema's `allOf`). */
  validators: Map<string, ValidateFunction>;
}

function schemaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? schemaFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

export function loadContract(contractDir: string): EventContract {
  const asyncapi = parse(readFileSync(join(contractDir, 'asyncapi.yaml'), 'utf8')) as {
    channels: Record<string, { address: string }>;
    components: { messages: Record<string, { name: string; payload: { schema: { $ref: string } } }> };
  };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const byFile = new Map<string, string>();
  for (const file of schemaFiles(join(contractDir, 'schemas'))) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id: string };
    ajv.addSchema(schema);
    byFile.set(relative(contractDir, file), schema.$id);
  }
  const validators = new Map<string, ValidateFunction>();
  for (const message of Object.values(asyncapi.components.messages)) {
    const id = byFile.get(relative('.', message.payload.schema.$ref));
    if (!id) throw new Error(`AsyncAPI message ${message.name} points to ${message.payload.schema.$ref}, which is not a schema file`);
    validators.set(message.name, ajv.getSchema(id)!);
  }
  const topics = new Map(Object.entries(asyncapi.channels).map(([name, channel]) => [name, channel.address]));
  return { topics, validators };
}
