/**
 * Rebuilds a read model: drops it and makes every running service replay the topic from the first
 * offset into it (within PROJECTION_GENERATION_POLL_MS; a stopped service does it when it starts).
 *
 *   npm run projections:rebuild -- --db mlops_lifecycle --projection experiments [--mongo-url mongodb://…]
 */
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { requestRebuild } from '../projection-runner';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'mongo-url': { type: 'string', default: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/' },
      db: { type: 'string', default: process.env.MONGO_DB },
      projection: { type: 'string' },
    },
  });
  if (!values.db || !values.projection) {
    process.stderr.write('usage: rebuild-projection --db <service database> --projection <read model> [--mongo-url <url>]\n');
    process.exit(2);
  }
  const connection = await mongoose.createConnection(values['mongo-url']!, { dbName: values.db }).asPromise();
  try {
    const generation = await requestRebuild(connection.db!, values.projection);
    process.stdout.write(`${values.db}.${values.projection}: dropped; replaying from the first offset as generation ${generation}\n`);
  } finally {
    await connection.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`rebuild failed: ${error.message}\n`);
  process.exit(1);
});
