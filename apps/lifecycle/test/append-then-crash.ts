/**
 * Appends commits to the event store the way a command does, then dies with SIGKILL before any
 * relay can publish them: the "killed right after the append" half of the no-loss test.
 * argv: mongoUrl dbName streamId commitCount
 */
import mongoose from 'mongoose';
import { lifecycleCatalog } from '@mlops/events';
import { EventStore } from '@mlops/event-sourcing';

async function main() {
  const [mongoUrl, dbName, streamId, count] = process.argv.slice(2);
  const connection = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
  const store = await EventStore.create(connection.db!, lifecycleCatalog);
  const name = streamId.split(':')[1];
  const metadata = { actor: 'crash-test', correlationId: 'crash-test', now: new Date() };
  await store.append(streamId, 0, [{ type: 'ExperimentCreated', data: { name, description: '', owner: 'crash-test', tags: [] } }], metadata);
  for (let version = 1; version < Number(count); version++) {
    await store.append(streamId, version, [{ type: 'ExperimentUpdated', data: { name, description: `v${version + 1}` } }], metadata);
  }
  process.stdout.write('appended\n');
  process.kill(process.pid, 'SIGKILL');
}

void main();
