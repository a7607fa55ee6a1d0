import { writeFileSync } from 'node:fs';
// The platform module itself: the @mlops/testing index also loads jest's globals, which refuse to load outside jest.
// eslint-disable-next-line @nx/enforce-module-boundaries -- a development script, not part of the client's build
import { startPlatform } from '../../../testing/src/platform';
import { fetchDocument, generateSchemaTypes, SCHEMA_FILE } from '../generate';

/**
 * `npm run gen:client`: regenerates libs/client/src/schema.ts from the gateway's merged document —
 * of GATEWAY_URL when given, else of a platform started for the purpose on the local infrastructure.
 */
async function main() {
  const given = process.env.GATEWAY_URL;
  const platform = given ? undefined : await startPlatform('genclient');
  try {
    const document = await fetchDocument(given ?? platform!.url);
    writeFileSync(SCHEMA_FILE, generateSchemaTypes(document));
    console.log(`wrote ${SCHEMA_FILE}`);
  } finally {
    await platform?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
