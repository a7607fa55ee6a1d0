/**
 * Appends a feature's commits to the event store the way commands do, then dies with SIGKILL before
 * any relay can publish them: the "killed right after the append" half of the no-loss test.
 * argv: mongoUrl dbName featureName commitCount
 */
import mongoose from 'mongoose';
import { featureStoreCatalog } from '@mlops/events';
import { EventStore } from '@mlops/event-sourcing';

async function main() {
  const [mongoUrl, dbName, name, count] = process.argv.slice(2);
  const connection = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
  const store = await EventStore.create(connection.db!, featureStoreCatalog);
  const streamId = `feature:${name}`;
  const metadata = { actor: 'crash-test', correlationId: 'crash-test', now: new Date() };
  const schema = { nullable: true, min: null, max: null, allowed_values: null };
  const source = { kind: 'column' as const, dataset_id: 'trips', column: 'fare' };
  await store.append(
    streamId,
    0,
    [{ type: 'FeatureCreated', data: { name, description: '', entity: 'trip_id', owner: 'crash-test', tags: [], version: 1, value_type: 'float', schema, source, changelog: 'v1' } }],
    metadata,
  );
  for (let version = 2; version <= Number(count); version++) {
    const data = { name, version, value_type: 'double', schema: { ...schema, min: -version }, source, changelog: `v${version}`, backward_compatible: true, breaking_changes: [] };
    await store.append(streamId, version - 1, [{ type: 'FeatureVersionCreated', data }], metadata);
  }
  process.stdout.write('appended\n');
  process.kill(process.pid, 'SIGKILL');
}

void main();
