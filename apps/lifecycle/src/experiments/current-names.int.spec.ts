import mongoose, { mongo as driver } from 'mongoose';
import { dropDatabase, isolatedEnv } from '@mlops/testing';
import { CurrentNames } from './current-names';

describe('current names on the real MongoDB-protocol server', () => {
  const env = isolatedEnv('current-names');
  let connection: mongoose.Connection;
  let finds = 0;

  beforeAll(async () => {
    connection = await mongoose.createConnection(env.MONGO_URL, { dbName: env.MONGO_DB, monitorCommands: true }).asPromise();
    connection.getClient().on('commandStarted', (event: driver.CommandStartedEvent) => {
      if (event.commandName === 'find' && event.command.find === 'experiments') finds++;
    });
    await connection.db!.collection('experiments').insertMany([
      { _id: 'experiment:churn' as never, name: 'churn-v2' },
      { _id: 'experiment:fraud' as never, name: 'fraud' },
    ]);
  });
  afterAll(async () => {
    await connection.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('answers the lookups made at once with one read, and shows a rename at once', async () => {
    const names = new CurrentNames({ collection: () => connection.db!.collection('experiments') as never, prefix: 'experiment:', field: 'name' });
    const runs = (key: string) => [{ run_id: `${key}-1`, experiment_name: key }];
    const before = finds;
    const answered = await Promise.all(['churn', 'fraud', 'churn', 'gone'].map((key) => names.of(runs(key), 'experiment_name')));
    expect(answered.map(([run]) => run.experiment_name)).toEqual(['churn-v2', 'fraud', 'churn-v2', 'gone']);
    expect(finds - before).toBe(1);

    await connection.db!.collection('experiments').updateOne({ _id: 'experiment:fraud' as never }, { $set: { name: 'fraud-v2' } });
    expect((await names.of(runs('fraud'), 'experiment_name'))[0].experiment_name).toBe('fraud-v2');
    expect(finds - before).toBe(2);
  });
});
