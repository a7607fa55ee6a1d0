import { readFileSync } from 'node:fs';
import { RunningPlatform, startPlatform } from '@mlops/testing';
import { fetchDocument, generateSchemaTypes, SCHEMA_FILE } from './generate';

// A route or schema change without `npm run gen:client` fails here: the committed types must be
// exactly what the live merged document generates.
describe('the committed client', () => {
  let platform: RunningPlatform;
  beforeAll(async () => {
    platform = await startPlatform('client');
  });
  afterAll(() => platform?.stop());

  it('matches the types generated from the gateway’s /openapi.json', async () => {
    const generated = generateSchemaTypes(await fetchDocument(platform.url));
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (generated !== committed) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      const line = a.findIndex((text, i) => text !== b[i]);
      throw new Error(
        `libs/client/src/schema.ts is stale: run \`npm run gen:client\` and commit it. First difference at line ${line + 1}:\n` +
          `committed: ${a[line]}\ngenerated: ${b[line]}`,
      );
    }
  });
});
